import Foundation
@testable import GongzhiCore

/// A small, hand-made org tree and category set: district → street → community, plus a
/// department. Enough to exercise every rule of the state machine.
enum Fixtures {
    static let units = try! OrgDirectory([
        OrgUnit(code: "D", name: "District centre", kind: .district, parentCode: nil),
        OrgUnit(code: "D-CG", name: "City management", kind: .department, parentCode: "D", departmentType: "chengguan"),
        OrgUnit(code: "S1", name: "Street 1", kind: .street, parentCode: "D", departmentType: "street"),
        OrgUnit(code: "C1", name: "Community 1", kind: .community, parentCode: "S1", departmentType: "community"),
    ])

    static let categories = CategoryDirectory([
        Category(code: "01001", kind: .component, majorCode: "01", majorName: "Public", name: "Manhole cover"),
        Category(code: "01001", kind: .matter, majorCode: "01", majorName: "Public", name: "Manhole cover broken",
                 defaults: LocalDefaults(deadlineHours: 4, departmentType: "chengguan")),
        Category(code: "06010", kind: .matter, majorCode: "06", majorName: "Environment", name: "Exposed rubbish",
                 defaults: LocalDefaults(deadlineHours: 48, departmentType: "street")),
    ])

    /// Rubbish at a shop's door is a co-governance scenario: the merchant has 30 minutes, then
    /// city management enforces within 4 hours.
    static let scenarios = try! CoGovernance([CoGovernanceScenario(id: "frontage", name: "门前垃圾", categories: ["06010"], merchantMinutes: 30,
                                                                   enforcementUnit: "D-CG", enforcementDeadline: DeadlineSpec(4, .naturalHours))],
                                             units: units, categories: categories)

    static let context = CaseContext(units: units, categories: categories, policy: CasePolicy(reopenWindowHours: 72, defaultDeadlineHours: 24),
                                     coGovernance: scenarios)

    static let t0 = Timestamp.parse("2026-03-02T09:00:00+08:00")!

    static func report(category: String? = "06010") -> Report {
        Report(source: .gridWorker, category: category, description: "Rubbish by the gate", location: GeoPoint(lat: 30.3, lon: 120.15))
    }

    /// A case brought to `status` by legal steps, with its history.
    static func caseIn(_ status: CaseStatus, unit: String = "C1") -> (CaseRecord, [CaseEvent]) {
        var events: [CaseEvent] = []
        let open = EventChain.seal(CaseMachine.open(report: report(), trackingCode: "GS-TEST-0000-0001"), caseID: 1, seq: 0,
                                   prevHash: EventChain.genesis, actor: .system, at: t0)
        events.append(open)
        var record = CaseMachine.apply(open, to: CaseRecord(id: 1, trackingCode: "GS-TEST-0000-0001", report: report(), createdAt: t0))
        var clock = t0
        func step(_ command: CaseCommand) {
            clock = clock.addingTimeInterval(3600)
            let drafts = try! CaseMachine.decide(record, command, at: clock, context: context)
            for d in drafts {
                let e = EventChain.seal(d, caseID: 1, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: clock)
                record = CaseMachine.apply(e, to: record)
                events.append(e)
            }
        }
        let path: [CaseStatus: [CaseCommand]] = [
            .reported: [],
            .registered: [CaseCommand(.register)],
            .rejected: [CaseCommand(.reject, reason: "duplicate")],
            .dispatched: [CaseCommand(.register), CaseCommand(.dispatch, unit: unit)],
            .handled: [CaseCommand(.register), CaseCommand(.dispatch, unit: unit), CaseCommand(.handle, note: "done")],
            .verified: [CaseCommand(.register), CaseCommand(.dispatch, unit: unit), CaseCommand(.handle, note: "done"), CaseCommand(.verify, passed: true)],
            .closed: [CaseCommand(.register), CaseCommand(.dispatch, unit: unit), CaseCommand(.handle, note: "done"), CaseCommand(.verify, passed: true),
                      CaseCommand(.close)],
            .selfCorrecting: [CaseCommand(.register), CaseCommand(.dispatch, unit: unit), CaseCommand(.notify, merchant: "M1")],
            .merged: [CaseCommand(.register), CaseCommand(.merge, reason: "duplicate", otherCase: 2)],
        ]
        for c in path[status]! { step(c) }
        return (record, events)
    }

    /// A command for `action` with every argument any action needs.
    static func fullCommand(_ action: CaseAction) -> CaseCommand {
        CaseCommand(action, unit: "S1", reason: "because", note: "note", passed: true, mediaURLs: ["https://x.example/p.jpg"], merchant: "M1",
                    otherCase: 99, payload: EventPayload(note: "joined"), satisfaction: .satisfied)
    }
}
