import Foundation
import GRDB
import GongzhiStore
import GongzhiSQL

/// The embedded SQLite database: a GRDB `DatabasePool` on a file (WAL journal, so readers
/// never wait for the writer), migrated to the current schema on open.
///
/// Acknowledged means durable: the writer runs with `synchronous = FULL`, so every commit is
/// synced to disk before it returns. GRDB sets `NORMAL` when it turns WAL on (after any
/// `prepareDatabase` hook), which can lose the last commits in a power cut; this is set after
/// the pool is open, on the writer, and checked.
public final class GongzhiDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String

    /// Opens an existing database read-only, without migrating: for checking a copy (verify)
    /// without changing it. Throws `StoreError.cannotOpen` when it is not a Gongzhi database.
    public static func readOnly(path: String) throws -> SQLiteDatabase {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.cannotOpen(path: path, reason: "no such file") }
        var config = Configuration()
        config.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            let ok = try queue.read { db in try db.tableExists("cases") && db.tableExists("case_events") }
            guard ok else { throw StoreError.cannotOpen(path: path, reason: "it is not a Gongzhi database") }
            return SQLiteDatabase(reader: queue, location: path)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    /// Opens or creates the database at `path` and migrates it.
    /// Throws `StoreError.cannotOpen` with the reason when the path is not usable.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw StoreError.cannotOpen(path: path, reason: "folder \(dir) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw StoreError.cannotOpen(path: path, reason: "folder \(dir) is not writable")
        }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.label = "gongzhi"
        // Every connection, the readers too, keeps 32 MiB of pages (the writer takes 64 below).
        // At a million cases, a page of fifty cases read with a 2 MiB cache spent a quarter of its
        // time copying the same pages from the kernel again at each request.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -32768") }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // The one writer keeps 64 MiB of pages (SQLite's default is 2 MiB): a case touches
                // a dozen indexes, and with a few hundred thousand cases their pages no longer fit
                // the default cache, so every commit read them back through the kernel.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                guard try Int.fetchOne(db, sql: "PRAGMA synchronous") == 2 else { throw DatabaseError(message: "synchronous = FULL did not take") }
            }
            try Schema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        }
        self.path = path
    }

    /// The database as the backend-neutral stores see it.
    public var sql: SQLiteDatabase { SQLiteDatabase(reader: pool, location: path) }

    /// The writer's `PRAGMA synchronous`: 2 is FULL.
    public var synchronousMode: Int {
        get throws { try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 } }
    }
}
