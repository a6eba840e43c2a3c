import Foundation

/// A district's work plan as a file (e.g. 拱墅区2020年下半年重点工作): goal areas → tasks (lead
/// and cooperating units, deadline) → indicators with targets; projects in groups, scheduled
/// backwards from their deadlines; portfolio targets over a group; the progress reported and
/// the blockers raised. `stated` tells what the plan's own text says from what was filled in
/// (a demo's progress, a generated project), so that pages never pass one off as the other.
public struct PlanDocument: Sendable, Decodable {
    public var id: String
    public var name: String
    public var source: String?
    public var start: PlanDay
    public var end: PlanDay
    public var rules: PacingRules
    public var stageDurations: [StageDurations]
    public var goalAreas: [GoalArea]
    public var projectGroups: [ProjectGroup]
    public var projects: [PlanProject]
    public var portfolioTargets: [PortfolioSpec]
    public var reports: [PlanReport]
    public var blockers: [BlockerSpec]

    public struct GoalArea: Sendable, Hashable, Decodable {
        public var id: String
        public var name: String
        public var tasks: [PlanTask]
    }

    public struct PlanTask: Sendable, Hashable, Decodable {
        public var id: String
        public var name: String
        public var leadUnit: String
        public var cooperatingUnits: [String]
        public var deadline: PlanDay
        public var stated: Bool
        public var indicators: [StatedIndicator]
        /// The project group the task drives (its portfolio targets count in its light).
        public var projectGroup: String?

        enum CodingKeys: String, CodingKey {
            case id, name, deadline, stated, indicators
            case leadUnit = "lead_unit"
            case cooperatingUnits = "cooperating_units"
            case projectGroup = "project_group"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            name = try c.decode(String.self, forKey: .name)
            leadUnit = try c.decode(String.self, forKey: .leadUnit)
            cooperatingUnits = try c.decodeIfPresent([String].self, forKey: .cooperatingUnits) ?? []
            deadline = try c.day(.deadline)
            stated = try c.decodeIfPresent(Bool.self, forKey: .stated) ?? false
            indicators = try c.decodeIfPresent([StatedIndicator].self, forKey: .indicators) ?? []
            projectGroup = try c.decodeIfPresent(String.self, forKey: .projectGroup)
        }
    }

    /// An indicator with where its figures come from.
    public struct StatedIndicator: Sendable, Hashable, Decodable {
        public var indicator: PlanIndicator
        public var stated: Bool
        public var note: String?

        enum CodingKeys: String, CodingKey { case stated, note }

        public init(from decoder: any Decoder) throws {
            indicator = try PlanIndicator(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            stated = try c.decodeIfPresent(Bool.self, forKey: .stated) ?? false
            note = try c.decodeIfPresent(String.self, forKey: .note)
        }
    }

    public struct ProjectGroup: Sendable, Hashable, Decodable {
        public var id: String
        public var name: String
    }

    public struct PortfolioSpec: Sendable, Hashable, Decodable {
        public var id: String
        public var name: String
        public var group: String
        public var target: PortfolioTarget
        public var stated: Bool

        enum CodingKeys: String, CodingKey { case id, name, group, milestones, share, by, stated }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            name = try c.decode(String.self, forKey: .name)
            group = try c.decode(String.self, forKey: .group)
            target = PortfolioTarget(milestones: Set(try c.decode([Milestone].self, forKey: .milestones)),
                                     share: try c.decode(Double.self, forKey: .share), by: try c.day(.by))
            stated = try c.decodeIfPresent(Bool.self, forKey: .stated) ?? false
        }
    }

    public struct PlanReport: Sendable, Hashable, Decodable {
        public var indicator: String
        public var report: ProgressReport
        public var stated: Bool

        enum CodingKeys: String, CodingKey { case indicator, stated }

        public init(from decoder: any Decoder) throws {
            report = try ProgressReport(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            indicator = try c.decode(String.self, forKey: .indicator)
            stated = try c.decodeIfPresent(Bool.self, forKey: .stated) ?? false
        }
    }

    public struct BlockerSpec: Sendable, Hashable, Decodable {
        public var project: String
        public var title: String
        public var raised: PlanDay
        public var unit: String
        public var stated: Bool

