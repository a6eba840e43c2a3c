import Foundation
import GongzhiCore
import GRDB
import GongzhiStore

/// The scheduler's sweep on SQLite: selects the cases whose time has come (only unflagged ones,
/// by partial indexes) and applies `TimerMarks` to each in the transaction that sets its flags.
public struct TimerSweep: Sendable {
    public let store: SQLiteCaseStore
    public static let actor = TimerMarks.actor
    public typealias Result = TimerMarks.Tally

    public init(store: SQLiteCaseStore) { self.store = store }

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
        let ids = try Int64.fetchAll(tx.db, sql: """
            SELECT id FROM cases WHERE status = 'dispatched' AND warned = 0 AND warn_at <= ?
            UNION SELECT id FROM cases WHERE status = 'dispatched' AND overdue_marked = 0 AND due_at <= ?
            UNION SELECT id FROM cases WHERE status = 'self_correcting' AND due_at <= ?
            ORDER BY id LIMIT ?
            """, arguments: [ms, ms, ms, limit])
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

extension SQLiteCaseStore: TimerStore {
    public func sweepTimers(now: Date, batch: Int) async throws -> TimerMarks.Tally {
        try await TimerSweep(store: self).run(now: now, batch: batch)
    }
}
