import Foundation
import GongzhiCore
import GRDB

/// Marks warnings and overdues and escalates per the rules, as events, for every dispatched
/// case whose time has come. Each case is marked in the same transaction that sets its flag,
/// and only unflagged cases are selected, so each mark happens exactly once, however often
/// the sweep runs and whether or not the server was down when the time came.
public struct TimerSweep: Sendable {
    public let store: SQLiteCaseStore
    public static let actor = Actor(id: "system:scheduler")

    public init(store: SQLiteCaseStore) { self.store = store }

    public struct Result: Sendable, Hashable {
        public var warned = 0
        public var overdue = 0
        public var escalated = 0
        public var total: Int { warned + overdue + escalated }
    }

    /// Processes everything due at `now`, in batches of `batch` cases per transaction.
    @discardableResult
    public func run(now: Date, batch: Int = 200) async throws -> Result {
        var result = Result()
        while true {
            let step = try await store.transaction { tx in try Self.sweep(tx, now: now, limit: batch) }
            result.warned += step.result.warned
            result.overdue += step.result.overdue
            result.escalated += step.result.escalated
            if step.cases < batch { return result }
        }
    }

    static func sweep(_ tx: CaseTransaction, now: Date, limit: Int) throws -> (cases: Int, result: Result) {
        let ms = Timestamp.millis(now)
        let ids = try Int64.fetchAll(tx.db, sql: """
            SELECT id FROM cases WHERE status = 'dispatched' AND warned = 0 AND warn_at <= ?
            UNION SELECT id FROM cases WHERE status = 'dispatched' AND overdue_marked = 0 AND due_at <= ?
            ORDER BY id LIMIT ?
            """, arguments: [ms, ms, limit])
        var result = Result()
        for id in ids {
            guard var record = try tx.find(id: id) else { continue }
            if !record.warned, let w = record.warnAt, w <= now {
                record = try tx.perform(CaseCommand(.warn), on: id, actor: actor, at: now)
                result.warned += 1
            }
            if !record.overdueMarked, let due = record.dueAt, due <= now {
                record = try tx.perform(CaseCommand(.overdue), on: id, actor: actor, at: now)
                result.overdue += 1
                let rule = record.ruleID.flatMap { id in tx.context.rules.rules.first { $0.id == id } }
                if rule?.escalateWhenOverdue == true, let unit = record.unit, tx.context.units.parent(of: unit) != nil {
                    _ = try tx.perform(CaseCommand(.escalate, reason: "超期未办结，按规则 \(rule!.id) 自动上报"), on: id, actor: actor, at: now)
                    result.escalated += 1
                }
            }
        }
        return (ids.count, result)
    }
}
