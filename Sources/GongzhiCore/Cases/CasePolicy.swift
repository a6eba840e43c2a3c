import Foundation

/// What the state machine needs besides the case itself: the org tree to check units and
/// find escalation parents, the categories and routing rules for units and deadlines, the
/// working calendar to count them on, and local settings.
public struct CaseContext: Sendable {
    public var units: OrgDirectory
    public var categories: CategoryDirectory
    public var rules: RoutingTable
    public var calendar: WorkingCalendar
    public var policy: CasePolicy
    /// The co-governance (云共治) scenarios: merchant deadlines and enforcement.
    public var coGovernance: CoGovernance

    public init(units: OrgDirectory, categories: CategoryDirectory, rules: RoutingTable = .empty,
                calendar: WorkingCalendar = try! WorkingCalendar(years: []), policy: CasePolicy = CasePolicy(),
                coGovernance: CoGovernance = .none) {
        self.units = units
        self.categories = categories
        self.rules = rules
        self.calendar = calendar
        self.policy = policy
        self.coGovernance = coGovernance
    }

    /// A deadline and when to warn about it.
    public struct Deadline: Sendable, Hashable {
        public var due: Date
        public var warn: Date
        public var ruleID: String?
    }

    /// The deadline for a case sent to a unit at `at`: an explicit override (natural hours),
    /// else the matching routing rule's, else the category's local default (natural hours),
    /// else the policy's default. The warning falls at the rule's (or the policy's) share of
    /// the time in between.
    public func deadline(for record: CaseRecord, from at: Date, overrideHours: Double?) -> Deadline {
        deadline(for: record, from: at, overrideHours: overrideHours,
                 match: rules.route(category: record.category, area: record.area, source: record.report.source, units: units))
    }

    /// The same, with the case's route already found (a replay of many steps finds it once).
    public func deadline(for record: CaseRecord, from at: Date, overrideHours: Double?, match: RouteMatch?) -> Deadline {
        let share = match?.rule.warningShare ?? policy.warningShare
        let due: Date
        if let h = overrideHours {
            due = at.addingTimeInterval(h * 3600)
        } else if let rule = match?.rule {
            due = rule.deadline.due(from: at, calendar: calendar)
        } else {
            let hours = record.category.flatMap { categories.reportable($0)?.defaults?.deadlineHours } ?? policy.defaultDeadlineHours
            due = at.addingTimeInterval(hours * 3600)
        }
        let warn: Date
        if overrideHours == nil, let rule = match?.rule, rule.deadline.unit != .naturalHours {
            // Working-time deadlines warn after the share of the working time, not clock time.
            warn = calendar.addingWorkingHours(calendar.workingHours(from: at, to: due) * share, to: at)
        } else {
            warn = at.addingTimeInterval(due.timeIntervalSince(at) * share)
        }
        return Deadline(due: due, warn: warn, ruleID: overrideHours == nil ? match?.rule.id : nil)
    }
}

/// Local rules of the closed loop, set per deployment.
public struct CasePolicy: Sendable, Hashable {
    /// How long after closing a case may be reopened.
    public var reopenWindowHours: Double
    /// The deadline when neither the command, a rule nor the category gives one.
    public var defaultDeadlineHours: Double
    /// Longest deadline a dispatcher may set by hand (a year).
    public var maxDeadlineHours: Double
    /// Share of the time to a deadline after which a warning is marked, when no rule says.
    public var warningShare: Double

    public init(reopenWindowHours: Double = 7 * 24, defaultDeadlineHours: Double = 72, maxDeadlineHours: Double = 366 * 24,
                warningShare: Double = 0.8) {
        self.reopenWindowHours = reopenWindowHours
        self.defaultDeadlineHours = defaultDeadlineHours
        self.maxDeadlineHours = maxDeadlineHours
        self.warningShare = warningShare
    }
}
