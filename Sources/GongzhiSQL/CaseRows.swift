import Foundation
import GongzhiCore
import GongzhiStore

/// Mapping between `CaseRecord`/`CaseEvent` and their rows. Kept in one place so the columns
/// written and the columns read cannot disagree, on either backend.
public enum CaseRows {
    static let columnList = [
        "id", "tracking_code", "status", "source", "category", "description", "lat", "lon", "address", "reporter_name", "reporter_phone",
        "external_id", "media_urls", "unit", "district_code", "street_code", "community_code", "grid_code", "area_version", "due_at",
        "warn_at", "warned", "overdue_marked", "rule_id", "created_at", "updated_at", "closed_at", "rework_count", "return_count",
        "escalation_count", "supervision_count", "reopen_count", "last_return_unit", "last_return_reason", "disputed", "event_count",
        "last_hash", "camera_id", "observed_at", "confidence", "scenario", "merchant_id", "merchant_confirmed", "self_corrected",
        "merged_into", "report_sources", "last_report_at", "report_extra", "accepted", "satisfaction",
    ]
    public static let caseColumns = columnList.joined(separator: ", ")

    /// Columns added by later SQLite migrations, read as NULL from an older file (read-only
    /// `verify`): NULL reads as the value an old history gives, except `disputed` (see `ChainVerifier`).
    static let laterColumns: Set<String> = ["disputed", "camera_id", "observed_at", "confidence", "scenario", "merchant_id",
                                            "merchant_confirmed", "self_corrected", "merged_into", "report_sources", "last_report_at",
                                            "report_extra", "accepted", "satisfaction"]

    /// `caseColumns`, with those the table lacks read as NULL.
    static func caseColumns(present: Set<String>) -> String {
        columnList.map { laterColumns.contains($0) && !present.contains($0) ? "NULL AS \($0)" : $0 }.joined(separator: ", ")
    }

    /// Each column's position in `columnList`: `record` reads by position, not by name, since it
    /// runs for every case read.
    enum C {
        static let id = 0, trackingCode = 1, status = 2, source = 3, category = 4, description = 5, lat = 6, lon = 7, address = 8
        static let reporterName = 9, reporterPhone = 10, externalID = 11, mediaURLs = 12, unit = 13, district = 14, street = 15
        static let community = 16, grid = 17, areaVersion = 18, dueAt = 19, warnAt = 20, warned = 21, overdueMarked = 22, ruleID = 23
        static let createdAt = 24, updatedAt = 25, closedAt = 26, reworkCount = 27, returnCount = 28, escalationCount = 29
        static let supervisionCount = 30, reopenCount = 31, lastReturnUnit = 32, lastReturnReason = 33, disputed = 34, eventCount = 35
        static let lastHash = 36, cameraID = 37, observedAt = 38, confidence = 39, scenario = 40, merchantID = 41
        static let merchantConfirmed = 42, selfCorrected = 43, mergedInto = 44, reportSources = 45, lastReportAt = 46
        static let reportExtra = 47, accepted = 48, satisfaction = 49
    }

