import Foundation

/// What the scheduler does to a case whose time has come, as a pure function every store
/// applies the same way: the warning, the overdue mark and (when the rule says so) escalation to
/// the unit's parent; for a self-correcting case, enforcement once the merchant's deadline passed.
public enum TimerMarks {
    public struct Tally: Sendable, Hashable {
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

        public static func + (a: Tally, b: Tally) -> Tally {
            Tally(warned: a.warned + b.warned, overdue: a.overdue + b.overdue, escalated: a.escalated + b.escalated, enforced: a.enforced + b.enforced)
        }
    }

    /// One step: commands to perform in order at one time, and what they count as.
    public struct Step: Sendable, Hashable {
        public var commands: [CaseCommand]
        public var at: Date
        public var tally: Tally
    }

    public static let actor = Actor(id: "system:scheduler")

    /// The next step due on a case by `until`, or nil when nothing more is. Apply it and ask
    /// again: an escalation sets a new deadline that may itself be due. `stamp` gives each mark's
    /// time from the time it fell due (the present for a live sweep, the due time when replaying a
    /// past); a mark is never earlier than the case's last change.
    public static func next(_ r: CaseRecord, until: Date, context: CaseContext, stamp: (Date) -> Date) -> Step? {
        switch r.status {
        case .selfCorrecting:
            guard let due = r.dueAt, due <= until else { return nil }
            return Step(commands: [CaseCommand(.uncorrected)], at: max(stamp(due), r.updatedAt), tally: Tally(enforced: 1))
        case .dispatched:
            if !r.warned, let w = r.warnAt, w <= until {
                return Step(commands: [CaseCommand(.warn)], at: max(stamp(w), r.updatedAt), tally: Tally(warned: 1))
            }
            guard !r.overdueMarked, let due = r.dueAt, due <= until else { return nil }
            var step = Step(commands: [CaseCommand(.overdue)], at: max(stamp(due), r.updatedAt), tally: Tally(overdue: 1))
            if let rule = r.ruleID.flatMap(context.rules.rule(id:)), rule.escalateWhenOverdue, let unit = r.unit, context.units.parent(of: unit) != nil {
                step.commands.append(CaseCommand(.escalate, reason: "超期未办结，按规则 \(rule.id) 自动上报"))
                step.tally.escalated = 1
            }
            return step
        default:
            return nil
        }
    }
}
