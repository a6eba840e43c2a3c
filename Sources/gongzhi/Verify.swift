import ArgumentParser
import GongzhiPostgres
import GongzhiSQL
import GongzhiSQLite
import GongzhiStore

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every case's history chain and that each case row matches its history.",
        discussion: "Exits 0 when intact; otherwise prints the first broken event and exits 3.")

    @Option(help: DatabaseLocation.help)
    var db = DatabaseLocation.fromEnvironment

    func run() async throws {
        // A SQLite file is opened read-only and without migrating: verify never changes what it checks.
        let reader: any SQLDatabase, close: @Sendable () async -> Void
        switch DatabaseLocation(db) {
        case .sqlite(let path):
            do { reader = try GongzhiDatabase.readOnly(path: path) } catch { throw CommandFailure("\(error)") }
            close = {}
        case .postgres:
            (reader, close) = try await DatabaseLocation(db).connect(mustExist: true)
        }
        do {
            print(try await Self.check(reader))
            await close()
        } catch {
            await close()
            throw error
        }
    }

    /// The one-line summary of an intact database, or a failure naming the first break.
    static func check(_ reader: any SQLDatabase) async throws -> String {
        let report = try await ChainVerifier(db: reader).verify()
        if let broken = report.firstBreak {
            throw CommandFailure("BROKEN: \(broken) (checked \(report.casesChecked) cases, \(report.eventsChecked) events before it)", exitCode: 3)
        }
        let (audit, entries) = try await reader.read { db in
            (try AuditLog.verify(db), try db.scalar("SELECT COUNT(*) FROM audit_log", as: Int.self) ?? 0)
        }
        if let (seq, problem) = audit {
            throw CommandFailure("BROKEN: audit log entry #\(seq): \(problem)", exitCode: 3)
        }
        return "ok: \(report.casesChecked) cases, \(report.eventsChecked) events, \(entries) audit entries; "
            + "every history chain is intact and matches its case"
    }
}
