import Foundation
import GongzhiSQL
import GRDB

/// `SQLSession` on a GRDB connection. Statements are cached per connection: intake runs the
/// same few thousands of times a second.
struct SQLiteSession: SQLSession {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try each(sql, arguments) { rows.append($0); return true }
        return rows
    }

    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLColumns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(row.count)
            for i in 0..<row.count { values.append(Self.value(row[i] as DatabaseValue)) }
            guard try body(SQLRow(columns: columns, values: values)) else { return }
        }
    }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func insert(_ sql: String, _ arguments: [SQLValue], key: String) throws -> Int64 {
        // SQLite's rowid is the INTEGER PRIMARY KEY, whatever its name.
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.lastInsertedRowID
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        var result: T? = nil
        try db.inSavepoint {
            result = try body()
            return .commit
        }
        return result!
    }

    /// SQLite has one writer at a time: a named lock has nothing to add.
    func lock(_ name: String) throws {}

    func columns(of table: String) throws -> Set<String> {
        guard try db.tableExists(table) else { return [] }
        return Set(try db.columns(in: table).map(\.name))
    }

    func lastIssuedID(of table: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table]) ?? 0
    }

    /// AUTOINCREMENT's counter is part of the transaction: a rollback takes the id back.
    func nextID(of table: String) throws -> Int64? { nil }

    static func arguments(_ values: [SQLValue]) throws -> StatementArguments {
        try SQLTextError.check(values)
        return SQLiteArguments.of(values)
    }

    static func value(_ v: DatabaseValue) -> SQLValue {
        switch v.storage {
        case .null: .null
        case .int64(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .text(s)
        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
        }
    }
}

/// `SQLDatabase` on a GRDB pool or queue. A read-only queue (for checking a copy) refuses writes.
public struct SQLiteDatabase: SQLDatabase {
    public let reader: any DatabaseReader
    public let location: String

    public init(reader: any DatabaseReader, location: String) {
        self.reader = reader
        self.location = location
    }

    public var dialect: SQLDialect { .sqlite }

    /// Closes the file now (a read-only check before the file is opened for writing).
    public func close() throws {
        if let queue = reader as? DatabaseQueue { try queue.close() }
        if let pool = reader as? DatabasePool { try pool.close() }
    }

    public func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T { try await body() }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        let asked = ContinuousClock.now
        return try await reader.read {
            PoolWaits.record(.read, since: asked)
            return try body(SQLiteSession(db: $0))
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        guard let writer = reader as? any DatabaseWriter else { throw DatabaseError(message: "\(location) is open read-only") }
        let asked = ContinuousClock.now
        return try await writer.write {
            PoolWaits.record(.write, since: asked)
            return try body(SQLiteSession(db: $0))
        }
    }
}

/// Statement arguments for GRDB from the shared values: a boolean is stored as 0 or 1. Built
/// from optionals of the protocol: GRDB's initialiser for a concrete element type maps through
/// a key path, which cost 6 % of a bulk load's time.
public enum SQLiteArguments {
    public static func of(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { v -> (any DatabaseValueConvertible)? in
            switch v {
            case .null: nil
            case .int(let i): i
            case .double(let d): d
            case .text(let s): s
            case .bool(let b): b ? 1 : 0 as Int64
            }
        })
    }
}
