import Foundation
import GongzhiCore
@testable import GongzhiStore
import Testing

/// The shipped demo plan holds together against the bundled org tree, and tells a new user on
/// 31 October 2020 what the issue asks: whether the 43 renovations are on track, and which of
/// the 207 projects along the four roads are late.
@Suite struct DemoPlanTests {
    static let plan = try! JSONDecoder().decode(PlanDocument.self, from: DemoPlan.data())

    @Test func theDemoPlanHoldsTogether() throws {
        let units = Set(StoreFixture.bundled.units.all.map(\.code))
        try Self.plan.validate(knownUnit: units.contains)
        #expect(Self.plan.goalAreas.count == 6)
        let groups = Dictionary(grouping: Self.plan.projects, by: { $0.group ?? "" }).mapValues(\.count)
        #expect(groups["four-roads"] == 207 && groups["renovation-2"] == 43)
        // The targets the text states are marked so; the progress never is.
        let stated = Self.plan.indicators.filter(\.stated).map(\.indicator.target)
        #expect(stated.contains(550) && stated.contains(10_000))
        #expect(Self.plan.reports.allSatisfy { !$0.stated } && !Self.plan.reports.isEmpty)
        #expect(Self.plan.projects.contains { $0.namedInText && $0.name.contains("浙江云计算数据中心") })
    }

    @Test func on31OctoberTheRenovationsAndTheFourRoadsAreJudged() throws {
        let reports = Dictionary(grouping: Self.plan.reports, by: \.indicator).mapValues { $0.map(\.report) }
        let oct31 = PlanDays.parse("2020-10-31")!
        let status = PlanEvaluation.evaluate(Self.plan, reports: reports, at: oct31)
        let renovation = try #require(status.portfolios["renovation-start"])
        #expect(renovation.projects == 43 && renovation.reached < 43 && renovation.reached > 30)
        // A day later the deadline has passed with some not started: red.
        let nov1 = PlanEvaluation.evaluate(Self.plan, reports: reports, at: oct31 + 1)
        #expect(nov1.portfolios["renovation-start"]?.light == .red)
        let roads = try #require(status.portfolios["four-roads-two-thirds"])
        #expect(roads.projects == 207 && roads.targetCount == 138 && roads.light != Light.none)
        // Which projects are late, and why: a milestone with negative slack or past its latest start.
        let late = Self.plan.projects.filter { $0.group == "four-roads" }.filter { status.projects[$0.id]?.light == .red }
        #expect(!late.isEmpty)
        for p in late {
            let why = status.projects[p.id]!.milestones.filter { $0.light == .red }
            #expect(!why.isEmpty || status.projects[p.id]!.openBlockers >= Self.plan.rules.redBlockers, "\(p.name)")
        }
    }
}
