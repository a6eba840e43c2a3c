import Foundation
import GongzhiCore
import GongzhiStore

/// `Storage` on a SQL database of either backend: the case store, the intake's commit (see
/// `Storage+Transaction`), the registry, the outbox and co-governance, the timers.
public struct SQLStorage: Storage, Sendable {
    public let db: any SQLDatabase
    /// The org tree, categories, rules and calendar in force; replaced whole on reload.
    public let context: Live<CaseContext>
    let faults: FaultInjector?
    public let changes = ChangeCounter()

    public init(db: any SQLDatabase, context: Live<CaseContext>, faults: FaultInjector? = nil) {
        self.db = db
        self.context = context
        self.faults = faults
    }

    public init(db: any SQLDatabase, context: CaseContext, faults: FaultInjector? = nil) {
        self.init(db: db, context: Live(context), faults: faults)
    }

    public var areaStore: any AreaStore { SQLAreaStore(db: db) }

    public var statistics: any StatisticsStore { SQLStatistics(db: db) }
    public var plans: any PlanStore { SQLPlanStore(db: db) }
    public var centre: any CentreStore { SQLCentreStore(db: db) }
    public var enterprises: any EnterpriseStore { SQLEnterpriseStore(db: db) }
    public var policies: any PolicyStore { SQLPolicyStore(db: db) }
    public var keyPopulation: any KeyPopulationStore { SQLKeyPopulationStore(db: db) }
    public var jointTasks: any JointTaskStore { SQLJointTaskStore(db: db) }
    public var inspections: any InspectionStore { SQLInspectionStore(db: db) }
    public var replay: any ReplaySource { SQLReplaySource(db: db) }

    public func transaction<T: Sendable>(context: CaseContext, _ body: @escaping @Sendable (CaseTransaction) throws -> T) async throws -> T {
        let faults = faults
        let result = try await db.write { session in
            let tx = CaseTransaction(sql: SQLCaseSQL(db: session), context: context, faults: faults)
            let result = try body(tx)
            try tx.settleFacts()
            if let notice = db.changeNotice { try session.execute(notice, []) }
            return result
        }
        changes.bump()
        return result
    }

    /// Counts the write transactions of other instances on the same database as changes too,
    /// so their cases reach this instance's open cockpits (see `SQLDatabase.followChanges`).
    /// Runs until cancelled; returns at once where no other instance can write (SQLite).
    public func followChanges() async throws {
        let changes = changes
        defer { changes.stopHearing() }
        try await db.followChanges(listening: { changes.startHearing() }) { changes.bump() }
    }

    /// Whether other instances' changes can be followed (`followChanges`).
    public var followsOtherInstances: Bool { db.changeNotice != nil }

    public func reloadRevision() async throws -> String {
        try await db.read { db in
            try db.query("SELECT key, value FROM meta WHERE key IN ('reload.revision', 'areas.revision', 'registry.revision') ORDER BY key")
                .map { "\($0["key"] as String)=\($0["value"] as String)" }.joined(separator: ";")
        }
    }

    public func announceReload() async throws {
        try await db.write { try Revision.bump("reload.revision", $0) }
    }

    public func find(id: Int64) async throws -> CaseRecord? {
        try await db.query("SELECT \(CaseRows.caseColumns) FROM cases WHERE id = ?", [.int(id)]).first.map(CaseRows.record)
    }

    public func find(trackingCode: String) async throws -> CaseRecord? {
        try await db.read { try $0.first("SELECT \(CaseRows.caseColumns) FROM cases WHERE tracking_code = ?", trackingCode).map(CaseRows.record) }
    }

    public func history(of id: Int64) async throws -> [CaseEvent] {
        try await db.query("SELECT * FROM case_events WHERE case_id = ? ORDER BY seq", [.int(id)]).map(CaseRows.event)
    }

    public func reports(of id: Int64, after: Int64?, limit: Int) async throws -> [StoredReport] {
        try await db.read { db in
            try db.query("SELECT * FROM reports WHERE case_id = ? AND id > ? ORDER BY id LIMIT ?", id, after ?? 0, limit).map(ReportRows.stored)
        }
    }

    public func statusChanges(from: Date, to: Date, majorClasses: [String], limit: Int) async throws -> [StatusChange] {
        guard !majorClasses.isEmpty, limit > 0 else { return [] }
        let marks = Array(repeating: "?", count: majorClasses.count).joined(separator: ", ")
        let sql = """
            SELECT e.*, c.category AS case_category FROM case_events e JOIN cases c ON c.id = e.case_id
            WHERE e.at >= ? AND e.at < ? AND (e.from_status IS NULL OR e.from_status <> e.to_status)
              AND substr(c.category, 1, 2) IN (\(marks))
            ORDER BY e.at, e.case_id, e.seq LIMIT ?
            """
        let arguments: [SQLValue] = [.int(Timestamp.millis(from)), .int(Timestamp.millis(to))] + majorClasses.map { .text($0) } + [.int(Int64(limit))]
        return try await db.read { db in
            try db.query(sql, arguments).map { StatusChange(event: try CaseRows.event($0), category: $0["case_category"]) }
        }
    }

    public func list(_ query: CaseQuery) async throws -> CasePage {
        let (sql, arguments) = CaseListSQL.select(query)
        let rows = try await db.query(sql, arguments).map(CaseRows.record)
        let (items, next) = CaseListSQL.page(rows, query) { (Timestamp.millis($0.createdAt), $0.dueAt.map(Timestamp.millis), $0.id) }
        return CasePage(items: items, nextCursor: next)
    }

    public func listRevisions(_ query: CaseQuery) async throws -> RevisionPage {
        let (sql, arguments) = CaseListSQL.select(query, columns: "id, created_at, due_at, event_count, report_sources, last_report_at")
        let rows = try await db.query(sql, arguments).map { row -> (createdAt: Int64, dueAt: Int64?, id: Int64, revision: CaseRevision) in
            (row[1], row[2], row[0], CaseRevision(eventCount: row[3], tally: row[4], lastReportAt: row[5]))
        }
        let (items, next) = CaseListSQL.page(rows, query) { ($0.createdAt, $0.dueAt, $0.id) }
        return RevisionPage(items: items.map { ($0.id, $0.revision) }, nextCursor: next)
    }

    public func cases(ids: [Int64]) async throws -> [(record: CaseRecord, revision: CaseRevision)] {
        guard !ids.isEmpty else { return [] }
        var found: [Int64: (record: CaseRecord, revision: CaseRevision)] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(ids.count, start + 500)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try await db.query("SELECT \(CaseRows.caseColumns) FROM cases WHERE id IN (\(marks))", chunk.map { .int($0) }).map {
                (record: try CaseRows.record($0), revision: CaseRows.revision($0))
            }
            for row in rows { found[row.record.id] = row }
        }
        return ids.compactMap { found[$0] }
    }

    public func count(_ query: CaseQuery) async throws -> Int {
        let (sql, arguments) = CaseListSQL.count(query)
        return try await db.read { db in
            guard let row = try db.query(sql, arguments).first else { return 0 }
            let n: Int64 = row[0]
            return Int(n)
        }
    }
}
