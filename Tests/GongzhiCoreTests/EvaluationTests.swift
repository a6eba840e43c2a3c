import Foundation
@testable import GongzhiCore
import Testing

/// The evaluation on hand-built histories: each case's facts, the indicators and the score,
/// against figures worked out by hand here.
@Suite struct EvaluationTests {
    /// A case's history built step by step at given times (minutes after 2026-03-02 09:00, a Monday).
    struct Story {
        var record: CaseRecord
        var events: [CaseEvent]
        let calendar = try! WorkingCalendar(years: [])

        init(category: String = "06010") {
            var report = Fixtures.report(category: category)
            report.area = AreaPath(district: "D", street: "S1", community: "C1", grid: "G1", version: 1)
            let open = EventChain.seal(CaseMachine.open(report: report, trackingCode: "GS-T"), caseID: 1, seq: 0, prevHash: EventChain.genesis,
                                       actor: .system, at: Fixtures.t0)
            events = [open]
            record = CaseMachine.apply(open, to: CaseRecord(id: 1, trackingCode: "GS-T", report: report, createdAt: Fixtures.t0))
        }

        mutating func step(_ minutes: Double, _ command: CaseCommand) {
            let at = Fixtures.t0.addingTimeInterval(minutes * 60)
            for d in try! CaseMachine.decide(record, command, at: at, context: Fixtures.context) {
                let e = EventChain.seal(d, caseID: 1, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: at)
                record = CaseMachine.apply(e, to: record)
                events.append(e)
            }
        }

        var facts: [Fact] { CaseFacts.facts(history: events, calendar: calendar) }

        func counts(_ kind: FactKind, unit: String? = nil) -> Counts {
            var c = Counts()
            for f in facts where f.key.kind == kind && (unit == nil || f.key.unit == unit) { c += f.counts }
            return c
        }

        /// Registered and dispatched to `unit` at 10:00 with a 4-hour deadline (due 14:00).
        static func dispatched(to unit: String = "C1") -> Story {
            var s = Story()
            s.step(30, CaseCommand(.register))
            s.step(60, CaseCommand(.dispatch, unit: unit, deadlineHours: 4))
            return s
        }
    }

    static func only(_ c: Counts) -> [Measure: Int64] {
        Dictionary(uniqueKeysWithValues: Measure.allCases.filter { c[$0] != 0 }.map { ($0, c[$0]) })
    }

