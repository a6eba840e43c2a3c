import Foundation
import GongzhiCore

/// The message to a merchant told to self-correct (云共治): what an SMS gateway or the
/// district's messaging platform needs to reach the merchant and let it confirm.
public struct MerchantNotice: Sendable, Hashable, Codable {
    public var caseID: Int64
    public var trackingCode: String
    public var merchantID: String
    public var merchantName: String
    /// Personal data: the merchant's contact, for the gateway only.
    public var phone: String?
    public var scenario: String?
    public var category: String?
    public var address: String?
    public var dueAt: String
    /// Where the merchant confirms with a photo; the path carries the notice's secret.
    public var confirmPath: String
    /// The notice's page for a phone (what, where, the photo, the time left, a confirm button);
    /// it carries the same secret. Absent from messages written before the page existed.
    public var pagePath: String?

    public init(caseID: Int64, trackingCode: String, merchantID: String, merchantName: String, phone: String?, scenario: String?,
                category: String?, address: String?, dueAt: String, confirmPath: String, pagePath: String?) {
        self.caseID = caseID
        self.trackingCode = trackingCode
        self.merchantID = merchantID
        self.merchantName = merchantName
        self.phone = phone
        self.scenario = scenario
        self.category = category
        self.address = address
        self.dueAt = dueAt
        self.confirmPath = confirmPath
        self.pagePath = pagePath
    }

    enum CodingKeys: String, CodingKey {
        case phone, scenario, category, address
        case caseID = "case_id"
        case trackingCode = "tracking_code"
        case merchantID = "merchant_id"
        case merchantName = "merchant_name"
        case dueAt = "due_at"
        case confirmPath = "confirm_path"
        case pagePath = "page_path"
    }
}

/// A message waiting in the outbox, or sent.
public struct OutboxMessage: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable { case pending, sent, failed }

    public var id: Int64
    public var caseID: Int64
    public var eventSeq: Int
    public var kind: String
    public var recipient: String
    /// JSON, as written with the event.
    public var payload: String
    public var status: Status
    public var attempts: Int
    public var createdAt: Date
    public var lastError: String?

    public init(id: Int64, caseID: Int64, eventSeq: Int, kind: String, recipient: String, payload: String, status: Status, attempts: Int,
                createdAt: Date, lastError: String?) {
        self.id = id
        self.caseID = caseID
        self.eventSeq = eventSeq
        self.kind = kind
        self.recipient = recipient
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.createdAt = createdAt
        self.lastError = lastError
    }
}

/// The outbox: messages written with the events that cause them, delivered by a worker that
/// leases what is due, so a crash neither loses a message (the lease expires and it is taken
/// again) nor makes a second one for the same event (one row per case, event and recipient).
public protocol OutboxStore: Sendable {
    /// Leases up to `limit` pending messages due at `now` for `lease` seconds.
    func claimDue(now: Date, limit: Int, lease: TimeInterval) async throws -> [OutboxMessage]
    /// Records one delivery attempt: sent, or failed with the next try (nil gives up).
    func recordAttempt(_ id: Int64, at: Date, ok: Bool, statusCode: Int?, error: String?, retryAt: Date?) async throws
    func outbox(caseID: Int64?, limit: Int) async throws -> [OutboxMessage]
    /// Messages still to be sent (pending, due or waiting for a retry): the outbox's backlog.
    func outboxBacklog() async throws -> Int
}

/// A merchant's confirmation through its notice, and the co-governance figures.
public protocol CoGovernanceStore: Sendable {
    /// The merchant says it corrected the problem, with photos; the case then waits for a recheck.
    /// Throws `CoGovernanceError` for an unknown or expired notice, `CaseError` when the case
    /// has moved on.
    func confirm(noticeToken: String, mediaURLs: [String], note: String?, at: Date, context: CaseContext) async throws -> CaseRecord
    /// The notice a secret opens and its case (the merchant's page). Throws `CoGovernanceError`
    /// for an unknown or expired notice.
    func notice(token: String, at: Date, context: CaseContext) async throws -> (notice: StoredNotice, record: CaseRecord)
    /// Self-correction outcomes grouped by scenario, street or merchant.
    func selfCorrectionStats(by: SelfCorrectionStats.Grouping, since: Date?, until: Date?) async throws -> [SelfCorrectionStats]
}

public enum CoGovernanceError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownNotice
    case noticeExpired(at: Date)

    public var description: String {
        switch self {
        case .unknownNotice: "no notice has this link; it may have been mistyped"
        case .noticeExpired(let at): "the notice expired at \(Timestamp.rfc3339(at))"
        }
    }
}

/// How the merchants told to self-correct did: corrected in time, sent on to enforcement, or
/// still within their deadline.
public struct SelfCorrectionStats: Sendable, Hashable {
    public enum Grouping: String, Sendable, Hashable, CaseIterable { case scenario, street, merchant }

    public var key: String
    public var notified: Int
    public var selfCorrected: Int
    public var enforced: Int
    public var pending: Int

    public init(key: String, notified: Int, selfCorrected: Int, enforced: Int, pending: Int) {
        self.key = key
        self.notified = notified
        self.selfCorrected = selfCorrected
        self.enforced = enforced
        self.pending = pending
    }

    /// Self-corrected over decided (corrected or enforced); nil when none is decided yet.
    public var rate: Double? { selfCorrected + enforced == 0 ? nil : Double(selfCorrected) / Double(selfCorrected + enforced) }
}
