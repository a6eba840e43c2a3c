import Synchronization

/// Counts this process's committed write transactions, so open cockpits learn that figures
/// changed without asking the database (see the cockpit's event stream). Other instances'
/// writes on the same PostgreSQL database are counted as their notices arrive (`Storage.followChanges`).
public final class ChangeCounter: Sendable {
    private let value = Atomic<UInt64>(0)

    public init() {}

    public var current: UInt64 { value.load(ordering: .acquiring) }

    public func bump() { value.add(1, ordering: .releasing) }
}
