import Foundation
import GongzhiCore
import GongzhiStore

/// Recomputing the statistics from the histories: on first start after the migration that
/// added them, when the calendar they were computed with changes (office hours count in the
/// handling time), and on demand (`gongzhi stats rebuild`).
public enum StatisticsBuild {
    static let calendarKey = "stats.calendar"
    static let officeHoursKey = "stats.office_hours"
    static let layoutKey = "stats.layout"

    /// The office hours the stored statistics were computed with (nil before the first build).
    public static func builtWith(_ db: any SQLDatabase) async throws -> (fingerprint: String, officeHours: String)? {
        try await db.read { db in
            let rows = try db.query("SELECT key, value FROM meta WHERE key IN (?, ?)", calendarKey, officeHoursKey)
            var found: [String: String] = [:]
            for row in rows { found[row["key"]] = row["value"] as String }
            guard let f = found[calendarKey], let o = found[officeHoursKey] else { return nil }
            return (f, o)
        }
    }

    /// Whether the statistics were computed with this calendar and in this layout (else `rebuild` them).
    public static func isCurrent(_ db: any SQLDatabase, calendar: WorkingCalendar) async throws -> Bool {
        guard try await builtWith(db)?.fingerprint == calendar.fingerprint else { return false }
        return try await db.read { db in
            try db.query("SELECT value FROM meta WHERE key = ?", layoutKey).first.map { $0["value"] as String } == FactRows.layout
        }
    }

    /// Throws the facts and sums away and computes them again from every case's history, in
    /// one transaction (readers see the old figures until it commits). Returns the cases counted.
    @discardableResult
    public static func rebuild(_ db: any SQLDatabase, calendar: WorkingCalendar, page: Int = 1_000,
                               progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        try await db.write { db in
            try db.execute("DELETE FROM case_facts", [])
            try db.execute("DELETE FROM stats_daily", [])
            var sums: [FactKey: Counts] = [:]
            var after: Int64 = 0, cases = 0
            while true {
                let ids: [Int64] = try db.query("SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT ?", after, page).map { $0[0] }
                guard let last = ids.last else { break }
                let events = try db.query("SELECT * FROM case_events WHERE case_id > ? AND case_id <= ? ORDER BY case_id, seq", after, last)
                    .map(CaseRows.event)
                var rows: [(Int64, Fact)] = []
                var start = events.startIndex
                while start < events.endIndex {
                    let id = events[start].caseID
                    var end = start
                    while end < events.endIndex, events[end].caseID == id { end += 1 }
                    for f in CaseFacts.facts(history: Array(events[start..<end]), calendar: calendar) {
                        rows.append((id, f))
                        FactRows.accumulate(f, into: &sums)
                    }
                    start = end
                }
                try FactRows.insert(rows, db)
                cases += ids.count
                after = last
                progress(cases)
            }
            try FactRows.add(sums.filter { !$0.value.isZero }.sorted { $0.key < $1.key }, db)
            let meta = SQLCaseSQL(db: db)
            try meta.setMeta(calendarKey, calendar.fingerprint)
            try meta.setMeta(officeHoursKey, calendar.officeHoursText)
            try meta.setMeta(layoutKey, FactRows.layout)
            return cases
        }
    }
}
