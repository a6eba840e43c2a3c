import ArgumentParser
import Foundation
import GongzhiSQL
import GongzhiSQLite
import GRDB

/// `gongzhi backup`: an online, consistent copy of a serving SQLite database. SQLite's backup
/// API copies every page inside one read transaction of the WAL database, so the copy is the
/// database as of one commit, whatever the server writes meanwhile; it is verified before it
/// takes its name.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a SQLite database while it serves, verify the copy, and write it to a new file.",
        discussion: """
            The copy is consistent (one snapshot) and checked like `gongzhi verify` before it is named FILE; FILE must not \
            exist. For PostgreSQL use pg_dump (see the README's "Backup and restore").
            """)

    @Option(help: "The SQLite database to copy.")
    var db = DatabaseLocation.fromEnvironment

    @Option(help: "The backup file to write (must not exist).")
    var to: String

    func run() async throws {
        guard case .sqlite(let path) = DatabaseLocation(db) else {
            throw CommandFailure("gongzhi backup copies SQLite files; back PostgreSQL up with pg_dump --format=custom (see the README)")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure("no database at \(path)") }
        guard !FileManager.default.fileExists(atPath: to) else { throw CommandFailure("\(to) exists; choose a new file") }
        let partial = to + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            // Read-only and without migrating: a backup never changes what it copies.
            let source = try GongzhiDatabase.readOnly(path: path)
            let started = Date()
            try SQLiteCopy.copy(from: source.reader, to: partial)
            let summary = try await Verify.check(try GongzhiDatabase.readOnly(path: partial))
            try FileManager.default.moveItem(atPath: partial, toPath: to)
            print("backed up \(path) to \(to) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            print(summary)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            if let failure = error as? CommandFailure { throw CommandFailure("the backup failed: \(failure.description)", exitCode: failure.exitCode) }
            throw CommandFailure("the backup failed: \(error)")
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
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw CommandFailure("\(from) is not a backup made by gongzhi backup (not a SQLite file)")
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
            let partial = path + ".partial"
            try? FileManager.default.removeItem(atPath: partial)
            do {
                try SQLiteCopy.copy(from: backup.reader, to: partial)
                try FileManager.default.moveItem(atPath: partial, toPath: path)
                // Opened as the server opens it: WAL, synchronous=FULL, migrated to this version.
                let restored = try GongzhiDatabase(path: path)
                let after = try await Verify.check(restored.sql)
                print("restored \(from) to \(path)")
                print(after == before ? after : "\(after) (the backup: \(before); migrated to this version)")
            } catch {
                try? FileManager.default.removeItem(atPath: partial)
                throw error
            }
        case .postgres:
            try await MigrateStore.parse(["--from", from, "--to", db]).copy(from: backup)
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
