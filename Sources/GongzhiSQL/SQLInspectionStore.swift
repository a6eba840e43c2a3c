import Foundation
import GongzhiCore
import GongzhiStore

/// Inspection rounds on either backend: `inspection_rounds` and `inspection_sweeps`.
public struct SQLInspectionStore: InspectionStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    public static func ddl(integer: String, text: String, serial: String) -> [String] {
        [
            "CREATE TABLE inspection_rounds (id \(serial), name TEXT NOT NULL, areas TEXT NOT NULL, units TEXT NOT NULL, "
                + "first_day \(integer) NOT NULL, last_day \(integer) NOT NULL, created_at \(integer) NOT NULL, created_by TEXT NOT NULL)",
            "CREATE TABLE inspection_sweeps (id \(serial), round \(integer) NOT NULL, area \(text) NOT NULL, unit \(text) NOT NULL, "
                + "day \(integer) NOT NULL, note TEXT NOT NULL, cases TEXT NOT NULL, by_actor TEXT NOT NULL, at \(integer) NOT NULL)",
            "CREATE INDEX inspection_sweeps_by_round ON inspection_sweeps(round, id)",
        ]
    }

    static func round(_ row: SQLRow) throws -> InspectionRound {
        InspectionRound(id: try row.decode("id"), name: try row.decode("name"),
                        areas: try SQLCentreStore.decode([String].self, try row.decode("areas")),
                        units: try SQLCentreStore.decode([String].self, try row.decode("units")), firstDay: try row.decode("first_day"),
                        lastDay: try row.decode("last_day"), createdAt: Timestamp.date(millis: try row.decode("created_at")),
                        createdBy: try row.decode("created_by"))
    }

    public func plan(_ r: InspectionRound) async throws -> InspectionRound {
        try await db.write { s in
            var saved = r
            saved.id = try s.insert("INSERT INTO inspection_rounds (name, areas, units, first_day, last_day, created_at, created_by) "
                                    + "VALUES (?, ?, ?, ?, ?, ?, ?)", r.name, try SQLCentreStore.json(r.areas), try SQLCentreStore.json(r.units),
                                    r.firstDay, r.lastDay, Timestamp.millis(r.createdAt), r.createdBy)
            try AuditLog.append(s, at: r.createdAt, actor: r.createdBy, action: "inspection_round_planned",
                                detail: ["id": String(saved.id), "areas": String(r.areas.count), "units": String(r.units.count)])
            return saved
        }
    }

    public func round(_ id: Int64) async throws -> InspectionRound? {
        try await db.read { try $0.first("SELECT * FROM inspection_rounds WHERE id = ?", id).map(Self.round) }
    }

    public func rounds(limit: Int) async throws -> [InspectionRound] {
        try await db.read { try $0.query("SELECT * FROM inspection_rounds ORDER BY id DESC LIMIT ?", limit).map(Self.round) }
    }

    public func record(_ w: InspectionSweep) async throws -> InspectionSweep {
        try await db.write { s in
            var saved = w
            saved.id = try s.insert("INSERT INTO inspection_sweeps (round, area, unit, day, note, cases, by_actor, at) "
                                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    w.round, w.area, w.unit, w.day, w.note, try SQLCentreStore.json(w.cases), w.by, Timestamp.millis(w.at))
            return saved
        }
    }

    public func sweeps(of round: Int64) async throws -> [InspectionSweep] {
        try await db.read { s in
            try s.query("SELECT * FROM inspection_sweeps WHERE round = ? ORDER BY id", round).map { row in
                InspectionSweep(id: try row.decode("id"), round: try row.decode("round"), area: try row.decode("area"), unit: try row.decode("unit"),
                                day: try row.decode("day"), note: try row.decode("note"),
                                cases: try SQLCentreStore.decode([Int64].self, try row.decode("cases")), by: try row.decode("by_actor"),
                                at: Timestamp.date(millis: try row.decode("at")))
            }
        }
    }
}
