import Foundation
import GongzhiCore

/// The report's fields that came after its columns (the classifier's suggestions, a category's
/// extra attributes, Open311's email, device and account ids), kept as one JSON column
/// (`report_extra`) on the case and report rows of both backends. NULL when none is set, so
/// rows written before them read back exactly as their history gives.
struct ReportExtra: Codable, Equatable {
    var classification: Classification?
    var attributes: [ReportAttribute]?
    var email: String?
    var deviceID: String?
    var accountID: String?

    enum CodingKeys: String, CodingKey {
        case classification, attributes, email
        case deviceID = "device_id"
        case accountID = "account_id"
    }

    init(_ r: Report) {
        classification = r.classification
        attributes = r.attributes
        email = r.reporter?.email
        deviceID = r.reporter?.deviceID
        accountID = r.reporter?.accountID
    }

    /// The column's value: NULL when the report has none of these fields.
    static func column(_ r: Report) -> String? {
        let p = r.reporter
        guard r.classification != nil || r.attributes != nil || p?.email != nil || p?.deviceID != nil || p?.accountID != nil else { return nil }
        let extra = ReportExtra(r)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(extra), as: UTF8.self)
    }

    /// Sets the fields on a report read from its columns (`name` and `phone` already set).
    static func apply(_ text: String?, to report: inout Report) throws {
        guard let text else { return }
        let extra = try JSONDecoder().decode(ReportExtra.self, from: Data(text.utf8))
        report.classification = extra.classification
        report.attributes = extra.attributes
        var reporter = report.reporter ?? Reporter()
        reporter.email = extra.email
        reporter.deviceID = extra.deviceID
        reporter.accountID = extra.accountID
        report.reporter = reporter.isEmpty ? nil : reporter
    }
}
