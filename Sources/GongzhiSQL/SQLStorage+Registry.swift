import Foundation
import GongzhiCore
import GongzhiStore

extension SQLStorage: RegistryStore {
    public func cameras() async throws -> [Camera] {
        try await db.read { try $0.query("SELECT * FROM cameras ORDER BY id").map(RegistryRows.camera) }
    }

    public func saveCameras(_ cameras: [Camera], by actor: String, at: Date) async throws {
        let rows = try cameras.map { c -> [SQLValue] in
            let categories = String(decoding: try JSONEncoder().encode(c.categories), as: UTF8.self)
            let values: [any SQLBindable] = [c.id, c.name, c.location.lat, c.location.lon, c.area?.district, c.area?.street,
                                             c.area?.community, c.area?.grid, c.area?.version, categories, c.active, Timestamp.millis(at)]
            return values.map(\.sqlValue)
        }
        try await db.write { db in
            for row in rows {
                try db.execute("""
                    INSERT INTO cameras (id, name, lat, lon, district_code, street_code, community_code, grid_code, area_version, categories,
                                         active, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon,
                        district_code = excluded.district_code, street_code = excluded.street_code, community_code = excluded.community_code,
                        grid_code = excluded.grid_code, area_version = excluded.area_version, categories = excluded.categories,
                        active = excluded.active, updated_at = excluded.updated_at
                    """, row)
            }
            try AuditLog.append(db, at: at, actor: actor, action: "cameras.save", detail: ["count": "\(cameras.count)"])
            try Revision.bump("registry.revision", db)
        }
    }

    public func merchants() async throws -> [Merchant] {
        try await db.read { db in
            let links = try db.query("SELECT merchant_id, camera_id FROM merchant_cameras ORDER BY camera_id")
            let cameras = Dictionary(grouping: links, by: { $0["merchant_id"] as String }).mapValues { $0.map { $0["camera_id"] as String } }
            return try db.query("SELECT * FROM merchants ORDER BY id").map { RegistryRows.merchant($0, cameras: cameras) }
        }
    }

    public func saveMerchants(_ merchants: [Merchant], by actor: String, at: Date) async throws {
        try await db.write { db in
            for m in merchants {
                try db.execute("""
                    INSERT INTO merchants (id, name, contact_name, contact_phone, address, lat, lon, street_code, grid_code, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, contact_name = excluded.contact_name,
                        contact_phone = excluded.contact_phone, address = excluded.address, lat = excluded.lat, lon = excluded.lon,
                        street_code = excluded.street_code, grid_code = excluded.grid_code, updated_at = excluded.updated_at
                    """, m.id, m.name, m.contactName, m.contactPhone, m.address, m.location.lat, m.location.lon, m.area?.street,
                    m.area?.grid, Timestamp.millis(at))
                try db.execute("DELETE FROM merchant_cameras WHERE merchant_id = ?", m.id)
                for camera in Set(m.cameras).sorted() {
                    try db.execute("INSERT INTO merchant_cameras (merchant_id, camera_id) VALUES (?, ?)", m.id, camera)
                }
            }
            try AuditLog.append(db, at: at, actor: actor, action: "merchants.save", detail: ["count": "\(merchants.count)"])
        }
    }

    public func drops() async throws -> [CameraDrops] {
        try await db.read { db in
            try db.query("""
                SELECT camera_id, category, COUNT(*) AS n FROM reports WHERE outcome = 'dropped'
                GROUP BY camera_id, category ORDER BY camera_id, category
                """).map { CameraDrops(cameraID: $0["camera_id"] ?? "", category: $0["category"] ?? "", count: $0["n"]) }
        }
    }
}

enum RegistryRows {
    static func camera(_ row: SQLRow) throws -> Camera {
        let categories = try JSONDecoder().decode([String].self, from: Data((row["categories"] as String).utf8))
        return Camera(id: row["id"], name: row["name"], location: GeoPoint(lat: row["lat"], lon: row["lon"]), area: area(row),
                      categories: categories, active: row["active"])
    }

    static func merchant(_ row: SQLRow, cameras: [String: [String]]) -> Merchant {
        let id: String = row["id"]
        return Merchant(id: id, name: row["name"], contactName: row["contact_name"], contactPhone: row["contact_phone"],
                        address: row["address"], location: GeoPoint(lat: row["lat"], lon: row["lon"]), area: area(row),
                        cameras: cameras[id] ?? [])
    }

    static func area(_ row: SQLRow) -> AreaPath? {
        guard row.has("street_code") else { return nil }
        return AreaPath(district: row["district_code"], street: row["street_code"], community: row["community_code"],
                        grid: row["grid_code"], version: row["area_version"] ?? 0)
    }
}