    /// A case from a row selected with `caseColumns`. Throws for a status or source the code
    /// does not know (an edited row, or a newer schema).
    public static func record(_ row: SQLRow) throws -> CaseRecord {
        let source: String = row[C.source], status: String = row[C.status]
        guard let src = ReportSource(rawValue: source), let st = CaseStatus(rawValue: status) else {
            throw StoreError.conflict("case \(row[C.id] as Int64) has unknown source '\(source)' or status '\(status)'")
        }
        var location: GeoPoint? = nil
        if let lat: Double = row[C.lat], let lon: Double = row[C.lon] { location = GeoPoint(lat: lat, lon: lon) }
        let name: String? = row[C.reporterName], phone: String? = row[C.reporterPhone]
        let mediaText: String = row[C.mediaURLs]
        let media = mediaText == "[]" ? [] : (try? JSONDecoder().decode([String].self, from: Data(mediaText.utf8))) ?? []
        var area: AreaPath? = nil
        if let version: Int64 = row[C.areaVersion] {
            area = AreaPath(district: row[C.district], street: row[C.street], community: row[C.community], grid: row[C.grid], version: version)
        }
        var report = Report(source: src, category: nil, description: row[C.description], location: location, address: row[C.address],
                            reporter: (name == nil && phone == nil) ? nil : Reporter(name: name, phone: phone),
                            externalID: row[C.externalID], mediaURLs: media, area: area, cameraID: row[C.cameraID],
                            observedAt: row[C.observedAt], confidence: row[C.confidence])
        do { try ReportExtra.apply(row[C.reportExtra], to: &report) } catch {
            throw StoreError.conflict("case \(row[C.id] as Int64) has an unreadable report_extra: \(error)")
        }
        var r = CaseRecord(id: row[C.id], trackingCode: row[C.trackingCode], report: report, createdAt: Timestamp.date(millis: row[C.createdAt]))
        r.status = st
        r.category = row[C.category]
        r.report.category = r.category
        r.unit = row[C.unit]
        r.dueAt = (row[C.dueAt] as Int64?).map(Timestamp.date(millis:))
        r.warnAt = (row[C.warnAt] as Int64?).map(Timestamp.date(millis:))
        r.warned = row[C.warned]
        r.overdueMarked = row[C.overdueMarked]
        r.ruleID = row[C.ruleID]
        r.updatedAt = Timestamp.date(millis: row[C.updatedAt])
        r.closedAt = (row[C.closedAt] as Int64?).map(Timestamp.date(millis:))
        r.reworkCount = row[C.reworkCount]
        r.returnCount = row[C.returnCount]
        r.escalationCount = row[C.escalationCount]
        r.supervisionCount = row[C.supervisionCount]
        r.reopenCount = row[C.reopenCount]
        if let u: String = row[C.lastReturnUnit], let reason: String = row[C.lastReturnReason] { r.lastReturn = UnitReason(unit: u, reason: reason) }
        r.disputed = row[C.disputed] ?? false
        r.accepted = row[C.accepted] ?? false
        r.satisfaction = (row[C.satisfaction] as String?).flatMap(Satisfaction.init(rawValue:))
        r.scenario = row[C.scenario]
        r.merchant = row[C.merchantID]
        r.merchantConfirmed = row[C.merchantConfirmed] ?? false
        r.selfCorrected = row[C.selfCorrected] ?? false
        r.mergedInto = row[C.mergedInto]
        let lastReport = (row[C.lastReportAt] as Int64?).map(Timestamp.date(millis:)) ?? r.createdAt
        r.tally = (row[C.reportSources] as String?).flatMap { ReportTally(json: $0, lastAt: lastReport) } ?? ReportTally(source: src, at: lastReport)
        r.eventCount = row[C.eventCount]
        r.lastHash = row[C.lastHash]
        return r
    }

    /// The revision of a row selected with `caseColumns` (see `CaseRevision`).
    static func revision(_ row: SQLRow) -> CaseRevision {
        CaseRevision(eventCount: row[C.eventCount], tally: row[C.reportSources], lastReportAt: row[C.lastReportAt])
    }

    /// The opening report's columns: written when the case opens, never changed after.
    static let reportColumns = [
        "tracking_code", "source", "description", "lat", "lon", "address", "reporter_name", "reporter_phone", "external_id", "media_urls",
        "district_code", "street_code", "community_code", "grid_code", "area_version", "created_at", "camera_id", "observed_at", "confidence",
        "report_sources", "last_report_at", "report_extra",
    ]

    static func reportValues(_ r: CaseRecord) -> [SQLValue] {
        let values: [any SQLBindable] = [
            r.trackingCode, r.report.source.rawValue, r.report.description, r.report.location?.lat, r.report.location?.lon, r.report.address,
            r.report.reporter?.name, r.report.reporter?.phone, r.report.externalID, JSONText.stringArray(r.report.mediaURLs), r.area?.district,
            r.area?.street, r.area?.community, r.area?.grid, r.area?.version, Timestamp.millis(r.createdAt), r.report.cameraID,
            r.report.observedAt, r.report.confidence, r.tally.json, Timestamp.millis(r.tally.lastAt), ReportExtra.column(r.report),
        ]
        return values.map(\.sqlValue)
    }

    /// A whole case row's columns and values but its id: the report's and the projection, as the
    /// record is. A case opening inserts them and SQLite's AUTOINCREMENT picks its id; a bulk
    /// load inserts its rows as the events left them, with the ids it was handed.
    static var rowColumns: [String] { reportColumns + projection.map(\.column) }

    static func rowValues(_ r: CaseRecord) -> [SQLValue] { reportValues(r) + projection.map { $0.value(r) } }

    /// Whole rows with their ids (SQLite: 400 rows, 50 values each, a statement), so that no row is written twice.
    static func insertAll(_ records: [CaseRecord], _ db: any SQLSession) throws {
        try BulkRows.insert(into: "cases", columns: ["id"] + rowColumns, values: records.flatMap { [.int($0.id)] + rowValues($0) },
                            perStatement: 400, db)
    }

