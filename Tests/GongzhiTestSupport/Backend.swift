import Foundation
import GongzhiPostgres
import GongzhiSQL
import GongzhiSQLite
import GRDB
import Testing

/// The backends the store, intake and server suites run on, each test once per backend:
/// SQLite always; PostgreSQL when `GONGZHI_TEST_POSTGRES` names a server (`scripts/test` starts
/// a throw-away one and sets it). Each test gets a database of its own: a new file, or a new
/// schema on the server.
public enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    /// `postgres://user@host:port/db` of the test server, if any.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["GONGZHI_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Every backend available here: the parameter list of backend-parameterised tests.
    public static var all: [Backend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public var testDescription: String { rawValue }

    /// A new, empty, migrated database for one test.
    public func makeDatabase(name: String = "test") async throws -> TestDatabase {
        switch self {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-\(name)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let file = try GongzhiDatabase(path: dir.appendingPathComponent("\(name).sqlite").path)
            return TestDatabase(sql: file.sql, file: file, url: file.path, dir: dir)
        case .postgres:
            guard let base = Self.postgresURL else { throw BackendUnavailable() }
            let url = Self.url(base, schema: "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))
            let db = try await PostgresDatabase.connect(url: url, maxConnections: 6)
            return TestDatabase(sql: db, file: nil, url: url, dir: FileManager.default.temporaryDirectory, postgres: db)
        }
    }

    /// The test server's URL for a schema of its own.
    public static func url(_ base: String, schema: some StringProtocol) -> String {
        base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }
}

public struct BackendUnavailable: Error, CustomStringConvertible {
    public var description: String { "GONGZHI_TEST_POSTGRES is not set" }
}

/// One test's database: the backend-neutral handle, and the SQLite file when it is one (for the
/// tests of SQLite's own durability settings).
public struct TestDatabase: Sendable {
    public let sql: any SQLDatabase
    public let file: GongzhiDatabase?
    /// The path or URL a `gongzhi` command would be given.
    public let url: String
    /// A temporary folder of the test's own.
    public let dir: URL
    let postgres: PostgresDatabase?

    init(sql: any SQLDatabase, file: GongzhiDatabase?, url: String, dir: URL, postgres: PostgresDatabase? = nil) {
        self.sql = sql
        self.file = file
        self.url = url
        self.dir = dir
        self.postgres = postgres
    }

    public var backend: Backend { file == nil ? .postgres : .sqlite }

    /// The database opened again, as after a restart (a new file handle, or a new client).
    public func reopened() async throws -> TestDatabase {
        if let file { return TestDatabase(sql: try GongzhiDatabase(path: file.path).sql, file: file, url: url, dir: dir) }
        let db = try await PostgresDatabase.connect(url: url, maxConnections: 6)
        return TestDatabase(sql: db, file: nil, url: url, dir: dir, postgres: db)
    }

    /// Runs statements outside the store (a test tampering with rows, or counting them).
    public func execute(_ sql: String) async throws {
        try await self.sql.write { try $0.execute(sql, [SQLValue]()) }
    }

    public func count(_ sql: String) async throws -> Int {
        try await self.sql.read { try $0.scalar(sql, as: Int.self) ?? -1 }
    }

    /// Stops a PostgreSQL client; nothing for a file.
    public func close() async { await postgres?.close() }
}

extension TestDatabase {
    /// Drops an append-only table's guard, as someone with direct access could: what `verify`
    /// must then detect.
    public func allowEdits(_ table: String) async throws {
        switch backend {
        case .sqlite:
            try await execute("DROP TRIGGER \(table)_append_only_update")
            try await execute("DROP TRIGGER \(table)_append_only_delete")
        case .postgres:
            try await execute("DROP TRIGGER \(table)_append_only ON \(table)")
        }
    }
}

extension TestDatabase {
    /// Runs a statement with foreign keys unchecked, as the sqlite3 shell or a PostgreSQL
    /// superuser could: for rows the store itself could never write.
    public func executeUnchecked(_ sql: String, _ arguments: [SQLValue]) async throws {
        switch backend {
        case .sqlite:
            try await file!.pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                try db.execute(sql: sql, arguments: SQLiteArguments.of(arguments))
            }
        case .postgres:
            try await self.sql.write { db in
                try db.execute("SET LOCAL session_replication_role = replica", [])
                try db.execute(sql, arguments)
            }
        }
    }

    /// Runs a statement with the store's own arguments.
    public func execute(_ sql: String, _ arguments: [SQLValue]) async throws {
        try await self.sql.write { try $0.execute(sql, arguments) }
    }
}
