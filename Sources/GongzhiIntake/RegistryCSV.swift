import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// Camera and merchant registries from CSV (UTF-8, a header row), checked row by row: any bad
/// row refuses the whole file, naming its line and field, so a half-imported registry never
/// exists.
///
/// cameras: `id,name,lat,lon,categories[,active][,crs]` — categories separated by `;`.
/// merchants: `id,name,contact_name,contact_phone,address,lat,lon,cameras[,crs]` — cameras by `;`.
public enum RegistryCSV {
    public struct LineError: Error, CustomStringConvertible {
        public var line: Int
        public var description: String
    }

    static func rows(_ text: String, required: [String]) throws -> [(line: Int, fields: [String: String])] {
        let records: [[String: String]]
        do { records = try CSV.records(text) } catch { throw LineError(line: error.line, description: "line \(error.line): \(error.message)") }
        guard let first = records.first else { throw LineError(line: 1, description: "the file has no rows") }
        for column in required where first[column] == nil {
            throw LineError(line: 1, description: "line 1: the header lacks the column \(column)")
        }
        return records.enumerated().map { (i, r) in (i + 2, r) }
    }

    static func location(_ f: [String: String], line: Int) throws -> ReportDraft.Location {
        guard let lat = f["lat"].flatMap(Double.init), let lon = f["lon"].flatMap(Double.init) else {
            throw LineError(line: line, description: "line \(line): lat and lon must be numbers")
        }
        return ReportDraft.Location(lat: lat, lon: lon, crs: f["crs"].flatMap { $0.isEmpty ? nil : $0 })
    }

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func checked<T>(_ line: Int, _ body: () throws(IntakeError) -> T) throws -> T {
        do { return try body() } catch {
            let field = switch error {
            case .invalid(let e): "\(e.field): "
            case .outsideDistrict(_, let f): "\(f): "
            default: ""
            }
            throw LineError(line: line, description: "line \(line): \(field)\(error.description)")
        }
    }

    public static func cameras(_ text: String, atlas: Atlas, categories: CategoryDirectory) throws -> [Camera] {
        var seen = Set<String>()
        return try rows(text, required: ["id", "name", "lat", "lon", "categories"]).map { line, f in
            let active: Bool
            switch f["active"]?.lowercased() ?? "" {
            case "", "true", "1", "yes": active = true
            case "false", "0", "no": active = false
            default: throw LineError(line: line, description: "line \(line): active must be true or false")
            }
            let camera = try checked(line) { () throws(IntakeError) in
                try Registration.camera(id: f["id"], name: f["name"], location: try? location(f, line: line), categories: list(f["categories"]),
                                        active: active, atlas: atlas, categories: categories)
            }
            guard seen.insert(camera.id).inserted else { throw LineError(line: line, description: "line \(line): camera \(camera.id) appears twice") }
            return camera
        }
    }

    public static func merchants(_ text: String, atlas: Atlas) throws -> [Merchant] {
        var seen = Set<String>()
        return try rows(text, required: ["id", "name", "lat", "lon"]).map { line, f in
            let loc = try location(f, line: line)
            let m = try checked(line) { () throws(IntakeError) in
                try Registration.merchant(id: f["id"], name: f["name"], contactName: f["contact_name"], contactPhone: f["contact_phone"],
                                          address: f["address"], location: loc, cameras: list(f["cameras"]), atlas: atlas)
            }
            guard seen.insert(m.id).inserted else { throw LineError(line: line, description: "line \(line): merchant \(m.id) appears twice") }
            return m
        }
    }
}
