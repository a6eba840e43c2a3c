import ArgumentParser
import Foundation
import GongzhiCore
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

    @Option(help: ArgumentHelp("An anchor file: checked when it exists, then written anew with the heads of every chain.",
                               discussion: "A history rewritten and re-hashed since the anchor is BROKEN. Keep anchors off the database's machine."))
    var anchor: String?

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
            if let anchor { try await Self.anchor(reader, file: anchor) }
            await close()
        } catch {
            await close()
            throw error
        }
    }

    /// Checks the database against the anchor in `file` (if there is one), then writes the
    /// heads of every chain now to it: each run both checks the last anchor and takes the next.
    static func anchor(_ reader: any SQLDatabase, file: String) async throws {
        if FileManager.default.fileExists(atPath: file) {
            let previous: ChainAnchor
            do { previous = try ChainAnchor(text: try String(contentsOfFile: file, encoding: .utf8)) } catch {
                throw CommandFailure("cannot use the anchor \(file): \(error)")
            }
            let differences = try await previous.differences(in: reader)
            guard differences.isEmpty else {
                throw CommandFailure("BROKEN: against the anchor of \(Timestamp.rfc3339(previous.madeAt)): "
                                     + differences.joined(separator: "; "), exitCode: 3)
            }
            print("ok: the \(previous.cases.count) case chains and the audit log anchored at \(Timestamp.rfc3339(previous.madeAt)) are unchanged")
        }
        let now = try await ChainAnchor.take(reader, at: Date())
        do { try now.text.write(toFile: file, atomically: true, encoding: .utf8) } catch {
            throw CommandFailure("cannot write the anchor \(file): \(error)")
        }
        print("anchored \(now.cases.count) case chains and the audit log to \(file) (digest \(now.digest))")
    }

    /// The one-line summary of an intact database, or a failure naming the first break.
    static func check(_ reader: any SQLDatabase) async throws -> String {
        // The statistics are recomputed with the calendar they were built with (its office hours
        // are stored with them); a calendar that changed since is reported, not checked.
        var calendar: WorkingCalendar? = nil, note = ""
        if (try? await reader.read({ try $0.columns(of: "case_facts") }))?.isEmpty == false {
            if let built = try await StatisticsBuild.builtWith(reader), let hours = WorkingCalendar.OfficeHours(parsing: built.officeHours) {
                let candidate = try ReferenceData.bundledCalendar(officeHours: hours)
                if candidate.fingerprint == built.fingerprint { calendar = candidate } else {
                    note = "; statistics not checked: built with another holiday calendar (gongzhi serve rebuilds them)"
                }
            } else {
                note = "; statistics not built yet (gongzhi serve builds them)"
            }
        }
        let report = try await ChainVerifier(db: reader, calendar: calendar).verify()
        if let broken = report.firstBreak {
            throw CommandFailure("BROKEN: \(broken) (checked \(report.casesChecked) cases, \(report.eventsChecked) events before it)", exitCode: 3)
        }
        if let problem = report.statistics {
            throw CommandFailure("BROKEN: statistics: \(problem)", exitCode: 3)
        }
        let (audit, entries) = try await reader.read { db in
            (try AuditLog.verify(db), try db.scalar("SELECT COUNT(*) FROM audit_log", as: Int.self) ?? 0)
        }
        if let (seq, problem) = audit {
            throw CommandFailure("BROKEN: audit log entry #\(seq): \(problem)", exitCode: 3)
        }
        // Work plans: each plan's chain, and the rows its events wrote.
        var plans = ""
        if (try? await reader.read({ try $0.columns(of: "plan_events") }))?.isEmpty == false {
            let store = SQLPlanStore(db: reader)
            let ids = try await store.plans().map(\.id)
            for id in ids {
                if let problem = try await store.verify(plan: id) { throw CommandFailure("BROKEN: plan \(id): \(problem)", exitCode: 3) }
            }
            let events = try await reader.read { try $0.scalar("SELECT COUNT(*) FROM plan_events", as: Int.self) ?? 0 }
            if !ids.isEmpty { plans = "; \(ids.count) plan\(ids.count == 1 ? "" : "s") with \(events) events intact" }
        }
        // The dispute and petition centre: each matter's chain, and its row against the fold of its events.
        var centre = ""
        if (try? await reader.read({ try $0.columns(of: "centre_events") }))?.isEmpty == false {
            let (matters, problem) = try await SQLCentreStore(db: reader).verify()
            if let problem { throw CommandFailure("BROKEN: \(problem)", exitCode: 3) }
            if matters > 0 { centre = "; \(matters) centre matter\(matters == 1 ? "" : "s") (disputes, petitions) intact and equal to their events" }
        }
        return "ok: \(report.casesChecked) cases, \(report.eventsChecked) events, \(entries) audit entries; "
            + "every history chain is intact and matches its case"
            + (report.statisticsChecked ? "; the statistics equal a recomputation" : note) + plans + centre
    }
}
