import Foundation

/// The closed loop as pure functions.
///
/// `decide` checks a command against a case and returns the events it causes, or a typed
/// error; `apply` folds an event into the case record. The store runs both inside one
/// transaction; `verify` replays `apply` over a stored history to check the case row.
public enum CaseMachine {
    /// Which actions each status allows. Anything else is an illegal transition.
    public static let transitions: [CaseStatus: [CaseAction: CaseStatus?]] = {
        // Any open case can be commented on and supervised, gather reports and absorb duplicates.
        let open: [CaseAction: CaseStatus?] = [.comment: nil, .supervise: nil, .join: nil, .detections: nil, .absorb: nil, .release: nil]
        func with(_ own: [CaseAction: CaseStatus?]) -> [CaseAction: CaseStatus?] { open.merging(own) { _, b in b } }
        return [
            .reported: with([.register: .registered, .reject: .rejected, .merge: .merged]),
            .registered: with([.dispatch: .dispatched, .merge: .merged]),
            .dispatched: with([.accept: nil, .postpone: nil, .return: .registered, .escalate: .dispatched, .redispatch: .dispatched, .handle: .handled, .warn: nil,
                               .overdue: nil, .notify: .selfCorrecting, .merge: .merged]),
            // A passed recheck verifies (and closes) a self-corrected case; a failed one, or the
            // merchant's deadline passing, dispatches it to enforcement: `decide` picks the target.
            .selfCorrecting: with([.confirm: nil, .recheck: .verified, .uncorrected: .dispatched]),
            // A failed verification goes back to `dispatched`; `decide` picks the target.
            .handled: with([.verify: .verified]),
            .verified: with([.close: .closed]),
            .closed: [.reopen: .dispatched, .release: nil, .evaluate: nil],
            .rejected: [.release: nil],
            .merged: [.unmerge: .registered],
        ]
    }()

    /// The actions a client may take from `status`.
    public static func allowedActions(from status: CaseStatus) -> [CaseAction] { commandsByStatus[status] ?? [] }

    /// Worked out once: the case list asks for every case it shows, and filtering the commands
    /// through the transitions each time was a tenth of the list's time at a million cases.
    private static let commandsByStatus: [CaseStatus: [CaseAction]] = Dictionary(uniqueKeysWithValues: CaseStatus.allCases.map { status in
        (status, CaseAction.commands.filter { transitions[status]?[$0] != nil })
    })

    /// The actions a client may take on this case now: those its status allows whose other
    /// preconditions hold as well (a parent unit to escalate to, the reopen window). Given the
    /// arguments an action needs, each of them succeeds; any other action is refused. The API's
    /// `allowed_actions` and the pages' buttons come from this (with the access policy), so a
    /// button is never offered that the server would refuse.
    public static func availableActions(_ state: CaseRecord, at: Date, context: CaseContext) -> [CaseAction] {
        allowedActions(from: state.status).filter { action in
            switch action {
            case .escalate:
                return state.unit.flatMap(context.units.parent(of:)) != nil
            case .accept:
                return !state.accepted
            case .postpone:
                return state.dueAt != nil
            case .evaluate:
                return state.satisfaction == nil
            case .reopen:
                let closedAt = Timestamp.millis(state.closedAt ?? state.updatedAt)
                return Timestamp.millis(max(at, state.updatedAt)) - closedAt <= Int64(context.policy.reopenWindowHours * 3_600_000)
            default:
                return true
            }
        }
    }

    /// Longest free text in a reason or note.
    public static let textMax = 2_000

    /// The first event of a new case.
    public static func open(report: Report, trackingCode: String) -> EventDraft {
        EventDraft(action: .report, from: nil, to: .reported, payload: EventPayload(report: report, trackingCode: trackingCode))
    }

