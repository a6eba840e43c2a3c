import Foundation
import GongzhiSQL
import Logging
import PostgresNIO

/// `SQLSession` on one leased PostgreSQL connection, used from a thread of the database's own
/// pool: each statement is sent and its answer waited for, so the shared store code stays
/// synchronous. Never used from an event loop or a Swift concurrency thread.
final class PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger
    private var savepoints = 0

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    var dialect: SQLDialect { .postgres }

    func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        let (answer, watch) = try Self.send(sql, arguments, on: connection, logger: logger)
        defer { watch.cancel() }
        do {
            return try answer.wait()
        } catch let error as PSQLError {
            throw PostgresStoreError(error)
        }
    }

    /// Sends one statement and returns its answer. A statement sent on a connection the server
    /// has closed (a restart, a terminated backend) is dropped without an answer, and its future
    /// would never complete: whoever waits on it would hang. So the connection is checked before
    /// sending and watched while waiting; cancel the watch once answered.
    static func send(_ sql: String, _ arguments: [SQLValue], on connection: PostgresConnection, logger: Logger) throws
        -> (answer: EventLoopFuture<PostgresQueryResult>, watch: RepeatedTask) {
        try SQLTextError.check(arguments)
        let query = PostgresQuery(unsafeSQL: PostgresSQL.numbered(sql), binds: PostgresSQL.binds(arguments))
        guard !connection.isClosed else { throw PostgresStoreError.connectionLost }
        let answer = connection.query(query, logger: logger)
        let watched = answer.eventLoop.makePromise(of: PostgresQueryResult.self)
        answer.cascade(to: watched)
        let watch = answer.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { task in
            if connection.isClosed {
                watched.fail(PostgresStoreError.connectionLost)
                task.cancel()
            }
        }
        return (watched.futureResult, watch)
    }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] { try Self.rows(try run(sql, arguments)) }

    static func rows(_ result: PostgresQueryResult) throws -> [SQLRow] {
        guard let first = result.rows.first else { return [] }
        let columns = SQLColumns(first.map(\.columnName))
        return try result.rows.map { row in SQLRow(columns: columns, values: try row.map(PostgresSQL.value)) }
    }

    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        for row in try query(sql, arguments) where !(try body(row)) { return }
    }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func insert(_ sql: String, _ arguments: [SQLValue], key: String) throws -> Int64 {
        guard let row = try query(sql + " RETURNING \(key)", arguments).first else {
            throw PostgresStoreError(sqlState: nil, message: "INSERT returned no id")
        }
        return row[0]
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepoints += 1
        let name = "sp\(savepoints)"
        try execute("SAVEPOINT \(name)", [])
        do {
            let result = try body()
            try execute("RELEASE SAVEPOINT \(name)", [])
            return result
        } catch {
            try execute("ROLLBACK TO SAVEPOINT \(name)", [])
            throw error
        }
    }

    func lock(all names: [String]) throws {
        guard !names.isEmpty else { return }
        // One statement; the VALUES are scanned, and the locks taken, in the order given.
        let values = Array(repeating: "(CAST(? AS BIGINT))", count: names.count).joined(separator: ", ")
        try execute("SELECT pg_advisory_xact_lock(k) FROM (VALUES \(values)) AS t(k)", names.map { .int(PostgresSQL.lockKey($0)) })
    }

    func lock(_ name: String) throws {
        try execute("SELECT pg_advisory_xact_lock(?)", [.int(PostgresSQL.lockKey(name))])
    }

    func columns(of table: String) throws -> Set<String> {
        Set(try query("""
            SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?
            """, [.text(table)]).map { $0[0] as String })
    }

    func lastIssuedID(of table: String) throws -> Int64 {
        if let counted = try query("SELECT last FROM id_counters WHERE name = ?", [.text(table)]).first { return counted[0] }
        // Only the tables of this schema are asked about; the name is not user input.
        return try query("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(table)_id_seq", []).first?[0] ?? 0
    }

    func nextID(of table: String) throws -> Int64? {
        try query("UPDATE id_counters SET last = last + 1 WHERE name = ? RETURNING last", [.text(table)]).first?[0]
    }
}

/// Translation between the shared SQL and PostgreSQL's protocol.
enum PostgresSQL {
    /// `?` placeholders as `$1`, `$2`, …, outside quoted strings and identifiers. Works on the
    /// UTF-8 bytes: `?` and the quotes are ASCII and never part of a multi-byte character. A bulk
    /// load's statements hold tens of thousands of placeholders; walking them as `Character`s
    /// was 18 % of its time.
    static func numbered(_ sql: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count + sql.utf8.count / 2 + 16)
        var n = 0
        var quote: UInt8 = 0
        for byte in sql.utf8 {
            if quote != 0 {
                if byte == quote { quote = 0 }
                out.append(byte)
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
                out.append(byte)
            } else if byte == UInt8(ascii: "?") {
                n += 1
                out.append(UInt8(ascii: "$"))
                out.append(contentsOf: String(n).utf8)  // a small string: no allocation
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func binds(_ values: [SQLValue]) -> PostgresBindings {
        var b = PostgresBindings(capacity: values.count)
        for v in values {
            switch v {
            case .null: b.appendNull()
            case .int(let i): b.append(i)
            case .double(let d): b.append(d)
            case .text(let s): b.append(s)
            case .bool(let x): b.append(x)
            }
        }
        return b
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .numeric:
            let text = try cell.decode(String.self)
            if let i = Int64(text) { return .int(i) }
            return .double(Double(text) ?? .nan)
        default: return .text(try cell.decode(String.self))
        }
    }

    /// A stable 64-bit key for an advisory lock name (FNV-1a), the same in every instance.
    static func lockKey(_ name: String) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return Int64(bitPattern: h)
    }
}

/// A PostgreSQL error with what the server said (PostgresNIO's own description hides it).
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    public var sqlState: String?
    public var message: String

    init(sqlState: String?, message: String) {
        self.sqlState = sqlState
        self.message = message
    }

    init(_ e: PSQLError) {
        sqlState = e.serverInfo?[.sqlState]
        var text = e.serverInfo?[.message] ?? (e.underlying.map { "\(e.code): \($0)" } ?? "\(e.code)")
        if let detail = e.serverInfo?[.detail] { text += " (\(detail))" }
        message = text
    }

    /// The server closed the connection (a restart, a terminated backend): the transaction on
    /// it was rolled back, or — if it was lost during COMMIT — its outcome is unknown, so it is
    /// not run again.
    static let connectionLost = PostgresStoreError(sqlState: "08006", message: "the connection to the database was lost")

    /// A deadlock or serialisation failure: the transaction may simply be run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }
    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String { "PostgreSQL: \(message)" + (sqlState.map { " [\($0)]" } ?? "") }
}
