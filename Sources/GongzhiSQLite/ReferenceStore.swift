import Foundation
import GongzhiCore
import GRDB
import GongzhiStore

/// Reference data in the database. Seeding inserts what is missing and changes nothing that
/// exists, so it is idempotent and keeps local edits; reading back gives what the server uses.
public struct SQLiteReferenceStore: ReferenceStore {
    public let database: GongzhiDatabase

    public init(database: GongzhiDatabase) { self.database = database }

    /// Inserts the bundled categories, units and areas that are not yet stored.
    /// Returns how many rows were added.
    @discardableResult
    public func seed(_ data: ReferenceData) async throws -> Int {
        try await database.pool.write { db in
            var added = 0
            for c in data.categories.all {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO categories (code, kind, major_code, major_name, name, local_deadline_hours, local_department_type)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [c.code, c.kind.rawValue, c.majorCode, c.majorName, c.name, c.defaults?.deadlineHours, c.defaults?.departmentType])
                added += db.changesCount
            }
            // Parents before children, so the foreign key holds row by row.
            for a in data.areas.sorted(by: { Self.depth($0.level) < Self.depth($1.level) }) {
                try db.execute(sql: "INSERT OR IGNORE INTO areas (code, name, level, parent_code, approximate) VALUES (?, ?, ?, ?, ?)",
                               arguments: [a.code, a.name, a.level.rawValue, a.parentCode, a.approximate])
                added += db.changesCount
            }
            for u in Self.parentsFirst(data.units.all) {
                try db.execute(sql: "INSERT OR IGNORE INTO units (code, name, kind, parent_code, department_type, area_code) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [u.code, u.name, u.kind.rawValue, u.parentCode, u.departmentType, u.areaCode])
                added += db.changesCount
            }
            return added
        }
    }

    public func meta(_ key: String) async throws -> String? {
        try await database.pool.read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    /// The reference data as stored.
    public func load() async throws -> ReferenceData {
        try await database.pool.read { db in
            let categories = try Row.fetchAll(db, sql: "SELECT * FROM categories ORDER BY kind, code").map { row -> Category in
                let kindText: String = row["kind"]
                guard let kind = Category.Kind(rawValue: kindText) else { throw ReferenceError("stored category has unknown kind \(kindText)") }
                var defaults: LocalDefaults? = nil
                if let h: Double = row["local_deadline_hours"], let t: String = row["local_department_type"] {
                    defaults = LocalDefaults(deadlineHours: h, departmentType: t)
                }
                return Category(code: row["code"], kind: kind, majorCode: row["major_code"], majorName: row["major_name"], name: row["name"], defaults: defaults)
            }
            let units = try Row.fetchAll(db, sql: "SELECT * FROM units ORDER BY code").map { row -> OrgUnit in
                let kindText: String = row["kind"]
                guard let kind = OrgUnit.Kind(rawValue: kindText) else { throw ReferenceError("stored unit has unknown kind \(kindText)") }
                return OrgUnit(code: row["code"], name: row["name"], kind: kind, parentCode: row["parent_code"],
                               departmentType: row["department_type"], areaCode: row["area_code"])
            }
            let areas = try Row.fetchAll(db, sql: "SELECT * FROM areas ORDER BY code").map { row -> Area in
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
