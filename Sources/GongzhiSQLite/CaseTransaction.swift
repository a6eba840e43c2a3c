import Foundation
import GongzhiCore
import GRDB
import GongzhiStore

/// Case operations inside one open write transaction. The store wraps single commands in
/// their own transaction; bulk loaders (demo data, imports) run many in one.
public struct CaseTransaction {
    let db: Database
    let context: CaseContext
    let faults: FaultInjector?

    /// See `CaseStore.create`.
    public func create(_ report: Report, actor: Actor, at: Date) throws -> (record: CaseRecord, created: Bool) {
        if let seen = try ReportRows.find(source: report.source, externalID: report.externalID, db), let id = seen.caseID,
           let record = try find(id: id) {
            return (record, false)
        }
        return (try open(report, actor: actor, at: at).record, true)
    }

    /// Opens a case for a report that is new, with its first report row.
    func open(_ report: Report, actor: Actor, at: Date) throws -> (record: CaseRecord, reportID: Int64) {
        let at = Timestamp.date(millis: Timestamp.millis(at))
        var record = CaseRecord(id: 0, trackingCode: "", report: report, createdAt: at)
        // A clash of 60-bit random codes is astronomically rare; retry rather than assume.
        for attempt in 1...5 {
            record.trackingCode = TrackingCode.make()
            do {
                record.id = try CaseRows.insertCase(record, db)
                break
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && attempt < 5
                && (error.message ?? "").contains("tracking_code") {
                continue
            }
        }
        let event = EventChain.seal(CaseMachine.open(report: report, trackingCode: record.trackingCode), caseID: record.id, seq: 0,
                                    prevHash: EventChain.genesis, actor: actor, at: at)
        let opened = CaseMachine.apply(event, to: record)
        // The row was inserted with everything the opening event sets but its chain: only the
        // columns no index covers change, so opening a case writes each index entry once.
        try CaseRows.insertEvent(event, db)
        try faults?(.afterEventInsert)
        try db.cachedStatement(sql: "UPDATE cases SET event_count = ?, last_hash = ? WHERE id = ?")
            .execute(arguments: [opened.eventCount, opened.lastHash, opened.id])
        try faults?(.afterProjectionUpdate)
        let reportID = try ReportRows.insert(report, caseID: opened.id, state: nil, outcome: .opened, at: at, db)
        return (opened, reportID)
    }

    /// See `CaseStore.perform`.
    public func perform(_ command: CaseCommand, on id: Int64, actor: Actor, at: Date,
                        authorize: (CaseRecord) throws -> Void = { _ in }) throws -> CaseRecord {
        guard let current = try find(id: id) else { throw StoreError.caseNotFound(id) }
        try authorize(current)
        // A clock that jumped back (NTP, a replaced server) must not make history run backwards.
        let at = max(at, current.updatedAt)
        let drafts = try CaseMachine.decide(current, command, at: at, context: context)
        var record = current
        var events: [CaseEvent] = []
        for draft in drafts {
            let e = EventChain.seal(draft, caseID: id, seq: record.eventCount, prevHash: record.lastHash, actor: actor, at: at)
            record = CaseMachine.apply(e, to: record)
            events.append(e)
        }
        try append(events, to: record, from: current)
        if command.action == .merge || command.action == .unmerge {
            return try linkMerge(command.action, duplicate: record, target: command.otherCase ?? current.mergedInto, actor: actor, at: at,
                                 authorize: authorize)
        }
        return record
    }

    /// The other half of a merge, in the same transaction: the case merged into records it
    /// (absorb, or release when undone), and the duplicate's reports move to it (or back).
    private func linkMerge(_ action: CaseAction, duplicate: CaseRecord, target: Int64?, actor: Actor, at: Date,
                           authorize: (CaseRecord) throws -> Void) throws -> CaseRecord {
        guard let targetID = target, let other = try find(id: targetID) else {
            throw CaseError.invalid(FieldError(field: "into", code: "unknown_case", message: "case \(target.map(String.init) ?? "?") does not exist"))
        }
        try authorize(other)
        _ = try perform(CaseCommand(action == .merge ? .absorb : .release, otherCase: duplicate.id), on: targetID, actor: actor, at: at)
        if action == .merge {
            try db.execute(sql: "UPDATE reports SET case_id = ? WHERE case_id = ?", arguments: [targetID, duplicate.id])
        } else {
            try db.execute(sql: "UPDATE reports SET case_id = ? WHERE case_id = ? AND original_case_id = ?", arguments: [duplicate.id, targetID, duplicate.id])
        }
        try recount(duplicate.id)
        try recount(targetID)
        return try find(id: duplicate.id) ?? duplicate
    }

    /// Sets a case's report tally from its reports list.
    func recount(_ id: Int64) throws {
        var tally = ReportTally(bySource: [:], lastAt: .distantPast)
        for row in try Row.fetchAll(db, sql: "SELECT source, COUNT(*) AS n, MAX(received_at) AS last FROM reports WHERE case_id = ? GROUP BY source",
                                    arguments: [id]) {
            guard let source = ReportSource(rawValue: row["source"]) else { continue }
            tally.bySource[source] = row["n"]
            tally.lastAt = max(tally.lastAt, Timestamp.date(millis: row["last"]))
        }
        try db.execute(sql: "UPDATE cases SET report_sources = ?, last_report_at = COALESCE(?, last_report_at) WHERE id = ?",
                       arguments: [tally.json, tally.bySource.isEmpty ? nil : Timestamp.millis(tally.lastAt), id])
    }

    /// A setting kept in the database (`meta`), e.g. when the demo was loaded.
    public func meta(_ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [key, value])
    }

    public func find(id: Int64) throws -> CaseRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(CaseRows.caseColumns) FROM cases WHERE id = ?"), arguments: [id]).map(CaseRows.record)
    }

    /// Events first, then the projection: a fault between them must leave neither.
    private func append(_ events: [CaseEvent], to record: CaseRecord, from old: CaseRecord) throws {
        for e in events {
            try CaseRows.insertEvent(e, db)
            try faults?(.afterEventInsert)
        }
        try CaseRows.updateProjection(record, from: old, db)
        try faults?(.afterProjectionUpdate)
    }
}
