import Foundation
@testable import GongzhiCore
import Testing

/// What-if replays of hand-built histories, each answer worked out by hand in the comments:
/// a deadline halved, a category moved to another unit, a holiday added, a merchant's deadline
/// shortened, and the rules in force changing nothing.
@Suite struct WhatIfTests {
    /// Rubbish (06010) goes to community C1 at once, due in 4 working hours (rule `rubbish`).
    static let rule = RoutingRule(id: "rubbish", category: "06010", unit: "C1", deadline: DeadlineSpec(4, .workingHours), autoDispatch: true)
    static let context: CaseContext = {
        var c = Fixtures.context
        c.rules = try! RoutingTable([rule], units: Fixtures.units, categories: Fixtures.categories)
        c.calendar = try! WorkingCalendar(years: [])
        return c
    }()

    /// A history built step by step, `minutes` after Monday 2026-03-02 09:00.
    struct Story {
        var record: CaseRecord
        var events: [CaseEvent]

        init() {
            let open = EventChain.seal(CaseMachine.open(report: Fixtures.report(), trackingCode: "GS-W"), caseID: 7, seq: 0,
                                       prevHash: EventChain.genesis, actor: .system, at: Fixtures.t0)
            events = [open]
            record = CaseMachine.apply(open, to: CaseRecord(id: 7, trackingCode: "GS-W", report: Fixtures.report(), createdAt: Fixtures.t0))
        }

        mutating func step(_ minutes: Double, _ command: CaseCommand) {
            let at = Fixtures.t0.addingTimeInterval(minutes * 60)
            for d in try! CaseMachine.decide(record, command, at: at, context: WhatIfTests.context) {
                let e = EventChain.seal(d, caseID: 7, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: at)
                record = CaseMachine.apply(e, to: record)
                events.append(e)
            }
        }

        /// Registered (and so dispatched to C1) at 09:30, due 15:00; handled after `handled` minutes, verified and closed.
        static func handled(at handled: Double) -> Story {
            var s = Story()
            s.step(30, CaseCommand(.register))
            s.step(handled, CaseCommand(.handle, note: "cleared"))
            s.step(handled + 10, CaseCommand(.verify, passed: true))
            s.step(handled + 20, CaseCommand(.close))
            return s
        }
    }

    static func settings(_ change: (inout CaseContext) -> Void, times: HandlingTimes = .none,
                         now: Date = Fixtures.t0.addingTimeInterval(30 * 86_400)) -> WhatIfReplay.Settings {
        var proposed = context
        change(&proposed)
        return WhatIfReplay.Settings(current: context, proposed: proposed, times: times, now: now)
    }

    static func unitCounts(_ facts: [Fact], _ unit: String) -> Counts {
        var c = Counts()
        for f in facts where f.key.kind == .unit && f.key.unit == unit { c += f.counts }
        return c
    }

    static func proposal(_ rules: [RoutingRule]) -> (inout CaseContext) -> Void {
        { $0.rules = try! RoutingTable(rules, units: Fixtures.units, categories: Fixtures.categories) }
    }

    @Test func theRulesInForceChangeNothing() throws {
        let story = Story.handled(at: 300)
        let r = try #require(WhatIfReplay.replay(story.events, Self.settings { _ in }))
        #expect(r.before == r.after && r.change == nil && r.basis == nil)
        #expect(!Self.settings { _ in }.mayChange(category: "06010", area: nil, source: .gridWorker))
        // A proposal naming the same rule with the same deadline is no change either.
        let same = Self.settings(Self.proposal([Self.rule]))
        #expect(try #require(WhatIfReplay.replay(story.events, same)).before == r.after)
    }

    /// Dispatched 09:30 with 4 working hours: due 15:00 (2.5 h to noon, 1.5 h from 13:30).
    /// Handled at 14:00, on time. Halved to 2 working hours, due 11:30: late.
    @Test func aDeadlineHalved() throws {
        let story = Story.handled(at: 300)
        var halved = Self.rule
        halved.deadline = DeadlineSpec(2, .workingHours)
        let r = try #require(WhatIfReplay.replay(story.events, Self.settings(Self.proposal([halved]))))
        #expect(Self.unitCounts(r.before, "C1")[.handledOnTime] == 1 && Self.unitCounts(r.after, "C1")[.handledLate] == 1)
        let change = try #require(r.change)
        #expect(change.before.state == .onTime && change.after.state == .late)
        #expect(change.before.dueAt == Timestamp.parse("2026-03-02T15:00:00+08:00"))
        #expect(change.after.dueAt == Timestamp.parse("2026-03-02T11:30:00+08:00"))
        #expect(change.ruleBefore == "rubbish" && change.ruleAfter == "rubbish" && change.before.unit == "C1" && change.after.unit == "C1")
        // The handling is the unit's own, unchanged: the same handling minutes (09:30 → 14:00 is 3 office hours).
        #expect(Self.unitCounts(r.after, "C1")[.handleMinutes] == 180)
    }

