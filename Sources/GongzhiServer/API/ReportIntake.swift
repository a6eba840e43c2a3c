import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiSQLite
import GongzhiStore

/// Turns the HTTP report body into the one `Report` type every channel produces: checks
/// shapes and required fields, converts GCJ-02 to WGS84, runs the core's validation, then
/// locates the point in the area hierarchy (outside the district is refused).
enum ReportIntake {
    static func report(from body: ReportBody, categories: CategoryDirectory, atlas: Atlas) throws -> Report {
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
            location = try wgs84(lat: lat, lon: lon, crs: l.crs, fieldPrefix: "location.")
        }
        let draft = Report(source: source, category: body.category, description: body.description ?? "", location: location,
                           address: body.address, reporter: body.reporter.map { Reporter(name: $0.name, phone: $0.phone) },
                           externalID: body.external_id, mediaURLs: body.media_urls ?? [])
        var report = try draft.validated(categories: categories)
        if let point = report.location, atlas.layers[.district] != nil {
            report.area = try DispatchRoutes.locate(point, atlas: atlas)
        }
        return report
    }

    /// A point in the declared datum, range-checked, as WGS84.
    static func wgs84(lat: Double, lon: Double, crs: String?, fieldPrefix: String) throws -> GeoPoint {
        guard lat.isFinite, (-90...90).contains(lat) else {
            throw APIError(.unprocessableContent, code: "out_of_range", message: "lat must be between -90 and 90", field: fieldPrefix + "lat")
        }
        guard lon.isFinite, (-180...180).contains(lon) else {
            throw APIError(.unprocessableContent, code: "out_of_range", message: "lon must be between -180 and 180", field: fieldPrefix + "lon")
        }
        switch (crs ?? "wgs84").lowercased() {
        case "wgs84": return GeoPoint(lat: lat, lon: lon)
        case "gcj02":
            let w = GCJ02.toWGS84(lat: lat, lon: lon)
            return GeoPoint(lat: w.lat, lon: w.lon)
        default:
            throw APIError(.unprocessableContent, code: "unknown_crs", message: "\(fieldPrefix)crs must be \"wgs84\" or \"gcj02\"", field: fieldPrefix + "crs")
        }
    }
}