    @Test func onTimeClosedAndJudged() {
        var s = Story.dispatched()
        s.step(180, CaseCommand(.handle, note: "cleared"))  // 12:00, before 14:00
        s.step(200, CaseCommand(.verify, passed: true))
        s.step(210, CaseCommand(.close))
        s.step(300, CaseCommand(.evaluate, satisfaction: .basicallySatisfied))
        #expect(Self.only(s.counts(.intake)) == [.reported: 1, .registered: 1, .closed: 1, .closedOnTime: 1, .evaluated: 1, .satisfied: 1])
        // 10:00 → 12:00 is two office hours.
        #expect(Self.only(s.counts(.unit, unit: "C1")) == [.assigned: 1, .handled: 1, .handledOnTime: 1, .handleMinutes: 120, .unitClosed: 1,
                                                            .unitClosedOnTime: 1])
        #expect(s.counts(.live).isZero)
        #expect(Self.only(s.counts(.flow)) == [.handledThatDay: 1, .closedThatDay: 1])
        #expect(s.facts.first { $0.key.kind == .intake }?.key.day == 20260302)
        #expect(s.facts.first { $0.key.kind == .intake }?.key.grid == "G1")
    }

    @Test func lateHandlingIsLateClosing() {
        var s = Story.dispatched()
        s.step(330, CaseCommand(.handle, note: "cleared"))  // 14:30, after 14:00
        s.step(340, CaseCommand(.verify, passed: true))
        s.step(350, CaseCommand(.close))
        let unit = s.counts(.unit, unit: "C1")
        #expect(unit[.handledLate] == 1 && unit[.handledOnTime] == 0 && unit[.unitClosedOnTime] == 0 && unit[.unitClosed] == 1)
        // 10:00–12:00 and 13:30–14:30: three office hours.
        #expect(unit[.handleMinutes] == 180)
        #expect(s.counts(.intake)[.closedOnTime] == 0)
    }

    @Test func reworkedThreeTimes() {
        var s = Story.dispatched()
        var t = 120.0
        for _ in 1...3 {
            s.step(t, CaseCommand(.handle, note: "done"))
            s.step(t + 5, CaseCommand(.verify, reason: "still there", passed: false))
            t += 10
        }
        s.step(t, CaseCommand(.handle, note: "done"))
        s.step(t + 5, CaseCommand(.verify, passed: true))
        let unit = s.counts(.unit, unit: "C1")
        #expect(unit[.reworks] == 3 && unit[.reworkCases] == 1 && unit[.reworkCases3] == 1 && unit[.handled] == 1)
        // Each failed verification sets a new deadline from its own time (the category's 48
        // hours): the last handling, minutes later, is on time.
        #expect(unit[.handledOnTime] == 1)
    }

    @Test func aReturnCountsForTheUnitThatReturnedIt() {
        var s = Story.dispatched(to: "S1")
        s.step(90, CaseCommand(.return, reason: "not ours"))
        s.step(100, CaseCommand(.dispatch, unit: "C1", deadlineHours: 4))
        s.step(150, CaseCommand(.handle, note: "done"))
        #expect(Self.only(s.counts(.unit, unit: "S1")) == [.returned: 1])
        let c1 = s.counts(.unit, unit: "C1")
        #expect(c1[.assigned] == 1 && c1[.handledOnTime] == 1 && c1[.returned] == 0)
        // C1 got it at 10:40: its row is dated that day, its handling counted from then (50 minutes).
        #expect(c1[.handleMinutes] == 50)
        // Handled, not yet verified: open, with its unit.
        #expect(Self.only(s.counts(.live, unit: "C1")) == [.open: 1])
    }

    @Test func supervisedCasesKeepTheirTwins() {
        var s = Story.dispatched()
        s.step(70, CaseCommand(.supervise, note: "hurry"))
        s.step(120, CaseCommand(.handle, note: "done"))
        let unit = s.counts(.unit, unit: "C1")
        #expect(unit[.unitSupervised] == 1 && unit[.assignedSupervised] == 1 && unit[.handledOnTimeSupervised] == 1)
        #expect(s.counts(.intake)[.supervised] == 1)
    }

    @Test func selfCorrectedByTheMerchant() {
        var s = Story.dispatched()
        s.step(70, CaseCommand(.notify, merchant: "M1"))
        s.step(90, CaseCommand(.recheck, passed: true))  // within the merchant's 30 minutes
        #expect(s.record.status == .closed && s.record.selfCorrected)
        let intake = s.counts(.intake)
        #expect(intake[.notified] == 1 && intake[.selfCorrected] == 1 && intake[.closed] == 1 && intake[.closedOnTime] == 1)
        #expect(s.counts(.unit, unit: "C1")[.handledOnTime] == 1)
    }

    @Test func postponedCasesLeaveTheCasesDueToClose() {
        var s = Story.dispatched()
        s.step(120, CaseCommand(.postpone, reason: "needs next year's budget"))
        #expect(s.record.dueAt == nil && s.record.status == .dispatched)
        #expect(!CaseMachine.availableActions(s.record, at: Fixtures.t0.addingTimeInterval(7_500), context: Fixtures.context).contains(.postpone))
        #expect(s.counts(.intake)[.postponed] == 1)
        #expect(s.counts(.unit, unit: "C1")[.unitPostponed] == 1)
        var c = s.counts(.unit, unit: "C1")
        c += Story.closedOnTimeCounts()
        // Two cases to handle, one deferred, one closed on time: 1 / (2 − 1).
        #expect(Indicator.closeRate.value(c, perspective: .unit) == 1)
        #expect(Indicator.onTimeCloseRate.value(c, perspective: .unit) == 1)
        #expect(Indicator.disposalRate.value(c, perspective: .unit) == 0.5)
    }

    @Test func overdueAndStillOpen() {
        var s = Story.dispatched()
        s.step(300, CaseCommand(.overdue))
        #expect(s.counts(.unit, unit: "C1")[.overdueOpen] == 1)
        #expect(Self.only(s.counts(.live)) == [.open: 1, .openOverdue: 1])
    }

    @Test func mergedAndRejectedCasesAnswerToNoUnit() {
        var merged = Story.dispatched()
        merged.step(90, CaseCommand(.merge, reason: "same", otherCase: 7))
        #expect(Self.only(merged.counts(.intake)) == [.reported: 1, .merged: 1])
        #expect(merged.facts.allSatisfy { $0.key.kind == .intake })
        var rejected = Story()
        rejected.step(10, CaseCommand(.reject, reason: "not ours"))
        #expect(Self.only(rejected.counts(.intake)) == [.reported: 1, .rejected: 1])
    }

    @Test func evaluationIsOncePerClosing() throws {
        var s = Story.dispatched()
        s.step(120, CaseCommand(.handle, note: "done"))
        s.step(130, CaseCommand(.verify, passed: true))
        s.step(140, CaseCommand(.close))
        s.step(150, CaseCommand(.evaluate, satisfaction: .dissatisfied))
        #expect(throws: CaseError.illegalTransition(from: .closed, action: .evaluate)) {
            try CaseMachine.decide(s.record, CaseCommand(.evaluate, satisfaction: .satisfied), at: Fixtures.t0.addingTimeInterval(10_000),
                                   context: Fixtures.context)
        }
        #expect(s.counts(.intake)[.evaluated] == 1 && s.counts(.intake)[.satisfied] == 0)
        s.step(160, CaseCommand(.reopen, reason: "came back"))
        #expect(s.record.satisfaction == nil && CaseMachine.replay(s.events) == s.record)
        #expect(s.counts(.intake)[.evaluated] == 0)
    }

    // MARK: - Indicators and the score

    @Test func ratesHaveNoValueWithoutCases() {
        #expect(Indicator.closeRate.value(Counts(), perspective: .unit) == nil)
        #expect(Indicator.averageHandlingHours.value(Counts(), perspective: .unit) == nil)
        #expect(Indicator.assigned.value(Counts(), perspective: .unit) == 0)
    }

    @Test func supervisedCasesWeighDouble() {
        var c = Counts()
        c[.assigned] = 2
        c[.assignedSupervised] = 1
        c[.unitClosedOnTime] = 1
        c[.unitClosedOnTimeSupervised] = 1
        // Weighted: (1 + 1) / (2 + 1) cases.
        #expect(Indicator.onTimeCloseRate.value(c, perspective: .unit, weight: 2) == 2.0 / 3.0)
        #expect(Indicator.onTimeCloseRate.value(c, perspective: .unit) == 0.5)
    }

    @Test func theDefaultSchemeScoresAsTheRulesSay() throws {
        let scheme = try ScoringScheme.load(Data(contentsOf: Self.schemeFile))
        var c = Counts()
        // Ten cases, none supervised: 6 closed on time, 8 closed, 6 handled on time, 8 handled,
        // one reworked once, one reworked three times.
        c[.assigned] = 10
        c[.handled] = 8
        c[.handledOnTime] = 6
        c[.unitClosed] = 8
        c[.unitClosedOnTime] = 6
        c[.reworkCases] = 2
        c[.reworkCases3] = 1
        // On-time close 60 %: 50 − 10 = 40. Close 80 %: 20 − 10 = 10. On-time disposal 60 %:
        // 20 − 30 → 0. No evaluations: the item's full 10. Rework: −0.2 − 0.5 = −0.7.
        #expect(scheme.score(c) == 59.3)
        var perfect = Counts()
        perfect[.assigned] = 1
        perfect[.handled] = 1
        perfect[.handledOnTime] = 1
        perfect[.unitClosed] = 1
        perfect[.unitClosedOnTime] = 1
        #expect(scheme.score(perfect) == 100)
        let ranked = scheme.rank(["A": c, "B": perfect, "C": perfect, "Z": Counts()])
        #expect(ranked.map(\.unit) == ["B", "C", "A", "Z"])
        #expect(ranked.map(\.rank) == [1, 1, 3, nil])
    }

    @Test func aBrokenSchemeSaysWhatIsWrong() {
        let text = #"{"id":"x","name":"x","supervised_weight":0,"minimum_cases":1,"items":[{"indicator":"closed","points":5,"full_at":2,"per_point":1}],"deductions":[]}"#
        #expect(throws: ScoringScheme.SchemeError.self) { try ScoringScheme.load(Data(text.utf8)) }
        do { _ = try ScoringScheme.load(Data(text.utf8)) } catch {
            #expect("\(error)".contains("supervised_weight") && "\(error)".contains("not a rate") && "\(error)".contains("full_at"))
        }
    }

    /// Joint parts as the default scheme counts them: each late part (done after its deadline, or
    /// still open past it at the time of asking) costs 0.2; a part the lead closed costs nothing,
    /// nor does one given back (it waits on the lead).
    @Test func lateJointPartsCostTheirUnit() throws {
        let scheme = try ScoringScheme.load(Data(contentsOf: Self.schemeFile))
        let t0 = Fixtures.t0, due = t0.addingTimeInterval(3_600), now = t0.addingTimeInterval(7_200)
        func part(_ unit: String, _ status: JointTaskStatus, finished minutes: Double? = nil) -> JointTask {
            JointTask(id: 0, caseID: 1, unit: unit, dueAt: due, status: status, createdAt: t0, createdBy: "t",
                      finishedAt: minutes.map { t0.addingTimeInterval($0 * 60) })
        }
        let parts = [part("A", .done, finished: 30), part("A", .done, finished: 90), part("A", .open), part("A", .closed),
                     part("B", .done, finished: 59), part("C", .returned)]
        let counts = JointCounts.byUnit(parts, now: now)
        let a = try #require(counts["A"])
        #expect((a.parts, a.done, a.doneOnTime, a.late, a.closed, a.pending) == (4, 2, 1, 2, 1, 1))
        // Done on time over the parts the unit answers for (4 − 1 closed by the lead).
        #expect(a.onTimeRate == 1.0 / 3.0)
        // An hour earlier the open part was not late yet.
        #expect(JointCounts.byUnit(parts, now: due)["A"]?.late == 1)
        #expect(counts["C"]?.late == 0 && counts["C"]?.returned == 1)
        #expect(!parts[5].isLate(at: now) && parts[2].isLate(at: now))  // given back: waits on the lead; open: late
        var perfect = Counts()
        for m in [Measure.assigned, .handled, .handledOnTime, .unitClosed, .unitClosedOnTime] { perfect[m] = 1 }
        #expect(scheme.score(perfect, joint: a) == 99.6 && scheme.score(perfect, joint: counts["B"]) == 100)
        // Areas are not charged for units' parts.
        #expect(scheme.score(perfect, perspective: .area, joint: a) == 100)
        let ranked = scheme.rank(["A": perfect, "B": perfect], joint: counts)
        #expect(ranked.map(\.unit) == ["B", "A", "C"] && ranked.map(\.rank) == [1, 2, nil])
        // A scheme that leaves joint parts out ranks on cases alone, and lists no unit for its parts only.
        var without = scheme
        without.joint = nil
        #expect(without.rank(["A": perfect, "B": perfect], joint: counts).map(\.rank) == [1, 1])
    }

    /// A rate item over joint parts: full points at 90 %, half a point off per percentage point
    /// below; a unit with no parts earns the item's points, as an item with no value does.
    @Test func aSchemeMayScoreTheJointOnTimeRate() throws {
        let text = #"{"id":"j","name":"j","supervised_weight":1,"minimum_cases":0,"deductions":[],"#
            + #""items":[{"indicator":"close_rate","points":90,"full_at":1,"per_point":0}],"#
            + #""joint":{"points":10,"full_at":0.9,"per_point":0.5,"late_each":0.1}}"#
        let scheme = try ScoringScheme.load(Data(text.utf8))
        var c = Counts()
        c[.assigned] = 1
        c[.unitClosed] = 1
        var j = JointCounts()
        (j.parts, j.done, j.doneOnTime, j.late) = (5, 5, 4, 1)
        // 80 %: 10 − 10 × 0.5 = 5; one late part −0.1; the close rate's 90.
        #expect(scheme.score(c, joint: j) == 94.9)
        #expect(scheme.score(c) == 100)
        let bad = #"{"id":"j","name":"j","supervised_weight":1,"minimum_cases":0,"deductions":[],"#
            + #""items":[{"indicator":"close_rate","points":90,"full_at":1,"per_point":0}],"joint":{"full_at":0,"late_each":-1}}"#
        let error = #expect(throws: ScoringScheme.SchemeError.self) { try ScoringScheme.load(Data(bad.utf8)) }
        let named = Set((error?.problems ?? []).map { String($0.prefix { $0 != " " }) })
        #expect(named.isSuperset(of: ["joint.full_at", "joint.late_each"]), "\(named)")
    }

    static let schemeFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/GongzhiStore/Resources/reference/evaluation_scheme.json")

    // MARK: - Periods

    @Test func periodsAndTheirPredecessors() {
        let day = WorkingCalendar.day("2026-11-26")!  // a Thursday
        func texts(_ p: Period) -> String { "\(Period.text(p.first))/\(Period.text(p.last))" }
        #expect(texts(Period.containing(day, kind: .week)) == "2026-11-23/2026-11-29")
        #expect(texts(Period.containing(day, kind: .month)) == "2026-11-01/2026-11-30")
        #expect(texts(Period.containing(day, kind: .month).previous) == "2026-10-01/2026-10-31")
        #expect(texts(Period.containing(day, kind: .quarter)) == "2026-10-01/2026-12-31")
        #expect(texts(Period.containing(day, kind: .quarter).previous) == "2026-07-01/2026-09-30")
        #expect(texts(Period.containing(WorkingCalendar.day("2024-03-05")!, kind: .month).previous) == "2024-02-01/2024-02-29")
        #expect(texts(Period.containing(day, kind: .year).previous) == "2025-01-01/2025-12-31")
        #expect(texts(Period(kind: .range, first: day - 9, last: day).previous) == "2026-11-07/2026-11-16")
        #expect(Period.containing(day, kind: .month).firstDate == 20261101)
    }

    @Test func csvEscapesAndDefusesFormulas() throws {
        #expect(CSV.write([["a,b", "say \"hi\"", "=SUM(A1)", "-3", "多行\n文本"]]) == "\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),-3,\"多行\n文本\"\r\n")
        #expect(try CSV.rows(CSV.write([["x", "y,z"]])) == [["x", "y,z"]])
    }
}

extension EvaluationTests.Story {
    /// The unit counts of a second case, closed on time.
    static func closedOnTimeCounts() -> Counts {
        var s = dispatched()
        s.step(120, CaseCommand(.handle, note: "done"))
        s.step(130, CaseCommand(.verify, passed: true))
        s.step(140, CaseCommand(.close))
        return s.counts(.unit, unit: "C1")
    }
}
