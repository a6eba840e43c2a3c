import ArgumentParser
import GongzhiSQLite
import GongzhiStore
import GRDB

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every case's history chain and that each case row matches its history.",
        discussion: "Exits 0 when intact; otherwise prints the first broken event and exits 3.")

    @Option(help: "SQLite database file.")
    var db = "./gongzhi.sqlite"

    func run() async throws {
        // Read-only and without migrating: verify never changes what it checks.
        let reader: DatabaseQueue
        do { reader = try GongzhiDatabase.readOnly(path: db) } catch { throw CommandFailure("\(error)") }
        let report = try await ChainVerifier(reader: reader).verify()
        if let broken = report.firstBreak {
            throw CommandFailure("BROKEN: \(broken) (checked \(report.casesChecked) cases, \(report.eventsChecked) events before it)", exitCode: 3)
        }
        let (audit, entries) = try await reader.read { db in
            (try AuditLog.verify(db), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log") ?? 0)
        }
        if let (seq, problem) = audit {
            throw CommandFailure("BROKEN: audit log entry #\(seq): \(problem)", exitCode: 3)
        }
        print("ok: \(report.casesChecked) cases, \(report.eventsChecked) events, \(entries) audit entries; every history chain is intact and matches its case")
    }
}
