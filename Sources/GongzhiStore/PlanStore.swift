import Foundation
import GongzhiCore

/// A plan as stored: its file, the progress reported and the milestones reached since, each
/// an event of the plan's hash chain with its actor (a correction is a later report, never an
/// edit).
public struct StoredPlan: Sendable {
    public var document: PlanDocument
    /// Reports by indicator id, in the order they were made.
    public var reports: [String: [ProgressReport]]
    /// Milestones reached since the file, by project id (the file's own are in `document`).
    public var actuals: [String: [Milestone: PlanDay]]
    public var eventCount: Int

    public init(document: PlanDocument, reports: [String: [ProgressReport]], actuals: [String: [Milestone: PlanDay]], eventCount: Int) {
        self.document = document
        self.reports = reports
        self.actuals = actuals
        self.eventCount = eventCount
    }

    /// The plan's status on `day` with everything known by then; `blockerCases` are the cases
    /// raised as blockers (any plan's: `OpenBlockers.count` keeps this plan's open ones).
    public func status(at day: PlanDay, blockerCases: [CaseRecord] = []) -> PlanStatus {
        let openBlockers = OpenBlockers.count(blockerCases, plan: document, at: day)
        // Each project's schedule keeps only the milestones reached by `day`.
        return PlanEvaluation.evaluate(document, reports: reports, actuals: actuals, openBlockers: openBlockers, at: day)
    }
}

public struct PlanSummary: Sendable, Hashable {
    public var id: String
    public var name: String
    public var start: PlanDay
    public var end: PlanDay

    public init(id: String, name: String, start: PlanDay, end: PlanDay) {
        self.id = id
        self.name = name
        self.start = start
        self.end = end
    }
}

/// What a plan change is refused for, naming the field at fault.
public enum PlanStoreError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case invalid(field: String, String)
    case unknownPlan(String)

    public var description: String {
        switch self {
        case .unreadable(let why): "the plan file cannot be read: \(why)"
        case .invalid(_, let why): why
        case .unknownPlan(let id): "plan '\(id)' does not exist"
        }
    }
}

/// Plans on either backend. Each change is one transaction: the event, then its row.
public protocol PlanStore: Sendable {
    /// Loads a plan file (new, or a new version of one already loaded). On the first load the
    /// file's reports become events of their own, dated on their submission days.
    func load(_ json: Data, actor: String, at: Date) async throws -> PlanSummary
    func plans() async throws -> [PlanSummary]
    func plan(_ id: String) async throws -> StoredPlan?
    /// A unit's report of an indicator's value for a month; submitted on the day of `at`.
    func report(plan: String, indicator: String, month: PlanDay, asOf: PlanDay, value: Double, unit: String,
                actor: String, at: Date) async throws
    /// A project's milestone reached on `day`.
    func reach(plan: String, project: String, milestone: Milestone, day: PlanDay, actor: String, at: Date) async throws
    /// The first broken link of the plan's event chain, or nil when it is intact.
    func verify(plan: String) async throws -> String?
}

/// The demo's plan: Gongshu's second half of 2020, its targets from the district's public
/// text, its progress, most projects and all places filled in (marked `stated: false`).
public enum DemoPlan {
    public static func data() throws -> Data { try Resource.data("gongshu_2020h2_plan.json", in: "plan") }
}
