import Foundation
import GongzhiCore
import GongzhiStore
import GRDB

/// The reports list: every report, detection and dropped weak detection, with the case it went to.
enum ReportRows {
    /// The report a source already sent with this id, if any: a retry finds what became of it.
    static func find(source: ReportSource, externalID: String, _ db: Database) throws -> StoredReport? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM reports WHERE source = ? AND external_id = ?"), arguments: [source.rawValue, externalID])
            .map(stored)
    }

    @discardableResult
    static func insert(_ r: Report, caseID: Int64?, state: DetectionState?, outcome: IntakeOutcome.Kind, at: Date, _ db: Database) throws -> Int64 {
        let media = JSONText.stringArray(r.mediaURLs)
        try db.cachedStatement(sql: """
            INSERT INTO reports (case_id, original_case_id, source, external_id, camera_id, category, state, outcome, received_at,
                                 observed_at, confidence, lat, lon, address, description, reporter_name, reporter_phone, media_urls)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                caseID, caseID, r.source.rawValue, r.externalID, r.cameraID, r.category, state?.rawValue, outcome.rawValue,
                Timestamp.millis(at), r.observedAt, r.confidence, r.location?.lat, r.location?.lon, r.address, r.description,
                r.reporter?.name, r.reporter?.phone, media,
            ])
        return db.lastInsertedRowID
    }

    static func stored(_ row: Row) throws -> StoredReport {
        guard let source = ReportSource(rawValue: row["source"]), let outcome = IntakeOutcome.Kind(rawValue: row["outcome"]) else {
            throw DatabaseError(message: "report \(row["id"] as Int64) has an unknown source or outcome")
        }
        var location: GeoPoint? = nil
        if let lat: Double = row["lat"], let lon: Double = row["lon"] { location = GeoPoint(lat: lat, lon: lon) }
        let name: String? = row["reporter_name"], phone: String? = row["reporter_phone"]
        let media = (try? JSONDecoder().decode([String].self, from: Data((row["media_urls"] as String).utf8))) ?? []
        let report = Report(source: source, category: row["category"], description: row["description"], location: location,
                            address: row["address"], reporter: (name == nil && phone == nil) ? nil : Reporter(name: name, phone: phone),
                            externalID: row["external_id"], mediaURLs: media, cameraID: row["camera_id"], observedAt: row["observed_at"],
                            confidence: row["confidence"])
        return StoredReport(id: row["id"], caseID: row["case_id"], report: report, state: (row["state"] as String?).flatMap(DetectionState.init),
                            outcome: outcome, receivedAt: Timestamp.date(millis: row["received_at"]))
    }
}

/// JSON text without an encoder, for what is written with every report.
enum JSONText {
    /// `["a","b"]`, escaped as RFC 8259 asks; what `JSONEncoder` would write for `[String]`.
    static func stringArray(_ items: [String]) -> String {
        guard !items.isEmpty else { return "[]" }
        var out = "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for u in item.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
                default: out.unicodeScalars.append(u)
                }
            }
            out += "\""
        }
        return out + "]"
    }
}
