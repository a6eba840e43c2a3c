import ArgumentParser
import Foundation
import GongzhiPostgres
import GongzhiSQL
import GongzhiSQLite
import GRDB

/// `gongzhi backup`: an online, consistent copy of a serving database. For SQLite, the backup
/// API copies every page inside one read transaction of the WAL database, so the copy is the
/// database as of one commit, whatever the server writes meanwhile; it is verified before it
/// takes its name. For PostgreSQL, pg_dump (below).
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back a database up while it serves: a verified SQLite copy, or a pg_dump archive of a verified PostgreSQL database.",
        discussion: """
            The copy is consistent (one snapshot) and checked like `gongzhi verify` before it is named FILE; FILE must not \
            exist. A PostgreSQL database is verified, then dumped with pg_dump's custom format (one snapshot too).
            """)

    @Option(help: "The database to copy: a SQLite file or a postgres:// URL.")
    var db = DatabaseLocation.fromEnvironment

    @Option(help: "The backup file to write (must not exist).")
    var to: String

    func run() async throws {
        guard !FileManager.default.fileExists(atPath: to) else { throw CommandFailure("\(to) exists; choose a new file") }
        guard case .sqlite(let path) = DatabaseLocation(db) else { return try await dumpPostgres() }
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure("no database at \(path)") }
        do {
            // Read-only and without migrating: a backup never changes what it copies.
            let source = try GongzhiDatabase.readOnly(path: path)
            let started = Date()
            var summary = ""
            try await WholeFile.write(to) { partial in
                try SQLiteCopy.copy(from: source.reader, to: partial)
                summary = try await Verify.check(try GongzhiDatabase.readOnly(path: partial))
            }
            print("backed up \(path) to \(to) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            print(summary)
        } catch {
            if let failure = error as? CommandFailure {
                throw CommandFailure("the backup failed: \(failure.description)", exitCode: failure.exitCode)
            }
            throw CommandFailure("the backup failed: \(error)")
        }
    }
}

extension Backup {
    /// PostgreSQL: pg_dump's custom format, which reads the whole database in one snapshot
    /// (a repeatable-read transaction), so the dump is consistent while the servers write.
    /// The database is verified first: a broken one is not backed up as if it were sound.
    func dumpPostgres() async throws {
        let target: PostgresToolTarget
        do { target = try PostgresToolTarget(url: db) } catch { throw CommandFailure("\(error)") }
        let (source, close) = try await DatabaseLocation(db).connect(mustExist: true)
        let summary: String
        do { summary = try await Verify.check(source) } catch {
            await close()
            throw CommandFailure("the database does not verify, so it is not backed up: \(error)")
        }
        await close()
        let started = Date()
        let schema = target.schema.map { ["--schema", $0] } ?? []
        try await WholeFile.write(to) { partial in
            try PostgresTools.run("pg_dump", ["--format=custom", "--no-owner", "--file", partial] + schema + target.arguments,
                                  environment: target.environment)
        }
        print("backed up \(target.redacted) to \(to) with pg_dump in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        print(summary)
    }
}

/// PostgreSQL's client tools: found on the PATH or in Debian's versioned directories (newest
/// first, since pg_dump must not be older than the server), run with their output shown.
enum PostgresTools {
    static func path(_ tool: String) throws -> String {
        let fm = FileManager.default
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(tool)" }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted(by: >)
        for candidate in versions.map({ "/usr/lib/postgresql/\($0)/bin/\(tool)" }) + onPath where fm.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw CommandFailure("\(tool) is not installed (apt-get install postgresql-client)")
    }

