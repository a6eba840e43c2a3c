import Foundation
@testable import GongzhiCore
import Testing

@Suite struct CaseMachineTests {
    /// The expected outcome of every (status, client action) pair, written out independently of
    /// the machine's own table (the design document's table): the status it leads to, or absent
    /// when it must be refused. The scheduler's `warn` and `overdue` are tested apart below.
    static let expected: [CaseStatus: [CaseAction: CaseStatus]] = [
        .reported: [.register: .registered, .reject: .rejected, .comment: .reported, .supervise: .reported, .merge: .merged],
        .registered: [.dispatch: .dispatched, .comment: .registered, .supervise: .registered, .merge: .merged],
        .dispatched: [.accept: .dispatched, .postpone: .dispatched, .return: .registered, .escalate: .dispatched, .redispatch: .dispatched,
                      .handle: .handled, .comment: .dispatched,
                      .supervise: .dispatched, .merge: .merged],
        // A passed recheck verifies the self-corrected case (and closes it, a second event).
        .selfCorrecting: [.recheck: .verified, .comment: .selfCorrecting, .supervise: .selfCorrecting],
        .handled: [.verify: .verified, .comment: .handled, .supervise: .handled],
        .verified: [.close: .closed, .comment: .verified, .supervise: .verified],
        .closed: [.reopen: .dispatched, .evaluate: .closed],
        .rejected: [:],
        .merged: [.unmerge: .registered],
    ]

    static let pairs: [(CaseStatus, CaseAction)] = CaseStatus.allCases.flatMap { s in CaseAction.commands.map { (s, $0) } }

