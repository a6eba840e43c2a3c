import Foundation
@testable import GongzhiCore
import Testing

/// The state machine with rules, the calendar and the scheduler's system actions.
@Suite struct DispatchMachineTests {
    static let rules = try! RoutingTable([
        RoutingRule(id: "env", category: "06", unit: "street", deadline: DeadlineSpec(1, .workingDays), warningShare: 0.5, autoDispatch: true,
                    escalateWhenOverdue: true),
        RoutingRule(id: "manhole", category: "01001", unit: "D-CG", deadline: DeadlineSpec(4, .naturalHours)),
    ], units: Fixtures.units, categories: Fixtures.categories)
    static let context = CaseContext(units: Fixtures.units, categories: Fixtures.categories, rules: rules,
                                     calendar: WorkingCalendarTests.calendar)

    static func reported(category: String, area: AreaPath?) -> CaseRecord {
        var r = Fixtures.report(category: category)
        r.area = area
        return CaseRecord(id: 1, trackingCode: "GS-TEST-0000-0001", report: r, createdAt: Fixtures.t0)
    }

    @Test func registeringAutoDispatchesToTheStreetOfTheLocation() throws {
        let units = try OrgDirectory(Fixtures.units.all + [OrgUnit(code: "S1-unit", name: "Street office", kind: .street, parentCode: "D", areaCode: "330105003")])
        var context = Self.context
        context.units = units
        let record = Self.reported(category: "06010", area: AreaPath(district: "330105", street: "330105003"))
        let at = WorkingCalendarTests.t("2026-09-30T15:00:00+08:00")
        let drafts = try CaseMachine.decide(record, CaseCommand(.register), at: at, context: context)
        #expect(drafts.map(\.action) == [.register, .dispatch])
        #expect(drafts[1].payload.unit == "S1-unit")
        #expect(drafts[1].payload.ruleID == "env")
        // One working day from 30 Sep skips the National Day break.
        #expect(drafts[1].payload.dueAt == Timestamp.millis(WorkingCalendarTests.t("2026-10-08T17:30:00+08:00")))
        // The warning falls at half the working time: 2.5 h on 30 Sep + 7.5 h on 8 Oct = 10 h, so 5 h in, on 8 Oct at 11:00.
        let warn = Timestamp.date(millis: drafts[1].payload.warnAt!)
        #expect(warn == WorkingCalendarTests.t("2026-10-08T11:00:00+08:00"))
    }

    @Test func withoutALocationTheStreetRuleCannotDispatch() throws {
        let drafts = try CaseMachine.decide(Self.reported(category: "06010", area: nil), CaseCommand(.register), at: Fixtures.t0, context: Self.context)
        #expect(drafts.map(\.action) == [.register])
    }

    @Test func manualDispatchTakesTheRulesDeadline() throws {
        var record = Self.reported(category: "01001", area: nil)
        record.status = .registered
        let at = WorkingCalendarTests.t("2026-10-01T10:00:00+08:00")  // a holiday: natural hours still run
        let d = try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "D-CG"), at: at, context: Self.context)
        #expect(d[0].payload.dueAt == Timestamp.millis(at.addingTimeInterval(4 * 3600)))
        #expect(d[0].payload.warnAt == Timestamp.millis(at.addingTimeInterval(0.8 * 4 * 3600)))
    }

    @Test func warnAndOverdueOnlyWhenDueAndOnlyOnce() throws {
        var (record, _) = Fixtures.caseIn(.dispatched)
        let due = try #require(record.dueAt), warnAt = try #require(record.warnAt)
        #expect(warnAt < due)
        #expect(throws: CaseError.illegalTransition(from: .dispatched, action: .warn)) {
            try CaseMachine.decide(record, CaseCommand(.warn), at: warnAt.addingTimeInterval(-1), context: Fixtures.context)
        }
        let w = try CaseMachine.decide(record, CaseCommand(.warn), at: warnAt, context: Fixtures.context)[0]
        record = CaseMachine.apply(EventChain.seal(w, caseID: 1, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: warnAt), to: record)
        #expect(record.warned && record.status == .dispatched)
        #expect(throws: CaseError.illegalTransition(from: .dispatched, action: .warn)) {
            try CaseMachine.decide(record, CaseCommand(.warn), at: due, context: Fixtures.context)
        }
        let o = try CaseMachine.decide(record, CaseCommand(.overdue), at: due, context: Fixtures.context)[0]
        record = CaseMachine.apply(EventChain.seal(o, caseID: 1, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: due), to: record)
        #expect(record.overdueMarked)
        #expect(throws: CaseError.illegalTransition(from: .dispatched, action: .overdue)) {
            try CaseMachine.decide(record, CaseCommand(.overdue), at: due, context: Fixtures.context)
        }
        // Escalation sets a new deadline and re-arms both marks.
        let e = try CaseMachine.decide(record, CaseCommand(.escalate, reason: "overdue"), at: due, context: Fixtures.context)[0]
        record = CaseMachine.apply(EventChain.seal(e, caseID: 1, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: due), to: record)
        #expect(!record.warned && !record.overdueMarked && record.dueAt! > due)
    }

    @Test func systemActionsAreNotCommands() {
        #expect(!CaseAction.commands.contains(.warn) && !CaseAction.commands.contains(.overdue) && !CaseAction.commands.contains(.report))
    }
}
