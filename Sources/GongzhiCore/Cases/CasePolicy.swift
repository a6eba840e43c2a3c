import Foundation

/// The settings the state machine needs besides the case itself: the org tree to check
/// units and find escalation parents, the categories for deadlines, and local rules.
public struct CaseContext: Sendable {
    public var units: OrgDirectory
    public var categories: CategoryDirectory
    public var policy: CasePolicy

    public init(units: OrgDirectory, categories: CategoryDirectory, policy: CasePolicy = CasePolicy()) {
        self.units = units
        self.categories = categories
        self.policy = policy
    }

    /// The deadline for a case sent to a unit at `at`: an explicit override, else the
    /// category's local default, else the policy's default.
    ///
    /// Counted in natural hours; the working-day calendar replaces this for categories whose
    /// deadlines are in working hours.
    public func dueDate(category: String?, from at: Date, overrideHours: Double?) -> Date {
        let hours = overrideHours ?? category.flatMap { categories.reportable($0)?.defaults?.deadlineHours } ?? policy.defaultDeadlineHours
        return at.addingTimeInterval(hours * 3600)
    }
}

/// Local rules of the closed loop, set per deployment.
public struct CasePolicy: Sendable, Hashable {
    /// How long after closing a case may be reopened.
    public var reopenWindowHours: Double
    /// The deadline when neither the command nor the category gives one.
    public var defaultDeadlineHours: Double
    /// Longest deadline a dispatcher may set by hand (a year).
    public var maxDeadlineHours: Double

    public init(reopenWindowHours: Double = 7 * 24, defaultDeadlineHours: Double = 72, maxDeadlineHours: Double = 366 * 24) {
        self.reopenWindowHours = reopenWindowHours
        self.defaultDeadlineHours = defaultDeadlineHours
        self.maxDeadlineHours = maxDeadlineHours
    }
}
