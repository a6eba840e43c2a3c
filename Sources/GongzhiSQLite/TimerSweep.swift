import Foundation
import GongzhiCore
import GRDB
import GongzhiStore

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
        /// Self-correcting cases whose merchant's deadline passed, sent to enforcement.
        public var enforced = 0
        public var total: Int { warned + overdue + escalated + enforced }

        public init(warned: Int = 0, overdue: Int = 0, escalated: Int = 0, enforced: Int = 0) {
            self.warned = warned
            self.overdue = overdue
            self.escalated = escalated
            self.enforced = enforced
        }
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
            result.enforced += step.result.enforced
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
        for id in ids {
            let r = try markDue(tx, id: id, until: until) { stampAtDue ? $0 : until }
            result.warned += r.warned
            result.overdue += r.overdue
            result.escalated += r.escalated
            result.enforced += r.enforced
        }
        return (ids.count, result)
    }

    /// Marks everything due on one case by `until`: the warning, the overdue and, when the
    /// case's rule says so, the escalation to the unit's parent (which sets a new deadline, so
    /// this repeats until nothing more is due). `stamp` gives each mark's time from the time it
    /// fell due: the sweep stamps the present; replaying a past (the demo) stamps when it fell due.
    @discardableResult
    public static func markDue(_ tx: CaseTransaction, id: Int64, until: Date, stamp: (Date) -> Date) throws -> Result {
        var result = Result()
        while let r = try tx.find(id: id), r.status == .dispatched || r.status == .selfCorrecting {
            if r.status == .selfCorrecting {
                // The merchant's deadline passed with the problem still there: enforcement.
                guard let due = r.dueAt, due <= until else { break }
                _ = try tx.perform(CaseCommand(.uncorrected), on: id, actor: actor, at: max(stamp(due), r.updatedAt))
                result.enforced += 1
            } else if !r.warned, let w = r.warnAt, w <= until {
                _ = try tx.perform(CaseCommand(.warn), on: id, actor: actor, at: max(stamp(w), r.updatedAt))
                result.warned += 1
            } else if !r.overdueMarked, let due = r.dueAt, due <= until {
                let at = max(stamp(due), r.updatedAt)
                _ = try tx.perform(CaseCommand(.overdue), on: id, actor: actor, at: at)
                result.overdue += 1
                if let rule = r.ruleID.flatMap(tx.context.rules.rule(id:)), rule.escalateWhenOverdue,
                   let unit = r.unit, tx.context.units.parent(of: unit) != nil {
                    _ = try tx.perform(CaseCommand(.escalate, reason: "超期未办结，按规则 \(rule.id) 自动上报"), on: id, actor: actor, at: at)
                    result.escalated += 1
                }
            } else {
                break
            }
        }
        return result
    }
}
