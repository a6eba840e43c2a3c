import Foundation
import GongzhiCore

extension CaseTransaction {
    /// The merchant that answers for a report: of those whose frontage the detecting camera sees,
    /// the nearest (or the only one); without a camera, the nearest within `radius` metres.
    func responsibleMerchant(for r: Report, radius: Double) throws -> Merchant? {
        var candidates: [Merchant] = []
        if let camera = r.cameraID { candidates = try sql.merchants(seenBy: camera) }
        if candidates.isEmpty, let p = r.location {
            candidates = try sql.merchants(in: p.box(metres: radius)).filter { GeoPoint.metres(p, $0.location) <= radius }
        }
        guard candidates.count > 1, let p = r.location else { return candidates.first }
        return candidates.min { GeoPoint.metres(p, $0.location) < GeoPoint.metres(p, $1.location) }
    }

    /// The merchant's notice: its secret stored hashed, and the message to send written to the
    /// outbox in this transaction, once for this event.
    func issueNotice(for r: CaseRecord, to m: Merchant, token: String, at: Date) throws {
        let expires = (r.dueAt ?? at).addingTimeInterval(86_400)
        try sql.insertNotice(tokenHash: SHA256.hex(token), caseID: r.id, merchantID: m.id, at: at, expires: expires)
        let scenario = r.scenario.flatMap(context.coGovernance.scenario(id:))
        let message = MerchantNotice(caseID: r.id, trackingCode: r.trackingCode, merchantID: m.id, merchantName: m.name, phone: m.contactPhone,
                                     scenario: scenario?.name, category: r.category.flatMap { context.categories.reportable($0)?.name },
                                     address: r.report.address ?? m.address, dueAt: r.dueAt.map(Timestamp.rfc3339) ?? "",
                                     confirmPath: "/api/v1/notices/\(token)/confirm", pagePath: "/notice/\(token)")
        try sql.enqueue(caseID: r.id, eventSeq: r.eventCount - 1, kind: "merchant.notice", recipient: "merchant:\(m.id)",
                        payload: try OutboxPayload.json(message), at: at)
    }

    /// The notice a secret opens and its case, for the merchant's page: unknown and expired
    /// notices throw, so an old link shows nothing of the case.
    public func notice(token: String, at: Date) throws -> (notice: StoredNotice, record: CaseRecord) {
        guard let notice = try sql.notice(tokenHash: SHA256.hex(token)) else { throw CoGovernanceError.unknownNotice }
        guard at <= notice.expiresAt else { throw CoGovernanceError.noticeExpired(at: notice.expiresAt) }
        guard let record = try sql.findCase(id: notice.caseID, lock: false) else { throw CoGovernanceError.unknownNotice }
        return (notice, record)
    }

    /// A merchant's confirmation through the notice's secret: the case takes the `confirm`
    /// command as the merchant, and the notice records when.
    public func confirm(noticeToken: String, mediaURLs: [String], note: String?, at: Date) throws -> CaseRecord {
        let hash = SHA256.hex(noticeToken)
        guard let notice = try sql.notice(tokenHash: hash) else { throw CoGovernanceError.unknownNotice }
        guard at <= notice.expiresAt else { throw CoGovernanceError.noticeExpired(at: notice.expiresAt) }
        let command = CaseCommand(.confirm, note: note, mediaURLs: mediaURLs, merchant: notice.merchantID)
        let record = try perform(command, on: notice.caseID, actor: Actor(id: "merchant:\(notice.merchantID)"), at: at)
        try sql.confirmNotice(tokenHash: hash, at: at)
        return record
    }
}

/// Outbox payloads as JSON text, keys sorted, so a message reads the same from either backend.
public enum OutboxPayload {
    public static func json(_ payload: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(payload), as: UTF8.self)
    }
}
