import Foundation
import GongzhiCore
import GRDB
import GongzhiStore

/// `CaseStore` on the embedded SQLite database.
public struct SQLiteCaseStore: Storage, Sendable {
    public let database: GongzhiDatabase
    /// The org tree, categories, rules and calendar in force; replaced whole on reload.
    public let context: Live<CaseContext>
    let faults: FaultInjector?

    public init(database: GongzhiDatabase, context: Live<CaseContext>, faults: FaultInjector? = nil) {
        self.database = database
        self.context = context
        self.faults = faults
    }

    public init(database: GongzhiDatabase, context: CaseContext, faults: FaultInjector? = nil) {
        self.init(database: database, context: Live(context), faults: faults)
    }

    public var areaStore: any AreaStore { SQLiteAreaStore(database: database) }

    public func transaction<T: Sendable>(context: CaseContext, _ body: @escaping @Sendable (CaseTransaction) throws -> T) async throws -> T {
        let faults = faults
        return try await database.pool.write { db in
            try body(CaseTransaction(sql: SQLiteCaseSQL(db: db), context: context, faults: faults))
        }
    }

    public func find(id: Int64) async throws -> CaseRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(CaseRows.caseColumns) FROM cases WHERE id = ?", arguments: [id]).map(CaseRows.record)
        }
    }

    public func find(trackingCode: String) async throws -> CaseRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(CaseRows.caseColumns) FROM cases WHERE tracking_code = ?", arguments: [trackingCode]).map(CaseRows.record)
        }
    }

    public func history(of id: Int64) async throws -> [CaseEvent] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM case_events WHERE case_id = ? ORDER BY seq", arguments: [id]).map(CaseRows.event)
        }
    }

    public func reports(of id: Int64, after: Int64?, limit: Int) async throws -> [StoredReport] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM reports WHERE case_id = ? AND id > ? ORDER BY id LIMIT ?",
                             arguments: [id, after ?? 0, limit]).map(ReportRows.stored)
        }
    }

    public func list(_ query: CaseQuery) async throws -> CasePage {
        let (sql, arguments) = Self.listSQL(query)
        let limit = max(1, min(query.limit, CaseQuery.maxLimit))
        let rows = try await database.pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(CaseRows.record)
        }
        guard rows.count > limit else { return CasePage(items: rows, nextCursor: nil) }
        let items = Array(rows.prefix(limit))
        let last = items[items.count - 1]
        let key = query.sort == .newest ? Timestamp.millis(last.createdAt) : last.dueAt.map(Timestamp.millis) ?? 0
        return CasePage(items: items, nextCursor: CaseCursor(sort: query.sort, key: key, id: last.id))
    }

    /// Keyset-paginated on `(created_at, id)` descending, or `(due_at, id)` ascending for time
    /// left; fetches one row more than the limit to know whether a next page exists.
    static func listSQL(_ q: CaseQuery) -> (String, StatementArguments) {
        var clauses: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        func anyOf(_ column: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            clauses.append("\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))")
            args.append(contentsOf: values.map { $0 as (any DatabaseValueConvertible)? })
        }
        anyOf("status", q.statuses.map(\.rawValue))
        anyOf("source", q.sources.map(\.rawValue))
        anyOf("unit", q.units)
        anyOf("street_code", q.streets)
        anyOf("community_code", q.communities)
        anyOf("grid_code", q.grids)
        if let now = q.overdueAt {
            clauses.append("status = 'dispatched' AND due_at <= ?")
            args.append(Timestamp.millis(now))
        }
        if let disputed = q.disputed { clauses.append("disputed = ?"); args.append(disputed) }
        if q.sort == .timeLeft { clauses.append("status = 'dispatched' AND due_at IS NOT NULL") }
        if !q.scope.isAll {
            // The caller's scope, in the query itself: cases outside it are never read.
            let units = q.scope.units.sorted(), areas = q.scope.areas.sorted()
            var parts: [String] = []
            if !units.isEmpty {
                parts.append("unit IN (\(Array(repeating: "?", count: units.count).joined(separator: ", ")))")
                args.append(contentsOf: units.map { $0 as (any DatabaseValueConvertible)? })
            }
            if !areas.isEmpty {
                let marks = Array(repeating: "?", count: areas.count).joined(separator: ", ")
                for column in ["street_code", "community_code", "grid_code"] {
                    parts.append("\(column) IN (\(marks))")
                    args.append(contentsOf: areas.map { $0 as (any DatabaseValueConvertible)? })
                }
            }
            clauses.append(parts.isEmpty ? "0" : "(" + parts.joined(separator: " OR ") + ")")
        }
        if !q.categories.isEmpty {
            var parts: [String] = []
            for c in q.categories {
                if c.count == 2 {
                    parts.append("(category >= ? AND category < ?)")
                    args.append(c)
                    args.append(c + "\u{FFFF}")
                } else {
                    parts.append("category = ?")
                    args.append(c)
                }
            }
            clauses.append("(" + parts.joined(separator: " OR ") + ")")
        }
        if let since = q.since { clauses.append("created_at >= ?"); args.append(Timestamp.millis(since)) }
        if let until = q.until { clauses.append("created_at < ?"); args.append(Timestamp.millis(until)) }
        if let c = q.cursor {
            clauses.append(q.sort == .newest ? "(created_at, id) < (?, ?)" : "(due_at, id) > (?, ?)")
            args.append(c.key)
            args.append(c.id)
        }
        let limit = max(1, min(q.limit, CaseQuery.maxLimit))
        var sql = "SELECT \(CaseRows.caseColumns) FROM cases"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += q.sort == .newest ? " ORDER BY created_at DESC, id DESC" : " ORDER BY due_at, id"
        sql += " LIMIT \(limit + 1)"
        return (sql, StatementArguments(args))
    }
}
