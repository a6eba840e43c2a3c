import Foundation
import GongzhiCore
import GongzhiStore

/// The case list's statement: keyset-paginated on `(created_at, id)` descending or ascending, or
/// `(due_at, id)` ascending for time left; one row more than the limit tells whether a next
/// page exists. The caller's scope is part of the statement, so cases outside it are never read.
public enum CaseListSQL {
    /// The status in the list's indexes of a street and of a unit, the scopes staff work in. A
    /// street's closed cases, newest first, walked past its newest cases (open, 2,100 of them at a
    /// million cases) reading each one's row: 1.8 ms a page. With the status after the sort key
    /// the walk stays in the index (0.26 ms, and any set of statuses); a street and one status
    /// have an index of their own (0.07 ms). A migration on both backends.
    public static let statusIndexes = """
        DROP INDEX cases_by_street;
        CREATE INDEX cases_by_street ON cases(street_code, created_at, id, status);
        CREATE INDEX cases_by_street_status ON cases(street_code, status, created_at, id);
        DROP INDEX cases_by_unit;
        CREATE INDEX cases_by_unit ON cases(unit, created_at, id, status);
        """

    /// - Parameter columns: what to read of each row (`CaseRows.caseColumns` for whole cases).
    static func select(_ q: CaseQuery, columns: String = CaseRows.caseColumns) -> (String, [SQLValue]) {
        var (clauses, args) = filters(q)
        if let c = q.cursor {
            clauses.append(q.sort == .newest ? "(created_at, id) < (?, ?)"
                : q.sort == .oldest ? "(created_at, id) > (?, ?)" : "(due_at, id) > (?, ?)")
            args.append(.int(c.key))
            args.append(.int(c.id))
        }
        let limit = max(1, min(q.limit, CaseQuery.maxLimit))
        var sql = "SELECT \(columns) FROM cases"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        switch q.sort {
        case .newest: sql += " ORDER BY created_at DESC, id DESC"
        case .oldest: sql += " ORDER BY created_at, id"
        case .timeLeft: sql += " ORDER BY due_at, id"
        }
        sql += " LIMIT \(limit + 1)"
        return (sql, args)
    }

    /// The page of rows read with one more than the limit, and the cursor after it when there is more.
    static func page<T>(_ rows: [T], _ q: CaseQuery, key: (T) -> (createdAt: Int64, dueAt: Int64?, id: Int64)) -> ([T], CaseCursor?) {
        let limit = max(1, min(q.limit, CaseQuery.maxLimit))
        guard rows.count > limit else { return (rows, nil) }
        let last = key(rows[limit - 1])
        return (Array(rows.prefix(limit)), CaseCursor(sort: q.sort, key: q.sort != .timeLeft ? last.createdAt : last.dueAt ?? 0, id: last.id))
    }

    /// How many cases the query's filters and scope match.
    static func count(_ q: CaseQuery) -> (String, [SQLValue]) {
        let (clauses, args) = filters(q)
        var sql = "SELECT COUNT(*) FROM cases"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        return (sql, args)
    }

    static func filters(_ q: CaseQuery) -> (clauses: [String], args: [SQLValue]) {
        var f = FilterSQL()
        f.anyOf("status", q.statuses.map(\.rawValue))
        f.anyOf("source", q.sources.map(\.rawValue))
        f.anyOf("unit", q.units)
        f.anyOf("street_code", q.streets)
        f.anyOf("community_code", q.communities)
        f.anyOf("grid_code", q.grids)
        if let now = q.overdueAt {
            f.clauses.append("status = 'dispatched' AND due_at <= ?")
            f.args.append(.int(Timestamp.millis(now)))
        }
        if let disputed = q.disputed { f.clauses.append("disputed = ?"); f.args.append(.bool(disputed)) }
        if q.returnedOrDisputed { f.clauses.append("(last_return_unit IS NOT NULL OR disputed = ?)"); f.args.append(.bool(true)) }
        if q.sort == .timeLeft { f.clauses.append("status = 'dispatched' AND due_at IS NOT NULL") }
        f.scope(q.scope, unit: "unit", areas: ["street_code", "community_code", "grid_code"])
        f.categories("category", q.categories)
        if let since = q.since { f.clauses.append("created_at >= ?"); f.args.append(.int(Timestamp.millis(since))) }
        if let until = q.until { f.clauses.append("created_at < ?"); f.args.append(.int(Timestamp.millis(until))) }
        if let before = q.dueBefore { f.clauses.append("due_at < ?"); f.args.append(.int(Timestamp.millis(before))) }
        return (f.clauses, f.args)
    }
}
