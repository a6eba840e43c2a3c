import Foundation

/// One step in a case's history. Append-only: the store refuses updates and deletes, and
/// `hash` chains each event to the one before, so an edited row is detected.
public struct CaseEvent: Sendable, Hashable {
    public var caseID: Int64
    /// 0 for the report that opened the case, then 1, 2, …
    public var seq: Int
    public var action: CaseAction
    public var actor: Actor
    /// Millisecond precision: what the store keeps, so hashes recompute exactly.
    public var at: Date
    /// nil for the opening `report` event.
    public var from: CaseStatus?
    public var to: CaseStatus
    public var payload: EventPayload
    /// The canonical JSON of `payload`, exactly as hashed and stored.
    public var payloadJSON: String
    public var prevHash: String
    public var hash: String

    public init(caseID: Int64, seq: Int, action: CaseAction, actor: Actor, at: Date, from: CaseStatus?, to: CaseStatus,
                payload: EventPayload, payloadJSON: String, prevHash: String, hash: String) {
        self.caseID = caseID
        self.seq = seq
        self.action = action
        self.actor = actor
        self.at = at
        self.from = from
        self.to = to
        self.payload = payload
        self.payloadJSON = payloadJSON
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// What an event changed or said. Only the fields the action needs are set.
public struct EventPayload: Sendable, Hashable, Codable {
    /// The opening report (on `report` only).
    public var report: Report?
    public var trackingCode: String?
    /// The unit the case went to (dispatch, escalate, rework, reopen).
    public var unit: String?
    /// The unit that had it before (escalate, return).
    public var fromUnit: String?
    public var reason: String?
    public var note: String?
    public var passed: Bool?
    /// Evidence of handling, as URLs.
    public var mediaURLs: [String]?
    /// The new deadline, epoch milliseconds.
    public var dueAt: Int64?
    /// When a warning is due for the new deadline, epoch milliseconds.
    public var warnAt: Int64?
    /// The routing rule that chose the unit or the deadline.
    public var ruleID: String?
    /// Set on a return by the same unit for the same reason as its previous return.
    public var disputed: Bool?
    /// The merchant told to self-correct (notify) or confirming (confirm).
    public var merchant: String?
    /// The co-governance scenario (notify).
    public var scenario: String?
    /// The report that joined (join), from the reports list.
    public var reportID: Int64?
    /// The camera of summarised detections (detections).
    public var cameraID: String?
    /// How many detections a summary covers, and their time range (epoch milliseconds).
    public var count: Int?
    public var firstAt: Int64?
    public var lastAt: Int64?
    /// The case a duplicate was merged into (merge, unmerge) or merged from (absorb, release).
    public var mergedInto: Int64?
    public var mergedFrom: Int64?
    /// The category chosen when registering (register), when it was set or changed then.
    public var category: String?
    /// The resident's verdict (evaluate).
    public var satisfaction: Satisfaction?

    public init(report: Report? = nil, trackingCode: String? = nil, unit: String? = nil, fromUnit: String? = nil,
                reason: String? = nil, note: String? = nil, passed: Bool? = nil, mediaURLs: [String]? = nil,
                dueAt: Int64? = nil, warnAt: Int64? = nil, ruleID: String? = nil, disputed: Bool? = nil, merchant: String? = nil,
                scenario: String? = nil, reportID: Int64? = nil, cameraID: String? = nil, count: Int? = nil, firstAt: Int64? = nil,
                lastAt: Int64? = nil, mergedInto: Int64? = nil, mergedFrom: Int64? = nil, category: String? = nil,
                satisfaction: Satisfaction? = nil) {
        self.satisfaction = satisfaction
        self.report = report
        self.trackingCode = trackingCode
        self.unit = unit
        self.fromUnit = fromUnit
        self.reason = reason
        self.note = note
        self.passed = passed
        self.mediaURLs = mediaURLs
        self.dueAt = dueAt
        self.warnAt = warnAt
        self.ruleID = ruleID
        self.disputed = disputed
        self.merchant = merchant
        self.scenario = scenario
        self.reportID = reportID
        self.cameraID = cameraID
        self.count = count
        self.firstAt = firstAt
        self.lastAt = lastAt
        self.mergedInto = mergedInto
        self.mergedFrom = mergedFrom
        self.category = category
    }

    enum CodingKeys: String, CodingKey {
        case report, unit, reason, note, passed, disputed, merchant, scenario, count, category, satisfaction
        case reportID = "report_id"
        case cameraID = "camera_id"
        case firstAt = "first_at"
        case lastAt = "last_at"
        case mergedInto = "merged_into"
        case mergedFrom = "merged_from"
        case trackingCode = "tracking_code"
        case fromUnit = "from_unit"
        case mediaURLs = "media_urls"
        case dueAt = "due_at"
        case warnAt = "warn_at"
        case ruleID = "rule_id"
    }
}

/// An event decided by the state machine but not yet placed in the chain.
public struct EventDraft: Sendable, Hashable {
    public var action: CaseAction
    public var from: CaseStatus?
    public var to: CaseStatus
    public var payload: EventPayload

    public init(action: CaseAction, from: CaseStatus?, to: CaseStatus, payload: EventPayload) {
        self.action = action
        self.from = from
        self.to = to
        self.payload = payload
    }
}

/// A resident's verdict on how a case was handled (群众满意度评价), the three grades the 12345
/// call-back uses. Raw values are the wire and storage names.
public enum Satisfaction: String, Sendable, Codable, CaseIterable, Hashable {
    case satisfied
    case basicallySatisfied = "basically_satisfied"
    case dissatisfied

    /// Satisfied and basically satisfied both count as satisfied in the satisfaction rate.
    public var counts: Bool { self != .dissatisfied }
}
