import Foundation
@testable import GongzhiCore
import Testing

@Suite struct CaseMachineTests {
    /// The expected outcome of every (status, action) pair, written out independently of the
    /// machine's own table: the status it leads to, or nil when it must be refused.
    static let expected: [CaseStatus: [CaseAction: CaseStatus]] = [
        .reported: [.register: .registered, .reject: .rejected, .comment: .reported, .supervise: .reported],
        .registered: [.dispatch: .dispatched, .comment: .registered, .supervise: .registered],
        .dispatched: [.return: .registered, .escalate: .dispatched, .handle: .handled, .comment: .dispatched, .supervise: .dispatched],
        .handled: [.verify: .verified, .comment: .handled, .supervise: .handled],
        .verified: [.close: .closed, .comment: .verified, .supervise: .verified],
        .closed: [.reopen: .dispatched],
        .rejected: [:],
    ]

    static let pairs: [(CaseStatus, CaseAction)] = CaseStatus.allCases.flatMap { s in CaseAction.allCases.map { (s, $0) } }

    @Test(arguments: pairs)
    func everyStatusActionPair(status: CaseStatus, action: CaseAction) throws {
        let (record, _) = Fixtures.caseIn(status)
        let at = record.updatedAt.addingTimeInterval(60)
        let command = Fixtures.fullCommand(action)
        if let to = Self.expected[status]?[action] {
            let drafts = try CaseMachine.decide(record, command, at: at, context: Fixtures.context)
            #expect(drafts.count == 1)
            #expect(drafts[0].from == status)
            #expect(drafts[0].to == to)
            #expect(drafts[0].action == action)
        } else {
            #expect(throws: CaseError.illegalTransition(from: status, action: action)) {
                try CaseMachine.decide(record, command, at: at, context: Fixtures.context)
            }
        }
    }

    @Test func allowedActionsMatchTheTable() {
        for status in CaseStatus.allCases {
            let expected = Set((Self.expected[status] ?? [:]).keys)
            #expect(Set(CaseMachine.allowedActions(from: status)) == expected, "\(status)")
        }
    }

    @Test func closingAnUnverifiedCaseSaysWhatIsAllowed() {
        let (record, _) = Fixtures.caseIn(.handled)
        do {
            _ = try CaseMachine.decide(record, CaseCommand(.close), at: record.updatedAt, context: Fixtures.context)
            Issue.record("close must be refused")
        } catch {
            #expect(error.description.contains("handled"))
            #expect(error.description.contains("verify"))
        }
    }

    // MARK: - Arguments

    @Test(arguments: [
        (CaseStatus.reported, CaseAction.reject, "reason"), (.dispatched, .return, "reason"), (.dispatched, .escalate, "reason"),
        (.dispatched, .handle, "note"), (.handled, .verify, "passed"), (.closed, .reopen, "reason"), (.reported, .comment, "note"),
        (.dispatched, .supervise, "note"), (.registered, .dispatch, "unit"),
    ])
    func requiredArguments(status: CaseStatus, action: CaseAction, field: String) {
        let (record, _) = Fixtures.caseIn(status)
        #expect(throws: CaseError.invalid(FieldError(field: field, code: "required", message: "\(field) is required to \(action.rawValue) a case"))) {
            try CaseMachine.decide(record, CaseCommand(action, note: "   "), at: record.updatedAt, context: Fixtures.context)
        }
    }

    @Test func dispatchToAnUnknownUnitIsRefused() throws {
        let (record, _) = Fixtures.caseIn(.registered)
        do {
            _ = try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "NOPE"), at: record.updatedAt, context: Fixtures.context)
            Issue.record("must throw")
        } catch let CaseError.invalid(e) {
            #expect(e.field == "unit")
            #expect(e.code == "unknown_unit")
        }
    }

    @Test func dispatchSetsTheCategoryDeadlineOrTheOverride() throws {
        let (record, _) = Fixtures.caseIn(.registered)
        let at = Fixtures.t0.addingTimeInterval(7200)
        let byCategory = try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "C1"), at: at, context: Fixtures.context)
        #expect(byCategory[0].payload.dueAt == Timestamp.millis(at.addingTimeInterval(48 * 3600)))
        let overridden = try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "C1", deadlineHours: 2), at: at, context: Fixtures.context)
        #expect(overridden[0].payload.dueAt == Timestamp.millis(at.addingTimeInterval(2 * 3600)))
        for bad in [0, -1, .nan, .infinity, 100_000] as [Double] {
            #expect(throws: CaseError.self) {
                try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "C1", deadlineHours: bad), at: at, context: Fixtures.context)
            }
        }
    }

    @Test func uncategorisedCasesGetThePolicyDefault() throws {
        var (record, _) = Fixtures.caseIn(.registered)
        record.category = nil
        let drafts = try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "C1"), at: Fixtures.t0, context: Fixtures.context)
        #expect(drafts[0].payload.dueAt == Timestamp.millis(Fixtures.t0.addingTimeInterval(24 * 3600)))
    }

    @Test func escalationGoesUpTheTreeAndStopsAtTheTop() throws {
        let (community, _) = Fixtures.caseIn(.dispatched, unit: "C1")
        let up = try CaseMachine.decide(community, CaseCommand(.escalate, reason: "too big"), at: Fixtures.t0, context: Fixtures.context)
        #expect(up[0].payload.unit == "S1")
        #expect(up[0].payload.fromUnit == "C1")
        let (district, _) = Fixtures.caseIn(.dispatched, unit: "D")
        #expect(throws: CaseError.noParentUnit("D")) {
            try CaseMachine.decide(district, CaseCommand(.escalate, reason: "too big"), at: Fixtures.t0, context: Fixtures.context)
        }
    }

    @Test func failedVerificationIsCountedReworkBackToTheSameUnit() throws {
        var (record, events) = Fixtures.caseIn(.handled, unit: "D-CG")
        #expect(throws: CaseError.self) {  // a failure needs a reason
            try CaseMachine.decide(record, CaseCommand(.verify, passed: false), at: record.updatedAt, context: Fixtures.context)
        }
        let d = try CaseMachine.decide(record, CaseCommand(.verify, reason: "still there", passed: false), at: record.updatedAt, context: Fixtures.context)
        #expect(d[0].to == .dispatched)
        let e = EventChain.seal(d[0], caseID: 1, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: record.updatedAt)
        record = CaseMachine.apply(e, to: record)
        events.append(e)
        #expect(record.status == .dispatched)
        #expect(record.unit == "D-CG")
        #expect(record.reworkCount == 1)
        #expect(CaseMachine.replay(events) == record)
    }

    @Test func reopenOnlyWithinTheWindow() throws {
        let (closed, _) = Fixtures.caseIn(.closed, unit: "C1")
        let closedAt = try #require(closed.closedAt)
        let inside = closedAt.addingTimeInterval(72 * 3600)
        let d = try CaseMachine.decide(closed, CaseCommand(.reopen, reason: "came back"), at: inside, context: Fixtures.context)
        #expect(d[0].payload.unit == "C1")
        let outside = inside.addingTimeInterval(0.001)
        #expect(throws: CaseError.reopenWindowExpired(closedAtMillis: Timestamp.millis(closedAt), windowHours: 72)) {
            try CaseMachine.decide(closed, CaseCommand(.reopen, reason: "came back"), at: outside, context: Fixtures.context)
        }
    }

    @Test func returnClearsTheUnitAndFlagsARepeatedDispute() throws {
        var (record, _) = Fixtures.caseIn(.dispatched, unit: "D-CG")
        func run(_ c: CaseCommand) throws -> EventDraft {
            let d = try CaseMachine.decide(record, c, at: record.updatedAt, context: Fixtures.context)[0]
            record = CaseMachine.apply(EventChain.seal(d, caseID: 1, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: record.updatedAt), to: record)
            return d
        }
        let first = try run(CaseCommand(.return, reason: "not ours"))
        #expect(first.payload.disputed == nil)
        #expect(record.status == .registered && record.unit == nil && record.dueAt == nil && record.returnCount == 1)
        _ = try run(CaseCommand(.dispatch, unit: "D-CG"))
        let second = try run(CaseCommand(.return, reason: "not ours"))
        #expect(second.payload.disputed == true)
        _ = try run(CaseCommand(.dispatch, unit: "D-CG"))
        let different = try run(CaseCommand(.return, reason: "wrong address"))
        #expect(different.payload.disputed == nil)
    }

    @Test func overlongTextIsRefused() {
        let (record, _) = Fixtures.caseIn(.reported)
        let long = String(repeating: "字", count: CaseMachine.textMax + 1)
        #expect(throws: CaseError.self) {
            try CaseMachine.decide(record, CaseCommand(.comment, note: long), at: record.updatedAt, context: Fixtures.context)
        }
        #expect(throws: Never.self) {
            try CaseMachine.decide(record, CaseCommand(.comment, note: String(long.dropFirst())), at: record.updatedAt, context: Fixtures.context)
        }
    }

    @Test func decideIsPure() throws {
        let (record, _) = Fixtures.caseIn(.registered)
        let a = try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "S1"), at: Fixtures.t0, context: Fixtures.context)
        let b = try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "S1"), at: Fixtures.t0, context: Fixtures.context)
        #expect(a == b)
    }
}
