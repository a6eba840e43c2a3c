import Foundation

/// The closed loop as pure functions.
///
/// `decide` checks a command against a case and returns the events it causes, or a typed
/// error; `apply` folds an event into the case record. The store runs both inside one
/// transaction; `verify` replays `apply` over a stored history to check the case row.
public enum CaseMachine {
    /// Which actions each status allows. Anything else is an illegal transition.
    public static let transitions: [CaseStatus: [CaseAction: CaseStatus?]] = [
        .reported: [.register: .registered, .reject: .rejected, .comment: nil, .supervise: nil],
        .registered: [.dispatch: .dispatched, .comment: nil, .supervise: nil],
        .dispatched: [.return: .registered, .escalate: .dispatched, .handle: .handled, .comment: nil, .supervise: nil],
        // A failed verification goes back to `dispatched`; `decide` picks the target.
        .handled: [.verify: .verified, .comment: nil, .supervise: nil],
        .verified: [.close: .closed, .comment: nil, .supervise: nil],
        .closed: [.reopen: .dispatched],
        .rejected: [:],
    ]

    public static func allowedActions(from status: CaseStatus) -> [CaseAction] {
        CaseAction.commands.filter { transitions[status]?[$0] != nil }
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

        func require(_ value: String?, _ field: String) throws(CaseError) {
            if value == nil { throw .missing(field, for: command.action) }
        }
        func deadline() throws(CaseError) -> Int64 {
            if let h = command.deadlineHours {
                guard h.isFinite, h > 0, h <= context.policy.maxDeadlineHours else {
                    throw .invalid(FieldError(field: "deadline_hours", code: "out_of_range",
                                              message: "deadline_hours must be more than 0 and at most \(context.policy.maxDeadlineHours.formatted)"))
                }
            }
            return Timestamp.millis(context.dueDate(category: state.category, from: at, overrideHours: command.deadlineHours))
        }

        switch command.action {
        case .report:
            throw .illegalTransition(from: from, action: .report)
        case .register, .close:
            break
        case .reject:
            try require(reason, "reason")
        case .dispatch:
            guard let code = command.unit?.trimmed, !code.isEmpty else { throw .missing("unit", for: .dispatch) }
            guard context.units[code] != nil else {
                throw .invalid(FieldError(field: "unit", code: "unknown_unit", message: "unit '\(code)' does not exist; see GET /api/v1/units"))
            }
            payload.unit = code
            payload.dueAt = try deadline()
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
            payload.dueAt = try deadline()
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
                payload.dueAt = try deadline()
            }
        case .reopen:
            try require(reason, "reason")
            let closedAt = Timestamp.millis(state.closedAt ?? state.updatedAt)
            let windowMs = Int64(context.policy.reopenWindowHours * 3_600_000)
            guard Timestamp.millis(at) - closedAt <= windowMs else {
                throw .reopenWindowExpired(closedAtMillis: closedAt, windowHours: context.policy.reopenWindowHours)
            }
            payload.unit = state.unit
            payload.dueAt = try deadline()
        case .comment, .supervise:
            try require(note, "note")
        }
        return [EventDraft(action: command.action, from: from, to: to, payload: payload)]
    }

    /// Folds one sealed event into the record.
    public static func apply(_ event: CaseEvent, to record: CaseRecord) -> CaseRecord {
        var r = record
        let p = event.payload
        switch event.action {
        case .report, .register, .reject, .handle, .comment:
            break
        case .dispatch:
            r.unit = p.unit
            r.dueAt = p.dueAt.map(Timestamp.date(millis:))
        case .return:
            if let unit = r.unit, let reason = p.reason { r.lastReturn = UnitReason(unit: unit, reason: reason) }
            r.unit = nil
            r.dueAt = nil
            r.returnCount += 1
        case .escalate:
            r.unit = p.unit
            r.dueAt = p.dueAt.map(Timestamp.date(millis:))
            r.escalationCount += 1
        case .verify:
            if p.passed == false {
                r.reworkCount += 1
                r.dueAt = p.dueAt.map(Timestamp.date(millis:))
            }
        case .close:
            r.closedAt = event.at
        case .reopen:
            r.closedAt = nil
            r.dueAt = p.dueAt.map(Timestamp.date(millis:))
            r.reopenCount += 1
        case .supervise:
            r.supervisionCount += 1
        }
        r.status = event.to
        r.updatedAt = event.at
        r.eventCount = event.seq + 1
        r.lastHash = event.hash
        return r
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

    private static func text(_ value: String?, _ field: String) throws(CaseError) -> String? {
        guard let v = value?.trimmed, !v.isEmpty else { return nil }
        if v.count > textMax {
            throw .invalid(FieldError(field: field, code: "too_long", message: "\(field) has \(v.count) characters; at most \(textMax) are allowed"))
        }
        return v
    }
}
