import Foundation

/// The two SQL dialects. Statements are written once, with `?` placeholders, in the SQL both
/// understand; where they differ (row locks, advisory locks, identity columns) the session says.
public enum SQLDialect: String, Sendable {
    case sqlite, postgres
}

/// Statements inside one open transaction (or one read), on either backend. Synchronous:
/// SQLite transactions run on GRDB's writer queue, PostgreSQL ones on a thread of their own
/// that waits for each answer, so the case logic above is written once, without `await`.
public protocol SQLSession {
    var dialect: SQLDialect { get }
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int
    /// Runs an INSERT and returns the new row's key, the integer column `key` a sequence fills.
    func insert(_ sql: String, _ arguments: [SQLValue], key: String) throws -> Int64
    /// Streams rows to `body` until it returns false; memory stays flat on any table size.
    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws
    /// Runs `body` so that, if it throws, what it wrote is undone and the transaction goes on.
    func savepoint<T>(_ body: () throws -> T) throws -> T
    /// Holds a named lock until the transaction ends, so writers of one chain take turns across
    /// instances (PostgreSQL advisory lock; SQLite has one writer, so nothing to do).
    func lock(_ name: String) throws
    /// Several named locks in the order given, at once where the backend can.
    func lock(all names: [String]) throws
    /// The column names of a table (an old file may lack later ones).
    func columns(of table: String) throws -> Set<String>
    /// The highest id the table's sequence has handed out (deleted rows included).
    func lastIssuedID(of table: String) throws -> Int64
    /// The next id of a table whose ids have no gaps, or nil where the database hands them out
    /// itself without gaps (SQLite's AUTOINCREMENT, rolled back with the transaction). On
    /// PostgreSQL a counter row, locked until commit: sequences skip what a rollback took.
    func nextID(of table: String) throws -> Int64?
}

extension SQLSession {
    public func lock(all names: [String]) throws { try names.forEach(lock) }

    public func query(_ sql: String, _ arguments: SQLBindable...) throws -> [SQLRow] { try query(sql, arguments.map(\.sqlValue)) }
    public func first(_ sql: String, _ arguments: SQLBindable...) throws -> SQLRow? { try query(sql, arguments.map(\.sqlValue)).first }
    @discardableResult
    public func execute(_ sql: String, _ arguments: SQLBindable...) throws -> Int { try execute(sql, arguments.map(\.sqlValue)) }
    public func insert(_ sql: String, _ arguments: SQLBindable...) throws -> Int64 { try insert(sql, arguments.map(\.sqlValue), key: "id") }
    public func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64 { try insert(sql, arguments, key: "id") }

    /// The first column of the first row, or nil.
    public func scalar<T: SQLDecodable>(_ sql: String, _ arguments: SQLBindable..., as: T.Type = T.self) throws -> T? {
        guard let row = try query(sql, arguments.map(\.sqlValue)).first, !row.values.isEmpty else { return nil }
        if case .null = row.values[0] { return nil }
        return try T.decode(row.values[0])
    }

    /// ` FOR UPDATE` on PostgreSQL: the row stays locked until the transaction ends.
    public var forUpdate: String { dialect == .postgres ? " FOR UPDATE" : "" }
    /// ` FOR UPDATE SKIP LOCKED` on PostgreSQL: rows another instance holds are passed over.
    public var skipLocked: String { dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : "" }
}

/// A database on either backend: reads, and write transactions.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Runs `body` on a consistent read snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// One statement's rows. A single statement sees one snapshot by itself, so PostgreSQL runs
    /// it without `BEGIN … COMMIT`: two round trips fewer for the hottest reads (a case, its
    /// history, the list's page). Defaults to `read`.
    func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow]
    /// A statement each write transaction runs to tell other instances on this database that it
    /// changed (PostgreSQL's `NOTIFY`, delivered when it commits); nil where one process owns the
    /// database. Defaults to nil.
    var changeNotice: String? { get }
    /// Calls `listening` once it listens, then `onChange` each time a write transaction with a
    /// `changeNotice` commits (another instance's or this one's), until cancelled. Returns at
    /// once where there is none.
    func followChanges(listening: @escaping @Sendable () -> Void, _ onChange: @escaping @Sendable () -> Void) async throws
    /// Runs `body` in one write transaction. On PostgreSQL a transaction that loses a deadlock
    /// or serialisation race is run again, so `body` must not have effects outside it.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// A short text naming the database for messages (a path, or a URL without its password).
    var location: String { get }
    /// Runs `body` holding a database-wide named lock, so first-start work (seeding, the demo)
    /// happens once when several instances start together. SQLite has one process: no lock.
    func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T
}

extension SQLDatabase {
    public var changeNotice: String? { nil }

    public func followChanges(listening: @escaping @Sendable () -> Void, _ onChange: @escaping @Sendable () -> Void) async throws {}

    public func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow] {
        try await read { try $0.query(sql, arguments) }
    }
}