    /// Decides what `command` does to `state` at `at`. Pure: the same inputs give the same
    /// events. Status is checked before arguments, so an illegal step is always a 409.
    public static func decide(_ state: CaseRecord, _ command: CaseCommand, at: Date, context: CaseContext) throws(CaseError) -> [EventDraft] {
        let from = state.status
        guard command.action != .report, let next = transitions[from]?[command.action] else {
            throw .illegalTransition(from: from, action: command.action)
        }
        let reason = try text(command.reason, "reason")
        let note = try text(command.note, "note")
        var payload = EventPayload(reason: reason, note: note)
        var to = next ?? from
        // Registering may set the category (a dispatcher's choice for an unclassified report, or
        // a correction); routing below then sees it.
        var state = state
        if let code = command.category?.trimmingCharacters(in: .whitespaces), !code.isEmpty {
            guard command.action == .register else {
                throw .invalid(FieldError(field: "category", code: "not_allowed", message: "the category can be set only when registering a case"))
            }
            guard context.categories.reportable(code) != nil else {
                throw .invalid(FieldError(field: "category", code: "unknown_category", message: "category '\(code)' does not exist"))
            }
            if code != state.category {
                payload.category = code
                state.category = code
            }
        }

        func require(_ value: String?, _ field: String) throws(CaseError) {
            if value == nil { throw .missing(field, for: command.action) }
        }
        func setDeadline() throws(CaseError) {
            if let h = command.deadlineHours {
                guard h.isFinite, h > 0, h <= context.policy.maxDeadlineHours else {
                    throw .invalid(FieldError(field: "deadline_hours", code: "out_of_range",
                                              message: "deadline_hours must be more than 0 and at most \(context.policy.maxDeadlineHours.formatted)"))
                }
            }
            let d = context.deadline(for: state, from: at, overrideHours: command.deadlineHours)
            payload.dueAt = Timestamp.millis(d.due)
            payload.warnAt = Timestamp.millis(d.warn)
            payload.ruleID = d.ruleID
        }

        switch command.action {
        case .report:
            throw .illegalTransition(from: from, action: .report)
        case .close:
            break
        case .register:
            // A rule may dispatch at once: the register and dispatch events land together.
            if let match = context.rules.route(category: state.category, area: state.area, source: state.report.source, units: context.units),
               match.rule.autoDispatch, let unit = match.unit, context.units[unit] != nil {
                let d = context.deadline(for: state, from: at, overrideHours: nil)
                let dispatch = EventPayload(unit: unit, note: match.dispatchNote, dueAt: Timestamp.millis(d.due),
                                            warnAt: Timestamp.millis(d.warn), ruleID: match.rule.id)
                return [EventDraft(action: .register, from: from, to: .registered, payload: payload),
                        EventDraft(action: .dispatch, from: .registered, to: .dispatched, payload: dispatch)]
            }
        case .warn:
            guard !state.warned, let warnAt = state.warnAt, warnAt <= at else { throw .illegalTransition(from: from, action: .warn) }
            payload.dueAt = state.dueAt.map(Timestamp.millis)
        case .overdue:
            guard !state.overdueMarked, let due = state.dueAt, due <= at else { throw .illegalTransition(from: from, action: .overdue) }
            payload.dueAt = Timestamp.millis(due)
        case .reject:
            try require(reason, "reason")
        case .dispatch:
            payload.unit = try unit(command, context)
            try setDeadline()
        case .redispatch:
            let code = try unit(command, context)
            try require(reason, "reason")
            guard code != state.unit else { throw .alreadyHeld(code) }
            payload.fromUnit = state.unit
            payload.unit = code
            try setDeadline()
        case .accept:
            guard !state.accepted else { throw .illegalTransition(from: from, action: .accept) }
        case .postpone:
            // Once: a deferred case has no deadline left to lift.
            guard state.dueAt != nil else { throw .illegalTransition(from: from, action: .postpone) }
            try require(reason, "reason")
            payload.unit = state.unit
        case .evaluate:
            guard state.satisfaction == nil else { throw .illegalTransition(from: from, action: .evaluate) }
            guard let verdict = command.satisfaction else { throw .missing("satisfaction", for: .evaluate) }
            payload.satisfaction = verdict
        case .return:
            try require(reason, "reason")
            payload.fromUnit = state.unit
            if let unit = state.unit, let reason, state.lastReturn == UnitReason(unit: unit, reason: reason) {
                payload.disputed = true
            }
        case .escalate:
            try require(reason, "reason")
            guard let unit = state.unit, let parent = context.units.parent(of: unit) else {
                throw .noParentUnit(state.unit ?? "(none)")
            }
            payload.fromUnit = unit
            payload.unit = parent.code
            try setDeadline()
        case .handle:
            try require(note, "note")
            do { try Report.checkMediaURLs(command.mediaURLs) } catch { throw .invalid(error) }
            payload.mediaURLs = command.mediaURLs.isEmpty ? nil : command.mediaURLs
        case .verify:
            guard let passed = command.passed else { throw .missing("passed", for: .verify) }
            payload.passed = passed
            if !passed {
                try require(reason, "reason")
                to = .dispatched
                payload.unit = state.unit
                try setDeadline()
            }
        case .reopen:
            try require(reason, "reason")
            let closedAt = Timestamp.millis(state.closedAt ?? state.updatedAt)
            let windowMs = Int64(context.policy.reopenWindowHours * 3_600_000)
            guard Timestamp.millis(at) - closedAt <= windowMs else {
                throw .reopenWindowExpired(closedAtMillis: closedAt, windowHours: context.policy.reopenWindowHours)
            }
            payload.unit = state.unit
            try setDeadline()
        case .comment, .supervise:
            try require(note, "note")
        case .join, .detections:
            // The report, or the summary of detections, as intake gives it.
            guard let given = command.payload else { throw .missing("payload", for: command.action) }
            payload = given
        case .notify:
            guard let merchant = try text(command.merchant, "merchant", shape: .line, max: ReportLimits.idMax) else {
                throw .missing("merchant", for: .notify)
            }
            guard let scenario = context.coGovernance.scenario(for: state.category) else { throw .noScenario(state.category) }
            payload.merchant = merchant
            payload.scenario = scenario.id
            payload.dueAt = Timestamp.millis(at.addingTimeInterval(scenario.merchantMinutes * 60))
        case .confirm:
            guard !command.mediaURLs.isEmpty else { throw .missing("media_urls", for: .confirm) }
            do { try Report.checkMediaURLs(command.mediaURLs) } catch { throw .invalid(error) }
            payload.merchant = state.merchant
            payload.mediaURLs = command.mediaURLs
        case .recheck:
            guard let passed = command.passed else { throw .missing("passed", for: .recheck) }
            payload.passed = passed
            if passed {
                let close = EventPayload(note: "商户自行整改，复核通过 self-corrected")
                return [EventDraft(action: .recheck, from: from, to: .verified, payload: payload),
                        EventDraft(action: .close, from: .verified, to: .closed, payload: close)]
            }
            guard state.merchantConfirmed else { throw .merchantStillHasTime(untilMillis: state.dueAt.map(Timestamp.millis) ?? 0) }
            try require(reason, "reason")
            to = .dispatched
            try enforce(state, at: at, context: context, into: &payload)
        case .uncorrected:
            guard let due = state.dueAt, due <= at else { throw .illegalTransition(from: from, action: .uncorrected) }
            payload.reason = reason ?? "商户未在期限内自行整改，转执法处置"
            try enforce(state, at: at, context: context, into: &payload)
        case .merge, .unmerge:
            guard command.action == .unmerge || (command.otherCase != nil && command.otherCase != state.id) else {
                throw .invalid(FieldError(field: "into", code: "required", message: "into (another case's id) is required to merge a case"))
            }
            try require(reason, "reason")
            payload.mergedInto = command.action == .merge ? command.otherCase : state.mergedInto
        case .absorb, .release:
            guard let other = command.otherCase else { throw .missing("into", for: command.action) }
            payload.mergedFrom = other
        }
        return [EventDraft(action: command.action, from: from, to: to, payload: payload)]
    }

