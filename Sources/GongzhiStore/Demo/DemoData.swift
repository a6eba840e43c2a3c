import Foundation
import GongzhiCore
import GongzhiGeo
import GRDB

/// Realistic demo cases for Gongshu: reports from every channel at real places (the 2022
/// sampling sites), in GB/T 47678.5 categories, walked through the closed loop by the real
/// state machine, with times spread over the months before `now`.
///
/// Loaded once: a marker in `meta`, written in the same transaction, makes a second start
/// add nothing.
public struct DemoData: Sendable {
    public static let marker = "demo.loaded_at"

    let store: SQLiteCaseStore
    let reference: ReferenceData

    public init(store: SQLiteCaseStore, reference: ReferenceData) {
        self.store = store
        self.reference = reference
    }

    /// Loads `count` cases unless demo data was loaded before. Returns how many were added.
    @discardableResult
    public func loadIfNeeded(count: Int = 2_400, now: Date, seed: UInt64 = 330105) async throws -> Int {
        let places = try DemoPlaces.load(reference: reference)
        let reference = reference
        return try await store.transaction { tx in
            if try String.fetchOne(tx.db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.marker]) != nil { return 0 }
            var rng = SeededGenerator(seed: seed)
            var generator = DemoCaseGenerator(reference: reference, places: places)
            for _ in 0..<count {
                try generator.addCase(tx, now: now, rng: &rng)
            }
            try tx.db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [Self.marker, Timestamp.rfc3339(now)])
            return count
        }
    }
}

/// Real places in the district, each with the street whose (approximate) area holds it.
struct DemoPlaces {
    struct Place {
        var name: String
        var point: Position
        var street: String
    }

    var all: [Place]
    var district: MultiPolygon

    static func load(reference: ReferenceData) throws -> DemoPlaces {
        guard let districtJSON = reference.areas.first(where: { $0.level == .district })?.geometry else {
            throw ReferenceError("the district area has no geometry")
        }
        let district = try Self.geometry(districtJSON)
        var streets: [(code: String, shape: MultiPolygon)] = []
        for a in reference.areas where a.level == .street {
            if let g = a.geometry { streets.append((a.code, try Self.geometry(g))) }
        }
        let root = try JSONSerialization.jsonObject(with: try Resource.data("gongshu_sampling_points_2022.geojson")) as? [String: Any]
        var places: [Place] = []
        for f in (root?["features"] as? [[String: Any]]) ?? [] {
            guard let props = f["properties"] as? [String: Any], let name = props["name"] as? String,
                  let coords = (f["geometry"] as? [String: Any])?["coordinates"] as? [Double], coords.count == 2 else { continue }
            let p = Position(lon: coords[0], lat: coords[1])
            guard district.contains(p), let street = streets.first(where: { $0.shape.contains(p) })?.code else { continue }
            let detail = (props["address_detail"] as? String).map { "（\($0)）" } ?? ""
            places.append(Place(name: name + detail, point: p, street: street))
        }
        guard !places.isEmpty else { throw ReferenceError("no demo places fall inside the district") }
        return DemoPlaces(all: places, district: district)
    }

    static func geometry(_ json: String) throws -> MultiPolygon {
        let wrapped = #"{"type":"Feature","properties":{},"geometry":\#(json)}"#
        guard let f = try GeoJSON.features(Data(wrapped.utf8)).first else { throw ReferenceError("empty geometry") }
        return f.geometry
    }
}
