/// A request to move a case, as the state machine sees it: the action and its arguments.
public struct CaseCommand: Sendable, Hashable {
    public var action: CaseAction
    /// The unit to dispatch to.
    public var unit: String?
    /// Why: required to reject, return, escalate, fail a verification and reopen.
    public var reason: String?
    /// What was done or said: required to handle, comment and supervise.
    public var note: String?
    /// The verification's verdict: required to verify.
    public var passed: Bool?
    /// Evidence of handling.
    public var mediaURLs: [String]
    /// Overrides the category's deadline on dispatch, in hours.
    public var deadlineHours: Double?
    /// The merchant to notify (notify) or who confirms (confirm).
    public var merchant: String?
    /// The other case of a merge: the case this one is merged into (merge, unmerge) or from
    /// (absorb, release).
    public var otherCase: Int64?
    /// A joining report (join) or a detection summary (detections).
    public var payload: EventPayload?
    /// The category a dispatcher chooses or confirms when registering (立案), e.g. one of the
    /// classifier's suggestions for a hotline call that came without one.
    public var category: String?
    /// The verdict on a closed case (evaluate).
    public var satisfaction: Satisfaction?

    public init(_ action: CaseAction, unit: String? = nil, reason: String? = nil, note: String? = nil, passed: Bool? = nil,
                mediaURLs: [String] = [], deadlineHours: Double? = nil, merchant: String? = nil, otherCase: Int64? = nil,
                payload: EventPayload? = nil, category: String? = nil, satisfaction: Satisfaction? = nil) {
        self.satisfaction = satisfaction
        self.action = action
        self.unit = unit
        self.reason = reason
        self.note = note
        self.passed = passed
        self.mediaURLs = mediaURLs
        self.deadlineHours = deadlineHours
        self.merchant = merchant
        self.otherCase = otherCase
        self.payload = payload
        self.category = category
    }
}

/// Why a command was refused. Nothing is written when any of these is thrown.
public enum CaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The action is not allowed from this status (HTTP 409).
    case illegalTransition(from: CaseStatus, action: CaseAction)
    /// A closed case can be reopened only within the window (HTTP 409).
    case reopenWindowExpired(closedAtMillis: Int64, windowHours: Double)
    /// The unit has no parent to escalate to (HTTP 409).
    case noParentUnit(String)
    /// A re-dispatch to the unit that already holds the case (HTTP 409).
    case alreadyHeld(String)
    /// The category has no co-governance scenario, so no merchant can be told (HTTP 409).
    case noScenario(String?)
    /// A failed recheck before the merchant has confirmed: its deadline still runs (HTTP 409).
    case merchantStillHasTime(untilMillis: Int64)
    /// A field is missing or wrong (HTTP 422).
    case invalid(FieldError)
    /// Parts of a joint case are still pending: the case waits for every unit (HTTP 409).
    case jointPartsPending(Int)

    public var description: String {
        switch self {
        case .illegalTransition(let from, let action):
            "a case that is \(from.rawValue) cannot be \(action.pastTense); allowed now: \(CaseMachine.allowedActions(from: from).map(\.rawValue).joined(separator: ", "))"
        case .reopenWindowExpired(let closedAt, let window):
            "the case was closed at \(Timestamp.rfc3339(millis: closedAt)); it can be reopened only within \(window.formatted) hours of closing"
        case .noParentUnit(let unit):
            "unit \(unit) has no parent unit to escalate to; the command centre can re-dispatch the case (redispatch) to a unit"
        case .alreadyHeld(let unit):
            "unit \(unit) already holds the case; re-dispatch it to another unit"
        case .noScenario(let category):
            "category \(category ?? "(none)") has no co-governance (云共治) scenario, so there is no merchant deadline"
        case .merchantStillHasTime(let until):
            "the merchant has not confirmed and has until \(Timestamp.rfc3339(millis: until)) to correct it; a failed recheck counts after its confirmation"
        case .invalid(let e):
            e.message
        case .jointPartsPending(let n):
            "\(n) part(s) of this joint case are pending; the case is handled once every unit has done its part "
                + "or the lead closes the rest"
        }
    }

    static func missing(_ field: String, for action: CaseAction) -> CaseError {
        .invalid(FieldError(field: field, code: "required", message: "\(field) is required to \(action.rawValue) a case"))
    }
}

extension CaseAction {
    var pastTense: String {
        switch self {
        case .report: "reported"
        case .register: "registered"
        case .reject: "rejected"
        case .dispatch: "dispatched"
        case .accept: "accepted"
        case .return: "returned"
        case .escalate: "escalated"
        case .redispatch: "re-dispatched"
        case .notify: "notified"
        case .confirm: "confirmed"
        case .recheck: "rechecked"
        case .uncorrected: "marked uncorrected"
        case .join: "joined"
        case .detections: "given detections"
        case .merge: "merged"
        case .absorb: "given a merged case"
        case .unmerge: "unmerged"
        case .release: "released from a merge"
        case .handle: "handled"
        case .verify: "verified"
        case .close: "closed"
        case .reopen: "reopened"
        case .comment: "commented on"
        case .supervise: "supervised"
        case .postpone: "postponed"
        case .evaluate: "evaluated"
        case .warn: "warned"
        case .overdue: "marked overdue"
        }
    }
}

extension Double {
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}