    static func run(_ tool: String, _ arguments: [String], environment: [String: String]) throws {
        let child = try ChildProcess(try path(tool), arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                     output: .inherit, errors: .capture)
        let ended = child.waitUntilExit()
        guard ended == .init(reason: .exit, status: 0) else {
            let how = ended.reason == .exit ? "exit \(ended.status)" : "signal \(ended.status)"
            throw CommandFailure("\(tool) failed (\(how)): \(child.errorOutput.split(separator: "\n").first ?? "")")
        }
    }
}

/// `gongzhi restore`: a backup made by `gongzhi backup` brought back as a new SQLite file, or
/// into an empty PostgreSQL database; checked before and after.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into a new SQLite file or an empty PostgreSQL database, and verify it.",
        discussion: """
            The backup is verified first and is never changed. The target must be new: a SQLite file that does not exist, or \
            a PostgreSQL database (or ?schema=NAME) without Gongzhi's data. Stop the servers of the old database, restore, \
            then point the servers at the restored one.
            """)

    @Option(help: "The backup file written by gongzhi backup.")
    var from: String

    @Option(help: "The new database: a SQLite file that does not exist yet, or a postgres:// URL.")
    var db: String

    func run() async throws {
        guard FileManager.default.fileExists(atPath: from) else { throw CommandFailure("no backup at \(from)") }
        let header = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: from)).read(upToCount: 16)) ?? Data()
        if header.starts(with: Data("PGDMP".utf8)) { return try await restorePostgres() }
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw CommandFailure("\(from) is not a backup made by gongzhi backup (neither a SQLite file nor a pg_dump archive)")
        }
        let backup: SQLiteDatabase
        do { backup = try GongzhiDatabase.readOnly(path: from) } catch { throw CommandFailure("\(error)") }
        switch DatabaseLocation(db) {
        case .sqlite(let path):
            guard !FileManager.default.fileExists(atPath: path) else { throw CommandFailure("\(path) exists; restore into a new file") }
            let before: String
            do { before = try await Verify.check(backup) } catch {
                throw CommandFailure("the backup does not verify, so it is not restored: \(error)")
            }
            try await WholeFile.write(path) { partial in try SQLiteCopy.copy(from: backup.reader, to: partial) }
            // Opened as the server opens it: WAL, synchronous=FULL, migrated to this version.
            let restored = try GongzhiDatabase(path: path)
            let after = try await Verify.check(restored.sql)
            print("restored \(from) to \(path)")
            print(after == before ? after : "\(after) (the backup: \(before); migrated to this version)")
        case .postgres:
            try await MigrateStore.parse(["--from", from, "--to", db]).copy(from: backup)
        }
    }
}

/// A file that appears whole or not at all: `body` writes (and may check) `PATH.partial`, which
/// then takes the name; on any error the partial file is removed and nothing has the name.
enum WholeFile {
    static func write(_ path: String, _ body: (String) async throws -> Void) async throws {
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try await body(partial)
            try FileManager.default.moveItem(atPath: partial, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}

/// A whole SQLite database copied with SQLite's backup API, as one snapshot.
enum SQLiteCopy {
    static func copy(from source: any DatabaseReader, to path: String) throws {
        let target = try DatabaseQueue(path: path)
        try source.backup(to: target)
        // The copy stands alone: no write-ahead log beside it.
        try target.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        try target.close()
    }
}

extension Restore {
    /// A pg_dump archive into an empty PostgreSQL database: pg_restore stops at the first error
    /// (a schema or table already there), then the restored database is verified.
    func restorePostgres() async throws {
        guard case .postgres = DatabaseLocation(db) else {
            throw CommandFailure("\(from) is a pg_dump archive: restore it into a postgres:// database")
        }
        let target: PostgresToolTarget
        do { target = try PostgresToolTarget(url: db) } catch { throw CommandFailure("\(error)") }
        try PostgresTools.run("pg_restore", ["--no-owner", "--exit-on-error"] + target.arguments + [from], environment: target.environment)
        let (restored, close) = try await DatabaseLocation(db).connect(mustExist: true)
        do {
            let summary = try await Verify.check(restored)
            await close()
            print("restored \(from) to \(target.redacted)")
            print(summary)
        } catch {
            await close()
            throw error
        }
    }
}