    /// Still open at 12:00 (the proposal's deadline 11:30 has passed, the old one 15:00 has not):
    /// overdue only under the proposal.
    @Test func anOpenCasePastItsNewDeadlineIsOverdue() throws {
        var story = Story()
        story.step(30, CaseCommand(.register))
        var halved = Self.rule
        halved.deadline = DeadlineSpec(2, .workingHours)
        let noon = Timestamp.parse("2026-03-02T12:00:00+08:00")!
        let r = try #require(WhatIfReplay.replay(story.events, Self.settings(Self.proposal([halved]), now: noon)))
        #expect(Self.unitCounts(r.before, "C1")[.overdueOpen] == 0 && Self.unitCounts(r.after, "C1")[.overdueOpen] == 1)
        #expect(r.change?.before.state == .open && r.change?.after.state == .late)
    }

    /// Moved from C1 to street S1, whose median for rubbish is 2 office hours (samples of 1, 2
    /// and 10 hours): dispatched 09:30, handled 11:30, on time (due 15:00). C1 loses the case.
    @Test func aCategoryMovedToAnotherUnit() throws {
        let story = Story.handled(at: 600)  // C1 took until 19:00: late
        var moved = Self.rule
        moved.unit = "S1"
        let times = HandlingTimes(samples: [("S1", "06010", 60), ("S1", "06010", 120), ("S1", "06010", 600), ("S1", "01001", 5)])
        let r = try #require(WhatIfReplay.replay(story.events, Self.settings(Self.proposal([moved]), times: times)))
        #expect(Self.unitCounts(r.before, "C1")[.handledLate] == 1 && Self.unitCounts(r.after, "C1").isZero)
        let s1 = Self.unitCounts(r.after, "S1")
        #expect(s1[.assigned] == 1 && s1[.handledOnTime] == 1 && s1[.handleMinutes] == 120 && s1[.unitClosedOnTime] == 1)
        let change = try #require(r.change)
        #expect(change.before.unit == "C1" && change.after.unit == "S1" && change.before.state == .late && change.after.state == .onTime)
        #expect(r.basis == .unitCategoryMedian)
        // Without any case of the category, the unit's median over all it handled (5, 60, 120, 600 → 90 minutes).
        let other = HandlingTimes(samples: [("S1", "01001", 5), ("S1", "01001", 60), ("S1", "01001", 120), ("S1", "01001", 600)])
        let r2 = try #require(WhatIfReplay.replay(story.events, Self.settings(Self.proposal([moved]), times: other)))
        #expect(r2.basis == .unitMedian && Self.unitCounts(r2.after, "S1")[.handleMinutes] == 90)
        // Nothing known of S1: the case's own time, said so.
        let r3 = try #require(WhatIfReplay.replay(story.events, Self.settings(Self.proposal([moved]))))
        #expect(r3.basis == .ownTime && Self.unitCounts(r3.after, "S1")[.handledLate] == 1)
    }

    /// 72 natural hours from Friday 16:00: due Monday 16:00. Handled Monday 10:00 after 3 office
    /// hours (Friday 16:00–17:30, Monday 08:30–10:00): on time. With Monday a holiday those 3 hours
    /// run Friday 1.5 h and Tuesday 08:30–10:00: handled Tuesday 10:00, after the deadline.
    @Test func aHolidayAdded() throws {
        var natural = Self.rule
        natural.deadline = DeadlineSpec(72, .naturalHours)
        var current = Self.context
        current.rules = try RoutingTable([natural], units: Fixtures.units, categories: Fixtures.categories)
        var story = Story()
        let friday = 4.0 * 1_440 + 420, monday10 = 7.0 * 1_440 + 60
        func step(_ minutes: Double, _ command: CaseCommand) {
            let at = Fixtures.t0.addingTimeInterval(minutes * 60)
            for d in try! CaseMachine.decide(story.record, command, at: at, context: current) {
                let e = EventChain.seal(d, caseID: 7, seq: story.record.eventCount, prevHash: story.record.lastHash, actor: .system, at: at)
                story.record = CaseMachine.apply(e, to: story.record)
                story.events.append(e)
            }
        }
        step(friday, CaseCommand(.register))
        step(monday10, CaseCommand(.handle, note: "cleared"))
        var proposed = current
        proposed.calendar = try current.calendar.with(daysOff: [WorkingCalendar.day("2026-03-09")!: "test"])
        let settings = WhatIfReplay.Settings(current: current, proposed: proposed, times: .none, now: Fixtures.t0.addingTimeInterval(30 * 86_400))
        #expect(settings.mayChange(category: "06010", area: nil, source: .gridWorker))
        let r = try #require(WhatIfReplay.replay(story.events, settings))
        #expect(r.change?.before.state == .onTime && r.change?.after.state == .late && r.basis == .carried)
        #expect(Self.unitCounts(r.after, "C1")[.handleMinutes] == 180)
        #expect(r.change?.after.dueAt == Timestamp.parse("2026-03-09T16:00:00+08:00"))
    }

