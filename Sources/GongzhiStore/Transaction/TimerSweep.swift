import Foundation
import GongzhiCore

/// The scheduler's sweep, on either backend: selects the cases whose time has come and applies
/// `TimerMarks` to each in the transaction that sets its flags. With several instances sweeping
/// one database, each takes only cases no other transaction holds, and re-reads each under its
/// lock, so every mark is made exactly once.
public struct TimerSweep: Sendable {
    public let store: any Storage
    public static let actor = TimerMarks.actor
    public typealias Result = TimerMarks.Tally

    public init(store: any Storage) { self.store = store }

    /// Processes everything due at `now`, in batches of `batch` cases per transaction.
    @discardableResult
    public func run(now: Date, batch: Int = 200) async throws -> Result {
        var result = Result()
        while true {
            let step = try await store.transaction { tx in try Self.sweep(tx, now: now, limit: batch) }
            result = result + step.result
            if step.cases < batch { return result }
        }
    }

    /// Marks what is due at `now` in one transaction, at most `limit` cases. Each mark is stamped
    /// `now`, or, replaying a past (the demo), at the time it fell due.
    public static func sweep(_ tx: CaseTransaction, now: Date, limit: Int, stampAtDue: Bool = false) throws -> (cases: Int, result: Result) {
        let ms = Timestamp.millis(now)
        let ids = try tx.sql.dueCases(at: ms, limit: limit)
        var result = Result()
        let until = Timestamp.date(millis: ms)  // the same instant the query compared with
        for id in ids { result = result + (try markDue(tx, id: id, until: until) { stampAtDue ? $0 : until }) }
        return (ids.count, result)
    }

    /// Applies every step due on one case by `until`.
    @discardableResult
    public static func markDue(_ tx: CaseTransaction, id: Int64, until: Date, stamp: (Date) -> Date) throws -> Result {
        var result = Result()
        while let r = try tx.find(id: id), let step = TimerMarks.next(r, until: until, context: tx.context, stamp: stamp) {
            for command in step.commands { _ = try tx.perform(command, on: id, actor: actor, at: step.at) }
            result = result + step.tally
        }
        return result
    }
}
