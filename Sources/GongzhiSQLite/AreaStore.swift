import Foundation
import GongzhiCore
import GongzhiGeo
import GRDB
import GongzhiStore

/// Versioned area layers in the database.
public struct SQLiteAreaStore: AreaStore {
    public let database: GongzhiDatabase

    public init(database: GongzhiDatabase) { self.database = database }

    /// Stores a new version of a level's polygons, in force from now on; the previous versions
    /// stay for the cases located with them. Codes are added to the area hierarchy.
    @discardableResult
    public func importLayer(_ layer: AreaLayerImport, at: Date) async throws -> AreaLayerInfo {
        try await database.pool.write { db in
            try db.execute(sql: "INSERT INTO area_layers (level, source, imported_at, feature_count, approximate) VALUES (?, ?, ?, ?, ?)",
                           arguments: [layer.level.rawValue, layer.source, Timestamp.millis(at), layer.shapes.count, layer.approximate])
            let version = db.lastInsertedRowID
            let insertShape = try db.cachedStatement(sql: "INSERT INTO area_shapes (version, code, name, parent_code, geometry) VALUES (?, ?, ?, ?, ?)")
            let upsertArea = try db.cachedStatement(sql: """
                INSERT INTO areas (code, name, level, parent_code, approximate) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(code) DO UPDATE SET name = excluded.name, approximate = excluded.approximate
                """)
            for s in layer.shapes {
                if let parent = s.parentCode, try Bool.fetchOne(db, sql: "SELECT 1 FROM areas WHERE code = ?", arguments: [parent]) != true {
                    throw ReferenceError("area \(s.code) names parent \(parent), which is not a known area")
                }
                try insertShape.execute(arguments: [version, s.code, s.name, s.parentCode, GeoJSON.geometryJSON(s.geometry)])
                try upsertArea.execute(arguments: [s.code, s.name, layer.level.rawValue, s.parentCode, layer.approximate])
            }
            return AreaLayerInfo(version: version, level: layer.level, source: layer.source, importedAt: at, featureCount: layer.shapes.count,
                             approximate: layer.approximate)
        }
    }

    /// The layers in force: the newest version of each level.
    public func currentLayers() async throws -> [AreaLayerInfo] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM area_layers WHERE version IN (SELECT MAX(version) FROM area_layers GROUP BY level) ORDER BY version
                """).compactMap(Self.info)
        }
    }

    public func shapes(version: Int64) async throws -> [StoredShape] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT code, name, parent_code, geometry FROM area_shapes WHERE version = ? ORDER BY code", arguments: [version])
                .map { StoredShape(code: $0["code"], name: $0["name"], parentCode: $0["parent_code"], geometry: $0["geometry"]) }
        }
    }

    /// The area hierarchy as stored (including imported grids), optionally one level.
    public func areas(level: Area.Level?) async throws -> [Area] {
        try await database.pool.read { db in
            var sql = "SELECT code, name, level, parent_code, approximate FROM areas"
            var args: StatementArguments = []
            if let level { sql += " WHERE level = ?"; args = [level.rawValue] }
            return try Row.fetchAll(db, sql: sql + " ORDER BY code", arguments: args).compactMap { row in
                Area.Level(rawValue: row["level"]).map {
                    Area(code: row["code"], name: row["name"], level: $0, parentCode: row["parent_code"], approximate: row["approximate"])
                }
            }
        }
    }

    /// Code → GeoJSON geometry of the layers in force.
    public func currentGeometries(level: Area.Level?) async throws -> [String: String] {
        try await database.pool.read { db in
            var sql = """
                SELECT s.code, s.geometry FROM area_shapes s JOIN area_layers l ON l.version = s.version
                WHERE l.version IN (SELECT MAX(version) FROM area_layers GROUP BY level)
                """
            var args: StatementArguments = []
            if let level { sql += " AND l.level = ?"; args = [level.rawValue] }
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: args) { out[row["code"]] = row["geometry"] }
            return out
        }
    }

    static func info(_ row: Row) -> AreaLayerInfo? {
        guard let level = Area.Level(rawValue: row["level"]) else { return nil }
        return AreaLayerInfo(version: row["version"], level: level, source: row["source"], importedAt: Timestamp.date(millis: row["imported_at"]),
                         featureCount: row["feature_count"], approximate: row["approximate"])
    }
}