    /// A new case's opening event, sealed, and the case after it: what the store writes when a
    /// report opens a case, one at a time or in bulk.
    public static func opening(_ record: CaseRecord, actor: Actor, at: Date) -> (record: CaseRecord, event: CaseEvent) {
        let event = EventChain.seal(open(report: record.report, trackingCode: record.trackingCode), caseID: record.id, seq: 0,
                                    prevHash: EventChain.genesis, actor: actor, at: at)
        return (apply(event, to: record), event)
    }

    /// Decides `command` and seals and applies the events it causes, each chained to the one
    /// before: the case after them, and the events to append.
    public static func step(_ state: CaseRecord, _ command: CaseCommand, actor: Actor, at: Date, context: CaseContext) throws(CaseError)
        -> (record: CaseRecord, events: [CaseEvent]) {
        var record = state, events: [CaseEvent] = []
        for draft in try decide(state, command, at: at, context: context) {
            let e = EventChain.seal(draft, caseID: record.id, seq: record.eventCount, prevHash: record.lastHash, actor: actor, at: at)
            record = apply(e, to: record)
            events.append(e)
        }
        return (record, events)
    }

    /// Folds one sealed event into the record.
    public static func apply(_ event: CaseEvent, to record: CaseRecord) -> CaseRecord {
        var r = record
        let p = event.payload
        switch event.action {
        case .register:
            if let c = p.category { r.category = c }
        case .report, .reject, .handle, .comment, .join, .detections, .absorb, .release:
            break
        case .accept:
            r.accepted = true
        case .postpone:
            setTimers(&r, EventPayload())
        case .evaluate:
            r.satisfaction = p.satisfaction
        case .notify:
            r.merchant = p.merchant
            r.scenario = p.scenario
            r.merchantConfirmed = false
            setTimers(&r, p)
        case .confirm:
            r.merchantConfirmed = true
        case .recheck where p.passed == true:
            r.selfCorrected = true
        case .recheck, .uncorrected:
            hand(&r, to: p.unit)
            setTimers(&r, p)
        case .merge:
            r.mergedInto = p.mergedInto
            r.unit = nil
            setTimers(&r, EventPayload())
        case .unmerge:
            r.mergedInto = nil
        case .dispatch, .redispatch:
            hand(&r, to: p.unit)
            setTimers(&r, p)
        case .return:
            if let unit = r.unit, let reason = p.reason { r.lastReturn = UnitReason(unit: unit, reason: reason) }
            if p.disputed == true { r.disputed = true }
            r.unit = nil
            setTimers(&r, EventPayload())
            r.returnCount += 1
        case .escalate:
            hand(&r, to: p.unit)
            setTimers(&r, p)
            r.escalationCount += 1
        case .verify:
            if p.passed == false {
                r.reworkCount += 1
                setTimers(&r, p)
            }
        case .close:
            r.closedAt = event.at
        case .reopen:
            r.closedAt = nil
            r.satisfaction = nil
            setTimers(&r, p)
            r.reopenCount += 1
        case .warn:
            r.warned = true
        case .overdue:
            r.overdueMarked = true
        case .supervise:
            r.supervisionCount += 1
        }
        r.status = event.to
        r.updatedAt = event.at
        r.eventCount = event.seq + 1
        r.lastHash = event.hash
        return r
    }

