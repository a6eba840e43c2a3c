import Foundation
import GongzhiCore
import GongzhiStore
import GRDB

extension SQLiteCaseStore: RegistryStore {
    public func cameras() async throws -> [Camera] {
        try await database.pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM cameras ORDER BY id").map(RegistryRows.camera) }
    }

    public func saveCameras(_ cameras: [Camera], by actor: String, at: Date) async throws {
        try await database.pool.write { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO cameras (id, name, lat, lon, district_code, street_code, community_code, grid_code, area_version, categories,
                                     active, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon,
                    district_code = excluded.district_code, street_code = excluded.street_code, community_code = excluded.community_code,
                    grid_code = excluded.grid_code, area_version = excluded.area_version, categories = excluded.categories,
                    active = excluded.active, updated_at = excluded.updated_at
                """)
            for c in cameras {
                let categories = String(decoding: try JSONEncoder().encode(c.categories), as: UTF8.self)
                try upsert.execute(arguments: [c.id, c.name, c.location.lat, c.location.lon, c.area?.district, c.area?.street,
                                               c.area?.community, c.area?.grid, c.area?.version, categories, c.active, Timestamp.millis(at)])
            }
            try AuditLog.append(db, at: at, actor: actor, action: "cameras.save", detail: ["count": "\(cameras.count)"])
        }
    }

    public func merchants() async throws -> [Merchant] {
        try await database.pool.read { db in
            let links = try Row.fetchAll(db, sql: "SELECT merchant_id, camera_id FROM merchant_cameras ORDER BY camera_id")
            let cameras = Dictionary(grouping: links, by: { $0["merchant_id"] as String }).mapValues { $0.map { $0["camera_id"] as String } }
            return try Row.fetchAll(db, sql: "SELECT * FROM merchants ORDER BY id").map { RegistryRows.merchant($0, cameras: cameras) }
        }
    }

    public func saveMerchants(_ merchants: [Merchant], by actor: String, at: Date) async throws {
        try await database.pool.write { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO merchants (id, name, contact_name, contact_phone, address, lat, lon, street_code, grid_code, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, contact_name = excluded.contact_name,
                    contact_phone = excluded.contact_phone, address = excluded.address, lat = excluded.lat, lon = excluded.lon,
                    street_code = excluded.street_code, grid_code = excluded.grid_code, updated_at = excluded.updated_at
                """)
            for m in merchants {
                try upsert.execute(arguments: [m.id, m.name, m.contactName, m.contactPhone, m.address, m.location.lat, m.location.lon,
                                               m.area?.street, m.area?.grid, Timestamp.millis(at)])
                try db.execute(sql: "DELETE FROM merchant_cameras WHERE merchant_id = ?", arguments: [m.id])
                for camera in Set(m.cameras) {
                    try db.execute(sql: "INSERT INTO merchant_cameras (merchant_id, camera_id) VALUES (?, ?)", arguments: [m.id, camera])
                }
            }
            try AuditLog.append(db, at: at, actor: actor, action: "merchants.save", detail: ["count": "\(merchants.count)"])
        }
    }

    public func drops() async throws -> [CameraDrops] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT camera_id, category, COUNT(*) AS n FROM reports WHERE outcome = 'dropped' GROUP BY camera_id, category ORDER BY camera_id, category
                """).map { CameraDrops(cameraID: $0["camera_id"] ?? "", category: $0["category"] ?? "", count: $0["n"]) }
        }
    }
}

enum RegistryRows {
    static func camera(_ row: Row) throws -> Camera {
        let categories = try JSONDecoder().decode([String].self, from: Data((row["categories"] as String).utf8))
        return Camera(id: row["id"], name: row["name"], location: GeoPoint(lat: row["lat"], lon: row["lon"]), area: area(row),
                      categories: categories, active: row["active"])
    }

    static func merchant(_ row: Row, cameras: [String: [String]]) -> Merchant {
        let id: String = row["id"]
        return Merchant(id: id, name: row["name"], contactName: row["contact_name"], contactPhone: row["contact_phone"], address: row["address"],
                        location: GeoPoint(lat: row["lat"], lon: row["lon"]), area: area(row), cameras: cameras[id] ?? [])
    }

    static func area(_ row: Row) -> AreaPath? {
        guard row.hasColumn("street_code") else { return nil }
        let version: Int64? = row.hasColumn("area_version") ? row["area_version"] : nil
        return AreaPath(district: row.hasColumn("district_code") ? row["district_code"] : nil, street: row["street_code"],
                        community: row.hasColumn("community_code") ? row["community_code"] : nil, grid: row["grid_code"], version: version ?? 0)
    }
}
