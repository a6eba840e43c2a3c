import Foundation
import GongzhiCore
import GongzhiStore

/// The key-population list on either backend: `key_persons` (one row per person and measure,
/// the personal fields nullable so anonymisation can erase them) and `key_person_followups`.
public struct SQLKeyPopulationStore: KeyPopulationStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    public static func ddl(integer: String, text: String, serial: String) -> [String] {
        [
            "CREATE TABLE key_persons (id \(serial), measure \(text) NOT NULL, name TEXT, id_number TEXT, phone TEXT, address TEXT, "
                + "community \(text) NOT NULL, street \(text) NOT NULL, status \(text) NOT NULL, registered_at \(integer) NOT NULL, "
                + "registered_by TEXT NOT NULL, verified_at \(integer), monitor_until \(integer), ended_at \(integer), anonymised_at \(integer))",
            "CREATE INDEX key_persons_by_place ON key_persons(street, community, id)",
            "CREATE INDEX key_persons_by_end ON key_persons(status, ended_at)",
            "CREATE TABLE key_person_followups (person \(integer) NOT NULL, day \(integer) NOT NULL, at \(integer) NOT NULL, "
                + "by_actor TEXT NOT NULL, healthy \(integer) NOT NULL, note TEXT NOT NULL, PRIMARY KEY (person, day))",
        ]
    }

    static func visible(_ viewer: KeyPopulationViewer) -> (clause: String, args: [SQLValue]) {
        guard !viewer.seesAll else { return ("1 = 1", []) }
        let areas = viewer.scope.areas.sorted()
        guard !areas.isEmpty else { return ("1 = 0", []) }
        let marks = FilterSQL.marks(areas.count)
        return ("(street IN (\(marks)) OR community IN (\(marks)))", (areas + areas).map(SQLValue.text))
    }

    static func person(_ row: SQLRow) throws -> KeyPerson {
        func date(_ column: String) throws -> Date? { (try row.decode(column) as Int64?).map(Timestamp.date(millis:)) }
        return KeyPerson(id: try row.decode("id"), measure: try row.decode("measure"), name: try row.decode("name"),
                         idNumber: try row.decode("id_number"), phone: try row.decode("phone"), address: try row.decode("address"),
                         community: try row.decode("community"), street: try row.decode("street"),
                         status: KeyPersonStatus(rawValue: try row.decode("status")) ?? .verifying,
                         registeredAt: Timestamp.date(millis: try row.decode("registered_at")), registeredBy: try row.decode("registered_by"),
                         verifiedAt: try date("verified_at"), monitorUntil: try row.decode("monitor_until"), endedAt: try date("ended_at"),
                         anonymisedAt: try date("anonymised_at"))
    }

    static func withFollowUps(_ s: any SQLSession, _ list: [KeyPerson]) throws -> [KeyPerson] {
        guard !list.isEmpty else { return [] }
        var by: [Int64: [KeyFollowUp]] = [:]
        let rows = try s.query("SELECT * FROM key_person_followups WHERE person IN (\(FilterSQL.marks(list.count))) ORDER BY day",
                               list.map { .int($0.id) })
        for row in rows {
            let healthy: Int64 = try row.decode("healthy")
            let f = KeyFollowUp(day: try row.decode("day"), at: Timestamp.date(millis: try row.decode("at")), by: try row.decode("by_actor"),
                                healthy: healthy != 0, note: try row.decode("note"))
            by[try row.decode("person"), default: []].append(f)
        }
        return list.map { p in
            var p = p
            p.followUps = by[p.id] ?? []
            return p
        }
    }

    static func find(_ s: any SQLSession, _ id: Int64, _ viewer: KeyPopulationViewer) throws -> KeyPerson? {
        let (clause, args) = visible(viewer)
        guard let row = try s.query("SELECT * FROM key_persons WHERE id = ? AND \(clause)", [.int(id)] + args).first else { return nil }
        return try withFollowUps(s, [try person(row)]).first
    }

    public func register(_ p: KeyPerson) async throws -> KeyPerson {
        try await db.write { s in
            var saved = p
            saved.id = try s.insert("INSERT INTO key_persons (measure, name, id_number, phone, address, community, street, status, registered_at, "
                                    + "registered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", p.measure, p.name, p.idNumber, p.phone, p.address,
                                    p.community, p.street, p.status.rawValue, Timestamp.millis(p.registeredAt), p.registeredBy)
            try AuditLog.append(s, at: p.registeredAt, actor: p.registeredBy, action: "key_person_registered",
                                detail: ["id": String(saved.id), "measure": p.measure, "community": p.community])
            return saved
        }
    }

    public func person(_ id: Int64, for viewer: KeyPopulationViewer) async throws -> KeyPerson? {
        try await db.read { try Self.find($0, id, viewer) }
    }

    public func people(_ q: KeyPopulationQuery, for viewer: KeyPopulationViewer) async throws -> [KeyPerson] {
        try await db.read { s in
            let (clause, args) = Self.visible(viewer)
            var f = FilterSQL(clauses: [clause], args: args)
            f.anyOf("street", q.streets)
            f.anyOf("community", q.communities)
            if let m = q.measure { f.anyOf("measure", [m]) }
            f.anyOf("status", q.statuses.map(\.rawValue))
            if let after = q.after {
                f.clauses.append("id > ?")
                f.args.append(.int(after))
            }
            let sql = "SELECT * FROM key_persons WHERE " + f.clauses.joined(separator: " AND ") + " ORDER BY id LIMIT ?"
            return try Self.withFollowUps(s, try s.query(sql, f.args + [.int(Int64(q.limit))]).map(Self.person))
        }
    }

    public func apply(_ id: Int64, for viewer: KeyPopulationViewer, authorise: @escaping @Sendable (KeyPerson) throws -> Void,
                      _ step: @escaping @Sendable (KeyPerson) throws -> KeyPerson) async throws -> KeyPerson {
        try await db.write { s in
            try s.lock("key-person:\(id)")
            guard let before = try Self.find(s, id, viewer) else { throw StoreError.notFound("record \(id)") }
            try authorise(before)
            let after = try step(before)
            try s.execute("UPDATE key_persons SET status = ?, verified_at = ?, monitor_until = ?, ended_at = ? WHERE id = ?",
                          after.status.rawValue, after.verifiedAt.map(Timestamp.millis), after.monitorUntil, after.endedAt.map(Timestamp.millis), id)
            let known = Set(before.followUps.map(\.day))
            for f in after.followUps where !known.contains(f.day) {
                try s.execute("INSERT INTO key_person_followups (person, day, at, by_actor, healthy, note) VALUES (?, ?, ?, ?, ?, ?)",
                              id, f.day, Timestamp.millis(f.at), f.by, f.healthy ? 1 : 0, f.note)
            }
            return after
        }
    }

    public func logAccess(actor: String, field: String, reason: String, subject: String, at: Date) async throws {
        _ = try await db.write { s in
            try s.execute("INSERT INTO access_log (at, actor, case_id, field, reason, subject) VALUES (?, ?, 0, ?, ?, ?)",
                          Timestamp.millis(at), actor, field, reason, subject)
        }
    }

    public func anonymise(endedBefore cutoff: Date, by actor: String, at now: Date) async throws -> Int {
        try await db.write { s in
            let ids: [Int64] = try s.query("SELECT id FROM key_persons WHERE status = 'released' AND ended_at <= ? AND anonymised_at IS NULL "
                                           + "ORDER BY id", Timestamp.millis(cutoff)).map { try $0.decode("id") }
            guard !ids.isEmpty else { return 0 }
            // In slices, so a long backlog stays within every backend's limit on parameters.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let slice = Array(ids[start..<min(start + 500, ids.count)]), marks = FilterSQL.marks(slice.count)
                try s.execute("UPDATE key_persons SET name = NULL, id_number = NULL, phone = NULL, address = NULL, anonymised_at = ? "
                              + "WHERE id IN (\(marks))", [.int(Timestamp.millis(now))] + slice.map(SQLValue.int))
                try s.execute("UPDATE key_person_followups SET note = '' WHERE person IN (\(marks))", slice.map(SQLValue.int))
            }
            try AuditLog.append(s, at: now, actor: actor, action: "key_population_anonymised",
                                detail: ["records": String(ids.count), "first": String(ids[0]), "last": String(ids[ids.count - 1]),
                                         "ended_before": Timestamp.rfc3339(cutoff)])
            return ids.count
        }
    }

    public func counts(for viewer: KeyPopulationViewer) async throws -> [KeyPopulationCount] {
        try await db.read { s in
            let (clause, args) = Self.visible(viewer)
            let sql = "SELECT measure, street, status, COUNT(*) AS people, CAST(COALESCE(SUM(f.n), 0) AS BIGINT) AS followups FROM key_persons "
                + "LEFT JOIN (SELECT person, COUNT(*) AS n FROM key_person_followups GROUP BY person) f ON f.person = key_persons.id "
                + "WHERE \(clause) GROUP BY measure, street, status ORDER BY measure, street, status"
            return try s.query(sql, args).map { row in
                KeyPopulationCount(measure: try row.decode("measure"), street: try row.decode("street"),
                                   status: KeyPersonStatus(rawValue: try row.decode("status")) ?? .verifying,
                                   people: Int(try row.decode("people", as: Int64.self)),
                                   followUps: Int(try row.decode("followups", as: Int64.self)))
            }
        }
    }
}