        enum CodingKeys: String, CodingKey { case project, title, raised, unit, stated }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            project = try c.decode(String.self, forKey: .project)
            title = try c.decode(String.self, forKey: .title)
            raised = try c.day(.raised)
            unit = try c.decode(String.self, forKey: .unit)
            stated = try c.decodeIfPresent(Bool.self, forKey: .stated) ?? false
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, source, start, end, rules, projects, reports, blockers
        case stageDurations = "stage_durations"
        case goalAreas = "goal_areas"
        case projectGroups = "project_groups"
        case portfolioTargets = "portfolio_targets"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        start = try c.day(.start)
        end = try c.day(.end)
        rules = try c.decodeIfPresent(PacingRules.self, forKey: .rules) ?? .standard
        stageDurations = try c.decodeIfPresent([StageDurations].self, forKey: .stageDurations) ?? []
        goalAreas = try c.decode([GoalArea].self, forKey: .goalAreas)
        projectGroups = try c.decodeIfPresent([ProjectGroup].self, forKey: .projectGroups) ?? []
        projects = try c.decodeIfPresent([PlanProject].self, forKey: .projects) ?? []
        portfolioTargets = try c.decodeIfPresent([PortfolioSpec].self, forKey: .portfolioTargets) ?? []
        reports = try c.decodeIfPresent([PlanReport].self, forKey: .reports) ?? []
        blockers = try c.decodeIfPresent([BlockerSpec].self, forKey: .blockers) ?? []
    }

    public var indicators: [StatedIndicator] { goalAreas.flatMap { $0.tasks.flatMap(\.indicators) } }

    /// Everything a loaded plan must hold together: unique ids, known units, indicators that
    /// make sense, projects whose type has durations and whose group exists, reports and
    /// blockers that point at something. `knownUnit` is the org tree's membership test.
    public func validate(knownUnit: (String) -> Bool) throws(PlanError) {
        try rules.validate()
        guard end >= start else { throw .invalid("plan \(id): end before start") }
        var ids = Set<String>()
        func unique(_ id: String, _ what: String) throws(PlanError) {
            guard !id.isEmpty else { throw .invalid("a \(what) without an id") }
            guard ids.insert(what + ":" + id).inserted else { throw .invalid("\(what) id '\(id)' is used twice") }
        }
        func unit(_ code: String, _ owner: String) throws(PlanError) {
            guard knownUnit(code) else { throw .invalid("\(owner): unknown unit '\(code)'") }
        }
        for d in stageDurations { try d.validate() }
        let types = Set(stageDurations.map(\.type)), groups = Set(projectGroups.map(\.id))
        for g in projectGroups { try unique(g.id, "project group") }
        for area in goalAreas {
            try unique(area.id, "goal area")
            for task in area.tasks {
                try unique(task.id, "task")
                try unit(task.leadUnit, "task \(task.id)")
                for u in task.cooperatingUnits { try unit(u, "task \(task.id)") }
                if let g = task.projectGroup, !groups.contains(g) { throw .invalid("task \(task.id): unknown project group '\(g)'") }
                for s in task.indicators {
                    try unique(s.indicator.id, "indicator")
                    try s.indicator.validate()
                }
            }
        }
        for p in projects {
            try unique(p.id, "project")
            try p.validate()
            try unit(p.leadUnit, "project \(p.id)")
            guard types.contains(p.type) else { throw .invalid("project \(p.id): no stage durations for type '\(p.type)'") }
            if let g = p.group, !groups.contains(g) { throw .invalid("project \(p.id): unknown group '\(g)'") }
        }
        for t in portfolioTargets {
            try unique(t.id, "portfolio target")
            guard groups.contains(t.group) else { throw .invalid("portfolio target \(t.id): unknown group '\(t.group)'") }
            guard t.target.share > 0, t.target.share <= 1, !t.target.milestones.isEmpty else {
                throw .invalid("portfolio target \(t.id): needs milestones and a share in (0, 1]")
            }
        }
        let indicatorIDs = Set(indicators.map(\.indicator.id)), projectIDs = Set(projects.map(\.id))
        for r in reports {
            guard indicatorIDs.contains(r.indicator) else { throw .invalid("a report for unknown indicator '\(r.indicator)'") }
            try unit(r.report.unit, "report on \(r.indicator)")
        }
        for b in blockers {
            guard projectIDs.contains(b.project) else { throw .invalid("blocker '\(b.title)': unknown project '\(b.project)'") }
            try unit(b.unit, "blocker '\(b.title)'")
        }
    }
}
