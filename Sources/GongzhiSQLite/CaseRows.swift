import Foundation
import GongzhiCore
import GRDB
import GongzhiStore

/// Mapping between `CaseRecord`/`CaseEvent` and their rows. Kept in one place so the columns
/// written and the columns read cannot disagree.
enum CaseRows {
    static let columnList = [
        "id", "tracking_code", "status", "source", "category", "description", "lat", "lon", "address", "reporter_name", "reporter_phone",
        "external_id", "media_urls", "unit", "district_code", "street_code", "community_code", "grid_code", "area_version", "due_at",
        "warn_at", "warned", "overdue_marked", "rule_id", "created_at", "updated_at", "closed_at", "rework_count", "return_count",
        "escalation_count", "supervision_count", "reopen_count", "last_return_unit", "last_return_reason", "disputed", "event_count",
        "last_hash", "camera_id", "observed_at", "confidence", "scenario", "merchant_id", "merchant_confirmed", "self_corrected",
        "merged_into", "report_sources", "last_report_at",
    ]
    static let caseColumns = columnList.joined(separator: ", ")

    /// Columns added by later migrations, read as NULL from an older file (read-only `verify`):
    /// NULL reads as the value an old history gives, except `disputed` (see `ChainVerifier`).
    static let laterColumns: Set<String> = ["disputed", "camera_id", "observed_at", "confidence", "scenario", "merchant_id",
                                            "merchant_confirmed", "self_corrected", "merged_into", "report_sources", "last_report_at"]

    /// `caseColumns`, with those the table lacks read as NULL.
    static func caseColumns(present: Set<String>) -> String {
        columnList.map { laterColumns.contains($0) && !present.contains($0) ? "NULL AS \($0)" : $0 }.joined(separator: ", ")
    }

    static func record(_ row: Row) throws -> CaseRecord {
        let source: String = row["source"]
        let status: String = row["status"]
        guard let src = ReportSource(rawValue: source), let st = CaseStatus(rawValue: status) else {
            throw DatabaseError(message: "case \(row["id"] as Int64) has unknown source '\(source)' or status '\(status)'")
        }
        var location: GeoPoint? = nil
        if let lat: Double = row["lat"], let lon: Double = row["lon"] { location = GeoPoint(lat: lat, lon: lon) }
        let name: String? = row["reporter_name"], phone: String? = row["reporter_phone"]
        let mediaText: String = row["media_urls"]
        let media = mediaText == "[]" ? [] : (try? JSONDecoder().decode([String].self, from: Data(mediaText.utf8))) ?? []
        var area: AreaPath? = nil
        if let version: Int64 = row["area_version"] {
            area = AreaPath(district: row["district_code"], street: row["street_code"], community: row["community_code"],
                            grid: row["grid_code"], version: version)
        }
        let report = Report(source: src, category: nil, description: row["description"], location: location, address: row["address"],
                            reporter: (name == nil && phone == nil) ? nil : Reporter(name: name, phone: phone),
                            externalID: row["external_id"], mediaURLs: media, area: area, cameraID: row["camera_id"],
                            observedAt: row["observed_at"], confidence: row["confidence"])
        var r = CaseRecord(id: row["id"], trackingCode: row["tracking_code"], report: report, createdAt: Timestamp.date(millis: row["created_at"]))
        r.status = st
        r.category = row["category"]
        r.report.category = r.category
        r.unit = row["unit"]
        r.dueAt = (row["due_at"] as Int64?).map(Timestamp.date(millis:))
        r.warnAt = (row["warn_at"] as Int64?).map(Timestamp.date(millis:))
        r.warned = row["warned"]
        r.overdueMarked = row["overdue_marked"]
        r.ruleID = row["rule_id"]
        r.updatedAt = Timestamp.date(millis: row["updated_at"])
        r.closedAt = (row["closed_at"] as Int64?).map(Timestamp.date(millis:))
        r.reworkCount = row["rework_count"]
        r.returnCount = row["return_count"]
        r.escalationCount = row["escalation_count"]
        r.supervisionCount = row["supervision_count"]
        r.reopenCount = row["reopen_count"]
        if let u: String = row["last_return_unit"], let reason: String = row["last_return_reason"] { r.lastReturn = UnitReason(unit: u, reason: reason) }
        r.disputed = row["disputed"] ?? false
        r.scenario = row["scenario"]
        r.merchant = row["merchant_id"]
        r.merchantConfirmed = row["merchant_confirmed"] ?? false
        r.selfCorrected = row["self_corrected"] ?? false
        r.mergedInto = row["merged_into"]
        let lastReport = (row["last_report_at"] as Int64?).map(Timestamp.date(millis:)) ?? r.createdAt
        r.tally = (row["report_sources"] as String?).flatMap { ReportTally(json: $0, lastAt: lastReport) } ?? ReportTally(source: src, at: lastReport)
        r.eventCount = row["event_count"]
        r.lastHash = row["last_hash"]
        return r
    }