    /// The fields events can change, as columns. The opening report's fields never change.
    static let projection: [(column: String, value: @Sendable (CaseRecord) -> SQLValue)] = [
        ("status", { .text($0.status.rawValue) }), ("category", { $0.category.sqlValue }), ("unit", { $0.unit.sqlValue }),
        ("due_at", { $0.dueAt.map(Timestamp.millis).sqlValue }), ("warn_at", { $0.warnAt.map(Timestamp.millis).sqlValue }),
        ("warned", { .bool($0.warned) }), ("overdue_marked", { .bool($0.overdueMarked) }), ("rule_id", { $0.ruleID.sqlValue }),
        ("updated_at", { .int(Timestamp.millis($0.updatedAt)) }), ("closed_at", { $0.closedAt.map(Timestamp.millis).sqlValue }),
        ("rework_count", { $0.reworkCount.sqlValue }), ("return_count", { $0.returnCount.sqlValue }),
        ("escalation_count", { $0.escalationCount.sqlValue }), ("supervision_count", { $0.supervisionCount.sqlValue }),
        ("reopen_count", { $0.reopenCount.sqlValue }), ("last_return_unit", { $0.lastReturn?.unit.sqlValue ?? .null }),
        ("last_return_reason", { $0.lastReturn?.reason.sqlValue ?? .null }), ("disputed", { .bool($0.disputed) }),
        ("accepted", { .bool($0.accepted) }), ("satisfaction", { $0.satisfaction?.rawValue.sqlValue ?? .null }),
        ("event_count", { $0.eventCount.sqlValue }), ("last_hash", { .text($0.lastHash) }), ("scenario", { $0.scenario.sqlValue }),
        ("merchant_id", { $0.merchant.sqlValue }), ("merchant_confirmed", { .bool($0.merchantConfirmed) }),
        ("self_corrected", { .bool($0.selfCorrected) }), ("merged_into", { $0.mergedInto.sqlValue }),
    ]

    /// Writes the columns that differ from `old`: SQLite rewrites an index entry for every
    /// indexed column an UPDATE names, so naming only what changed keeps a step's writes small.
    static func updateProjection(_ r: CaseRecord, from old: CaseRecord, _ db: any SQLSession) throws {
        var columns: [String] = [], values: [SQLValue] = []
        for (column, value) in projection {
            let new = value(r)
            if new != value(old) {
                columns.append("\(column) = ?")
                values.append(new)
            }
        }
        guard !columns.isEmpty else { return }
        values.append(.int(r.id))
        try db.execute("UPDATE cases SET \(columns.joined(separator: ", ")) WHERE id = ?", values)
    }

    static let insertEventHead = "INSERT INTO case_events (\(eventColumns.joined(separator: ", "))) VALUES "
    static let eventValues = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    static func insertEvent(_ e: CaseEvent, _ db: any SQLSession) throws {
        try db.execute(insertEventHead + eventValues, eventArguments(e))
    }

    static let eventColumns = ["case_id", "seq", "action", "actor", "actor_unit", "at", "from_status", "to_status", "payload", "prev_hash", "hash"]

    /// Events of bulk loads (SQLite: 500 rows, 11 values each, a statement).
    static func insertEvents(_ events: [CaseEvent], _ db: any SQLSession) throws {
        try BulkRows.insert(into: "case_events", columns: eventColumns, values: events.flatMap(eventArguments), perStatement: 500, db)
    }

    static func eventArguments(_ e: CaseEvent) -> [SQLValue] {
        // An empty unit hashes like none (see `EventChain.digest`); only NULL is ever written, so
        // `verify` can treat an empty one as an edit.
        let unit = e.actor.unit.flatMap { $0.isEmpty ? nil : $0 }
        let values: [any SQLBindable] = [e.caseID, e.seq, e.action.rawValue, e.actor.id, unit, Timestamp.millis(e.at), e.from?.rawValue,
                                         e.to.rawValue, e.payloadJSON, e.prevHash, e.hash]
        return values.map(\.sqlValue)
    }

    /// An event row as stored, for checking and decoding.
    static func storedEvent(_ row: SQLRow) throws -> HistoryCheck.StoredEvent {
        HistoryCheck.StoredEvent(caseID: try row.decode("case_id"), seq: try row.decode("seq"), action: try row.decode("action"),
                                 actor: try row.decode("actor"), actorUnit: try row.decode("actor_unit"), at: try row.decode("at"),
                                 from: try row.decode("from_status"), to: try row.decode("to_status"), payload: try row.decode("payload"),
                                 prevHash: try row.decode("prev_hash"), hash: try row.decode("hash"))
    }

    public static func event(_ row: SQLRow) throws -> CaseEvent { try HistoryCheck.decode(try storedEvent(row)) }
}
