import Foundation

/// A whole plan on a day: each indicator's pace, each project's schedule, each portfolio
/// target, and a light per project, task and goal area. Lights roll up as the worst light
/// below (nothing known says nothing), and open blockers (堵点) count: a project or a task
/// with `amberBlockers` open is at least amber, with `redBlockers` red.
public struct PlanStatus: Sendable {
    public var asOf: PlanDay
    public var indicators: [String: Pace]
    public var projects: [String: ProjectStatus]
    public var portfolios: [String: PortfolioStatus]
    public var tasks: [String: TaskStatus]
    public var goalAreas: [String: Light]

    public struct ProjectStatus: Sendable {
        public var milestones: [ScheduledMilestone]
        public var openBlockers: Int
        public var light: Light
    }

    public struct TaskStatus: Sendable {
        public var openBlockers: Int
        public var light: Light
    }

    /// Lights of the tasks, by colour: the plan's summary tile.
    public var taskLights: [Light: Int] {
        tasks.values.reduce(into: [:]) { $0[$1.light, default: 0] += 1 }
    }
}

public enum PlanEvaluation {
    /// - Parameters:
    ///   - reports: the progress reports by indicator id (the file's and those reported since).
    ///   - actuals: milestone dates reached by project id, beyond the file's own.
    ///   - openBlockers: open blockers by project and by task (`OpenBlockers.count`).
    public static func evaluate(_ plan: PlanDocument, reports: [String: [ProgressReport]], actuals: [String: [Milestone: PlanDay]] = [:],
                                openBlockers: OpenBlockers = OpenBlockers(), at day: PlanDay) -> PlanStatus {
        let rules = plan.rules
        let durations = Dictionary(plan.stageDurations.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })
        var status = PlanStatus(asOf: day, indicators: [:], projects: [:], portfolios: [:], tasks: [:], goalAreas: [:])
        for s in plan.indicators {
            status.indicators[s.indicator.id] = Pacing.pace(s.indicator, reports: reports[s.indicator.id] ?? [], at: day, rules: rules)
        }
        for var p in plan.projects {
            p.actual.merge(actuals[p.id] ?? [:]) { _, new in new }
            guard let d = durations[p.type] else { continue }
            let milestones = p.schedule(durations: d, at: day, rules: rules)
            let blockers = openBlockers.projects[p.id] ?? 0
            let light = max(milestones.map(\.light).max() ?? .none, blockerLight(blockers, rules))
            status.projects[p.id] = .init(milestones: milestones, openBlockers: blockers, light: light)
        }
        for t in plan.portfolioTargets {
            let schedules = plan.projects.filter { $0.group == t.group }.compactMap { status.projects[$0.id]?.milestones }
            status.portfolios[t.id] = Portfolio.status(t.target, schedules: schedules, at: day, rules: rules)
        }
        for area in plan.goalAreas {
            var areaLight = Light.none
            for task in area.tasks {
                var lights = task.indicators.compactMap { status.indicators[$0.indicator.id]?.light }
                var blockers = openBlockers.tasks[task.id] ?? 0
                if let g = task.projectGroup {
                    lights += plan.portfolioTargets.filter { $0.group == g }.compactMap { status.portfolios[$0.id]?.light }
                    blockers += plan.projects.filter { $0.group == g }.reduce(0) { $0 + (status.projects[$1.id]?.openBlockers ?? 0) }
                }
                let light = max(lights.max() ?? .none, blockerLight(blockers, rules))
                status.tasks[task.id] = .init(openBlockers: blockers, light: light)
                areaLight = max(areaLight, light)
            }
            status.goalAreas[area.id] = areaLight
        }
        return status
    }

    static func blockerLight(_ open: Int, _ rules: PacingRules) -> Light {
        open >= rules.redBlockers ? .red : open >= rules.amberBlockers ? .amber : .none
    }
}