    static func insertCase(_ r: CaseRecord, _ db: Database) throws -> Int64 {
        let media = String(decoding: try JSONEncoder().encode(r.report.mediaURLs), as: UTF8.self)
        try db.cachedStatement(sql: """
            INSERT INTO cases (tracking_code, status, source, category, description, lat, lon, address, reporter_name, reporter_phone,
                               external_id, media_urls, district_code, street_code, community_code, grid_code, area_version,
                               created_at, updated_at, event_count, last_hash, camera_id, observed_at, confidence, report_sources,
                               last_report_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                r.trackingCode, r.status.rawValue, r.report.source.rawValue, r.category, r.report.description,
                r.report.location?.lat, r.report.location?.lon, r.report.address, r.report.reporter?.name, r.report.reporter?.phone,
                r.report.externalID, media, r.area?.district, r.area?.street, r.area?.community, r.area?.grid, r.area?.version,
                Timestamp.millis(r.createdAt), Timestamp.millis(r.updatedAt), r.lastHash, r.report.cameraID, r.report.observedAt,
                r.report.confidence, r.tally.json, Timestamp.millis(r.tally.lastAt),
            ])
        return db.lastInsertedRowID
    }

    /// Writes the fields events can change. The opening report's fields never change.
    static func updateProjection(_ r: CaseRecord, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE cases SET status = ?, category = ?, unit = ?, due_at = ?, warn_at = ?, warned = ?, overdue_marked = ?, rule_id = ?,
                updated_at = ?, closed_at = ?, rework_count = ?,
                return_count = ?, escalation_count = ?, supervision_count = ?, reopen_count = ?, last_return_unit = ?,
                last_return_reason = ?, disputed = ?, event_count = ?, last_hash = ?, scenario = ?, merchant_id = ?,
                merchant_confirmed = ?, self_corrected = ?, merged_into = ?
            WHERE id = ?
            """).execute(arguments: [
                r.status.rawValue, r.category, r.unit, r.dueAt.map(Timestamp.millis), r.warnAt.map(Timestamp.millis), r.warned,
                r.overdueMarked, r.ruleID, Timestamp.millis(r.updatedAt),
                r.closedAt.map(Timestamp.millis), r.reworkCount, r.returnCount, r.escalationCount, r.supervisionCount,
                r.reopenCount, r.lastReturn?.unit, r.lastReturn?.reason, r.disputed, r.eventCount, r.lastHash, r.scenario, r.merchant,
                r.merchantConfirmed, r.selfCorrected, r.mergedInto, r.id,
            ])
    }

    static func insertEvent(_ e: CaseEvent, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO case_events (case_id, seq, action, actor, actor_unit, at, from_status, to_status, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                // An empty unit hashes like none (see `EventChain.digest`); only NULL is ever written, so
                // `verify` can treat an empty one as an edit.
                e.caseID, e.seq, e.action.rawValue, e.actor.id, e.actor.unit.flatMap { $0.isEmpty ? nil : $0 }, Timestamp.millis(e.at),
                e.from?.rawValue,
                e.to.rawValue, e.payloadJSON, e.prevHash, e.hash,
            ])
    }

    /// Reads an event row back. Throws when the row cannot be understood (an unknown action or
    /// an undecodable payload): a sign of tampering or of a newer schema.
    static func event(_ row: Row) throws -> CaseEvent {
        let actionText: String = row["action"], toText: String = row["to_status"], fromText: String? = row["from_status"]
        let payloadText: String = row["payload"]
        guard let action = CaseAction(rawValue: actionText), let to = CaseStatus(rawValue: toText) else {
            throw DatabaseError(message: "event has unknown action '\(actionText)' or status '\(toText)'")
        }
        let from = try fromText.map { t in
            guard let s = CaseStatus(rawValue: t) else { throw DatabaseError(message: "event has unknown status '\(t)'") }
            return s
        }
        let payload = try JSONDecoder().decode(EventPayload.self, from: Data(payloadText.utf8))
        return CaseEvent(caseID: row["case_id"], seq: row["seq"], action: action, actor: Actor(id: row["actor"], unit: row["actor_unit"]),
                         at: Timestamp.date(millis: row["at"]), from: from, to: to, payload: payload, payloadJSON: payloadText,
                         prevHash: row["prev_hash"], hash: row["hash"])
    }
}
