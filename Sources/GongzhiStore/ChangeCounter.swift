import Synchronization

/// Counts this process's committed write transactions, so open cockpits learn that figures
/// changed without asking the database (see the cockpit's event stream). Other instances'
/// writes on the same PostgreSQL database are counted as their notices arrive (`Storage.followChanges`).
public final class ChangeCounter: Sendable {
    private let value = Atomic<UInt64>(0)
    private let hearing = Atomic<Bool>(false)

    public init() {}

    public var current: UInt64 { value.load(ordering: .acquiring) }

    public func bump() { value.add(1, ordering: .releasing) }

    /// Whether every writer's commits reach this counter: only while this process listens for
    /// the notices PostgreSQL sends as every instance's write transaction commits. On SQLite a
    /// command-line process can write the file unheard, so the counter never vouches for it.
    /// What is read while this holds stays true until the counter moves (`RevisionPageCache`).
    public var hearsEveryWriter: Bool { hearing.load(ordering: .acquiring) }

    /// Listening began: from now on every commit is heard. Bumped, so nothing read before counts.
    public func startHearing() {
        hearing.store(true, ordering: .releasing)
        bump()
    }

    /// Listening ended (a lost connection, shutdown): notices may be missed until it starts again.
    public func stopHearing() {
        hearing.store(false, ordering: .releasing)
        bump()
    }
}
