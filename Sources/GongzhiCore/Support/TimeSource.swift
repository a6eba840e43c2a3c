import Foundation
import Synchronization

/// Where "now" comes from. Every decision that depends on time (deadlines, the reopen
/// window, event timestamps) takes its time from a `TimeSource`, so tests can freeze or
/// jump the clock and a restart can be simulated at any instant.
public protocol TimeSource: Sendable {
    func now() -> Date
}

/// The machine's wall clock.
public struct SystemTimeSource: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told: for tests and for `--clock` replays.
public final class ManualTimeSource: TimeSource {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func set(_ date: Date) { current.withLock { $0 = date } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The wall clock shifted to start at a chosen instant: time passes normally from there.
/// Used to run the server "as of" another time (drills, restart tests).
public struct OffsetTimeSource: TimeSource {
    let offset: TimeInterval

    public init(startingAt start: Date, now: Date = Date()) { offset = start.timeIntervalSince(now) }

    public func now() -> Date { Date().addingTimeInterval(offset) }
}
