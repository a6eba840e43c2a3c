import Foundation
import GongzhiCore
import GongzhiStore
import GRDB

/// `CaseSQL` on an open GRDB write transaction. Statements are cached per connection: the
/// intake runs these thousands of times a second.
struct SQLiteCaseSQL: CaseSQL {
    let db: Database

    func findCase(id: Int64, lock: Bool) throws -> CaseRecord? {
        // SQLite has one writer at a time: the row needs no lock of its own.
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(CaseRows.caseColumns) FROM cases WHERE id = ?"), arguments: [id]).map(CaseRows.record)
    }

    func insertCase(_ r: CaseRecord) throws -> Int64? {
        do {
            return try CaseRows.insertCase(r, db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                    && (error.message ?? "").contains("tracking_code") {
            return nil
        }
    }

    func setChain(of id: Int64, eventCount: Int, lastHash: String) throws {
        try db.cachedStatement(sql: "UPDATE cases SET event_count = ?, last_hash = ? WHERE id = ?").execute(arguments: [eventCount, lastHash, id])
    }

    func updateProjection(_ r: CaseRecord, from old: CaseRecord) throws { try CaseRows.updateProjection(r, from: old, db) }

    func insertEvent(_ e: CaseEvent) throws { try CaseRows.insertEvent(e, db) }

    func findReport(source: ReportSource, externalID: String) throws -> StoredReport? {
        try ReportRows.find(source: source, externalID: externalID, db)
    }

    func insertReport(_ r: Report, caseID: Int64?, state: DetectionState?, outcome: IntakeOutcome.Kind, at: Date) throws -> Int64 {
        try ReportRows.insert(r, caseID: caseID, state: state, outcome: outcome, at: at, db)
    }

    func countReports(of id: Int64) throws -> ReportTally {
        var tally = ReportTally(bySource: [:], lastAt: .distantPast)
        let sql = "SELECT source, COUNT(*) AS n, MAX(received_at) AS last FROM reports WHERE case_id = ? GROUP BY source"
        for row in try Row.fetchAll(db, sql: sql, arguments: [id]) {
            guard let source = ReportSource(rawValue: row["source"]) else { continue }
            tally.bySource[source] = row["n"]
            tally.lastAt = max(tally.lastAt, Timestamp.date(millis: row["last"]))
        }
        return tally
    }

    func setTally(of id: Int64, _ tally: ReportTally) throws {
        try db.cachedStatement(sql: "UPDATE cases SET report_sources = ?, last_report_at = COALESCE(?, last_report_at) WHERE id = ?")
            .execute(arguments: [tally.json, tally.bySource.isEmpty ? nil : Timestamp.millis(tally.lastAt), id])
    }

    func moveReports(of duplicate: Int64, target: Int64, back: Bool) throws {
        if back {
            try db.execute(sql: "UPDATE reports SET case_id = ? WHERE case_id = ? AND original_case_id = ?", arguments: [duplicate, target, duplicate])
        } else {
            try db.execute(sql: "UPDATE reports SET case_id = ? WHERE case_id = ?", arguments: [target, duplicate])
        }
    }

    func cameraCase(camera: String, category: String) throws -> CameraCase? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, status, merchant_confirmed, report_sources, last_report_at, created_at, observed_at, pending_detections,
                   pending_first_at, last_summary_at
            FROM cases WHERE camera_id = ? AND category = ?
              AND status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified') ORDER BY id DESC LIMIT 1
            """), arguments: [camera, category]) else { return nil }
        guard let status = CaseStatus(rawValue: row[1]) else { throw StoreError.caseNotFound(row[0]) }
        let created: Int64 = row[5], last = Timestamp.date(millis: row[4] ?? created)
        return CameraCase(open: OpenCase(id: row[0], status: status, merchantConfirmed: row[2]),
                          tally: ReportTally(json: row[3], lastAt: last) ?? ReportTally(bySource: [:], lastAt: last),
                          since: row[9] ?? row[6] ?? created, pending: row[7], pendingFirst: row[8])
    }

    func setDetections(of id: Int64, tally: ReportTally, pending: Int, pendingFirst: Int64?, summaryAt: Int64?) throws {
        try db.cachedStatement(sql: """
            UPDATE cases SET report_sources = ?, last_report_at = ?, pending_detections = ?, pending_first_at = ?,
                last_summary_at = COALESCE(?, last_summary_at) WHERE id = ?
            """).execute(arguments: [tally.json, Timestamp.millis(tally.lastAt), pending, pendingFirst, summaryAt, id])
    }

    func nearbyCases(category: String, box: GeoBox, since: Int64, limit: Int) throws -> [CaseRecord] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(CaseRows.caseColumns) FROM cases WHERE category = ? AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?
              AND status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified') AND last_report_at >= ?
              ORDER BY id DESC LIMIT ?
            """), arguments: [category, box.lat.lowerBound, box.lat.upperBound, box.lon.lowerBound, box.lon.upperBound, since, limit])
            .map(CaseRows.record)
    }

    func merchants(seenBy camera: String) throws -> [Merchant] {
        try Row.fetchAll(db, sql: """
            SELECT m.* FROM merchant_cameras mc JOIN merchants m ON m.id = mc.merchant_id WHERE mc.camera_id = ? ORDER BY m.id
            """, arguments: [camera]).map { RegistryRows.merchant($0, cameras: [:]) }
    }

    func merchants(in box: GeoBox) throws -> [Merchant] {
        try Row.fetchAll(db, sql: "SELECT * FROM merchants WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? ORDER BY id",
                         arguments: [box.lat.lowerBound, box.lat.upperBound, box.lon.lowerBound, box.lon.upperBound])
            .map { RegistryRows.merchant($0, cameras: [:]) }
    }

    func insertNotice(tokenHash: String, caseID: Int64, merchantID: String, at: Date, expires: Date) throws {
        try db.execute(sql: "INSERT INTO notices (token_hash, case_id, merchant_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [tokenHash, caseID, merchantID, Timestamp.millis(at), Timestamp.millis(expires)])
    }

    func notice(tokenHash: String) throws -> StoredNotice? {
        try Row.fetchOne(db, sql: "SELECT case_id, merchant_id, expires_at FROM notices WHERE token_hash = ?", arguments: [tokenHash]).map {
            StoredNotice(caseID: $0[0], merchantID: $0[1], expiresAt: Timestamp.date(millis: $0[2]))
        }
    }

    func confirmNotice(tokenHash: String, at: Date) throws {
        try db.execute(sql: "UPDATE notices SET confirmed_at = ? WHERE token_hash = ?", arguments: [Timestamp.millis(at), tokenHash])
    }

    func enqueue(caseID: Int64, eventSeq: Int, kind: String, recipient: String, payload: String, at: Date) throws {
        try db.execute(sql: """
            INSERT INTO outbox (case_id, event_seq, kind, recipient, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(case_id, event_seq, recipient) DO NOTHING
            """, arguments: [caseID, eventSeq, kind, recipient, payload, Timestamp.millis(at), Timestamp.millis(at)])
    }

    func meta(_ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    func setMeta(_ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [key, value])
    }

    func dueCases(at ms: Int64, limit: Int) throws -> [Int64] {
        // Partial indexes hold only unflagged cases, so each branch reads what is due and no more.
        try Int64.fetchAll(db, sql: """
            SELECT id FROM cases WHERE status = 'dispatched' AND warned = 0 AND warn_at <= ?
            UNION SELECT id FROM cases WHERE status = 'dispatched' AND overdue_marked = 0 AND due_at <= ?
            UNION SELECT id FROM cases WHERE status = 'self_correcting' AND due_at <= ?
            ORDER BY id LIMIT ?
            """, arguments: [ms, ms, ms, limit])
    }

    func enforcedCameraCases() throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM cases WHERE scenario IS NOT NULL AND status = 'dispatched' AND self_corrected = 0 ORDER BY id")
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        var result: T? = nil
        try db.inSavepoint {
            result = try body()
            return .commit
        }
        return result!
    }
}
