import Foundation

/// A blocker (堵点卡点) on a plan's project or task is a case of its own: source `project`, a
/// category of class 95, routed by the routing rules to the coordinating unit with a deadline,
/// and escalated like any case. Its report names what it blocks as two attributes (`plan`, and
/// `project` or `task`), so the link is written with the case in one transaction and nothing
/// has to call back from intake into the plan.
public struct BlockerSubject: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case project, task }

    public var plan: String
    public var kind: Kind
    public var id: String

    public init(plan: String, kind: Kind, id: String) {
        self.plan = plan
        self.kind = kind
        self.id = id
    }

    /// The report's attributes that carry the subject.
    public var attributes: [ReportAttribute] {
        [ReportAttribute(code: "plan", values: [plan]), ReportAttribute(code: kind.rawValue, values: [id])]
    }

    /// The subject a blocker case's report names; nil for any other report (a category-95 case
    /// filed by hand names none and counts against no project).
    public init?(report: Report) {
        guard report.source == .project, let attributes = report.attributes,
              let plan = attributes.first(where: { $0.code == "plan" })?.values.first else { return nil }
        for kind in Kind.allCases {
            if let id = attributes.first(where: { $0.code == kind.rawValue })?.values.first {
                self.init(plan: plan, kind: kind, id: id)
                return
            }
        }
        return nil
    }
}

/// Open blockers by project and by task on a day.
public struct OpenBlockers: Sendable, Equatable {
    public var projects: [String: Int]
    public var tasks: [String: Int]

    public init(projects: [String: Int] = [:], tasks: [String: Int] = [:]) {
        self.projects = projects
        self.tasks = tasks
    }

    /// Whether a blocker case was open at the end of `day` (China time): raised by then and
    /// not yet closed, rejected or merged. A case that left the loop and came back (reopened)
    /// counts from its current state only when `day` is today or later.
    public static func wasOpen(_ c: CaseRecord, on day: PlanDay) -> Bool {
        guard PlanDays.of(c.createdAt) <= day else { return false }
        if c.status.isOpen { return true }
        let left = c.closedAt ?? c.updatedAt
        return PlanDays.of(left) > day
    }

    /// The blocker cases of plan `id` open on `day`, by subject (other cases are ignored).
    public static func cases(_ cases: [CaseRecord], of id: String, openOn day: PlanDay) -> [BlockerSubject: [CaseRecord]] {
        var open: [BlockerSubject: [CaseRecord]] = [:]
        for c in cases {
            guard let s = BlockerSubject(report: c.report), s.plan == id, wasOpen(c, on: day) else { continue }
            open[s, default: []].append(c)
        }
        return open
    }

    /// The counts of `open` (from `cases(_:of:openOn:)`), plus the blockers the plan's own file
    /// records (raised before the plan was kept here; they stay open from their day).
    public static func count(_ open: [BlockerSubject: [CaseRecord]], plan: PlanDocument, at day: PlanDay) -> OpenBlockers {
        var counts = OpenBlockers()
        for b in plan.blockers where b.raised <= day { counts.projects[b.project, default: 0] += 1 }
        for (s, list) in open {
            switch s.kind {
            case .project: counts.projects[s.id, default: 0] += list.count
            case .task: counts.tasks[s.id, default: 0] += list.count
            }
        }
        return counts
    }
}
