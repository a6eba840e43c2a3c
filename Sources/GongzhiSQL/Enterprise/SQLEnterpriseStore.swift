import Foundation
import GongzhiCore
import GongzhiStore

/// The enterprise registry on either backend: `enterprises` (one row per credit code),
/// `enterprise_commissioners` (who serves which) and `enterprise_visits` (the visit log).
public struct SQLEnterpriseStore: EnterpriseStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    public static func ddl(integer: String, text: String, serial: String) -> [String] {
        [
            "CREATE TABLE enterprises (code \(text) PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, street \(text) NOT NULL, "
                + "industry \(text) NOT NULL, contact_name TEXT, contact_phone TEXT, registered_at \(integer) NOT NULL, "
                + "registered_by TEXT NOT NULL)",
            "CREATE INDEX enterprises_by_street ON enterprises(street, code)",
            "CREATE TABLE enterprise_commissioners (code \(text) NOT NULL, commissioner TEXT NOT NULL, assigned_at \(integer) NOT NULL, "
                + "assigned_by TEXT NOT NULL, PRIMARY KEY (code, commissioner))",
            "CREATE INDEX enterprise_commissioners_by_commissioner ON enterprise_commissioners(commissioner, code)",
            "CREATE TABLE enterprise_visits (id \(serial), code \(text) NOT NULL, commissioner TEXT NOT NULL, day \(integer) NOT NULL, "
                + "note TEXT NOT NULL, difficulties TEXT NOT NULL, recorded_at \(integer) NOT NULL)",
            "CREATE INDEX enterprise_visits_by_code ON enterprise_visits(code, day)",
        ]
    }

    /// The viewer's part of the registry: enterprises in their streets, and those they serve.
    static func visible(_ viewer: EnterpriseViewer) -> (clause: String, args: [SQLValue]) {
        guard !viewer.scope.isAll else { return ("1 = 1", []) }
        let areas = viewer.scope.areas.sorted()
        let served = "code IN (SELECT code FROM enterprise_commissioners WHERE commissioner = ?)"
        guard !areas.isEmpty else { return (served, [.text(viewer.principal)]) }
        return ("(street IN (\(FilterSQL.marks(areas.count))) OR \(served))", areas.map(SQLValue.text) + [.text(viewer.principal)])
    }

    static let columns = "code, name, address, street, industry, contact_name, contact_phone, registered_at, registered_by"

    static func find(_ s: any SQLSession, _ code: String, _ viewer: EnterpriseViewer) throws -> Enterprise? {
        let (clause, args) = visible(viewer)
        guard let row = try s.query("SELECT \(columns) FROM enterprises WHERE code = ? AND \(clause)", [.text(code)] + args).first
        else { return nil }
        return try withCommissioners(s, [try enterprise(row)]).first
    }

    static func enterprise(_ row: SQLRow) throws -> Enterprise {
        Enterprise(code: try row.decode("code"), name: try row.decode("name"), address: try row.decode("address"),
                   street: try row.decode("street"), industry: try row.decode("industry"), contactName: try row.decode("contact_name"),
                   contactPhone: try row.decode("contact_phone"), commissioners: [],
                   registeredAt: Timestamp.date(millis: try row.decode("registered_at")), registeredBy: try row.decode("registered_by"))
    }

    static func withCommissioners(_ s: any SQLSession, _ list: [Enterprise]) throws -> [Enterprise] {
        guard !list.isEmpty else { return [] }
        var served: [String: [String]] = [:]
        let rows = try s.query("SELECT code, commissioner FROM enterprise_commissioners WHERE code IN (\(FilterSQL.marks(list.count)))",
                               list.map { .text($0.code) })
        for row in rows { served[try row.decode("code"), default: []].append(try row.decode("commissioner")) }
        return list.map { e in
            var e = e
            e.commissioners = (served[e.code] ?? []).sorted()
            return e
        }
    }

    public func register(_ e: Enterprise) async throws -> Enterprise {
        try await db.write { s in
            // Checked first: on PostgreSQL a failed insert would abort the whole transaction.
            if try s.first("SELECT code FROM enterprises WHERE code = ?", e.code) != nil {
                throw EnterpriseError.conflict("an enterprise with credit code \(e.code) is already registered")
            }
            try s.execute("INSERT INTO enterprises (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          e.code, e.name, e.address, e.street, e.industry, e.contactName, e.contactPhone,
                          Timestamp.millis(e.registeredAt), e.registeredBy)
            try AuditLog.append(s, at: e.registeredAt, actor: e.registeredBy, action: "enterprise_registered",
                                detail: ["code": e.code, "street": e.street])
            return e
        }
    }

    public func enterprise(_ code: String, for viewer: EnterpriseViewer) async throws -> Enterprise? {
        try await db.read { try Self.find($0, code, viewer) }
    }

    public func enterprises(_ q: EnterpriseQuery, for viewer: EnterpriseViewer) async throws -> [Enterprise] {
        try await db.read { s in
            let (clause, args) = Self.visible(viewer)
            var f = FilterSQL(clauses: [clause], args: args)
            f.anyOf("street", q.streets)
            if let industry = q.industry { f.anyOf("industry", [industry]) }
            if let c = q.commissioner {
                f.clauses.append("code IN (SELECT code FROM enterprise_commissioners WHERE commissioner = ?)")
                f.args.append(.text(c))
            }
            if let name = q.name, !name.isEmpty {
                // instr, not LIKE: what users type holds no pattern characters to escape.
                f.clauses.append(s.dialect == .postgres ? "strpos(name, ?) > 0" : "instr(name, ?) > 0")
                f.args.append(.text(name))
            }
            if let after = q.after {
                f.clauses.append("code > ?")
                f.args.append(.text(after))
            }
            let sql = "SELECT \(Self.columns) FROM enterprises WHERE " + f.clauses.joined(separator: " AND ") + " ORDER BY code LIMIT ?"
            return try Self.withCommissioners(s, try s.query(sql, f.args + [.int(Int64(q.limit))]).map(Self.enterprise))
        }
    }

    public func setCommissioners(of code: String, to ids: [String], by actor: String, at: Date,
                                 for viewer: EnterpriseViewer) async throws -> Enterprise {
        try await db.write { s in
            try s.lock("enterprise:\(code)")
            guard var e = try Self.find(s, code, viewer) else { throw StoreError.notFound("enterprise \(code)") }
            let wanted = Array(Set(ids)).sorted()
            try s.execute("DELETE FROM enterprise_commissioners WHERE code = ?", code)
            for id in wanted {
                try s.execute("INSERT INTO enterprise_commissioners (code, commissioner, assigned_at, assigned_by) VALUES (?, ?, ?, ?)",
                              code, id, Timestamp.millis(at), actor)
            }
            try AuditLog.append(s, at: at, actor: actor, action: "enterprise_commissioners",
                                detail: ["code": code, "before": e.commissioners.joined(separator: ","), "after": wanted.joined(separator: ",")])
            e.commissioners = wanted
            return e
        }
    }

    public func addVisit(_ visit: EnterpriseVisit, by principal: Principal, for viewer: EnterpriseViewer) async throws -> EnterpriseVisit {
        try await db.write { s in
            guard let e = try Self.find(s, visit.code, viewer) else { throw StoreError.notFound("enterprise \(visit.code)") }
            guard EnterpriseAccess.logsVisits(principal, on: e) else {
                throw EnterpriseError.forbidden("only the enterprise's commissioners log its visits")
            }
            var saved = visit
            saved.id = try s.insert("INSERT INTO enterprise_visits (code, commissioner, day, note, difficulties, recorded_at) "
                                    + "VALUES (?, ?, ?, ?, ?, ?)", visit.code, visit.commissioner, visit.day, visit.note,
                                    visit.difficulties.joined(separator: ","), Timestamp.millis(visit.recordedAt))
            return saved
        }
    }

    public func visits(of code: String, for viewer: EnterpriseViewer) async throws -> [EnterpriseVisit] {
        try await db.read { s in
            guard try Self.find(s, code, viewer) != nil else { throw StoreError.notFound("enterprise \(code)") }
            return try s.query("SELECT * FROM enterprise_visits WHERE code = ? ORDER BY day DESC, id DESC", code).map { row in
                let raised: String = try row.decode("difficulties")
                return EnterpriseVisit(id: try row.decode("id"), code: try row.decode("code"), commissioner: try row.decode("commissioner"),
                                       day: try row.decode("day"), note: try row.decode("note"),
                                       difficulties: raised.split(separator: ",").map(String.init),
                                       recordedAt: Timestamp.date(millis: try row.decode("recorded_at")))
            }
        }
    }

    public func difficultyCases(of code: String, limit: Int, for viewer: EnterpriseViewer) async throws -> [Int64] {
        try await db.read { s in
            guard try Self.find(s, code, viewer) != nil else { throw StoreError.notFound("enterprise \(code)") }
            // The report's extra fields are JSON with sorted keys (`ReportExtra`), so the attribute
            // reads the same in every row; a credit code holds no LIKE wildcard. `cases_by_source`
            // keeps the scan to the enterprise channel's cases.
            let pattern = "%{\"code\":\"credit_code\",\"values\":[\"\(code)\"]}%"
            return try s.query("SELECT id FROM cases WHERE source = 'enterprise' AND report_extra LIKE ? ORDER BY created_at DESC, id DESC LIMIT ?",
                               pattern, limit).map { try $0.decode("id") }
        }
    }

    public func logReveal(of code: String, actor: String, reason: String, at: Date) async throws {
        _ = try await db.write { s in
            try s.execute("INSERT INTO access_log (at, actor, case_id, field, reason, subject) VALUES (?, ?, 0, 'contact', ?, ?)",
                          Timestamp.millis(at), actor, reason, "enterprise:\(code)")
        }
    }
}
