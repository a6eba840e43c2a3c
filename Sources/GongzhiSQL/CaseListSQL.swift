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
        var clauses: [String] = []
        var args: [SQLValue] = []
        func marks(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }
        func anyOf(_ column: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            clauses.append("\(column) IN (\(marks(values.count)))")
            args.append(contentsOf: values.map(SQLValue.text))
        }
        anyOf("status", q.statuses.map(\.rawValue))
        anyOf("source", q.sources.map(\.rawValue))
        anyOf("unit", q.units)
        anyOf("street_code", q.streets)
        anyOf("community_code", q.communities)
        anyOf("grid_code", q.grids)
        if let now = q.overdueAt {
            clauses.append("status = 'dispatched' AND due_at <= ?")
            args.append(.int(Timestamp.millis(now)))
        }
        if let disputed = q.disputed { clauses.append("disputed = ?"); args.append(.bool(disputed)) }
        if q.returnedOrDisputed { clauses.append("(last_return_unit IS NOT NULL OR disputed = ?)"); args.append(.bool(true)) }
        if q.sort == .timeLeft { clauses.append("status = 'dispatched' AND due_at IS NOT NULL") }
        if !q.scope.isAll {
            let units = q.scope.units.sorted(), areas = q.scope.areas.sorted()
            var parts: [String] = []
            if !units.isEmpty {
                parts.append("unit IN (\(marks(units.count)))")
                args.append(contentsOf: units.map(SQLValue.text))
            }
            if !areas.isEmpty {
                for column in ["street_code", "community_code", "grid_code"] {
                    parts.append("\(column) IN (\(marks(areas.count)))")
                    args.append(contentsOf: areas.map(SQLValue.text))
                }
            }
            clauses.append(parts.isEmpty ? "1 = 0" : "(" + parts.joined(separator: " OR ") + ")")
        }
        if !q.categories.isEmpty {
            var parts: [String] = []
            for c in q.categories {
                if c.count == 2 {
                    // A major class: every code with the prefix, as an index range (codes are ASCII
                    // and compared byte-wise on both backends).
                    parts.append("(category >= ? AND category < ?)")
                    args.append(.text(c))
                    args.append(.text(c + "\u{FFFF}"))
                } else {
                    parts.append("category = ?")
                    args.append(.text(c))
                }
            }
            clauses.append("(" + parts.joined(separator: " OR ") + ")")
        }
        if let since = q.since { clauses.append("created_at >= ?"); args.append(.int(Timestamp.millis(since))) }
        if let until = q.until { clauses.append("created_at < ?"); args.append(.int(Timestamp.millis(until))) }
        if let before = q.dueBefore { clauses.append("due_at < ?"); args.append(.int(Timestamp.millis(before))) }
        return (clauses, args)
    }
}
