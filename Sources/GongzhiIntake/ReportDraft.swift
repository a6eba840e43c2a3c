import Foundation
import GongzhiCore
import GongzhiGeo

/// A report as an adapter hands it over, before any check: every field as the channel gave it.
public struct ReportDraft: Sendable, Hashable {
    public struct Location: Sendable, Hashable {
        public var lat: Double?
        public var lon: Double?
        public var crs: String?

        public init(lat: Double?, lon: Double?, crs: String? = nil) {
            self.lat = lat
            self.lon = lon
            self.crs = crs
        }
    }

    public var source: String?
    public var category: String?
    public var description: String?
    public var location: Location?
    public var address: String?
    public var reporterName: String?
    public var reporterPhone: String?
    public var externalID: String?
    public var mediaURLs: [String]
    /// Open311's other personal fields.
    public var reporterEmail: String?
    public var deviceID: String?
    public var accountID: String?
    /// Extra fields the category asks for, checked by the adapter that knows their definition.
    public var attributes: [ReportAttribute]

    public init(source: String?, category: String? = nil, description: String?, location: Location? = nil, address: String? = nil,
                reporterName: String? = nil, reporterPhone: String? = nil, externalID: String? = nil, mediaURLs: [String] = [],
                reporterEmail: String? = nil, deviceID: String? = nil, accountID: String? = nil, attributes: [ReportAttribute] = []) {
        self.source = source
        self.category = category
        self.description = description
        self.location = location
        self.address = address
        self.reporterName = reporterName
        self.reporterPhone = reporterPhone
        self.externalID = externalID
        self.mediaURLs = mediaURLs
        self.reporterEmail = reporterEmail
        self.deviceID = deviceID
        self.accountID = accountID
        self.attributes = attributes
    }
}

/// The stages before the store: normalise (datum, trimming), validate, locate. Pure over the
/// reference data handed in, so every channel gets the same checks.
public enum Normalise {
    /// A point in the declared datum, range-checked, as WGS84.
    public static func wgs84(lat: Double, lon: Double, crs: String?, field prefix: String) throws(IntakeError) -> GeoPoint {
        guard lat.isFinite, (-90...90).contains(lat) else { throw .field(prefix + "lat", "out_of_range", "lat must be between -90 and 90") }
        guard lon.isFinite, (-180...180).contains(lon) else { throw .field(prefix + "lon", "out_of_range", "lon must be between -180 and 180") }
        switch (crs ?? "wgs84").lowercased() {
        case "wgs84": return GeoPoint(lat: lat, lon: lon)
        case "gcj02":
            let w = GCJ02.toWGS84(lat: lat, lon: lon)
            return GeoPoint(lat: w.lat, lon: w.lon)
        default: throw .field(prefix + "crs", "unknown_crs", "\(prefix)crs must be \"wgs84\" or \"gcj02\"")
        }
    }

    /// Checks a draft and makes it the one `Report` type.
    public static func report(_ d: ReportDraft, categories: CategoryDirectory) throws(IntakeError) -> Report {
        guard let sourceText = d.source?.trimmed, !sourceText.isEmpty else {
            throw .field("source", "required", "source is required")
        }
        guard let source = ReportSource(rawValue: sourceText) else {
            throw .field("source", "unknown_source", "source '\(sourceText)' is not one of \(ReportSource.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var location: GeoPoint? = nil
        if let l = d.location {
            guard let lat = l.lat else { throw .field("location.lat", "required", "location.lat is required") }
            guard let lon = l.lon else { throw .field("location.lon", "required", "location.lon is required") }
            location = try wgs84(lat: lat, lon: lon, crs: l.crs, field: "location.")
        }
        let reporter = Reporter(name: d.reporterName, phone: d.reporterPhone, email: d.reporterEmail, deviceID: d.deviceID, accountID: d.accountID)
        var draft = Report(source: source, category: d.category, description: d.description ?? "", location: location, address: d.address,
                           reporter: reporter.isEmpty ? nil : reporter, externalID: d.externalID, mediaURLs: d.mediaURLs)
        draft.attributes = d.attributes.isEmpty ? nil : d.attributes
        do { return try draft.validated(categories: categories) } catch { throw .invalid(error) }
    }

    /// Locates the report's point in the area layers in force; outside the district is refused.
    public static func locate(_ report: inout Report, atlas: Atlas, field: String = "location") throws(IntakeError) {
        guard let point = report.location else { return }
        report.area = try locate(point, atlas: atlas, field: field)
    }

    /// The area path of a WGS84 point; outside the district is refused.
    public static func locate(_ point: GeoPoint, atlas: Atlas, field: String = "location") throws(IntakeError) -> AreaPath {
        do { return try atlas.locate(point) } catch {
            switch error {
            case .outsideDistrict: throw .outsideDistrict(point, field: field)
            case .noDistrictLayer: throw .noAreaData
            }
        }
    }
}
