import Foundation
import GongzhiCore
import GongzhiStore

/// `StatisticsStore` on either backend: sums over `stats_daily`.
public struct SQLStatistics: StatisticsStore {
    let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    public func totals(_ q: StatsQuery) async throws -> Counts {
        try await sum(q, live: false, by: nil)[""] ?? Counts()
    }

    public func totals(_ q: StatsQuery, by: StatsDimension) async throws -> [String: Counts] {
        try await sum(q, live: false, by: by)
    }

    public func live(_ q: StatsQuery) async throws -> Counts {
        try await sum(q, live: true, by: nil)[""] ?? Counts()
    }

    public func live(_ q: StatsQuery, by: StatsDimension) async throws -> [String: Counts] {
        try await sum(q, live: true, by: by)
    }

    public func dueBetween(_ q: StatsQuery, now: Date, until: Date) async throws -> Int {
        var cq = CaseQuery()
        cq.statuses = [.dispatched]
        cq.streets = q.streets
        cq.communities = q.communities
        cq.grids = q.grids
        cq.categories = q.categories
        cq.sources = q.sources
        cq.units = q.units
        cq.scope = q.scope
        cq.dueBefore = until
        var (sql, args) = CaseListSQL.count(cq)
        sql += " AND due_at >= ?"
        args.append(.int(Timestamp.millis(now)))
        let statement = sql, arguments = args
        return try await db.read { db in
            guard let row = try db.query(statement, arguments).first else { return 0 }
            return Int(try Int64.decode(row.values[0]))
        }
    }

    /// One grouped sum: live rows (day 0) or the period's.
    private func sum(_ q: StatsQuery, live: Bool, by: StatsDimension?) async throws -> [String: Counts] {
        var (clauses, args) = Self.filters(q)
        if live {
            clauses.insert("day = 0", at: 0)
        } else {
            clauses.insert("day >= ? AND day <= ?", at: 0)
            args.insert(contentsOf: [.int(max(1, q.from)), .int(q.to)], at: 0)
        }
        let group = by.map { $0 == .day ? "day" : $0.rawValue }
        // SUM of bigint is numeric on PostgreSQL, and NULL over no rows: cast and default it.
        let sums = FactRows.measureColumns.map { "COALESCE(CAST(SUM(\($0)) AS BIGINT), 0)" }.joined(separator: ", ")
        var sql = "SELECT \(group.map { "\($0), " } ?? "")\(sums) FROM stats_daily WHERE " + clauses.joined(separator: " AND ")
        if let group { sql += " GROUP BY \(group)" }
        let offset = group == nil ? 0 : 1
        let statement = sql, arguments = args
        return try await db.read { db in
            var out: [String: Counts] = [:]
            for row in try db.query(statement, arguments) {
                let name: String
                switch row.values.first {
                case .int(let n)? where offset == 1: name = String(n)
                case .text(let t)? where offset == 1: name = t
                default: name = ""
                }
                var c = Counts()
                for i in 0..<FactRows.measureColumns.count { c.values[i] = try Int64.decode(row.values[offset + i]) }
                if offset == 0 && c.isZero && out.isEmpty { continue }
                out[name, default: Counts()] += c
            }
            return out
        }
    }

    /// The filters and scope as a WHERE clause over `stats_daily`'s key columns.
    static func filters(_ q: StatsQuery) -> (clauses: [String], args: [SQLValue]) {
        var f = FilterSQL()
        f.anyOf("street", q.streets)
        f.anyOf("community", q.communities)
        f.anyOf("grid", q.grids)
        f.anyOf("source", q.sources.map(\.rawValue))
        f.anyOf("unit", q.units)
        f.categories("category", q.categories)
        f.scope(q.scope, unit: "unit", areas: ["street", "community", "grid"])
        return (f.clauses, f.args)
    }
}
