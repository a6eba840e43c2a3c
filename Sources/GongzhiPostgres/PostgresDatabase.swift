import Foundation
import GongzhiSQL
import GongzhiStore
import Logging
import NIOPosix
import NIOSSL
import PostgresNIO

/// The PostgreSQL backend: a `PostgresClient` (a pool of connections, run for as long as the
/// database is open) and a pool of threads on which the shared, synchronous store code waits
/// for its answers. Several `gongzhi serve` instances may open one database: every write
/// transaction takes the row or advisory locks it needs, so they stay correct together.
public final class PostgresDatabase: SQLDatabase, Sendable {
    public let location: String
    /// The channel of `changeNotice`: one per schema, since tests (and some sites) keep several
    /// databases in one server. Cut to PostgreSQL's 63 characters; two schemas sharing a long
    /// prefix only hear each other's notices (an extra refresh, nothing wrong).
    let channel: String
    let client: PostgresClient
    let threads: NIOThreadPool
    let logger: Logger
    private let running: Task<Void, Never>
    private let started: AsyncStream<Void>

    public var dialect: SQLDialect { .postgres }

    /// Connects to the database a `postgres://user:password@host:port/name` URL names, and
    /// migrates it (idempotent; two instances starting at once take turns).
    public static func connect(url: String, maxConnections: Int = 16, logger: Logger = Logger(label: "gongzhi.postgres"))
        async throws -> PostgresDatabase {
        try await probe(try PostgresURL(url), logger: logger)
        let db = try PostgresDatabase(url: url, maxConnections: maxConnections, logger: logger)
        await db.waitUntilRunning()
        do {
            try await PostgresSchema.migrate(db, schema: try PostgresURL(url).schema)
        } catch {
            await db.close()
            throw StoreError.cannotOpen(path: db.location, reason: "\(error)")
        }
        return db
    }

    /// A host that drops the packets instead of refusing them is given up after this long.
    static let probeTimeout: TimeAmount = .seconds(5)

    /// One connection made and closed before the pool starts: a wrong password, an unknown
    /// database or a server that is not there is reported at once, in the server's words (the
    /// pool would keep retrying with back-off for a minute and then give a generic error).
    static func probe(_ target: PostgresURL, logger: Logger) async throws {
        var quiet = logger
        quiet.logLevel = .critical
        let tls: PostgresConnection.Configuration.TLS = target.requireTLS
            ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        var configuration = PostgresConnection.Configuration(host: target.host, port: target.port, username: target.user,
                                                             password: target.password, database: target.database, tls: tls)
        configuration.options.connectTimeout = probeTimeout
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: quiet)
            try await connection.close()
        } catch let error as PSQLError {
            throw StoreError.cannotOpen(path: target.redacted, reason: PostgresStoreError(error).description)
        } catch {
            throw StoreError.cannotOpen(path: target.redacted, reason: "\(error)")
        }
    }

    init(url: String, maxConnections: Int, logger: Logger) throws {
        let target = try PostgresURL(url)
        var config = PostgresClient.Configuration(host: target.host, port: target.port, username: target.user, password: target.password,
                                                  database: target.database, tls: target.requireTLS ? .require(.makeClientConfiguration()) : .disable)
        config.options.maximumConnections = maxConnections
        config.options.connectTimeout = .seconds(10)
        // The case list's indexes are read in order and stop after a page: at the default cost of
        // a random page (4, for spinning disks) the planner walked the newest cases of the whole
        // district and filtered 19,643 of them out (34 ms) rather than read a street's own index
        // (0.16 ms). 1.1 is the usual setting where the data sits on SSD or in memory.
        config.options.additionalStartupParameters = [("random_page_cost", "1.1")]
        if let schema = target.schema { config.options.additionalStartupParameters.append(("search_path", schema)) }
        self.location = target.redacted
        channel = String((target.schema.map { "gongzhi_\($0)" } ?? "gongzhi").prefix(63))
        self.logger = logger
        client = PostgresClient(configuration: config, backgroundLogger: logger)
        // One thread per connection: each waits on its own connection's answers.
        threads = NIOThreadPool(numberOfThreads: maxConnections)
        threads.start()
        let (started, signal) = AsyncStream<Void>.makeStream()
        running = Task { [client] in
            signal.finish()
            await client.run()
        }
        self.started = started
    }

    /// Returns once the client's run loop has been entered, so the first lease does not race it.
    func waitUntilRunning() async {
        for await _ in started {}
    }

    /// Stops the client (its connections close) and the threads.
    public func close() async {
        running.cancel()
        _ = await running.value
        try? await threads.shutdownGracefully()
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await session(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        // READ COMMITTED with row locks (FOR UPDATE), advisory locks for chains and intake, and
        // SKIP LOCKED for the timers and the outbox. A transaction that loses a deadlock is
        // run again from the start.
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await session(begin: "BEGIN", body)
            } catch let e as PostgresStoreError where e.isRetryable && attempt < 5 {
                logger.debug("retrying a transaction", metadata: ["reason": "\(e)", "attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(5 * attempt))
            }
        }
    }

    public var changeNotice: String? { "NOTIFY \"\(channel)\"" }

    /// Listens on a connection of the pool, held for as long as it runs (`SQLDatabase.followChanges`).
    public func followChanges(listening: @escaping @Sendable () -> Void, _ onChange: @escaping @Sendable () -> Void) async throws {
        let channel = channel
        try await client.withConnection { connection in
            // The closure runs once the server has confirmed LISTEN.
            try await connection.listen(on: channel) { notifications in
                listening()
                for try await _ in notifications { onChange() }
            }
        }
    }

    /// Awaited on the connection itself: no thread of the pool is taken (a read of the case list
    /// hopped to one and back for every request).
    public func query(_ sql: String, _ arguments: [SQLValue]) async throws -> [SQLRow] {
        let logger = logger, asked = ContinuousClock.now
        return try await client.withConnection { connection in
            PoolWaits.record(.read, since: asked)
            let (answer, watch) = try PostgresSession.send(sql, arguments, on: connection, logger: logger)
            defer { watch.cancel() }
            do {
                return try PostgresSession.rows(try await answer.get())
            } catch let error as PSQLError {
                throw PostgresStoreError(error)
            }
        }
    }

    /// Runs `body` in one transaction on a leased connection, on a thread of the pool.
    func session<T: Sendable>(begin: String, _ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        let logger = logger, threads = threads, asked = ContinuousClock.now
        let kind: PoolWaits.Kind = begin.contains("READ ONLY") ? .read : .write
        return try await client.withConnection { connection in
            try await threads.runIfActive {
                PoolWaits.record(kind, since: asked)
                let s = PostgresSession(connection: connection, logger: logger)
                try s.execute(begin, [])
                do {
                    let result = try body(s)
                    try s.execute("COMMIT", [])
                    return result
                } catch {
                    _ = try? s.execute("ROLLBACK", [])
                    throw error
                }
            }
        }
    }

    /// Runs `body` holding a database-wide named lock (a session advisory lock on a connection
    /// kept for the purpose): first-start work (seeding, the demo) happens once even when several
    /// instances start together.
    public func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T {
        let key = PostgresSQL.lockKey(name), logger = logger
        return try await client.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(key))", logger: logger)
            do {
                let result = try await body()
                _ = try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                throw error
            }
        }
    }
}

