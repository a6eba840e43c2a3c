import Foundation
import GongzhiCore
import GongzhiStore

/// The dispute and petition centre on either backend. `centre_matters` holds each dispute's
/// and petition's current state (the fold of its events, as JSON) with the columns lists and
/// figures are found by; `centre_events` the hash chain of each matter's steps (append-only).
/// Campaigns and the risk list are plain tables whose every change goes to the audit log.
public struct SQLCentreStore: CentreStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    /// The tables on either backend: `serial` is the self-numbering key column's definition.
    public static func ddl(integer: String, text: String, serial: String) -> [String] {
        [
            "CREATE TABLE centre_matters (id \(serial), kind \(text) NOT NULL, status \(text) NOT NULL, unit \(text) NOT NULL, "
                + "street \(text), community \(text), next_due \(integer), registered_day \(integer) NOT NULL, ended_day \(integer), "
                + "end_level \(text), headline TEXT NOT NULL, collective \(integer) NOT NULL, repeat_of \(integer), clock_mark \(text), "
                + "state TEXT NOT NULL, event_count \(integer) NOT NULL, last_hash TEXT NOT NULL)",
            "CREATE INDEX centre_matters_by_kind ON centre_matters(kind, id)",
            // Covers the clocks' counts (open, overdue, undecided, collective), for the district
            // and for a scope (its unit and area columns), and the scheduler's search for clocks
            // to mark, without reading a row.
            "CREATE INDEX centre_matters_by_due ON centre_matters(kind, next_due, clock_mark, status, collective, unit, street, community)",
            "CREATE INDEX centre_matters_by_street ON centre_matters(kind, street, ended_day)",
            "CREATE INDEX centre_matters_by_unit ON centre_matters(kind, unit, id)",
            "CREATE TABLE centre_events (matter_id \(integer) NOT NULL, seq \(integer) NOT NULL, at \(integer) NOT NULL, "
                + "actor TEXT NOT NULL, action \(text) NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, "
                + "PRIMARY KEY (matter_id, seq))",
            "CREATE TABLE centre_campaigns (id \(serial), name TEXT NOT NULL, start_day \(integer) NOT NULL, end_day \(integer) NOT NULL, "
                + "created_at \(integer) NOT NULL, created_by TEXT NOT NULL)",
            "CREATE TABLE centre_campaign_items (campaign_id \(integer) NOT NULL, petition_id \(integer) NOT NULL, leader TEXT NOT NULL, "
                + "unit \(text) NOT NULL, target_day \(integer) NOT NULL, added_at \(integer) NOT NULL, added_by TEXT NOT NULL, "
                + "PRIMARY KEY (campaign_id, petition_id))",
            "CREATE TABLE centre_risks (id \(serial), matter TEXT NOT NULL, people \(integer) NOT NULL, unit \(text) NOT NULL, "
                + "level \(text) NOT NULL, street \(text), note TEXT, created_at \(integer) NOT NULL, created_by TEXT NOT NULL)",
            // Reveals of a dispute's or petition's parties name the matter, not a case.
            "ALTER TABLE access_log ADD COLUMN subject TEXT",
        ]
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try JSONDecoder().decode(type, from: Data(text.utf8)) }

    static func digest(matter: Int64, seq: Int64, at: Int64, actor: String, action: String, detail: String, prev: String) -> String {
        SHA256.hex("gongzhi-centre-v1\n\(matter)\n\(seq)\n\(at)\n\(actor)\n\(action)\n\(detail)\n\(prev)")
    }

    /// A new matter's row, to be filled by its registration event; returns its id.
    static func newRow(_ s: any SQLSession, kind: String, at: Date) throws -> Int64 {
        try s.insert("INSERT INTO centre_matters (kind, status, unit, registered_day, headline, collective, state, event_count, last_hash) "
                     + "VALUES (?, 'new', '', ?, '', 0, '{}', 0, ?)", kind, PlanDays.of(at), EventChain.genesis)
    }

    /// Appends `event` to matter `id`'s chain (the row locked) and rewrites the row from the new fold.
    static func append<M: Matter>(_ s: any SQLSession, _ type: M.Type, id: Int64, event: M.Event, actor: String, at: Date) throws -> M {
        guard let head = try s.first("SELECT kind, state, event_count, last_hash FROM centre_matters WHERE id = ?" + s.forUpdate, id),
              head["kind"] as String == M.kind else { throw StoreError.notFound("\(M.kind) \(id)") }
        let seq: Int64 = (head["event_count"] as Int64) + 1, prev: String = head["last_hash"]
        let next: M
        next = seq == 1 ? try M.replay([event]) : try decode(M.self, head["state"]).applying(event)
        let detail = try json(event), ms = Timestamp.millis(at), action = M.action(of: event)
        let hash = digest(matter: id, seq: seq, at: ms, actor: actor, action: action, detail: detail, prev: prev)
        try s.execute("INSERT INTO centre_events (matter_id, seq, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      id, seq, ms, actor, action, detail, prev, hash)
        try s.execute("UPDATE centre_matters SET status = ?, unit = ?, street = ?, community = ?, next_due = ?, registered_day = ?, "
                      + "ended_day = ?, end_level = ?, headline = ?, collective = ?, repeat_of = ?, clock_mark = ?, state = ?, "
                      + "event_count = ?, last_hash = ? WHERE id = ?", columns(next) + [.text(try json(next)), .int(seq), .text(hash), .int(id)])
        return next
    }

    /// The row's columns as the fold sets them (also what `verify` compares).
    static func columns<M: Matter>(_ m: M) -> [SQLValue] {
        let endLevel = (m as? Dispute)?.outcome?.level.rawValue, repeatOf = (m as? Petition)?.repeatOf
        return [.text(m.statusText), .text(m.unit), m.street.sqlValue, m.community.sqlValue, m.nextDue.sqlValue, .int(m.registered),
                m.endedOn.sqlValue, endLevel.sqlValue, .text(m.headline), .int(m.isCollective ? 1 : 0), repeatOf.sqlValue,
                m.currentMark?.rawValue.sqlValue ?? .null]
    }

    static func load<M: Matter>(_ s: any SQLSession, _ type: M.Type, id: Int64, scope: Scope) throws -> M? {
        var f = FilterSQL()
        f.scope(scope, unit: "unit", areas: ["street", "community"])
        let sql = "SELECT state FROM centre_matters WHERE id = ? AND kind = ?" + f.clauses.map { " AND " + $0 }.joined()
        guard let row = try s.query(sql, [.int(id), .text(M.kind)] + f.args).first else { return nil }
        return try decode(M.self, row["state"])
    }

    /// Runs a command on a matter in scope: found, the actor allowed on its holder, decided, appended.
    /// `check` replaces the holder rule where a step has its own (a petition's extension).
    func act<M: Matter>(_ type: M.Type, id: Int64, by p: Principal, scope: Scope, at: Date,
                        decide: @escaping @Sendable (M) throws -> M.Event,
                        check: (@Sendable (M) throws -> Void)? = nil) async throws -> M {
        try await db.write { s in
            try s.lock("centre:\(id)")
            guard let current = try Self.load(s, M.self, id: id, scope: scope) else { throw StoreError.notFound("\(M.kind) \(id)") }
            if let check { try check(current) } else { try CentreAccess.acts(p, holder: current.unit, scope: scope) }
            return try Self.append(s, M.self, id: id, event: try decide(current), actor: p.id, at: at)
        }
    }

    public func logReveal(of id: Int64, kind: String, actor: String, reason: String, at: Date) async throws {
        _ = try await db.write { s in
            try s.execute("INSERT INTO access_log (at, actor, case_id, field, reason, subject) VALUES (?, ?, 0, 'parties', ?, ?)",
                          Timestamp.millis(at), actor, reason, "\(kind):\(id)")
        }
    }

    public func history(of id: Int64) async throws -> [MatterStep] {
        try await db.read { s in
            try s.query("SELECT seq, at, actor, action FROM centre_events WHERE matter_id = ? ORDER BY seq", id).map {
                MatterStep(seq: $0["seq"], at: Timestamp.date(millis: $0["at"]), actor: $0["actor"], action: $0["action"])
            }
        }
    }
}
