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
    /// The calendar the statistics were computed with: with it, each case's stored facts and
    /// the daily sums are checked against a recomputation from the histories too.
    let calendar: WorkingCalendar?

    public init(db: any SQLDatabase, page: Int = 500, calendar: WorkingCalendar? = nil) {
        self.db = db
        self.page = page
        self.calendar = calendar
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
        /// What is wrong with the statistics (facts or sums that differ from a recomputation).
        public var statistics: String?
        /// Whether the statistics were checked (a calendar was given and the tables exist).
        public var statisticsChecked = false
        public var isIntact: Bool { firstBreak == nil && statistics == nil }
    }

    public func verify() async throws -> Report {
        let page = page, calendar = calendar
        return try await db.read { db in
            var report = Report()
            // Statistics are checked when a calendar is given and the file has them.
            let statsCalendar = try db.columns(of: "case_facts").isEmpty ? nil : calendar
            var sums: [FactKey: Counts] = [:]
            report.statisticsChecked = statsCalendar != nil
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
                let storedFacts = statsCalendar == nil ? [:] : try FactRows.facts(from: lo, through: hi, db)
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
                    if let statsCalendar, report.statistics == nil {
                        let facts = CaseFacts.facts(history: history, calendar: statsCalendar)
                        if facts.sorted(by: { $0.key < $1.key }) != (storedFacts[id] ?? []).sorted(by: { $0.key < $1.key }) {
                            report.statistics = "case \(id): its stored statistics facts differ from what its history gives"
                        }
                        for f in facts { FactRows.accumulate(f, into: &sums) }
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
            if statsCalendar != nil, report.statistics == nil {
                let stored = try FactRows.sums(db)
                let recomputed = sums.filter { !$0.value.isZero }
                if let key = Set(stored.keys).union(recomputed.keys).sorted().first(where: { stored[$0] != recomputed[$0] }) {
                    report.statistics = "the daily sums differ from a recomputation (day \(key.day), kind \(key.kind), unit '\(key.unit)', "
                        + "category '\(key.category)', grid '\(key.grid)')"
                }
            }
            return report
        }
    }
}