/// `postgres://user:password@host:port/database?sslmode=require`.
struct PostgresURL {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    var requireTLS: Bool
    /// The schema the tables live in (`?schema=NAME`); the server's default search path when nil.
    var schema: String?

    init(_ text: String) throws {
        guard let c = URLComponents(string: text), c.scheme == "postgres" || c.scheme == "postgresql" else {
            throw StoreError.cannotOpen(path: text, reason: "not a postgres:// URL")
        }
        guard let host = c.host, !host.isEmpty else { throw StoreError.cannotOpen(path: text, reason: "the URL names no host") }
        let name = String(c.path.drop(while: { $0 == "/" }))
        guard !name.isEmpty else { throw StoreError.cannotOpen(path: text, reason: "the URL names no database (postgres://user@host:5432/NAME)") }
        self.host = host
        port = c.port ?? 5432
        user = c.user ?? NSUserName()
        password = c.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        database = name
        let mode = c.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        guard ["disable", "require"].contains(mode) else {
            throw StoreError.cannotOpen(path: text, reason: "sslmode must be disable or require")
        }
        requireTLS = mode == "require"
        schema = c.queryItems?.first(where: { $0.name == "schema" })?.value
        if let schema, schema.isEmpty || schema.count > 63
            || !schema.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
            || !schema.first!.isLetter {
            throw StoreError.cannotOpen(path: text, reason: "schema must be a lower-case name of letters, digits and _")
        }
    }

    /// The URL without its password, for messages and logs.
    var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "") }
}

/// A database URL as PostgreSQL's own tools (pg_dump, pg_restore) take it: connection
/// arguments, the password and TLS mode in their environment (never on the command line,
/// where `ps` would show it), and the schema when the URL names one.
public struct PostgresToolTarget: Sendable {
    public let arguments: [String]
    public let environment: [String: String]
    public let schema: String?
    /// The URL without its password, for messages.
    public let redacted: String

    public init(url: String) throws {
        let u = try PostgresURL(url)
        arguments = ["--host", u.host, "--port", "\(u.port)", "--username", u.user, "--dbname", u.database]
        var environment = ["PGSSLMODE": u.requireTLS ? "require" : "disable"]
        if let password = u.password { environment["PGPASSWORD"] = password }
        self.environment = environment
        schema = u.schema
        redacted = u.redacted
    }
}
