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

    /// Each column's position in `columnList`: `record` reads by position, not by name, since it
    /// runs for every case read (a lookup by name costs more than the rest of the row).
    enum C {
        static let id = 0
        static let tracking_code = 1
        static let status = 2
        static let source = 3
        static let category = 4
        static let description = 5
        static let lat = 6
        static let lon = 7
        static let address = 8
        static let reporter_name = 9
        static let reporter_phone = 10
        static let external_id = 11
        static let media_urls = 12
        static let unit = 13
        static let district_code = 14
        static let street_code = 15
        static let community_code = 16
        static let grid_code = 17
        static let area_version = 18
        static let due_at = 19
        static let warn_at = 20
        static let warned = 21
        static let overdue_marked = 22
        static let rule_id = 23
        static let created_at = 24
        static let updated_at = 25
        static let closed_at = 26
        static let rework_count = 27
        static let return_count = 28
        static let escalation_count = 29
        static let supervision_count = 30
        static let reopen_count = 31
        static let last_return_unit = 32
        static let last_return_reason = 33
        static let disputed = 34
        static let event_count = 35
        static let last_hash = 36
        static let camera_id = 37
        static let observed_at = 38
        static let confidence = 39
        static let scenario = 40
        static let merchant_id = 41
        static let merchant_confirmed = 42
        static let self_corrected = 43
        static let merged_into = 44
        static let report_sources = 45
        static let last_report_at = 46
    }

    static func record(_ row: Row) throws -> CaseRecord {
        let source: String = row[C.source]
        let status: String = row[C.status]
        guard let src = ReportSource(rawValue: source), let st = CaseStatus(rawValue: status) else {
            throw DatabaseError(message: "case \(row[C.id] as Int64) has unknown source '\(source)' or status '\(status)'")
        }
        var location: GeoPoint? = nil
        if let lat: Double = row[C.lat], let lon: Double = row[C.lon] { location = GeoPoint(lat: lat, lon: lon) }
        let name: String? = row[C.reporter_name], phone: String? = row[C.reporter_phone]
        let mediaText: String = row[C.media_urls]
        let media = mediaText == "[]" ? [] : (try? JSONDecoder().decode([String].self, from: Data(mediaText.utf8))) ?? []
        var area: AreaPath? = nil
        if let version: Int64 = row[C.area_version] {
            area = AreaPath(district: row[C.district_code], street: row[C.street_code], community: row[C.community_code],
                            grid: row[C.grid_code], version: version)
        }
        let report = Report(source: src, category: nil, description: row[C.description], location: location, address: row[C.address],
                            reporter: (name == nil && phone == nil) ? nil : Reporter(name: name, phone: phone),
                            externalID: row[C.external_id], mediaURLs: media, area: area, cameraID: row[C.camera_id],
                            observedAt: row[C.observed_at], confidence: row[C.confidence])
        var r = CaseRecord(id: row[C.id], trackingCode: row[C.tracking_code], report: report, createdAt: Timestamp.date(millis: row[C.created_at]))
        r.status = st
        r.category = row[C.category]
        r.report.category = r.category
        r.unit = row[C.unit]
        r.dueAt = (row[C.due_at] as Int64?).map(Timestamp.date(millis:))
        r.warnAt = (row[C.warn_at] as Int64?).map(Timestamp.date(millis:))
        r.warned = row[C.warned]
        r.overdueMarked = row[C.overdue_marked]
        r.ruleID = row[C.rule_id]
        r.updatedAt = Timestamp.date(millis: row[C.updated_at])
        r.closedAt = (row[C.closed_at] as Int64?).map(Timestamp.date(millis:))
        r.reworkCount = row[C.rework_count]
        r.returnCount = row[C.return_count]
        r.escalationCount = row[C.escalation_count]
        r.supervisionCount = row[C.supervision_count]
        r.reopenCount = row[C.reopen_count]
        if let u: String = row[C.last_return_unit], let reason: String = row[C.last_return_reason] { r.lastReturn = UnitReason(unit: u, reason: reason) }
        r.disputed = row[C.disputed] ?? false
        r.scenario = row[C.scenario]
        r.merchant = row[C.merchant_id]
        r.merchantConfirmed = row[C.merchant_confirmed] ?? false
        r.selfCorrected = row[C.self_corrected] ?? false
        r.mergedInto = row[C.merged_into]
        let lastReport = (row[C.last_report_at] as Int64?).map(Timestamp.date(millis:)) ?? r.createdAt
        r.tally = (row[C.report_sources] as String?).flatMap { ReportTally(json: $0, lastAt: lastReport) } ?? ReportTally(source: src, at: lastReport)
        r.eventCount = row[C.event_count]
        r.lastHash = row[C.last_hash]
        return r
    }

    static func insertCase(_ r: CaseRecord, _ db: Database) throws -> Int64 {
        let media = JSONText.stringArray(r.report.mediaURLs)
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

    /// The fields events can change, as columns. The opening report's fields never change.
    static let projection: [(column: String, value: @Sendable (CaseRecord) -> (any DatabaseValueConvertible)?)] = [
        ("status", { $0.status.rawValue }), ("category", { $0.category }), ("unit", { $0.unit }),
        ("due_at", { $0.dueAt.map(Timestamp.millis) }), ("warn_at", { $0.warnAt.map(Timestamp.millis) }), ("warned", { $0.warned }),
        ("overdue_marked", { $0.overdueMarked }), ("rule_id", { $0.ruleID }), ("updated_at", { Timestamp.millis($0.updatedAt) }),
        ("closed_at", { $0.closedAt.map(Timestamp.millis) }), ("rework_count", { $0.reworkCount }), ("return_count", { $0.returnCount }),
        ("escalation_count", { $0.escalationCount }), ("supervision_count", { $0.supervisionCount }), ("reopen_count", { $0.reopenCount }),
        ("last_return_unit", { $0.lastReturn?.unit }), ("last_return_reason", { $0.lastReturn?.reason }), ("disputed", { $0.disputed }),
        ("event_count", { $0.eventCount }), ("last_hash", { $0.lastHash }), ("scenario", { $0.scenario }), ("merchant_id", { $0.merchant }),
        ("merchant_confirmed", { $0.merchantConfirmed }), ("self_corrected", { $0.selfCorrected }), ("merged_into", { $0.mergedInto }),
    ]

    /// Writes the columns that differ from `old`: SQLite rewrites an index entry for every
    /// indexed column an UPDATE names, so naming only what changed keeps a step's writes small.
    static func updateProjection(_ r: CaseRecord, from old: CaseRecord, _ db: Database) throws {
        var columns: [String] = [], values: [(any DatabaseValueConvertible)?] = []
        for (column, value) in projection {
            let new = value(r)?.databaseValue ?? .null
            if new != value(old)?.databaseValue ?? .null {
                columns.append("\(column) = ?")
                values.append(new)
            }
        }
        guard !columns.isEmpty else { return }
        values.append(r.id)
        try db.cachedStatement(sql: "UPDATE cases SET \(columns.joined(separator: ", ")) WHERE id = ?").execute(arguments: StatementArguments(values))
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
