import Foundation
import GongzhiCore
import GongzhiStore

/// The case list's statement: keyset-paginated on `(created_at, id)` descending or ascending, or
/// `(due_at, id)` ascending for time left; one row more than the limit tells whether a next
/// page exists. The caller's scope is part of the statement, so cases outside it are never read.
enum CaseListSQL {
    static func select(_ q: CaseQuery) -> (String, [SQLValue]) {
        var (clauses, args) = filters(q)
        if let c = q.cursor {
            clauses.append(q.sort == .newest ? "(created_at, id) < (?, ?)"
                : q.sort == .oldest ? "(created_at, id) > (?, ?)" : "(due_at, id) > (?, ?)")
            args.append(.int(c.key))
            args.append(.int(c.id))
        }
        let limit = max(1, min(q.limit, CaseQuery.maxLimit))
        var sql = "SELECT \(CaseRows.caseColumns) FROM cases"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        switch q.sort {
        case .newest: sql += " ORDER BY created_at DESC, id DESC"
        case .oldest: sql += " ORDER BY created_at, id"
        case .timeLeft: sql += " ORDER BY due_at, id"
        }
        sql += " LIMIT \(limit + 1)"
        return (sql, args)
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