    /// Gives the case to a unit. Ownership is no longer disputed once a unit other than the one
    /// that returned it twice holds it.
    private static func hand(_ r: inout CaseRecord, to unit: String?) {
        if unit != r.unit { r.accepted = false }
        r.unit = unit
        if r.disputed, unit != r.lastReturn?.unit { r.disputed = false }
    }

    /// A new deadline restarts the warning and overdue marks.
    private static func setTimers(_ r: inout CaseRecord, _ p: EventPayload) {
        r.dueAt = p.dueAt.map(Timestamp.date(millis:))
        r.warnAt = p.warnAt.map(Timestamp.date(millis:))
        r.ruleID = p.ruleID
        r.warned = false
        r.overdueMarked = false
    }

    /// Rebuilds a case from its history alone: what `verify` compares the stored row with.
    /// Returns nil when the history does not start with a report.
    public static func replay(_ events: [CaseEvent]) -> CaseRecord? {
        guard let first = events.first, first.action == .report, let report = first.payload.report,
              let code = first.payload.trackingCode else { return nil }
        var record = CaseRecord(id: first.caseID, trackingCode: code, report: report, createdAt: first.at)
        for e in events { record = apply(e, to: record) }
        return record
    }

    /// Sends a case the merchant did not correct to the scenario's enforcement unit, with its deadline.
    private static func enforce(_ state: CaseRecord, at: Date, context: CaseContext, into payload: inout EventPayload) throws(CaseError) {
        guard let scenario = state.scenario.flatMap(context.coGovernance.scenario(id:)) ?? context.coGovernance.scenario(for: state.category) else {
            throw .noScenario(state.category)
        }
        let due = scenario.enforcementDeadline.due(from: at, calendar: context.calendar)
        payload.fromUnit = state.unit
        payload.unit = scenario.enforcementUnit
        payload.scenario = scenario.id
        payload.dueAt = Timestamp.millis(due)
        payload.warnAt = Timestamp.millis(at.addingTimeInterval(due.timeIntervalSince(at) * context.policy.warningShare))
    }

    /// The unit a command names, which must exist.
    private static func unit(_ command: CaseCommand, _ context: CaseContext) throws(CaseError) -> String {
        guard let code = command.unit?.trimmed, !code.isEmpty else { throw .missing("unit", for: command.action) }
        guard context.units[code] != nil else {
            throw .invalid(FieldError(field: "unit", code: "unknown_unit", message: "unit '\(code)' does not exist; see GET /api/v1/units"))
        }
        return code
    }

    private static func text(_ value: String?, _ field: String, shape: TextRule.Shape = .multiline,
                             max: Int = textMax) throws(CaseError) -> String? {
        do { return try TextRule.optional(value, field: field, max: max, shape: shape) } catch { throw .invalid(error) }
    }
}
