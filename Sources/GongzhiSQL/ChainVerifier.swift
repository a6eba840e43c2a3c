import Foundation
import GongzhiCore
import GongzhiStore

/// Checks every case's history: the hash chain event by event, then that replaying the
/// history gives the stored case row, and that its report counts match its reports list. Reads
/// a page of cases at a time with their events, in one read snapshot, so memory stays flat
/// whatever the size; the judging is `HistoryCheck`'s, the same on both backends.
public struct ChainVerifier: Sendable {
    let db: any SQLDatabase
    /// Cases read per page.
    let page: Int

    public init(db: any SQLDatabase, page: Int = 500) {
        self.db = db
        self.page = page
    }

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
        let page = page
        return try await db.read { db in
            var report = Report()
            // A file from before `v3-disputed` (verify never migrates) lacks the column: nothing to compare.
            let present = try db.columns(of: "cases")
            let legacy = !present.contains("disputed")
            let columns = CaseRows.caseColumns(present: present)
            // Each case's report counts against its reports list (a file from before the list has none).
            let hasReports = !(try db.columns(of: "reports")).isEmpty
            // Case ids come from a sequence and cases are never deleted: a gap is a deleted case.
            var expectedID: Int64 = 1
            var after = Int64.min  // events of a case 0 or below are orphans too
            while true {
                let rows = try db.query("SELECT \(columns) FROM cases WHERE id > ? ORDER BY id LIMIT ?", after, page)
                // The last page's range runs to the end, so events after the last case show as orphans.
                let lo = after, hi: Int64 = rows.count == page ? rows[rows.count - 1][0] : Int64.max
                // Events and counts of the page's id range; those of missing cases show as orphans.
                let events = try db.query("SELECT * FROM case_events WHERE case_id > ? AND case_id <= ? ORDER BY case_id, seq", lo, hi)
                let counts = hasReports ? try db.query("""
                    SELECT case_id, source, COUNT(*) AS n FROM reports WHERE case_id > ? AND case_id <= ? GROUP BY case_id, source
                    """, lo, hi) : []
                var listed: [Int64: [ReportSource: Int]] = [:]
                for row in counts {
                    if let source = ReportSource(rawValue: row["source"]) { listed[row["case_id"], default: [:]][source] = row["n"] }
                }
                var next = events.startIndex
                for caseRow in rows {
                    let id: Int64 = caseRow[0]
                    if id != expectedID {
                        report.firstBreak = Finding(caseID: expectedID, seq: nil, problem: .undecodable("its case row is missing (deleted)"))
                        return report
                    }
                    expectedID += 1
                    if next < events.endIndex, let orphan: Int64 = try? events[next].decode("case_id"), orphan < id {
                        report.firstBreak = Finding(caseID: orphan, seq: events[next]["seq"], problem: .undecodable("its case row is missing"))
                        return report
                    }
                    var stored: CaseRecord
                    do { stored = try CaseRows.record(caseRow) } catch {
                        report.firstBreak = Finding(caseID: id, seq: nil, problem: .undecodable("the case row is not readable: \(error)"))
                        return report
                    }
                    report.casesChecked += 1
                    var history: [CaseEvent] = []
                    var prev = EventChain.genesis
                    while next < events.endIndex, (events[next]["case_id"] as Int64) == id {
                        let e: HistoryCheck.StoredEvent
                        do { e = try CaseRows.storedEvent(events[next]) } catch {
                            report.firstBreak = Finding(caseID: id, seq: events[next]["seq"], problem: .undecodable("\(error)"))
                            return report
                        }
                        if let problem = HistoryCheck.link(e, expectedSeq: history.count, prev: prev) {
                            report.firstBreak = Finding(caseID: id, seq: e.seq, problem: problem)
                            return report
                        }
                        switch Result(catching: { () throws(EventChain.Break) in try HistoryCheck.decode(e) }) {
                        case .success(let event): history.append(event)
                        case .failure(let problem):
                            report.firstBreak = Finding(caseID: id, seq: e.seq, problem: problem)
                            return report
                        }
                        prev = e.hash
                        report.eventsChecked += 1
                        next += 1
                    }
                    var replayed = CaseMachine.replay(history)
                    if legacy, let r = replayed { stored.disputed = r.disputed }
                    replayed?.tally = stored.tally  // not from events: checked against the reports below
                    if let mismatch = HistoryCheck.compare(stored, replayed) {
                        report.firstBreak = Finding(caseID: id, seq: nil, problem: .projectionMismatch(mismatch))
                        return report
                    }
                    if hasReports, listed[id] ?? [:] != stored.tally.bySource.filter({ $0.value > 0 }) {
                        report.firstBreak = Finding(caseID: id, seq: nil, problem: .projectionMismatch("report counts"))
                        return report
                    }
                }
                if next < events.endIndex {
                    let row = events[next]
                    report.firstBreak = Finding(caseID: row["case_id"], seq: row["seq"], problem: .undecodable("its case row is missing"))
                    return report
                }
                guard rows.count == page, let last = rows.last else { break }
                after = last[0]
            }
            if try db.lastIssuedID(of: "cases") >= expectedID {
                report.firstBreak = Finding(caseID: expectedID, seq: nil, problem: .undecodable("its case row is missing (deleted)"))
            }
            return report
        }
    }
}