    /// Other area layers: the point that fell in area 11 (rubbish there goes to C1) falls in area 22
    /// under the proposal, where the rules send rubbish to S1; S1's median (2 hours) handles it.
    @Test func otherAreaLayers() throws {
        let four = DeadlineSpec(4, .workingHours)
        let rules = [RoutingRule(id: "here", category: "06010", area: "11", unit: "C1", deadline: four, autoDispatch: true),
                     RoutingRule(id: "there", category: "06010", area: "22", unit: "S1", deadline: four, autoDispatch: true)]
        var context = Self.context
        context.rules = try RoutingTable(rules, units: Fixtures.units, categories: Fixtures.categories)
        var report = Fixtures.report()
        report.area = AreaPath(district: "11", street: "1101", version: 1)
        let open = EventChain.seal(CaseMachine.open(report: report, trackingCode: "GS-A"), caseID: 9, seq: 0, prevHash: EventChain.genesis,
                                   actor: .system, at: Fixtures.t0)
        var record = CaseMachine.apply(open, to: CaseRecord(id: 9, trackingCode: "GS-A", report: report, createdAt: Fixtures.t0))
        var events = [open]
        for (minutes, command) in [(30.0, CaseCommand(.register)), (600, CaseCommand(.handle, note: "cleared"))] {
            let at = Fixtures.t0.addingTimeInterval(minutes * 60)
            for d in try CaseMachine.decide(record, command, at: at, context: context) {
                let e = EventChain.seal(d, caseID: 9, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: at)
                record = CaseMachine.apply(e, to: record)
                events.append(e)
            }
        }
        #expect(record.unit == "C1")
        let times = HandlingTimes(samples: [("S1", "06010", 120)])
        let there = AreaPath(district: "22", street: "2201", version: 2)
        let settings = WhatIfReplay.Settings(current: context, proposed: context, times: times, now: Fixtures.t0.addingTimeInterval(86_400),
                                             relocate: { _ in there })
        let r = try #require(WhatIfReplay.replay(events, settings))
        #expect(r.change?.before.unit == "C1" && r.change?.after.unit == "S1" && r.change?.after.state == .onTime)
        #expect(r.change?.ruleBefore == "here" && r.change?.ruleAfter == "there" && r.change?.street == "1101")
        #expect(r.before.allSatisfy { $0.key.street == "1101" } && r.after.allSatisfy { $0.key.street == "2201" })
        // The same layers as in force: nothing changes.
        let here = report.area
        let same = WhatIfReplay.Settings(current: context, proposed: context, times: times, now: Fixtures.t0, relocate: { _ in here })
        #expect(try #require(WhatIfReplay.replay(events, same)).change == nil)
    }

