import Foundation
import GongzhiCore
import GRDB
import GongzhiStore

/// Checks every case's history: the hash chain event by event, then that replaying the
/// history gives the stored case row. Streams events in key order, so memory stays flat.
public struct ChainVerifier: Sendable {
    let reader: any DatabaseReader

    public init(database: GongzhiDatabase) { reader = database.pool }

    /// Checks a database opened read-only (`GongzhiDatabase.readOnly`).
    public init(reader: any DatabaseReader) { self.reader = reader }

    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public var caseID: Int64
        /// nil when the problem is the case row itself.
        public var seq: Int?
        public var problem: EventChain.Break

        public var description: String {
            if let seq { return "case \(caseID) event #\(seq): \(problem)" }
            return "case \(caseID): \(problem)"
        }
    }

    public struct Report: Sendable {
        public var casesChecked = 0
        public var eventsChecked = 0
        /// The first broken event or case in (case id, seq) order; nil when all is intact.
        public var firstBreak: Finding?
        public var isIntact: Bool { firstBreak == nil }
    }

    public func verify() async throws -> Report {
        try await reader.read { db in
            var report = Report()
            // Case ids come from AUTOINCREMENT and cases are never deleted: a gap is a deleted case.
            var expectedID: Int64 = 1
            // A file from before `v3-disputed` (verify never migrates) lacks the column: nothing to compare.
            let present = Set(try db.columns(in: "cases").map(\.name))
            let legacy = !present.contains("disputed")
            let columns = CaseRows.caseColumns(present: present)
            let caseRows = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM cases ORDER BY id")
            let events = try Row.fetchCursor(db, sql: "SELECT * FROM case_events ORDER BY case_id, seq")
            var pendingEvent: Row? = try events.next()
            // Each case's report counts against its reports list (a file from before the list has none).
            let counts = try db.tableExists("reports") ? try Row.fetchCursor(db, sql: """
                SELECT case_id, source, COUNT(*) AS n FROM reports WHERE case_id IS NOT NULL GROUP BY case_id, source ORDER BY case_id, source
                """) : nil
            var pendingCount: Row? = try counts?.next()
            while let caseRow = try caseRows.next() {
                let id: Int64 = caseRow["id"]
                if id != expectedID {
                    report.firstBreak = Finding(caseID: expectedID, seq: nil, problem: .undecodable("its case row is missing (deleted)"))
                    return report
                }
                expectedID += 1
                var stored: CaseRecord
                do { stored = try CaseRows.record(caseRow) } catch {
                    report.firstBreak = Finding(caseID: id, seq: nil, problem: .undecodable("the case row is not readable: \(error)"))
                    return report
                }
                report.casesChecked += 1
                // Events of cases that no longer exist sort before this case.
                if let row = pendingEvent, (row["case_id"] as Int64) < stored.id {
                    report.firstBreak = Finding(caseID: row["case_id"], seq: row["seq"], problem: .undecodable("its case row is missing"))
                    return report
                }
                var history: [CaseEvent] = []
                var prev = EventChain.genesis
                while let row = pendingEvent, (row["case_id"] as Int64) == stored.id {
                    let seq: Int = row["seq"]
                    let recomputed = EventChain.digest(
                        caseID: stored.id, seq: seq, action: row["action"], actorID: row["actor"], actorUnit: row["actor_unit"],
                        atMillis: row["at"], from: row["from_status"], to: row["to_status"], payloadJSON: row["payload"], prevHash: row["prev_hash"])
                    let problem: EventChain.Break? =
                        seq != history.count ? .sequenceGap(expected: history.count, found: seq)
                        : (row["prev_hash"] as String) != prev ? .prevHashMismatch
                        : recomputed != (row["hash"] as String) ? .hashMismatch
                        // The hash reads a missing unit and an empty one alike; the store writes only NULL.
                        : (row["actor_unit"] as String?) == "" ? .undecodable(Self.emptyActorUnit) : nil
                    if let problem {
                        report.firstBreak = Finding(caseID: stored.id, seq: seq, problem: problem)
                        return report
                    }
                    do { history.append(try CaseRows.event(row)) } catch {
                        report.firstBreak = Finding(caseID: stored.id, seq: seq, problem: .undecodable("\(error)"))
                        return report
                    }
                    prev = row["hash"]
                    report.eventsChecked += 1
                    pendingEvent = try events.next()
                }
                var replayed = CaseMachine.replay(history)
                if legacy, let r = replayed { stored.disputed = r.disputed }
                replayed?.tally = stored.tally  // not from events: checked against the reports below
                if let mismatch = Self.compare(stored, replayed) {
                    report.firstBreak = Finding(caseID: stored.id, seq: nil, problem: .projectionMismatch(mismatch))
                    return report
                }
                guard counts != nil else { continue }
                var listed: [ReportSource: Int] = [:]
                while let row = pendingCount, (row["case_id"] as Int64) <= stored.id {
                    if (row["case_id"] as Int64) == stored.id, let source = ReportSource(rawValue: row["source"]) { listed[source] = row["n"] }
                    pendingCount = try counts?.next()
                }
                if listed != stored.tally.bySource.filter({ $0.value > 0 }) {
                    report.firstBreak = Finding(caseID: stored.id, seq: nil, problem: .projectionMismatch("report counts"))
                    return report
                }
            }
            if let row = pendingEvent {
                report.firstBreak = Finding(caseID: row["case_id"], seq: row["seq"], problem: .undecodable("its case row is missing"))
                return report
            }
            let issued = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'cases'") ?? 0
            if issued >= expectedID {
                report.firstBreak = Finding(caseID: expectedID, seq: nil, problem: .undecodable("its case row is missing (deleted)"))
            }
            return report
        }
    }

    static let emptyActorUnit = "its actor unit is empty, which the store never writes: the row was edited"

    /// The first field of the stored row that differs from the replayed history.
    static func compare(_ stored: CaseRecord, _ replayed: CaseRecord?) -> String? {
        guard var r = replayed else { return "history (it does not start with a report)" }
        // The stored row's report carries the current category; the replay's the original one.
        r.report.category = stored.report.category
        let checks: [(String, Bool)] = [
            ("tracking_code", r.trackingCode == stored.trackingCode), ("status", r.status == stored.status),
            ("report", r.report == stored.report), ("category", r.category == stored.category), ("unit", r.unit == stored.unit),
            ("due_at", r.dueAt == stored.dueAt), ("warn_at", r.warnAt == stored.warnAt),
            ("timer marks", r.warned == stored.warned && r.overdueMarked == stored.overdueMarked), ("rule_id", r.ruleID == stored.ruleID),
            ("created_at", r.createdAt == stored.createdAt),
            ("updated_at", r.updatedAt == stored.updatedAt), ("closed_at", r.closedAt == stored.closedAt),
            ("counters", (r.reworkCount, r.returnCount, r.escalationCount, r.supervisionCount, r.reopenCount)
                == (stored.reworkCount, stored.returnCount, stored.escalationCount, stored.supervisionCount, stored.reopenCount)),
            ("event_count", r.eventCount == stored.eventCount), ("last_hash", r.lastHash == stored.lastHash),
            ("last_return", r.lastReturn == stored.lastReturn), ("disputed", r.disputed == stored.disputed),
            ("row", r == stored),  // anything the list above does not name
        ]
        return checks.first { !$0.1 }?.0
    }
}