    @Test(arguments: pairs)
    func everyStatusActionPair(status: CaseStatus, action: CaseAction) throws {
        let (record, _) = Fixtures.caseIn(status)
        let at = record.updatedAt.addingTimeInterval(60)
        let command = Fixtures.fullCommand(action)
        if let to = Self.expected[status]?[action] {
            let drafts = try CaseMachine.decide(record, command, at: at, context: Fixtures.context)
            #expect(drafts.count == (action == .recheck ? 2 : 1))
            #expect(drafts[0].from == status)
            #expect(drafts[0].to == to)
            #expect(drafts[0].action == action)
        } else {
            #expect(throws: CaseError.illegalTransition(from: status, action: action)) {
                try CaseMachine.decide(record, command, at: at, context: Fixtures.context)
            }
        }
    }

    /// The holder accepts a case once (签收); a new holder must accept it again, and the replay of
    /// the history gives the same flag.
    @Test func acceptIsOncePerHolder() throws {
        let (dispatched, history) = Fixtures.caseIn(.dispatched)
        var r = dispatched
        var events = history
        let at = r.updatedAt.addingTimeInterval(60)
        func run(_ command: CaseCommand) throws {
            for draft in try CaseMachine.decide(r, command, at: at, context: Fixtures.context) {
                let e = EventChain.seal(draft, caseID: r.id, seq: r.eventCount, prevHash: r.lastHash, actor: Actor(id: "user:t"), at: at)
                events.append(e)
                r = CaseMachine.apply(e, to: r)
            }
        }
        #expect(!r.accepted && CaseMachine.availableActions(r, at: at, context: Fixtures.context).contains(.accept))
        try run(CaseCommand(.accept))
        #expect(r.accepted && r.status == .dispatched && r.dueAt == dispatched.dueAt)
        #expect(!CaseMachine.availableActions(r, at: at, context: Fixtures.context).contains(.accept))
        #expect(throws: CaseError.illegalTransition(from: .dispatched, action: .accept)) { try run(CaseCommand(.accept)) }
        try run(Fixtures.fullCommand(.escalate))
        #expect(!r.accepted && CaseMachine.availableActions(r, at: at, context: Fixtures.context).contains(.accept))
        #expect(CaseMachine.replay(events) == r)
    }

    @Test func allowedActionsMatchTheTable() {
        for status in CaseStatus.allCases {
            let expected = Set((Self.expected[status] ?? [:]).keys)
            #expect(Set(CaseMachine.allowedActions(from: status)) == expected, "\(status)")
        }
    }

    /// `warn` and `overdue` are the scheduler's: legal only on a dispatched case whose time has
    /// come and that is not yet marked, and only once per deadline.
    @Test(arguments: CaseStatus.allCases)
    func systemMarksOnlyWhenDue(status: CaseStatus) throws {
        let (record, _) = Fixtures.caseIn(status)
        let early = record.updatedAt.addingTimeInterval(60)
        for action in [CaseAction.warn, .overdue] {
            #expect(throws: CaseError.illegalTransition(from: status, action: action)) {
                try CaseMachine.decide(record, CaseCommand(action), at: early, context: Fixtures.context)
            }
        }
        guard status == .dispatched else { return }
        // The fixture dispatches 06010 (48 h by category) at t0 + 2 h; the warning falls at 80 %.
        let warnAt = Fixtures.t0.addingTimeInterval(2 * 3600 + 0.8 * 48 * 3600), dueAt = Fixtures.t0.addingTimeInterval(50 * 3600)
        #expect(record.warnAt == warnAt && record.dueAt == dueAt)
        #expect(try CaseMachine.decide(record, CaseCommand(.warn), at: warnAt, context: Fixtures.context).map(\.to) == [.dispatched])
        #expect(throws: CaseError.illegalTransition(from: .dispatched, action: .overdue)) {
            try CaseMachine.decide(record, CaseCommand(.overdue), at: dueAt.addingTimeInterval(-1), context: Fixtures.context)
        }
        #expect(try CaseMachine.decide(record, CaseCommand(.overdue), at: dueAt, context: Fixtures.context)[0].payload.dueAt
                == Timestamp.millis(dueAt))
        var marked = record
        marked.warned = true
        marked.overdueMarked = true
        for action in [CaseAction.warn, .overdue] {
            #expect(throws: CaseError.illegalTransition(from: .dispatched, action: action)) {
                try CaseMachine.decide(marked, CaseCommand(action), at: dueAt.addingTimeInterval(3600), context: Fixtures.context)
            }
        }
    }

    /// `availableActions` offers exactly what succeeds: every offered action, given the arguments
    /// it needs, is decided without error, and every other client action is refused.
    @Test(arguments: CaseStatus.allCases)
    func availableActionsAreExactlyThoseThatSucceed(status: CaseStatus) throws {
        for unit in ["C1", "S1", "D", "D-CG"] {
            let (record, _) = Fixtures.caseIn(status, unit: unit)
            for at in [record.updatedAt.addingTimeInterval(60), record.updatedAt.addingTimeInterval(100 * 3600)] {
                let offered = Set(CaseMachine.availableActions(record, at: at, context: Fixtures.context))
                for action in CaseAction.commands {
                    var command = Fixtures.fullCommand(action)
                    command.unit = record.unit == "S1" ? "C1" : "S1"
                    let result = Result { () throws(CaseError) in try CaseMachine.decide(record, command, at: at, context: Fixtures.context) }
                    if offered.contains(action) {
                        #expect(throws: Never.self, "\(status) at \(unit): offered \(action) must succeed") { try result.get() }
                    } else {
                        #expect(throws: CaseError.self, "\(status) at \(unit): \(action) is not offered, so it must fail") { try result.get() }
                    }
                }
            }
        }
        // The top of the tree offers no escalation, and the reopen window closes.
        if status == .dispatched {
            #expect(!CaseMachine.availableActions(Fixtures.caseIn(.dispatched, unit: "D").0, at: Fixtures.t0, context: Fixtures.context).contains(.escalate))
        }
        if status == .closed {
            let (closed, _) = Fixtures.caseIn(.closed)
            // The resident's verdict has no window; reopening has.
            let inWindow = closed.updatedAt.addingTimeInterval(72 * 3600), after = inWindow.addingTimeInterval(1)
            #expect(CaseMachine.availableActions(closed, at: inWindow, context: Fixtures.context) == [.reopen, .evaluate])
            #expect(CaseMachine.availableActions(closed, at: after, context: Fixtures.context) == [.evaluate])
        }
    }

    /// A case escalated to the top (the district centre) is moved on by re-dispatch (协调派遣):
    /// a new unit, a new deadline, the previous holder and the reason recorded.
    @Test func aCaseAtTheTopIsRedispatched() throws {
        let (top, _) = Fixtures.caseIn(.dispatched, unit: "D")
        let at = top.updatedAt.addingTimeInterval(600)
        #expect(throws: CaseError.noParentUnit("D")) {
            try CaseMachine.decide(top, CaseCommand(.escalate, reason: "x"), at: at, context: Fixtures.context)
        }
        let d = try CaseMachine.decide(top, CaseCommand(.redispatch, unit: "D-CG", reason: "区级协调：由城管处置"), at: at, context: Fixtures.context)
        #expect(d.count == 1 && d[0].action == .redispatch && d[0].from == .dispatched && d[0].to == .dispatched)
        #expect(d[0].payload.unit == "D-CG" && d[0].payload.fromUnit == "D" && d[0].payload.reason == "区级协调：由城管处置")
        #expect(d[0].payload.dueAt == Timestamp.millis(at.addingTimeInterval(48 * 3600)))
        let e = EventChain.seal(d[0], caseID: 1, seq: top.eventCount, prevHash: top.lastHash, actor: .system, at: at)
        let moved = CaseMachine.apply(e, to: top)
        #expect(moved.unit == "D-CG" && moved.dueAt == at.addingTimeInterval(48 * 3600) && moved.escalationCount == top.escalationCount)
        #expect(throws: CaseError.missing("reason", for: .redispatch)) {
            try CaseMachine.decide(top, CaseCommand(.redispatch, unit: "D-CG"), at: at, context: Fixtures.context)
        }
        #expect(throws: CaseError.alreadyHeld("D")) {
            try CaseMachine.decide(top, CaseCommand(.redispatch, unit: "D", reason: "x"), at: at, context: Fixtures.context)
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
        (.dispatched, .supervise, "note"), (.registered, .dispatch, "unit"), (.dispatched, .postpone, "reason"),
        (.closed, .evaluate, "satisfaction"),
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
            do {
                _ = try CaseMachine.decide(record, CaseCommand(.dispatch, unit: "C1", deadlineHours: bad), at: at, context: Fixtures.context)
                Issue.record("deadline_hours \(bad) must be refused")
            } catch {
                guard case .invalid(let e) = error else { Issue.record("\(error)"); continue }
                #expect(e.field == "deadline_hours" && e.code == "out_of_range")
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
        #expect(throws: CaseError.missing("reason", for: .verify)) {  // a failure needs a reason
            try CaseMachine.decide(record, CaseCommand(.verify, passed: false), at: record.updatedAt, context: Fixtures.context)
        }
        // The fixture handled the case at t0 + 3 h; the rework starts a new 48 h clock an hour later.
        let at = Fixtures.t0.addingTimeInterval(4 * 3600)
        let d = try CaseMachine.decide(record, CaseCommand(.verify, reason: "still there", passed: false), at: at, context: Fixtures.context)
        #expect(d[0].to == .dispatched)
        let e = EventChain.seal(d[0], caseID: 1, seq: record.eventCount, prevHash: record.lastHash, actor: .system, at: at)
        record = CaseMachine.apply(e, to: record)
        events.append(e)
        // Expected values from the rules (DESIGN: failed verification is rework, counted, back to the unit).
        #expect(record.status == .dispatched && record.unit == "D-CG" && record.reworkCount == 1)
        #expect(record.dueAt == Fixtures.t0.addingTimeInterval(52 * 3600) && record.warnAt == at.addingTimeInterval(0.8 * 48 * 3600))
        #expect(!record.warned && !record.overdueMarked && record.eventCount == 5 && record.lastHash == e.hash)
        #expect(record.updatedAt == at && record.createdAt == Fixtures.t0 && record.closedAt == nil)
        #expect(events.map(\.action) == [.report, .register, .dispatch, .handle, .verify])
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
        #expect(throws: CaseError.invalid(FieldError(field: "note", code: "too_long", message: "note has 2001 characters; at most 2000 are allowed"))) {
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
