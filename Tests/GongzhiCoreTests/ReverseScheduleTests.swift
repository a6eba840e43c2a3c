import Foundation
@testable import GongzhiCore
import Testing

/// The reverse schedule (倒排计划) on hand-worked figures: an industrial project entered on
/// 1 July 2020 (day E) that must start construction (开工) by 31 December 2021 (E + 548), with
/// 60 days of preliminary work, 90 to the land transfer, 120 to the start, 540 to completion.
@Suite struct ReverseScheduleTests {
    static let e = PlanDays.parse("2020-07-01")!
    static let deadline = PlanDays.parse("2021-12-31")!
    static let industrial = StageDurations(type: "industrial", days: [.preliminary: 60, .transfer: 90, .start: 120, .completion: 540])

    static func schedule(planned: [Milestone: PlanDay] = [:], actual: [Milestone: PlanDay] = [:], at day: PlanDay)
        -> [Milestone: ScheduledMilestone] {
        let s = ReverseSchedule.schedule(deadline: deadline, target: .start, durations: industrial, entered: e,
                                         planned: planned, actual: actual, at: day)
        return Dictionary(uniqueKeysWithValues: s.map { ($0.milestone, $0) })
    }

    @Test func latestDatesRunBackFromTheDeadline() {
        #expect(Self.deadline - Self.e == 548)
        let s = Self.schedule(actual: [.preliminary: Self.e + 50], at: Self.e + 100)
        #expect(s[.start]?.latestFinish == Self.e + 548 && s[.start]?.latestStart == Self.e + 428)
        #expect(s[.transfer]?.latestFinish == Self.e + 428 && s[.transfer]?.latestStart == Self.e + 338)
        #expect(s[.preliminary]?.latestFinish == Self.e + 338 && s[.preliminary]?.latestStart == Self.e + 278)
        // After the milestone the deadline is set for, nothing is latest.
        #expect(s[.completion]?.latestFinish == nil && s[.completion]?.slack == nil && s[.completion]?.light == Light.none)
        // Forward from the preliminary work done on E + 50: transfer E + 140, start E + 260.
        #expect(s[.transfer]?.forecast == Self.e + 140 && s[.transfer]?.slack == 288 && s[.transfer]?.light == .green)
        #expect(s[.start]?.forecast == Self.e + 260 && s[.start]?.slack == 288)
        #expect(s[.completion]?.forecast == Self.e + 800)
        #expect(s[.preliminary]?.actual == Self.e + 50 && s[.preliminary]?.light == .green)
    }

    /// The project's own plan puts the transfer at E + 500, past its latest finish (E + 428):
    /// the slack goes negative, and the start after it inherits the delay.
    @Test func slackGoesNegativeWhenThePlanIsLate() {
        let s = Self.schedule(planned: [.transfer: Self.e + 500], actual: [.preliminary: Self.e + 50], at: Self.e + 100)
        #expect(s[.transfer]?.slack == -72 && s[.transfer]?.light == .red)
        #expect(s[.start]?.forecast == Self.e + 620 && s[.start]?.slack == -72 && s[.start]?.light == .red)
        // Twenty days of slack is amber (under the default 30).
        let tight = Self.schedule(planned: [.transfer: Self.e + 408], actual: [.preliminary: Self.e + 50], at: Self.e + 100)
        #expect(tight[.transfer]?.slack == 20 && tight[.transfer]?.light == .amber)
    }

    /// Nothing done by E + 350: the preliminary work is past its latest finish (E + 338) and the
    /// transfer's work past its latest start without having begun — both red.
    @Test func pastTheLatestStartWithoutAnActualDateIsRed() {
        let s = Self.schedule(at: Self.e + 350)
        #expect(s[.preliminary]?.forecast == Self.e + 350 && s[.preliminary]?.slack == -12 && s[.preliminary]?.light == .red)
        #expect(s[.transfer]?.light == .red && s[.transfer]?.slack == -12)
        // Before its latest start, and with time left, the same project is green.
        #expect(Self.schedule(at: Self.e + 10)[.transfer]?.light == .green)
        // A milestone reached after its latest finish stays red; one reached in time is green.
        let late = Self.schedule(actual: [.preliminary: Self.e + 340], at: Self.e + 345)
        #expect(late[.preliminary]?.light == .red && late[.preliminary]?.slack == -2)
    }

    /// "确保年内2/3项目实现开工或出让": three projects, two needed.
    @Test func aPortfolioCountsWhatIsReachedAndForecast() {
        let yearEnd = PlanDays.parse("2020-12-31")!
        let target = PortfolioTarget(milestones: [.transfer, .start], share: 2.0 / 3, by: yearEnd)
        func project(_ actual: [Milestone: PlanDay], planned: [Milestone: PlanDay] = [:], at day: PlanDay) -> [ScheduledMilestone] {
            ReverseSchedule.schedule(deadline: Self.deadline, target: .start, durations: Self.industrial, entered: Self.e,
                                     planned: planned, actual: actual, at: day)
        }
        let day = Self.e + 100
        let reached = project([.preliminary: Self.e + 10, .transfer: Self.e + 50], at: day)
        let soon = project([.preliminary: Self.e + 30], at: day)              // transfer forecast E + 120
        let late = project([:], planned: [.transfer: Self.e + 400], at: day)   // transfer forecast E + 400
        let s = Portfolio.status(target, schedules: [reached, soon, late], at: day)
        #expect(s.projects == 3 && s.reached == 1 && s.forecastReached == 2 && s.targetCount == 2 && s.light == .green)
        let behind = Portfolio.status(target, schedules: [reached, late, late], at: day)
        #expect(behind.forecastReached == 1 && behind.light == .red)
        // After the target day only what happened counts.
        #expect(Portfolio.status(target, schedules: [reached, soon, late], at: yearEnd + 1).light == .red)
        // 207 projects, two thirds: 138 — not 139 for a rounding error.
        let many = Array(repeating: late, count: 207)
        #expect(Portfolio.status(target, schedules: many, at: day).targetCount == 138)
        #expect(Portfolio.status(target, schedules: [], at: day).light == Light.none)
    }

    @Test func durationsAreChecked() {
        #expect(throws: PlanError.self) { try StageDurations(type: "road", days: [.preliminary: 30]).validate() }
        #expect(throws: PlanError.self) {
            try StageDurations(type: "road", days: [.preliminary: 30, .transfer: -1, .start: 1, .completion: 1]).validate()
        }
        #expect(throws: Never.self) { try Self.industrial.validate() }
    }
}
