import Foundation
import GongzhiCore
import GongzhiStore

/// What a what-if reads, on either backend: the cases' routing columns, their histories, and
/// the units' handling times from each case's stored facts. Reads only.
public struct SQLReplaySource: ReplaySource {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    public func ids(_ filter: ReplayFilter) async throws -> ClosedRange<Int64>? {
        let rows = try await db.query("SELECT MIN(id) AS lo, MAX(id) AS hi FROM cases WHERE created_at >= ? AND created_at < ?",
                                      [.int(Timestamp.millis(filter.from)), .int(Timestamp.millis(filter.to))])
        guard let row = rows.first, let lo: Int64 = try row.decode("lo"), let hi: Int64 = try row.decode("hi") else { return nil }
        return lo...hi
    }

    /// Walks the primary key between the period's first and last id (`+created_at` keeps SQLite
    /// from reading the creation index instead and sorting each page by id).
    public func routingKeys(_ filter: ReplayFilter, after: Int64, upTo: Int64, limit: Int) async throws -> [RoutingKey] {
        var f = FilterSQL(clauses: ["id > ?", "id <= ?", "+created_at >= ?", "+created_at < ?"],
                          args: [.int(after), .int(upTo), .int(Timestamp.millis(filter.from)), .int(Timestamp.millis(filter.to))])
        f.anyOf("street_code", filter.streets)
        f.anyOf("community_code", filter.communities)
        f.anyOf("grid_code", filter.grids)
        f.anyOf("source", filter.sources.map(\.rawValue))
        f.categories("category", filter.categories)
        let sql = "SELECT id, category, source, district_code, street_code, community_code, grid_code, area_version FROM cases WHERE "
            + f.clauses.joined(separator: " AND ") + " ORDER BY id LIMIT ?"
        let args = f.args + [.int(Int64(limit))]
        return try await db.query(sql, args).map { row in
            let codes: [String?] = [try row.decode("district_code"), try row.decode("street_code"), try row.decode("community_code"),
                                    try row.decode("grid_code")]
            let version: Int64? = try row.decode("area_version")
            let area = codes.allSatisfy({ $0 == nil }) && version == nil
                ? nil : AreaPath(district: codes[0], street: codes[1], community: codes[2], grid: codes[3], version: version ?? 0)
            return RoutingKey(id: try row.decode("id"), category: try row.decode("category"),
                              source: ReportSource(rawValue: try row.decode("source")) ?? .hotline, area: area)
        }
    }

    public func histories(_ ids: [Int64]) async throws -> [[CaseEvent]] {
        guard !ids.isEmpty else { return [] }
        // Without the hashes: a replay does not check the chains (`verify` does), and the two
        // hex digests were a third of the bytes a database sent for each event.
        // A page of consecutive ids (a replay of every case) is one range of the key; others a list.
        let dense = ids.count > 1 && ids.last! - ids.first! + 1 == Int64(ids.count)
        let which = dense ? "case_id >= ? AND case_id <= ?" : "case_id IN (\(FilterSQL.marks(ids.count)))"
        let sql = "SELECT case_id, seq, action, actor, actor_unit, at, from_status, to_status, payload FROM case_events "
            + "WHERE \(which) ORDER BY case_id, seq"
        let args = dense ? [.int(ids.first!), .int(ids.last!)] : ids.map(SQLValue.int)
        // One statement (no transaction around it on PostgreSQL); the rows' JSON is decoded here,
        // on the caller's thread, so that replays side by side decode side by side (a SQLite file
        // opened read-only has one connection, and decoding was half the time of a replay).
        let stored = try await db.query(sql, args).map(Self.event)
        let events = try stored.map { try HistoryCheck.decode($0) }
        var byCase: [Int64: [CaseEvent]] = [:]
        byCase.reserveCapacity(ids.count)
        var start = events.startIndex
        while start < events.endIndex {
            let id = events[start].caseID
            var end = start
            while end < events.endIndex, events[end].caseID == id { end += 1 }
            byCase[id] = Array(events[start..<end])
            start = end
        }
        return ids.map { byCase[$0] ?? [] }
    }

    public func handlingMinutes(units: [String], fromDay: Int64, toDay: Int64) async throws -> [(unit: String, category: String, minutes: Int64)] {
        guard !units.isEmpty else { return [] }
        let sql = "SELECT unit, category, counts FROM case_facts WHERE kind = ? AND day >= ? AND day <= ? "
            + "AND unit IN (\(FilterSQL.marks(units.count)))"
        let args: [SQLValue] = [.int(Int64(FactKind.unit.rawValue)), .int(fromDay), .int(toDay)] + units.map(SQLValue.text)
        return try await db.read { s in
            var out: [(unit: String, category: String, minutes: Int64)] = []
            try s.each(sql, args) { row in
                let c = try FactRows.decode(try row.decode("counts"))
                if c[.handled] > 0 { out.append((try row.decode("unit"), try row.decode("category"), c[.handleMinutes])) }
                return true
            }
            return out
        }
    }

    /// A row of `histories`' statement, by position (its columns in the order it names them).
    static func event(_ row: SQLRow) throws -> HistoryCheck.StoredEvent {
        HistoryCheck.StoredEvent(caseID: try row.decode(at: 0), seq: try row.decode(at: 1), action: try row.decode(at: 2),
                                 actor: try row.decode(at: 3), actorUnit: try row.decode(at: 4), at: try row.decode(at: 5),
                                 from: try row.decode(at: 6), to: try row.decode(at: 7), payload: try row.decode(at: 8),
                                 prevHash: "", hash: "")
    }
}
