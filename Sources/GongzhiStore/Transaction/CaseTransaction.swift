import Foundation
import GongzhiCore

/// Case operations inside one open write transaction, on either backend. The store wraps
/// single commands in their own transaction; bulk loaders (demo data, imports) run many in one.
public struct CaseTransaction {
    public let sql: any CaseSQL
    public let context: CaseContext
    let faults: FaultInjector?
    private let unsettled = UnsettledFacts()

    public init(sql: any CaseSQL, context: CaseContext, faults: FaultInjector? = nil) {
        self.sql = sql
        self.context = context
        self.faults = faults
    }

    /// Recomputes the facts of every case the transaction's events changed, once per case, and
    /// adds the difference to the sums. Whoever runs the transaction calls it last, before the
    /// commit: a bulk load performs six steps per case in one transaction, and each
    /// recomputation reads the case's whole history, so doing it per step cost most of the load.
    public func settleFacts() throws {
        for (id, isNew) in unsettled.drain() {
            let facts = CaseFacts.facts(history: try sql.events(of: id), calendar: context.calendar)
            try sql.replaceFacts(of: id, old: isNew ? [] : try sql.facts(of: id), new: facts)
        }
    }

    /// See `CaseStore.create`.
    public func create(_ report: Report, actor: Actor, at: Date) throws -> (record: CaseRecord, created: Bool) {
        if let externalID = report.externalID, let seen = try sql.findReport(source: report.source, externalID: externalID),
           let id = seen.caseID, let record = try find(id: id) {
            return (record, false)
        }
        return (try open(report, actor: actor, at: at).record, true)
    }

    /// Opens a case for a report that is new, with its first report row.
    func open(_ report: Report, actor: Actor, at: Date) throws -> (record: CaseRecord, reportID: Int64) {
        let at = Timestamp.date(millis: Timestamp.millis(at))
        var record = CaseRecord(id: 0, trackingCode: "", report: report, createdAt: at)
        // A clash of 60-bit random codes is astronomically rare; retry rather than assume.
        var inserted: Int64? = nil
        for _ in 1...5 where inserted == nil {
            record.trackingCode = TrackingCode.make()
            inserted = try sql.insertCase(record)
        }
        guard let id = inserted else { throw StoreError.conflict("no free tracking code after 5 attempts") }
        record.id = id
        let (opened, event) = CaseMachine.opening(record, actor: actor, at: at)
        // The row was inserted with everything the opening event sets but its chain: only the
        // columns no index covers change, so opening a case writes each index entry once.
        try sql.insertEvent(event)
        try faults?(.afterEventInsert)
        try sql.setChain(of: opened.id, eventCount: opened.eventCount, lastHash: opened.lastHash)
        try faults?(.afterProjectionUpdate)
        let reportID = try sql.insertReport(report, caseID: opened.id, state: nil, outcome: .opened, at: at)
        unsettled.add(opened.id, isNew: true)
        return (opened, reportID)
    }

    /// See `CaseStore.perform`. The case row is locked first, so concurrent commands on one
    /// case, from any instance, apply one after the other to the state the previous one left.
    public func perform(_ command: CaseCommand, on id: Int64, actor: Actor, at: Date,
                        authorize: (CaseRecord) throws -> Void = { _ in }) throws -> CaseRecord {
        guard let current = try sql.findCase(id: id, lock: true) else { throw StoreError.caseNotFound(id) }
        try authorize(current)
        // A joint case waits for every unit's part (or the lead's closing the rest).
        if command.action == .handle {
            let pending = try sql.pendingJointParts(of: id)
            if pending > 0 { throw CaseError.jointPartsPending(pending) }
        }
        // A clock that jumped back (NTP, a replaced server) must not make history run backwards.
        let at = max(at, current.updatedAt)
        let (record, events) = try CaseMachine.step(current, command, actor: actor, at: at, context: context)
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
        guard let targetID = target, let other = try sql.findCase(id: targetID, lock: true) else {
            let id = target.map(String.init) ?? "?"
            throw CaseError.invalid(FieldError(field: "into", code: "unknown_case", message: "case \(id) does not exist"))
        }
        try authorize(other)
        _ = try perform(CaseCommand(action == .merge ? .absorb : .release, otherCase: duplicate.id), on: targetID, actor: actor, at: at)
        try sql.moveReports(of: duplicate.id, target: targetID, back: action != .merge)
        try recount(duplicate.id)
        try recount(targetID)
        return try find(id: duplicate.id) ?? duplicate
    }

    /// Sets a case's report tally from its reports list.
    func recount(_ id: Int64) throws {
        try sql.setTally(of: id, try sql.countReports(of: id))
    }

    /// A setting kept in the database (`meta`), e.g. when the demo was loaded.
    public func meta(_ key: String) throws -> String? { try sql.meta(key) }

    public func setMeta(_ key: String, _ value: String) throws { try sql.setMeta(key, value) }

    public func find(id: Int64) throws -> CaseRecord? { try sql.findCase(id: id, lock: false) }

    /// Events first, then the projection: a fault between them must leave neither.
    private func append(_ events: [CaseEvent], to record: CaseRecord, from old: CaseRecord) throws {
        for e in events {
            try sql.insertEvent(e)
            try faults?(.afterEventInsert)
        }
        try sql.updateProjection(record, from: old)
        try faults?(.afterProjectionUpdate)
        if events.contains(where: { CaseFacts.changes(after: $0.action) }) {
            unsettled.add(record.id, isNew: false)
        }
    }
}

/// The cases whose facts wait for `settleFacts`, in the order they were first touched, each
/// marked new when the transaction opened it (it has no stored facts to take away yet).
private final class UnsettledFacts {
    private var order: [Int64] = []
    private var isNew: [Int64: Bool] = [:]

    func add(_ id: Int64, isNew new: Bool) {
        if isNew[id] == nil { order.append(id) }
        isNew[id] = (isNew[id] ?? false) || new
    }

    func drain() -> [(Int64, Bool)] {
        defer { order = []; isNew = [:] }
        return order.map { ($0, isNew[$0]!) }
    }
}
