import Foundation

/// The milestones a construction project passes, in order: preliminary work done (前期), land
/// transferred or the project approved (出让/立项), construction started (开工), completed (竣工).
public enum Milestone: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case preliminary, transfer, start, completion

    public var name: String {
        switch self {
        case .preliminary: "前期"
        case .transfer: "出让/立项"
        case .start: "开工"
        case .completion: "竣工"
        }
    }

    public static func < (a: Milestone, b: Milestone) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The standard days of the work that leads to each milestone from the one before, for a
/// type of project (industrial, residential, road…): data, as a district keeps its 倒排 tables.
/// The first milestone's work starts when the project enters the plan.
public struct StageDurations: Sendable, Hashable, Codable {
    public var type: String
    public var days: [Milestone: Int]

    public init(type: String, days: [Milestone: Int]) {
        self.type = type
        self.days = days
    }

    public func validate() throws(PlanError) {
        for m in Milestone.allCases {
            guard let d = days[m], d >= 0 else { throw .invalid("stage durations \(type): \(m.rawValue) needs days ≥ 0") }
        }
    }
}

/// One milestone of a project as the reverse schedule sees it on a day.
public struct ScheduledMilestone: Sendable, Hashable {
    public var milestone: Milestone
    /// The project's own plan for it, if it states one.
    public var planned: PlanDay?
    /// The latest day its work may start and finish and still meet the deadline (nil after
    /// the milestone the deadline is set for).
    public var latestStart: PlanDay?
    public var latestFinish: PlanDay?
    public var actual: PlanDay?
    /// When it is expected now: the actual day, or the later of its planned day and what the
    /// milestones before it allow (never before the day evaluated).
    public var forecast: PlanDay
    /// `latestFinish − forecast`, in days; negative when the deadline can no longer be met.
    public var slack: Int64?
    public var light: Light
}

/// The reverse schedule (倒排计划) of a project: from its deadline back through the standard
/// durations, each milestone's latest start and finish; forward from what has happened, each
/// one's forecast; the difference is the slack.
public enum ReverseSchedule {
    /// - Parameters:
    ///   - deadline: the day `target` must be reached by (e.g. 开工或出让 by the end of next year).
    ///   - entered: the day the project entered the plan (its first work starts then).
    public static func schedule(deadline: PlanDay, target: Milestone, durations: StageDurations, entered: PlanDay,
                                planned: [Milestone: PlanDay], actual: [Milestone: PlanDay], at day: PlanDay,
                                rules: PacingRules = .standard) -> [ScheduledMilestone] {
        let all = Milestone.allCases
        // Backward from the deadline: a milestone's latest finish is the next one's latest start.
        var latestFinish: [Milestone: PlanDay] = [:]
        var next = deadline
        for m in all.reversed() where m <= target {
            latestFinish[m] = next
            next -= Int64(durations.days[m] ?? 0)
        }
        var result: [ScheduledMilestone] = []
        var previous = entered
        for m in all {
            let work = Int64(durations.days[m] ?? 0)
            let latestStart = latestFinish[m].map { $0 - work }
            let forecast: PlanDay
            if let done = actual[m] {
                forecast = done
            } else {
                forecast = max(previous + work, planned[m] ?? .min, day)
            }
            let slack = latestFinish[m].map { $0 - forecast }
            var light = Light.none
            if let slack {
                if let done = actual[m] {
                    light = done <= latestFinish[m]! ? .green : .red
                } else if let start = latestStart, day > start, previousUnreached(m, actual) {
                    // Its work should have begun and has not: the milestone before it is not reached.
                    light = .red
                } else {
                    light = slack < 0 ? .red : slack < Int64(rules.amberSlackDays) ? .amber : .green
                }
            }
            result.append(ScheduledMilestone(milestone: m, planned: planned[m], latestStart: latestStart, latestFinish: latestFinish[m],
                                             actual: actual[m], forecast: forecast, slack: slack, light: light))
            previous = forecast
        }
        return result
    }

    /// Whether the milestone whose work leads to `m` has not started: the one before it is
    /// not reached (the first milestone's work starts on entering the plan, so it has started).
    static func previousUnreached(_ m: Milestone, _ actual: [Milestone: PlanDay]) -> Bool {
        guard let i = Milestone.allCases.firstIndex(of: m), i > 0 else { return false }
        return actual[Milestone.allCases[i - 1]] == nil
    }
}
