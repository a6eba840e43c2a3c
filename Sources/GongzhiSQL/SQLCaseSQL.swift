import Foundation
import GongzhiCore
import GongzhiStore

/// `CaseSQL` over a session of either backend.
struct SQLCaseSQL: CaseSQL {
    let db: any SQLSession

    static let openStatuses = "('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified')"

    func findCase(id: Int64, lock: Bool) throws -> CaseRecord? {
        try db.first("SELECT \(CaseRows.caseColumns) FROM cases WHERE id = ?" + (lock ? db.forUpdate : ""), id).map(CaseRows.record)
    }

    func pendingJointParts(of caseID: Int64) throws -> Int {
        try db.scalar("SELECT COUNT(*) FROM joint_tasks WHERE case_id = ? AND status IN ('open', 'returned')", caseID, as: Int.self) ?? 0
    }

    func insertCase(_ r: CaseRecord) throws -> Int64? {
        // The code is checked first rather than caught as a constraint error: on PostgreSQL a
        // failed statement aborts the whole transaction. The unique index still guards the race.
        if try db.scalar("SELECT 1 FROM cases WHERE tracking_code = ?", r.trackingCode, as: Int64.self) != nil { return nil }
        guard let id = try db.nextID(of: "cases") else {
            let columns = CaseRows.rowColumns
            let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            return try db.insert("INSERT INTO cases (\(columns.joined(separator: ", "))) VALUES (\(marks))", CaseRows.rowValues(r))
        }
        var row = r
        row.id = id
        try CaseRows.insertAll([row], db)
        return id
    }

    func setChain(of id: Int64, eventCount: Int, lastHash: String) throws {
        try db.execute("UPDATE cases SET event_count = ?, last_hash = ? WHERE id = ?", eventCount, lastHash, id)
    }

    func updateProjection(_ r: CaseRecord, from old: CaseRecord) throws { try CaseRows.updateProjection(r, from: old, db) }

    func insertEvent(_ e: CaseEvent) throws { try CaseRows.insertEvent(e, db) }

    func insertEvents(_ events: [CaseEvent]) throws { try CaseRows.insertEvents(events, db) }

    func reserveCaseIDs(_ count: Int) throws -> ClosedRange<Int64> {
        precondition(count > 0)
        // PostgreSQL counts ids in a table (without gaps, see `nextID`); SQLite's AUTOINCREMENT
        // counter follows the largest id inserted, and it has one writer.
        if db.dialect == .postgres {
            guard let last: Int64 = try db.query("UPDATE id_counters SET last = last + ? WHERE name = 'cases' RETURNING last", count).first?[0]
            else { throw StoreError.conflict("no id counter for cases") }
            return (last - Int64(count) + 1)...last
        }
        let last = max(try db.lastIssuedID(of: "cases"), try db.scalar("SELECT MAX(id) FROM cases", as: Int64.self) ?? 0)
        return (last + 1)...(last + Int64(count))
    }

    func takenTrackingCodes(_ codes: [String]) throws -> Set<String> {
        var taken: Set<String> = []
        for start in stride(from: 0, to: codes.count, by: 500) {
            let chunk = codes[start..<min(codes.count, start + 500)]
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            for row in try db.query("SELECT tracking_code FROM cases WHERE tracking_code IN (\(marks))", chunk.map { .text($0) }) {
                taken.insert(row[0])
            }
        }
        return taken
    }

    func insertCases(_ records: [CaseRecord]) throws { try CaseRows.insertAll(records, db) }

    func insertOpeningReports(_ rows: [ReportInsert]) throws {
        let values = rows.flatMap { ReportRows.insertArguments($0.report, caseID: $0.caseID, state: $0.state, outcome: $0.outcome, at: $0.at) }
        try BulkRows.insert(into: "reports", columns: ReportRows.insertColumns, values: values, perStatement: 1_000, db)
    }

