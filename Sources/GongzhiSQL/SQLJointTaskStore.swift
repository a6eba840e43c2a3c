import Foundation
import GongzhiCore
import GongzhiStore

/// Joint cases' parts on either backend: `joint_tasks`, one row per unit's part.
public struct SQLJointTaskStore: JointTaskStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    public static func ddl(integer: String, text: String, serial: String) -> [String] {
        [
            "CREATE TABLE joint_tasks (id \(serial), case_id \(integer) NOT NULL, unit \(text) NOT NULL, due_at \(integer) NOT NULL, "
                + "handler TEXT, note TEXT NOT NULL, evidence TEXT NOT NULL, status \(text) NOT NULL, created_at \(integer) NOT NULL, "
                + "created_by TEXT NOT NULL, finished_at \(integer), finished_by TEXT, reason TEXT)",
            "CREATE INDEX joint_tasks_by_case ON joint_tasks(case_id, id)",
            "CREATE INDEX joint_tasks_by_unit ON joint_tasks(unit, status, id)",
            "CREATE INDEX joint_tasks_by_created ON joint_tasks(created_at)",
        ]
    }

    static func part(_ row: SQLRow) throws -> JointTask {
        JointTask(id: try row.decode("id"), caseID: try row.decode("case_id"), unit: try row.decode("unit"),
                  dueAt: Timestamp.date(millis: try row.decode("due_at")), handler: try row.decode("handler"), note: try row.decode("note"),
                  evidence: try SQLCentreStore.decode([String].self, try row.decode("evidence")),
                  status: JointTaskStatus(rawValue: try row.decode("status")) ?? .open,
                  createdAt: Timestamp.date(millis: try row.decode("created_at")),
                  createdBy: try row.decode("created_by"), finishedAt: (try row.decode("finished_at") as Int64?).map(Timestamp.date(millis:)),
                  finishedBy: try row.decode("finished_by"), reason: try row.decode("reason"))
    }

    public func parts(of caseID: Int64) async throws -> [JointTask] {
        try await db.read { try $0.query("SELECT * FROM joint_tasks WHERE case_id = ? ORDER BY id", caseID).map(Self.part) }
    }

    public func apply(caseID: Int64, by actor: String, at now: Date,
                      _ step: @escaping @Sendable (CaseRecord, [JointTask]) throws -> [JointTask]) async throws -> [JointTask] {
        try await db.write { s in
            guard let record = try SQLCaseSQL(db: s).findCase(id: caseID, lock: true) else { throw StoreError.caseNotFound(caseID) }
            let before = try s.query("SELECT * FROM joint_tasks WHERE case_id = ? ORDER BY id", caseID).map(Self.part)
            var after = try step(record, before)
            let old = Dictionary(uniqueKeysWithValues: before.map { ($0.id, $0) })
            for i in after.indices {
                let t = after[i]
                if t.id == 0 {
                    after[i].id = try s.insert("INSERT INTO joint_tasks (case_id, unit, due_at, handler, note, evidence, status, created_at, "
                                               + "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", caseID, t.unit, Timestamp.millis(t.dueAt), t.handler, t.note,
                                               try SQLCentreStore.json(t.evidence), t.status.rawValue, Timestamp.millis(t.createdAt), t.createdBy)
                } else if old[t.id] != t {
                    try s.execute("UPDATE joint_tasks SET handler = ?, note = ?, evidence = ?, status = ?, finished_at = ?, finished_by = ?, "
                                  + "reason = ? WHERE id = ? AND case_id = ?", t.handler, t.note, try SQLCentreStore.json(t.evidence),
                                  t.status.rawValue, t.finishedAt.map(Timestamp.millis), t.finishedBy, t.reason, t.id, caseID)
                }
            }
            let added = after.filter { old[$0.id] == nil }.map(\.unit)
            if !added.isEmpty {
                try AuditLog.append(s, at: now, actor: actor, action: "joint_case_split",
                                    detail: ["case": String(caseID), "units": added.joined(separator: ",")])
            }
            return after
        }
    }

    public func parts(units: Set<String>?, pendingOnly: Bool, limit: Int) async throws -> [JointTask] {
        try await db.read { s in
            if units?.isEmpty == true { return [] }
            var f = FilterSQL(clauses: ["1 = 1"], args: [])
            if let units { f.anyOf("unit", units.sorted()) }
            if pendingOnly { f.anyOf("status", ["open", "returned"]) }
            return try s.query("SELECT * FROM joint_tasks WHERE " + f.clauses.joined(separator: " AND ") + " ORDER BY id DESC LIMIT ?",
                               f.args + [.int(Int64(limit))]).map(Self.part)
        }
    }

    public func parts(_ q: StatsQuery) async throws -> [JointTask] {
        let from = Period.day(yyyymmdd: q.from), to = Period.day(yyyymmdd: q.to)
        var f = FilterSQL(clauses: ["t.created_at >= ?", "t.created_at < ?"],
                          args: [.int(Timestamp.millis(Period.start(of: from))), .int(Timestamp.millis(Period.start(of: to + 1)))])
        f.statistics(q, street: "c.street_code", community: "c.community_code", grid: "c.grid_code", source: "c.source", unit: "t.unit",
                     category: "c.category")
        let sql = "SELECT t.* FROM joint_tasks t JOIN cases c ON c.id = t.case_id WHERE " + f.clauses.joined(separator: " AND ")
            + " ORDER BY t.id"
        let args = f.args
        return try await db.read { try $0.query(sql, args).map(Self.part) }
    }
}
