import Foundation
@testable import gongzhi
import GRDB
import Testing

/// `gongzhi backup` of a database that is serving and being written to, and `gongzhi restore`
/// of it: both copies verify, and the backup holds every report acknowledged before it began.
@Suite struct BackupTests {
    @Test func backUpWhileServingUnderLoadAndRestore() async throws {
        let dir = try CLITests.tempDir()
        let db = try await CLITests.newDatabase()
        let key = try CLITests.adminKey(db)
        let backup = dir.appendingPathComponent("backup.sqlite").path, restored = dir.appendingPathComponent("restored.sqlite").path
        var before: [(Int, Int)] = []
        var result = CLITests.Result(status: -1, out: "", err: "")
        _ = try await CLITests.serving(["--db", db, "--no-demo"]) { base in
            let loaders = CrashTests.Loaders(count: 4, port: base.port ?? 0, key: key, first: 0)
            try await Task.sleep(for: .milliseconds(800))
            before = loaders.acknowledged
            result = try CLITests.run(["backup", "--db", db, "--to", backup])
            _ = loaders.stop()
        }
        #expect(result.status == 0 && result.out.contains("backed up"), "\(result.err)")
        #expect(before.count > 10, "the loaders acknowledged too little to prove anything: \(before.count)")
        #expect(try CLITests.run(["verify", "--db", backup]).status == 0)
        let inBackup = try await DatabaseQueue(path: backup).read { db in
            Set(try String.fetchAll(db, sql: "SELECT external_id FROM reports WHERE external_id LIKE 'crash-%'"))
        }
        for (n, _) in before { #expect(inBackup.contains("crash-\(n)"), "report \(n) was acknowledged before the backup began") }
        #expect(!FileManager.default.fileExists(atPath: backup + "-wal"))

        let restore = try CLITests.run(["restore", "--from", backup, "--db", restored])
        #expect(restore.status == 0 && restore.out.contains("restored"), "\(restore.err)")
        #expect(try CLITests.run(["verify", "--db", restored]).status == 0)
        let count = try await DatabaseQueue(path: restored).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM reports") }
        #expect(count == inBackup.count)

        // What must be refused, with a message and a non-zero exit; nothing is overwritten.
        let again = try CLITests.run(["backup", "--db", db, "--to", backup])
        #expect(again.status != 0 && again.err.contains("exists"))
        let over = try CLITests.run(["restore", "--from", backup, "--db", restored])
        #expect(over.status != 0 && over.err.contains("exists"))
        let notABackup = dir.appendingPathComponent("notes.txt").path
        try "not a database".write(toFile: notABackup, atomically: true, encoding: .utf8)
        let wrong = try CLITests.run(["restore", "--from", notABackup, "--db", dir.appendingPathComponent("x.sqlite").path])
        #expect(wrong.status != 0 && wrong.err.contains("not a backup"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.sqlite").path))
        let none = dir.appendingPathComponent("none.sqlite").path
        let missing = try CLITests.run(["backup", "--db", none, "--to", dir.appendingPathComponent("b2").path])
        #expect(missing.status != 0 && missing.err.contains("no database"))
    }
}

/// The same round trip on PostgreSQL: pg_dump of a schema the server filled, pg_restore into a
/// new database, both verified and holding the same cases. Runs when the suite has PostgreSQL.
@Suite struct PostgresBackupTests {
    static let server = ProcessInfo.processInfo.environment["GONGZHI_TEST_POSTGRES"]

    @Test(.enabled(if: server != nil)) func pgDumpAndRestoreRoundTrip() async throws {
        let url = try #require(Self.server).split(separator: "?").first.map(String.init)!
        let c = try #require(URLComponents(string: url))
        let tag = "bk\(UInt32.random(in: 0...UInt32.max))"
        let source = "\(url)?schema=\(tag)"
        _ = try await CLITests.serving(["--db", source, "--demo-cases", "30"]) { _ in }
        let dir = try CLITests.tempDir()
        let file = dir.appendingPathComponent("g.dump").path
        let backup = try CLITests.run(["backup", "--db", source, "--to", file])
        #expect(backup.status == 0 && backup.out.contains("pg_dump"), "\(backup.err)")
        // A new database of the same server, as an operator would make one.
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted(by: >)
        let createdb = try #require((versions.map { "/usr/lib/postgresql/\($0)/bin/createdb" } + ["/usr/bin/createdb"])
            .first { FileManager.default.isExecutableFile(atPath: $0) })
        let made = try ChildProcess(createdb, ["--host", c.host ?? "127.0.0.1", "--port", "\(c.port ?? 5432)",
                                               "--username", c.user ?? "postgres", tag])
        #expect(made.waitUntilExit() == .init(reason: .exit, status: 0), "\(made.errorOutput)")
        var restored = c
        restored.path = "/\(tag)"
        let target = try #require(restored.url?.absoluteString) + "?schema=\(tag)"
        let restore = try CLITests.run(["restore", "--from", file, "--db", target])
        #expect(restore.status == 0 && restore.out.contains("restored"), "\(restore.err)")
        let a = try CLITests.run(["verify", "--db", source]), b = try CLITests.run(["verify", "--db", target])
        #expect(a.status == 0 && b.status == 0 && a.out.split(separator: ",").first == b.out.split(separator: ",").first, "\(a.out) | \(b.out)")
        // Into a database that already holds it: refused by pg_restore, named.
        let again = try CLITests.run(["restore", "--from", file, "--db", target])
        #expect(again.status != 0 && again.err.contains("pg_restore failed"), "\(again.err)")
    }
}
