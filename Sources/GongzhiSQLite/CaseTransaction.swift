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
        if let external = report.externalID,
           let row = try Row.fetchOne(db, sql: "SELECT \(CaseRows.caseColumns) FROM cases WHERE source = ? AND external_id = ?",
                                      arguments: [report.source.rawValue, external]) {
            return (try CaseRows.record(row), false)
        }
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
        try append([event], to: opened)
        return (opened, true)
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
        try append(events, to: record)
        return record
    }

    public func find(id: Int64) throws -> CaseRecord? {
        try Row.fetchOne(db, sql: "SELECT \(CaseRows.caseColumns) FROM cases WHERE id = ?", arguments: [id]).map(CaseRows.record)
    }

    /// Events first, then the projection: a fault between them must leave neither.
    private func append(_ events: [CaseEvent], to record: CaseRecord) throws {
        for e in events {
            try CaseRows.insertEvent(e, db)
            try faults?(.afterEventInsert)
        }
        try CaseRows.updateProjection(record, db)
        try faults?(.afterProjectionUpdate)
    }
}
