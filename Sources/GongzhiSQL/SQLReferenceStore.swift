import Foundation
import GongzhiCore
import GongzhiStore

/// Reference data in the database. Seeding inserts what is missing and changes nothing that
/// exists, so it is idempotent and keeps local edits; reading back gives what the server uses.
public struct SQLReferenceStore: ReferenceStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    /// Inserts the bundled categories, units and areas that are not yet stored.
    /// Returns how many rows were added.
    @discardableResult
    public func seed(_ data: ReferenceData) async throws -> Int {
        try await db.write { db in
            var added = 0
            for c in data.categories.all {
                added += try db.execute("""
                    INSERT INTO categories (code, kind, major_code, major_name, name, local_deadline_hours, local_department_type)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, c.code, c.kind.rawValue, c.majorCode, c.majorName, c.name, c.defaults?.deadlineHours, c.defaults?.departmentType)
            }
            // Parents before children, so the foreign key holds row by row.
            for a in data.areas.sorted(by: { Self.depth($0.level) < Self.depth($1.level) }) {
                added += try db.execute("""
                    INSERT INTO areas (code, name, level, parent_code, approximate) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, a.code, a.name, a.level.rawValue, a.parentCode, a.approximate)
            }
            for u in Self.parentsFirst(data.units.all) {
                added += try db.execute("""
                    INSERT INTO units (code, name, kind, parent_code, department_type, area_code) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, u.code, u.name, u.kind.rawValue, u.parentCode, u.departmentType, u.areaCode)
            }
            return added
        }
    }

    public func meta(_ key: String) async throws -> String? {
        try await db.read { try $0.scalar("SELECT value FROM meta WHERE key = ?", key) }
    }

    /// The reference data as stored.
    public func load() async throws -> ReferenceData {
        try await db.read { db in
            let categories = try db.query("SELECT * FROM categories ORDER BY kind, code").map { row -> Category in
                let kindText: String = row["kind"]
                guard let kind = Category.Kind(rawValue: kindText) else { throw ReferenceError("stored category has unknown kind \(kindText)") }
                var defaults: LocalDefaults? = nil
                if let h: Double = row["local_deadline_hours"], let t: String = row["local_department_type"] {
                    defaults = LocalDefaults(deadlineHours: h, departmentType: t)
                }
                return Category(code: row["code"], kind: kind, majorCode: row["major_code"], majorName: row["major_name"], name: row["name"],
                                defaults: defaults)
            }
            let units = try db.query("SELECT * FROM units ORDER BY code").map { row -> OrgUnit in
                let kindText: String = row["kind"]
                guard let kind = OrgUnit.Kind(rawValue: kindText) else { throw ReferenceError("stored unit has unknown kind \(kindText)") }
                return OrgUnit(code: row["code"], name: row["name"], kind: kind, parentCode: row["parent_code"],
                               departmentType: row["department_type"], areaCode: row["area_code"])
            }
            let areas = try db.query("SELECT * FROM areas ORDER BY code").map { row -> Area in
                let levelText: String = row["level"]
                guard let level = Area.Level(rawValue: levelText) else { throw ReferenceError("stored area has unknown level \(levelText)") }
                return Area(code: row["code"], name: row["name"], level: level, parentCode: row["parent_code"], approximate: row["approximate"])
            }
            return ReferenceData(categories: CategoryDirectory(categories), units: try OrgDirectory(units), areas: areas)
        }
    }

    static func depth(_ level: Area.Level) -> Int { Area.Level.allCases.firstIndex(of: level) ?? 0 }

    static func parentsFirst(_ units: [OrgUnit]) -> [OrgUnit] {
        let byCode = Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0) })
        func depth(_ u: OrgUnit) -> Int {
            var d = 0, cursor = u.parentCode
            while let c = cursor { d += 1; cursor = byCode[c]?.parentCode }
            return d
        }
        return units.sorted { (depth($0), $0.code) < (depth($1), $1.code) }
    }
}