    func addFacts(_ facts: [(caseID: Int64, fact: Fact)]) throws {
        try FactRows.insert(facts, db)
        var sums: [FactKey: Counts] = [:]
        for f in facts { FactRows.accumulate(f.fact, into: &sums) }
        // Sorted where other writers may lock the same sum rows (see `FactRows.replace`); SQLite
        // has one writer, and sorting thousands of keys was 5 % of a bulk load.
        let rows = sums.filter { !$0.value.isZero }.map { (key: $0.key, value: $0.value) }
        try FactRows.add(db.dialect == .sqlite ? rows : rows.sorted { $0.key < $1.key }, db)
    }

    func events(of id: Int64) throws -> [CaseEvent] {
        try db.query("SELECT * FROM case_events WHERE case_id = ? ORDER BY seq", id).map(CaseRows.event)
    }

    func facts(of id: Int64) throws -> [Fact] { try FactRows.facts(of: id, db) }

    func replaceFacts(of id: Int64, old: [Fact], new: [Fact]) throws { try FactRows.replace(of: id, old: old, new: new, db) }

    func findReport(source: ReportSource, externalID: String) throws -> StoredReport? {
        try db.first("SELECT * FROM reports WHERE source = ? AND external_id = ?", source.rawValue, externalID).map(ReportRows.stored)
    }

    func insertReport(_ r: Report, caseID: Int64?, state: DetectionState?, outcome: IntakeOutcome.Kind, at: Date) throws -> Int64 {
        try db.insert(ReportRows.insertSQL, ReportRows.insertArguments(r, caseID: caseID, state: state, outcome: outcome, at: at))
    }

    func findReports(source: ReportSource, externalIDs: [String]) throws -> [StoredReport] {
        var found: [StoredReport] = []
        for start in stride(from: 0, to: externalIDs.count, by: 500) {
            let chunk = externalIDs[start..<min(externalIDs.count, start + 500)]
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            found += try db.query("SELECT * FROM reports WHERE source = ? AND external_id IN (\(marks))",
                                  [.text(source.rawValue)] + chunk.map { .text($0) }).map(ReportRows.stored)
        }
        return found
    }

