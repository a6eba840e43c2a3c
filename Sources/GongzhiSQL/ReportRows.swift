import Foundation
import GongzhiCore
import GongzhiStore

/// The reports list: every report, detection and dropped weak detection, with the case it went to.
enum ReportRows {
    static let insertColumns = [
        "case_id", "original_case_id", "source", "external_id", "camera_id", "category", "state", "outcome", "received_at", "observed_at",
        "confidence", "lat", "lon", "address", "description", "reporter_name", "reporter_phone", "media_urls", "report_extra",
    ]
    static let insertHead = "INSERT INTO reports (\(insertColumns.joined(separator: ", "))) VALUES "
    static let insertValues = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    static let insertSQL = insertHead + insertValues

    /// One statement inserting many reports (19 values a row: both backends take 1,000 rows).
    static func insertStatement(_ rows: ArraySlice<ReportInsert>) -> (sql: String, arguments: [SQLValue]) {
        (insertHead + Array(repeating: insertValues, count: rows.count).joined(separator: ", "),
         rows.flatMap { insertArguments($0.report, caseID: $0.caseID, state: $0.state, outcome: $0.outcome, at: $0.at) })
    }

    static func insertArguments(_ r: Report, caseID: Int64?, state: DetectionState?, outcome: IntakeOutcome.Kind, at: Date) -> [SQLValue] {
        let values: [any SQLBindable] = [
            caseID, caseID, r.source.rawValue, r.externalID, r.cameraID, r.category, state?.rawValue, outcome.rawValue,
            Timestamp.millis(at), r.observedAt, r.confidence, r.location?.lat, r.location?.lon, r.address, r.description,
            r.reporter?.name, r.reporter?.phone, JSONText.stringArray(r.mediaURLs), ReportExtra.column(r),
        ]
        return values.map(\.sqlValue)
    }

    static func stored(_ row: SQLRow) throws -> StoredReport {
        guard let source = ReportSource(rawValue: row["source"]), let outcome = IntakeOutcome.Kind(rawValue: row["outcome"]) else {
            throw StoreError.conflict("report \(row["id"] as Int64) has an unknown source or outcome")
        }
        var location: GeoPoint? = nil
        if let lat: Double = row["lat"], let lon: Double = row["lon"] { location = GeoPoint(lat: lat, lon: lon) }
        let name: String? = row["reporter_name"], phone: String? = row["reporter_phone"]
        let media = (try? JSONDecoder().decode([String].self, from: Data((row["media_urls"] as String).utf8))) ?? []
        var report = Report(source: source, category: row["category"], description: row["description"], location: location,
                            address: row["address"], reporter: (name == nil && phone == nil) ? nil : Reporter(name: name, phone: phone),
                            externalID: row["external_id"], mediaURLs: media, cameraID: row["camera_id"], observedAt: row["observed_at"],
                            confidence: row["confidence"])
        try ReportExtra.apply(row["report_extra"], to: &report)
        return StoredReport(id: row["id"], caseID: row["case_id"], report: report, state: (row["state"] as String?).flatMap(DetectionState.init),
                            outcome: outcome, receivedAt: Timestamp.date(millis: row["received_at"]))
    }
}
