import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// Versioned area layers in the database.
public struct SQLAreaStore: AreaStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    /// Stores a new version of a level's polygons, in force from now on; the previous versions
    /// stay for the cases located with them. Codes are added to the area hierarchy.
    @discardableResult
    public func importLayer(_ layer: AreaLayerImport, at: Date) async throws -> AreaLayerInfo {
        let shapes = layer.shapes.map { (shape: $0, geometry: GeoJSON.geometryJSON($0.geometry)) }
        return try await db.write { db in
            let version = try db.insert("INSERT INTO area_layers (level, source, imported_at, feature_count, approximate) VALUES (?, ?, ?, ?, ?)",
                                        [.text(layer.level.rawValue), .text(layer.source), .int(Timestamp.millis(at)),
                                         .int(Int64(layer.shapes.count)), .bool(layer.approximate)], key: "version")
            for (s, geometry) in shapes {
                if let parent = s.parentCode, try db.scalar("SELECT 1 FROM areas WHERE code = ?", parent, as: Int64.self) == nil {
                    throw ReferenceError("area \(s.code) names parent \(parent), which is not a known area")
                }
                try db.execute("INSERT INTO area_shapes (version, code, name, parent_code, geometry) VALUES (?, ?, ?, ?, ?)",
                               version, s.code, s.name, s.parentCode, geometry)
                try db.execute("""
                    INSERT INTO areas (code, name, level, parent_code, approximate) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, approximate = excluded.approximate
                    """, s.code, s.name, layer.level.rawValue, s.parentCode, layer.approximate)
            }
            try Revision.bump("areas.revision", db)
            return AreaLayerInfo(version: version, level: layer.level, source: layer.source, importedAt: at,
                                 featureCount: layer.shapes.count, approximate: layer.approximate)
        }
    }

    /// The layers in force: the newest version of each level.
    public func currentLayers() async throws -> [AreaLayerInfo] {
        try await db.read { db in
            try db.query("""
                SELECT * FROM area_layers WHERE version IN (SELECT MAX(version) FROM area_layers GROUP BY level) ORDER BY version
                """).compactMap(Self.info)
        }
    }

    public func shapes(version: Int64) async throws -> [StoredShape] {
        try await db.read { db in
            try db.query("SELECT code, name, parent_code, geometry FROM area_shapes WHERE version = ? ORDER BY code", version)
                .map { StoredShape(code: $0["code"], name: $0["name"], parentCode: $0["parent_code"], geometry: $0["geometry"]) }
        }
    }

    /// The area hierarchy as stored (including imported grids), optionally one level.
    public func areas(level: Area.Level?) async throws -> [Area] {
        try await db.read { db in
            var sql = "SELECT code, name, level, parent_code, approximate FROM areas"
            var args: [SQLValue] = []
            if let level { sql += " WHERE level = ?"; args = [.text(level.rawValue)] }
            return try db.query(sql + " ORDER BY code", args).compactMap { row in
                Area.Level(rawValue: row["level"]).map {
                    Area(code: row["code"], name: row["name"], level: $0, parentCode: row["parent_code"], approximate: row["approximate"])
                }
            }
        }
    }

    /// Code → GeoJSON geometry of the layers in force.
    public func currentGeometries(level: Area.Level?) async throws -> [String: String] {
        try await db.read { db in
            var sql = """
                SELECT s.code, s.geometry FROM area_shapes s JOIN area_layers l ON l.version = s.version
                WHERE l.version IN (SELECT MAX(version) FROM area_layers GROUP BY level)
                """
            var args: [SQLValue] = []
            if let level { sql += " AND l.level = ?"; args = [.text(level.rawValue)] }
            var out: [String: String] = [:]
            for row in try db.query(sql, args) { out[row["code"]] = row["geometry"] }
            return out
        }
    }

    static func info(_ row: SQLRow) -> AreaLayerInfo? {
        guard let level = Area.Level(rawValue: row["level"]) else { return nil }
        return AreaLayerInfo(version: row["version"], level: level, source: row["source"], importedAt: Timestamp.date(millis: row["imported_at"]),
                             featureCount: row["feature_count"], approximate: row["approximate"])
    }
}
