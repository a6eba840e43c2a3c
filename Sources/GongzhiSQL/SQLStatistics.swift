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

    public func totals(_ q: StatsQuery, by: StatsDimension, measures: [Measure]) async throws -> [String: Counts] {
        try await sum(q, live: false, by: by, measures: measures)
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
        guard let row = try await db.query(statement, arguments).first else { return 0 }
        return Int(try Int64.decode(row.values[0]))
    }

    /// One grouped sum, of live rows or of the period's, in one read: a query per piece of the
    /// period (whole months from their rollups, the days around them from the daily rows).
    private func sum(_ q: StatsQuery, live: Bool, by: StatsDimension?, measures: [Measure] = Measure.allCases) async throws
        -> [String: Counts] {
        let rollup = Self.rollupServes(q, by: by)
        let pieces = live ? [("day = ?", [SQLValue.int(rollup ? FactRows.liveRollupDay : FactRows.liveDay)])]
            : Self.dayPieces(from: q.from, to: q.to, months: rollup)
        let (clauses, args) = Self.filters(q)
        let group = by.map { $0 == .day ? "day" : $0.rawValue }
        // SUM of bigint is numeric on PostgreSQL, and NULL over no rows: cast and default it.
        let sums = measures.map { "COALESCE(CAST(SUM(\($0.rawValue)) AS BIGINT), 0)" }.joined(separator: ", ")
        let statements = pieces.map { piece in
            var sql = "SELECT \(group.map { "\($0), " } ?? "")\(sums) FROM stats_daily WHERE " + ([piece.0] + clauses).joined(separator: " AND ")
            if let group { sql += " GROUP BY \(group)" }
            return (sql, piece.1 + args)
        }
        let offset = group == nil ? 0 : 1
        // One statement (a whole month, the live rows) needs no transaction around it (`SQLDatabase.query`).
        let results = statements.count == 1 ? [try await db.query(statements[0].0, statements[0].1)]
            : try await db.read { db in try statements.map { try db.query($0.0, $0.1) } }
        var out: [String: Counts] = [:]
        for row in results.joined() {
            let name: String
            switch row.values.first {
            case .int(let n)? where offset == 1: name = String(n)
            case .text(let t)? where offset == 1: name = t
            default: name = ""
            }
            var c = Counts()
            for (i, m) in measures.enumerated() { c[m] = try Int64.decode(row.values[offset + i]) }
            if offset == 0 && c.isZero && out.isEmpty { continue }
            out[name, default: Counts()] += c
        }
        return out
    }

    /// Whether the rollups (no community, no grid) hold what the query asks: it neither filters
    /// nor groups by community or grid, and every area of the caller's scope finer than a street
    /// lies in a street of the scope (area codes nest: a community's 12 digits begin with its
    /// street's 9), so matching rows by street loses nothing the scope covers.
    static func rollupServes(_ q: StatsQuery, by: StatsDimension?) -> Bool {
        guard by != .community, by != .grid, by != .day, q.communities.isEmpty, q.grids.isEmpty else { return false }
        if q.scope.isAll { return true }
        let streets = q.scope.areas.filter { $0.count <= 9 }
        return q.scope.areas.allSatisfy { area in area.count <= 9 || streets.contains { area.hasPrefix($0) } }
    }

    /// The WHERE pieces that cover the days `from...to` (yyyymmdd) once each: with `months`, the
    /// whole months by their rollup rows (yyyymm00) and the days of the partial months at either
    /// end by daily rows; without, the daily rows alone. Month and live rows never match a day range.
    static func dayPieces(from: Int64, to: Int64, months: Bool) -> [(String, [SQLValue])] {
        let from = max(from, 1000_01_01), to = min(to, 9999_12_31)
        guard from <= to else { return [] }
        let monthCount = (to / 10_000 - from / 10_000) * 12 + (to / 100 % 100 - from / 100 % 100) + 1
        guard months, monthCount <= 1_200 else { return [("day >= ? AND day <= ? AND day % 100 <> 0", [.int(from), .int(to)])] }
        var pieces: [(String, [SQLValue])] = [], whole: [SQLValue] = []
        var y = from / 10_000, m = from / 100 % 100
        while y * 100 + m <= to / 100 {
            let first = (y * 100 + m) * 100 + 1
            let last = first - 1 + Int64(Timestamp.daysIn(month: Int(m), year: Int(y)))
            let lo = max(from, first), hi = min(to, last)
            if lo == first && hi == last {
                whole.append(.int(first - 1))
            } else if lo <= hi {
                pieces.append(("day >= ? AND day <= ?", [.int(lo), .int(hi)]))
            }
            (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1)
        }
        if !whole.isEmpty { pieces.append(("day IN (\(FilterSQL.marks(whole.count)))", whole)) }
        return pieces
    }

    /// The filters and scope as a WHERE clause over `stats_daily`'s key columns.
    static func filters(_ q: StatsQuery) -> (clauses: [String], args: [SQLValue]) {
        var f = FilterSQL()
        f.statistics(q)
        return (f.clauses, f.args)
    }
}