    /// The merchant has 30 minutes (told at 10:00) and corrected at 10:20. Given 15, it is too
    /// late: at 10:15 the case goes to city management (D-CG, 4 hours), whose median is 1 office
    /// hour: handled 11:15, on time; no longer self-corrected.
    @Test func aMerchantDeadlineShortened() throws {
        var story = Story()
        story.step(30, CaseCommand(.register))
        story.step(60, CaseCommand(.notify, merchant: "M1"))
        story.step(80, CaseCommand(.recheck, passed: true))
        #expect(story.record.selfCorrected && story.record.status == .closed)
        let times = HandlingTimes(samples: [("D-CG", "06010", 60)])
        let half: (inout CaseContext) -> Void = { c in
            var s = c.coGovernance.scenarios
            s[0].merchantMinutes = 15
            c.coGovernance = try! CoGovernance(s, units: Fixtures.units, categories: Fixtures.categories)
        }
        let settings = Self.settings(half, times: times)
        let r = try #require(WhatIfReplay.replay(story.events, settings))
        let change = try #require(r.change)
        #expect(change.before.selfCorrected && !change.after.selfCorrected && change.after.unit == "D-CG")
        #expect(change.after.state == .onTime && change.after.dueAt == Timestamp.parse("2026-03-02T14:15:00+08:00"))
        #expect(change.ruleAfter == "scenario:frontage" && r.basis == .unitCategoryMedian)
        let cg = Self.unitCounts(r.after, "D-CG")
        #expect(cg[.handledOnTime] == 1 && cg[.handleMinutes] == 60)
        // Corrected within the shorter deadline (at 10:10): nothing changes but the deadline.
        var quick = Story()
        quick.step(30, CaseCommand(.register))
        quick.step(60, CaseCommand(.notify, merchant: "M1"))
        quick.step(70, CaseCommand(.recheck, passed: true))
        let same = try #require(WhatIfReplay.replay(quick.events, settings))
        #expect(same.change == nil)
        // A longer deadline changes no outcome.
        let longer = Self.settings({ c in
            var s = c.coGovernance.scenarios
            s[0].merchantMinutes = 60
            c.coGovernance = try! CoGovernance(s, units: Fixtures.units, categories: Fixtures.categories)
        }, times: times)
        #expect(try #require(WhatIfReplay.replay(story.events, longer)).change == nil)
    }

    /// The tally keeps the difference of the facts the query counts, and the first changed cases by id across merged pages.
    @Test func talliesAddTheDifferenceAndMergeInOrder() throws {
        var halved = Self.rule
        halved.deadline = DeadlineSpec(2, .workingHours)
        let settings = Self.settings(Self.proposal([halved]))
        var a = WhatIfTally(keep: 2), b = WhatIfTally(keep: 2)
        for (n, minutes) in [(1, 300.0), (3, 300), (5, 60)] {
            var s = Story.handled(at: minutes)
            s.events = s.events.map { var e = $0; e.caseID = Int64(n); return e }
            a.add(try #require(WhatIfReplay.replay(s.events, settings)), counts: { _ in true })
        }
        var s = Story.handled(at: 300)
        s.events = s.events.map { var e = $0; e.caseID = 2; return e }
        b.add(try #require(WhatIfReplay.replay(s.events, settings)), counts: { _ in true })
        a.merge(b)
        // Cases 1, 2 and 3 turn late; 5 (handled at 10:00) stays on time.
        #expect(a.cases == 4 && a.changed == 3 && a.changes.map(\.caseID) == [1, 2])
        #expect(a.units["C1"]?[.handledOnTime] == -3 && a.units["C1"]?[.handledLate] == 3)
        #expect(a.district[.closedOnTime] == -3 && a.causes["rubbish → rubbish"] == 3)
        var none = WhatIfTally(keep: 5)
        none.add(try #require(WhatIfReplay.replay(Story.handled(at: 300).events, settings)), counts: { _ in false })
        #expect(none.units.isEmpty && none.district.isZero && none.changed == 0 && none.cases == 1 && none.changes.isEmpty)
    }

    /// A proposal naming what does not exist, or that could not be put in force, names the field.
    @Test func aProposalIsCheckedLikeARulesFile() {
        let nope = WhatIfProposal(ruleChanges: [.init(rule: "nope", unit: "S1")])
        let unknown = #expect(throws: FieldError.self) { try nope.apply(to: Self.context) }
        #expect(unknown?.field == "changes[0].rule")
        let zero = WhatIfProposal(ruleChanges: [.init(rule: "rubbish", deadline: DeadlineSpec(0, .workingHours))])
        let zeroError = #expect(throws: FieldError.self) { try zero.apply(to: Self.context) }
        #expect(zeroError?.field == "changes" && zeroError?.message.contains("deadline") == true)
        let minutes = WhatIfProposal(scenarioChanges: [.init(scenario: "frontage", merchantMinutes: 0)])
        #expect((#expect(throws: FieldError.self) { try minutes.apply(to: Self.context) })?.field == "scenarios")
        let hours = WhatIfProposal(officeHours: WorkingCalendar.OfficeHours([600...700, 650...800]))
        #expect((#expect(throws: FieldError.self) { try hours.apply(to: Self.context) })?.field == "office_hours")
        let p = WhatIfProposal(ruleChanges: [.init(rule: "rubbish", deadline: DeadlineSpec(2, .workingHours), unit: "S1")])
        let c = try? p.apply(to: Self.context)
        #expect(c?.rules.rule(id: "rubbish")?.unit == "S1" && c?.rules.rule(id: "rubbish")?.deadline == DeadlineSpec(2, .workingHours))
    }
}
