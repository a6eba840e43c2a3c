import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// Turns the HTTP report body into the one `Report` type every channel produces: checks
/// shapes and required fields, converts GCJ-02 to WGS84, then runs the core's validation.
enum ReportIntake {
    static func report(from body: ReportBody, categories: CategoryDirectory) throws -> Report {
        guard let sourceText = body.source?.trimmingCharacters(in: .whitespaces), !sourceText.isEmpty else {
            throw APIError(.unprocessableContent, code: "required", message: "source is required", field: "source")
        }
        guard let source = ReportSource(rawValue: sourceText) else {
            throw APIError(.unprocessableContent, code: "unknown_source",
                           message: "source '\(sourceText)' is not one of \(ReportSource.allCases.map(\.rawValue).joined(separator: ", "))", field: "source")
        }
        var location: GeoPoint? = nil
        if let l = body.location {
            guard let lat = l.lat else { throw APIError(.unprocessableContent, code: "required", message: "location.lat is required", field: "location.lat") }
            guard let lon = l.lon else { throw APIError(.unprocessableContent, code: "required", message: "location.lon is required", field: "location.lon") }
            switch (l.crs ?? "wgs84").lowercased() {
            case "wgs84":
                location = GeoPoint(lat: lat, lon: lon)
            case "gcj02":
                // Validate the range before converting, so the error names what the client sent.
                _ = try Report(source: source, description: "-", location: GeoPoint(lat: lat, lon: lon)).validated(categories: categories)
                let w = GCJ02.toWGS84(lat: lat, lon: lon)
                location = GeoPoint(lat: w.lat, lon: w.lon)
            default:
                throw APIError(.unprocessableContent, code: "unknown_crs", message: "location.crs must be \"wgs84\" or \"gcj02\"", field: "location.crs")
            }
        }
        let draft = Report(source: source, category: body.category, description: body.description ?? "", location: location,
                           address: body.address, reporter: body.reporter.map { Reporter(name: $0.name, phone: $0.phone) },
                           externalID: body.external_id, mediaURLs: body.media_urls ?? [])
        return try draft.validated(categories: categories)
    }
}
