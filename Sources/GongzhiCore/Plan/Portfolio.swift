import Foundation

/// A portfolio target over many projects, such as "确保年内2/3项目实现开工或出让": the share of
/// projects that reached any of `milestones` by a day, against the target share, and the
/// share their forecasts reach by the target day.
public struct PortfolioTarget: Sendable, Hashable, Codable {
    public var milestones: Set<Milestone>
    public var share: Double
    public var by: PlanDay

    public init(milestones: Set<Milestone>, share: Double, by: PlanDay) {
        self.milestones = milestones
        self.share = share
        self.by = by
    }
}

public struct PortfolioStatus: Sendable, Hashable {
    public var projects: Int
    /// Projects that reached one of the milestones by the day evaluated.
    public var reached: Int
    /// Projects whose first such milestone is forecast by the target day (reached ones included).
    public var forecastReached: Int
    public var targetCount: Int
    public var light: Light

    public var share: Double { projects == 0 ? 0 : Double(reached) / Double(projects) }
    public var forecastShare: Double { projects == 0 ? 0 : Double(forecastReached) / Double(projects) }
}

public enum Portfolio {
    /// - Parameter schedules: each project's reverse schedule on `day`.
    public static func status(_ target: PortfolioTarget, schedules: [[ScheduledMilestone]], at day: PlanDay,
                              rules: PacingRules = .standard) -> PortfolioStatus {
        var reached = 0, forecast = 0
        for schedule in schedules {
            let relevant = schedule.filter { target.milestones.contains($0.milestone) }
            if relevant.contains(where: { ($0.actual ?? .max) <= day }) { reached += 1 }
            if let first = relevant.map({ $0.actual ?? $0.forecast }).min(), first <= target.by { forecast += 1 }
        }
        let needed = Int((Double(schedules.count) * target.share - 1e-9).rounded(.up))
        var light = Light.none
        if needed > 0 {
            // Before the target day, the forecasts' shortfall; after it, a miss is a miss.
            light = day > target.by ? (reached >= needed ? .green : .red)
                : rules.light(behind: max(0, Double(needed - forecast) / Double(needed)))
        }
        return PortfolioStatus(projects: schedules.count, reached: reached, forecastReached: forecast, targetCount: needed, light: light)
    }
}
