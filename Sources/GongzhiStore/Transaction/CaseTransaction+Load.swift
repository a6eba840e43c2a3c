import Foundation
import GongzhiCore

/// A case's whole life known in advance: its report and the commands that follow it. Bulk
/// loads (the benchmarks' generator, a migration of old cases) give many at once.
public struct CaseScript: Sendable {
    public var report: Report
    public var actor: Actor
    public var openedAt: Date
    public var steps: [Step]

    /// A command at a time; with `onlyIf`, skipped unless the case is then in that status (a
    /// routing rule may have dispatched it on registering, say).
    public struct Step: Sendable {
        public var command: CaseCommand
        public var at: Date
        public var onlyIf: CaseStatus?

        public init(_ command: CaseCommand, at: Date, onlyIf: CaseStatus? = nil) {
            self.command = command
            self.at = at
            self.onlyIf = onlyIf
        }

        /// Whether the step is taken when the case is in `status`.
        public func applies(to status: CaseStatus) -> Bool { onlyIf.map { $0 == status } ?? true }
    }

    public init(report: Report, actor: Actor, openedAt: Date, steps: [Step]) {
        self.report = report
        self.actor = actor
        self.openedAt = openedAt
        self.steps = steps
    }
}

/// A bulk load worked out in memory, outside any transaction (`CaseTransaction.prepare`): the
/// cases with the ids and tracking codes they are expected to get, and every row to write.
/// Preparing the next batch while the database writes this one halves a load where both take
/// about as long (PostgreSQL: BENCHMARKS.md, issue 11).
public struct PreparedLoad: Sendable {
    public let scripts: [CaseScript]
    /// The id the first case was prepared with; `load` checks it against the ids it is given.
    public let firstID: Int64
    let codes: [String]
    public let records: [CaseRecord]
    let events: [CaseEvent]
    let reports: [ReportInsert]
    let facts: [(caseID: Int64, fact: Fact)]
}

extension CaseTransaction {
    /// Opens each case and runs its steps. The events are decided, sealed and applied exactly as
    /// `create` and `perform` do, but in memory, with ids handed out for the whole load first:
    /// then each case row is inserted once, whole, and the rows of every table go in multi-row
    /// statements, with the facts' sums added up over the load before a sum row is written.
    /// Through `perform`, a case took about ten statements and a re-read of its row per step,
    /// and its facts a re-read of its history: a million cases took about 30 minutes on SQLite.
    ///
    /// A step the case's state refuses throws, as `perform` would; merges are refused, since
    /// they change another case.
    public func load(_ scripts: [CaseScript]) throws -> [CaseRecord] {
        guard !scripts.isEmpty else { return [] }
        let ids = try sql.reserveCaseIDs(scripts.count)
        return try write(Self.prepare(scripts, firstID: ids.lowerBound, codes: try freeTrackingCodes(scripts.count), context: context))
    }

    /// Writes a load prepared beforehand. When the ids it is handed are not the ones it was
    /// prepared with (another writer came first), or a tracking code is taken, it is prepared
    /// again here with the right ones: the result is the same as `load(prepared.scripts)`.
    public func load(_ prepared: PreparedLoad) throws -> [CaseRecord] {
        guard !prepared.scripts.isEmpty else { return [] }
        let ids = try sql.reserveCaseIDs(prepared.scripts.count)
        let taken = try sql.takenTrackingCodes(prepared.codes)
        if ids.lowerBound == prepared.firstID && taken.isEmpty && Set(prepared.codes).count == prepared.codes.count {
            return try write(prepared)
        }
        let codes = try freeTrackingCodes(prepared.scripts.count)
        return try write(Self.prepare(prepared.scripts, firstID: ids.lowerBound, codes: codes, context: context))
    }

    /// The rows of `scripts` as cases `firstID…`, with `codes` (new ones when nil): pure, so it
    /// can run beside a transaction.
    public static func prepare(_ scripts: [CaseScript], firstID: Int64, codes: [String]? = nil, context: CaseContext) throws -> PreparedLoad {
        let codes = codes ?? scripts.map { _ in TrackingCode.make() }
        var records: [CaseRecord] = [], events: [CaseEvent] = [], reports: [ReportInsert] = []
        var facts: [(caseID: Int64, fact: Fact)] = []
        records.reserveCapacity(scripts.count)
        for (k, script) in scripts.enumerated() {
            let id = firstID + Int64(k)
            // Stored times are milliseconds: the facts must come out as they will from the stored events.
            let openedAt = Timestamp.date(millis: Timestamp.millis(script.openedAt))
            var (record, opening) = CaseMachine.opening(CaseRecord(id: id, trackingCode: codes[k], report: script.report, createdAt: openedAt),
                                                        actor: script.actor, at: openedAt)
            var history = [opening]
            for step in script.steps where step.applies(to: record.status) {
                guard step.command.action != .merge, step.command.action != .unmerge else {
                    throw StoreError.conflict("a bulk load cannot merge cases")
                }
                let at = max(Timestamp.date(millis: Timestamp.millis(step.at)), record.updatedAt)
                let events: [CaseEvent]
                (record, events) = try CaseMachine.step(record, step.command, actor: script.actor, at: at, context: context)
                history += events
            }
            events += history
            reports.append(ReportInsert(report: script.report, caseID: id, state: nil, outcome: .opened, at: openedAt))
            facts += CaseFacts.facts(history: history, calendar: context.calendar).map { (id, $0) }
            records.append(record)
        }
        return PreparedLoad(scripts: scripts, firstID: firstID, codes: codes, records: records, events: events, reports: reports, facts: facts)
    }

    private func write(_ prepared: PreparedLoad) throws -> [CaseRecord] {
        try sql.insertCases(prepared.records)
        try sql.insertEvents(prepared.events)
        try sql.insertOpeningReports(prepared.reports)
        try sql.addFacts(prepared.facts)
        return prepared.records
    }

    /// `count` new tracking codes that no case has (a clash of 60-bit random codes is
    /// astronomically rare; drawn again rather than assumed away).
    private func freeTrackingCodes(_ count: Int) throws -> [String] {
        var codes = (0..<count).map { _ in TrackingCode.make() }
        for _ in 1...5 {
            let taken = try sql.takenTrackingCodes(codes)
            var seen: Set<String> = [], clashed = false
            for i in codes.indices where taken.contains(codes[i]) || !seen.insert(codes[i]).inserted {
                codes[i] = TrackingCode.make()
                clashed = true
            }
            if !clashed { return codes }
        }
        throw StoreError.conflict("no free tracking codes after 5 attempts")
    }
}
