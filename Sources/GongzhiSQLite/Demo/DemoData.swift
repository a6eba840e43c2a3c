import Foundation
import GongzhiCore
import GongzhiGeo
import GRDB
import GongzhiStore

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
    let atlas: Atlas

    public init(store: SQLiteCaseStore, reference: ReferenceData, atlas: Atlas) {
        self.store = store
        self.reference = reference
        self.atlas = atlas
    }

    /// Loads `count` cases unless demo data was loaded before. Returns how many were added.
    @discardableResult
    public func loadIfNeeded(count: Int = 2_400, now: Date, seed: UInt64 = 330105) async throws -> Int {
        let places = try DemoPlaces.load(atlas: atlas)
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

/// Real places in the district, each located in the area hierarchy.
struct DemoPlaces {
    struct Place {
        var name: String
        var point: Position
        var street: String
    }

    var all: [Place]
    var atlas: Atlas

    static func load(atlas: Atlas) throws -> DemoPlaces {
        let root = try JSONSerialization.jsonObject(with: try ReferenceData.samplingPoints()) as? [String: Any]
        var places: [Place] = []
        for f in (root?["features"] as? [[String: Any]]) ?? [] {
            guard let props = f["properties"] as? [String: Any], let name = props["name"] as? String,
                  let coords = (f["geometry"] as? [String: Any])?["coordinates"] as? [Double], coords.count == 2 else { continue }
            let p = Position(lon: coords[0], lat: coords[1])
            guard let street = (try? atlas.locate(GeoPoint(lat: p.lat, lon: p.lon)))?.street else { continue }
            let detail = (props["address_detail"] as? String).map { "（\($0)）" } ?? ""
            places.append(Place(name: name + detail, point: p, street: street))
        }
        guard !places.isEmpty else { throw ReferenceError("no demo places fall inside the district's street areas") }
        return DemoPlaces(all: places, atlas: atlas)
    }
}
