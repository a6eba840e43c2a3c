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

    /// The plan's status on `day` with everything known by then; `openBlockers` are this plan's
    /// blocker cases open that day (`OpenBlockers.cases`).
    public func status(at day: PlanDay, openBlockers open: [BlockerSubject: [CaseRecord]] = [:]) -> PlanStatus {
        let openBlockers = OpenBlockers.count(open, plan: document, at: day)
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
    /// The plan's current file as loaded (JSON), or nil.
    func document(_ id: String) async throws -> Data?
    /// A unit's report of an indicator's value for a month; submitted on the day of `at`.
    func report(plan: String, indicator: String, month: PlanDay, asOf: PlanDay, value: Double, unit: String,
                actor: String, at: Date) async throws
    /// A project's milestone reached on `day`.
    func reach(plan: String, project: String, milestone: Milestone, day: PlanDay, actor: String, at: Date) async throws
    /// The first broken link of the plan's event chain, or nil when it is intact.
    func verify(plan: String) async throws -> String?
}

extension PlanStore {
    /// Merges a sheet (CSV, or rows copied from a spreadsheet) into plan `id` and loads the result
    /// as the plan's new version: one event with `actor`, after the whole file is checked again.
    /// A plan not loaded yet is made from `new` (its name, first and last day). Nothing is loaded
    /// when no row could be taken.
    public func importSheet(_ text: String, plan id: String, new: (name: String, start: PlanDay, end: PlanDay)?,
                            unit: (String) -> String?, actor: String, at: Date) async throws -> PlanSheet.Outcome {
        var object: [String: Any]
        if let data = try await document(id) {
            guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw PlanStoreError.unreadable("plan \(id)") }
            object = o
        } else if let new {
            object = ["id": id, "name": new.name, "start": PlanDays.text(new.start), "end": PlanDays.text(new.end), "goal_areas": [Any]()]
        } else {
            throw PlanStoreError.unknownPlan(id)
        }
        let outcome: PlanSheet.Outcome
        do { outcome = try PlanSheet.merge(text, into: &object, unit: unit) } catch {
            throw PlanStoreError.invalid(field: "file", "the sheet cannot be read: \(error)")
        }
        guard outcome.taken > 0 else { return outcome }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        _ = try await load(data, actor: actor, at: at)
        return outcome
    }
}

/// The demo's plan: Gongshu's second half of 2020, its targets from the district's public
/// text, its progress, most projects and all places filled in (marked `stated: false`).
public enum DemoPlan {
    public static func data() throws -> Data { try Resource.data("gongshu_2020h2_plan.json", in: "plan") }
}

/// The demo's disputes, petitions and risk list (`centre_demo.json`): invented, in the
/// district's real communities, written as the centre's window records them.
public enum DemoCentreData {
    public static func data() throws -> Data { try Resource.data("centre_demo.json") }
}
