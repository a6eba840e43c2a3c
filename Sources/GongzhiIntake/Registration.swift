import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// Checks cameras and merchants before they are registered, for the API and the CSV imports
/// alike: ids usable in links and logs, names a person can read, places in the district.
public enum Registration {
    public static let idMax = 60
    public static let nameMax = 100

    static func checkID(_ value: String?) throws(IntakeError) -> String {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { throw .field("id", "required", "id is required") }
        guard v.count <= idMax, v.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }) else {
            throw .field("id", "invalid", "id must be 1–\(idMax) ASCII letters, digits, '-', '_' or '.'")
        }
        return v
    }

    static func checkName(_ value: String?) throws(IntakeError) -> String {
        let name: String?
        do { name = try TextRule.optional(value, field: "name", max: nameMax) } catch { throw .invalid(error) }
        guard let name else { throw .field("name", "required", "name is required") }
        return name
    }

    static func place(_ l: ReportDraft.Location?, atlas: Atlas) throws(IntakeError) -> (GeoPoint, AreaPath) {
        guard let l, let lat = l.lat, let lon = l.lon else { throw .field("location", "required", "location with lat and lon is required") }
        let p = try Normalise.wgs84(lat: lat, lon: lon, crs: l.crs, field: "location.")
        return (p, try Normalise.locate(p, atlas: atlas))
    }

    public static func camera(id: String?, name: String?, location: ReportDraft.Location?, categories codes: [String], active: Bool,
                              atlas: Atlas, categories: CategoryDirectory) throws(IntakeError) -> Camera {
        let id = try checkID(id), name = try checkName(name)
        let (point, area) = try place(location, atlas: atlas)
        guard !codes.isEmpty else { throw .field("categories", "required", "categories (the matter codes it detects) is required") }
        for c in codes where categories.reportable(c) == nil {
            throw .field("categories", "unknown_category", "category '\(c)' is not a matter code; see GET /api/v1/categories")
        }
        var seen = Set<String>()
        return Camera(id: id, name: name, location: point, area: area, categories: codes.filter { seen.insert($0).inserted }, active: active)
    }

    public static func merchant(id: String?, name: String?, contactName: String?, contactPhone: String?, address: String?,
                                location: ReportDraft.Location?, cameras: [String], atlas: Atlas) throws(IntakeError) -> Merchant {
        let id = try checkID(id), name = try checkName(name)
        let (point, area) = try place(location, atlas: atlas)
        let contact = Report(source: .resident, description: "-", address: address, reporter: Reporter(name: contactName, phone: contactPhone))
        let checked: Report
        do { checked = try contact.validated(categories: CategoryDirectory([])) } catch {
            throw .invalid(FieldError(field: error.field.replacingOccurrences(of: "reporter.", with: "contact_"), code: error.code, message: error.message))
        }
        for c in cameras where (try? checkID(c)) == nil { throw .field("cameras", "invalid", "camera id '\(c)' is not a valid id") }
        return Merchant(id: id, name: name, contactName: checked.reporter?.name, contactPhone: checked.reporter?.phone, address: checked.address,
                        location: point, area: area, cameras: cameras)
    }
}