    func insertReports(_ rows: [ReportInsert]) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        for start in stride(from: 0, to: rows.count, by: 1_000) {
            let chunk = rows[start..<min(rows.count, start + 1_000)]
            let (sql, arguments) = ReportRows.insertStatement(chunk)
            // RETURNING's row order is not promised: each row is matched by its (unique) external id.
            var byExternal: [String: Int64] = [:]
            for row in try db.query(sql + " RETURNING id, external_id", arguments) {
                byExternal[row[1] as String] = row[0]
            }
            for r in chunk {
                guard let id = r.report.externalID.flatMap({ byExternal[$0] }) else { throw StoreError.conflict("a report row was not written") }
                ids.append(id)
            }
        }
        return ids
    }

    func countReports(of id: Int64) throws -> ReportTally {
        var tally = ReportTally(bySource: [:], lastAt: .distantPast)
        for row in try db.query("SELECT source, COUNT(*) AS n, MAX(received_at) AS last FROM reports WHERE case_id = ? GROUP BY source", id) {
            guard let source = ReportSource(rawValue: row["source"]) else { continue }
            tally.bySource[source] = row["n"]
            tally.lastAt = max(tally.lastAt, Timestamp.date(millis: row["last"]))
        }
        return tally
    }

    func setTally(of id: Int64, _ tally: ReportTally) throws {
        let last: Int64? = tally.bySource.isEmpty ? nil : Timestamp.millis(tally.lastAt)
        try db.execute("UPDATE cases SET report_sources = ?, last_report_at = COALESCE(?, last_report_at) WHERE id = ?", tally.json, last, id)
    }

    func moveReports(of duplicate: Int64, target: Int64, back: Bool) throws {
        if back {
            try db.execute("UPDATE reports SET case_id = ? WHERE case_id = ? AND original_case_id = ?", duplicate, target, duplicate)
        } else {
            try db.execute("UPDATE reports SET case_id = ? WHERE case_id = ?", target, duplicate)
        }
    }

    static let cameraCaseColumns = """
        id, status, merchant_confirmed, report_sources, last_report_at, created_at, observed_at, pending_detections,
        pending_first_at, last_summary_at, camera_id, category
        """

    func cameraCase(camera: String, category: String) throws -> CameraCase? {
        guard let row = try db.first("""
            SELECT \(Self.cameraCaseColumns)
            FROM cases WHERE camera_id = ? AND category = ? AND status IN \(Self.openStatuses) ORDER BY id DESC LIMIT 1
            """ + db.forUpdate, camera, category) else { return nil }
        return try Self.cameraCase(row)
    }

    func cameraCases(_ pairs: [(camera: String, category: String)]) throws -> [String: CameraCase] {
        var found: [String: CameraCase] = [:]
        for start in stride(from: 0, to: pairs.count, by: 400) {
            let chunk = pairs[start..<min(pairs.count, start + 400)]
            let values = Array(repeating: "(?, ?)", count: chunk.count).joined(separator: ", ")
            // The newest open case of each pair, as `cameraCase` reads it.
            for row in try db.query("""
                SELECT \(Self.cameraCaseColumns) FROM cases
                WHERE status IN \(Self.openStatuses) AND (camera_id, category) IN (VALUES \(values)) ORDER BY id DESC
                """ + db.forUpdate, chunk.flatMap { [SQLValue.text($0.camera), .text($0.category)] }) {
                let key = IntakeBatch.key(camera: row[10], category: row[11])
                if found[key] == nil { found[key] = try Self.cameraCase(row) }
            }
        }
        return found
    }

    static func cameraCase(_ row: SQLRow) throws -> CameraCase {
        guard let status = CaseStatus(rawValue: row[1]) else { throw StoreError.caseNotFound(row[0]) }
        let created: Int64 = row[5], last = Timestamp.date(millis: row[4] ?? created)
        return CameraCase(open: OpenCase(id: row[0], status: status, merchantConfirmed: row[2]),
                          tally: ReportTally(json: row[3], lastAt: last) ?? ReportTally(bySource: [:], lastAt: last),
                          since: row[9] ?? row[6] ?? created, pending: row[7], pendingFirst: row[8])
    }

    func setDetections(_ cases: [CameraCase]) throws {
        for start in stride(from: 0, to: cases.count, by: 500) {
            let chunk = cases[start..<min(cases.count, start + 500)]
            let row = "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
            let values = Array(repeating: row, count: chunk.count).joined(separator: ", ")
            try db.execute("""
                WITH v(id, sources, last_at, pending, first_at) AS (VALUES \(values))
                UPDATE cases SET report_sources = v.sources, last_report_at = v.last_at, pending_detections = v.pending,
                    pending_first_at = v.first_at
                FROM v WHERE cases.id = v.id
                """, chunk.flatMap { c -> [SQLValue] in
                    [.int(c.open.id), .text(c.tally.json), .int(Timestamp.millis(c.tally.lastAt)), .int(Int64(c.pending)),
                     c.pendingFirst.map { .int($0) } ?? .null]
                })
        }
    }

    func setDetections(of id: Int64, tally: ReportTally, pending: Int, pendingFirst: Int64?, summaryAt: Int64?) throws {
        try db.execute("""
            UPDATE cases SET report_sources = ?, last_report_at = ?, pending_detections = ?, pending_first_at = ?,
                last_summary_at = COALESCE(?, last_summary_at) WHERE id = ?
            """, tally.json, Timestamp.millis(tally.lastAt), pending, pendingFirst, summaryAt, id)
    }

    func nearbyCases(category: String, box: GeoBox, since: Int64, limit: Int) throws -> [CaseRecord] {
        try db.query("""
            SELECT \(CaseRows.caseColumns) FROM cases WHERE category = ? AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?
              AND status IN \(Self.openStatuses) AND last_report_at >= ? ORDER BY id DESC LIMIT ?
            """, category, box.lat.lowerBound, box.lat.upperBound, box.lon.lowerBound, box.lon.upperBound, since, limit)
            .map(CaseRows.record)
    }

    func merchants(seenBy camera: String) throws -> [Merchant] {
        try db.query("""
            SELECT m.* FROM merchant_cameras mc JOIN merchants m ON m.id = mc.merchant_id WHERE mc.camera_id = ? ORDER BY m.id
            """, camera).map { RegistryRows.merchant($0, cameras: [:]) }
    }

    func merchants(in box: GeoBox) throws -> [Merchant] {
        try db.query("SELECT * FROM merchants WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? ORDER BY id",
                     box.lat.lowerBound, box.lat.upperBound, box.lon.lowerBound, box.lon.upperBound)
            .map { RegistryRows.merchant($0, cameras: [:]) }
    }

    func insertNotice(tokenHash: String, caseID: Int64, merchantID: String, at: Date, expires: Date) throws {
        try db.execute("INSERT INTO notices (token_hash, case_id, merchant_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       tokenHash, caseID, merchantID, Timestamp.millis(at), Timestamp.millis(expires))
    }

    func notice(tokenHash: String) throws -> StoredNotice? {
        try db.first("SELECT case_id, merchant_id, expires_at FROM notices WHERE token_hash = ?", tokenHash).map {
            StoredNotice(caseID: $0[0], merchantID: $0[1], expiresAt: Timestamp.date(millis: $0[2]))
        }
    }

    func confirmNotice(tokenHash: String, at: Date) throws {
        try db.execute("UPDATE notices SET confirmed_at = ? WHERE token_hash = ?", Timestamp.millis(at), tokenHash)
    }

    func enqueue(caseID: Int64, eventSeq: Int, kind: String, recipient: String, payload: String, at: Date) throws {
        try db.execute("""
            INSERT INTO outbox (case_id, event_seq, kind, recipient, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (case_id, event_seq, recipient) DO NOTHING
            """, caseID, eventSeq, kind, recipient, payload, Timestamp.millis(at), Timestamp.millis(at))
    }

    func meta(_ key: String) throws -> String? { try db.scalar("SELECT value FROM meta WHERE key = ?", key) }

    func setMeta(_ key: String, _ value: String) throws {
        try db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
    }

    func dueCases(at ms: Int64, limit: Int) throws -> [Int64] {
        switch db.dialect {
        case .sqlite:
            // Partial indexes hold only unflagged cases, so each branch reads what is due and no more.
            return try db.query("""
                SELECT id FROM cases WHERE status = 'dispatched' AND warned = 0 AND warn_at <= ?
                UNION SELECT id FROM cases WHERE status = 'dispatched' AND overdue_marked = 0 AND due_at <= ?
                UNION SELECT id FROM cases WHERE status = 'self_correcting' AND due_at <= ?
                ORDER BY id LIMIT ?
                """, ms, ms, ms, limit).map { $0[0] }
        case .postgres:
            // Rows another instance's sweep holds are skipped; it marks them. Under READ COMMITTED
            // a row changed since this statement began is checked again, so none is marked twice.
            return try db.query("""
                SELECT id FROM cases
                WHERE (status = 'dispatched' AND ((NOT warned AND warn_at <= ?) OR (NOT overdue_marked AND due_at <= ?)))
                   OR (status = 'self_correcting' AND due_at <= ?)
                ORDER BY id LIMIT ?
                """ + db.skipLocked, ms, ms, ms, limit).map { $0[0] }
        }
    }

    func enforcedCameraCases() throws -> [Int64] {
        try db.query("SELECT id FROM cases WHERE scenario IS NOT NULL AND status = 'dispatched' AND self_corrected = ? ORDER BY id", false)
            .map { $0[0] }
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T { try db.savepoint(body) }
}

extension SQLCaseSQL {
    func lock(_ name: String) throws { try db.lock(name) }

    func lock(all names: [String]) throws { try db.lock(all: names) }
}
