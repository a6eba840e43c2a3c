import Foundation
import GongzhiCore
import GongzhiStore
import GRDB

extension SQLiteCaseStore: IntakeStore {
    /// One write transaction for the whole batch (group commit). Optimistically without
    /// savepoints; if any report fails, that transaction is rolled back and the batch is done again
    /// with a savepoint per report, so the one that fails rolls back alone and the rest commit.
    public func commit(_ batch: [IntakeSubmission], context: IntakeContext) async throws -> [Result<IntakeOutcome, IntakeFailure>] {
        let faults = faults
        if batch.count > 1, let all = try? await database.pool.write({ db in
            let tx = CaseTransaction(db: db, context: context.cases, faults: faults)
            return try batch.map { Result<IntakeOutcome, IntakeFailure>.success(try tx.intake($0, context)) }
        }) {
            return all
        }
        return try await database.pool.write { db in
            let tx = CaseTransaction(db: db, context: context.cases, faults: faults)
            return batch.map { item in
                var outcome: IntakeOutcome? = nil
                do {
                    try db.inSavepoint {
                        outcome = try tx.intake(item, context)
                        return .commit
                    }
                    return outcome.map { .success($0) } ?? .failure(.storage("no outcome"))
                } catch let e as CaseError {
                    return .failure(.refused(e))
                } catch let e as FieldError {
                    return .failure(.invalid(e))
                } catch {
                    return .failure(.storage("\(error)"))
                }
            }
        }
    }
}

extension CaseTransaction {
    static let intakeActor = Actor(id: "system:intake")

    /// One report: a retry finds what the first attempt did; otherwise de-duplicate (the pure
    /// planner over the candidates read here, so earlier reports of the batch count), then open,
    /// join or recheck a case.
    func intake(_ s: IntakeSubmission, _ ctx: IntakeContext) throws -> IntakeOutcome {
        let r = s.report
        if let seen = try ReportRows.find(source: r.source, externalID: r.externalID, db) {
            return IntakeOutcome(kind: seen.outcome, reportID: seen.id, record: try seen.caseID.flatMap(find(id:)), repeated: true)
        }
        let at = Timestamp.date(millis: Timestamp.millis(s.at))
        if s.dropped {
            let id = try ReportRows.insert(r, caseID: nil, state: s.state, outcome: .dropped, at: at, db)
            return IntakeOutcome(kind: .dropped, reportID: id, record: nil, repeated: false)
        }
        var cameraCase: CameraCase? = nil
        if let camera = r.cameraID, let category = r.category { cameraCase = try openCase(camera: camera, category: category) }
        // A camera's own open case settles it; only otherwise are cases around the place read.
        let nearby = cameraCase?.open.status.isOpen == true ? [] : try nearbyCases(r, rules: ctx.rules, at: at)
        switch IntakePlanner.plan(r, state: s.state, cameraCase: cameraCase?.open, nearby: nearby, rules: ctx.rules, at: at) {
        case .open:
            let (record, reportID) = try open(r, actor: s.actor, at: at)
            return IntakeOutcome(kind: .opened, reportID: reportID, record: try route(record, s, ctx, at: at), repeated: false)
        case .join(let id) where cameraCase?.open.id == id:
            // A detection joining its camera's case: the most frequent write of all, kept small.
            let reportID = try ReportRows.insert(r, caseID: id, state: s.state, outcome: .joined, at: at, db)
            let status = try count(detection: r, on: cameraCase!, at: at, every: ctx.rules.detectionSummaryMinutes, actor: s.actor)
            return IntakeOutcome(kind: .joined, reportID: reportID, caseID: id, status: status, repeated: false)
        case .join(let id):
            // The candidate the planner chose was read in this transaction already.
            guard let current = try nearby.first(where: { $0.id == id }) ?? find(id: id) else { throw StoreError.caseNotFound(id) }
            let reportID = try ReportRows.insert(r, caseID: id, state: s.state, outcome: .joined, at: at, db)
            _ = try ReportRows.count(r.source, at: at, on: current, db)
            let record = try perform(CaseCommand(.join, payload: EventPayload(report: r, reportID: reportID)), on: id, actor: s.actor, at: at)
            return IntakeOutcome(kind: .joined, reportID: reportID, record: record, repeated: false)
        case .recheck(let id, let passed):
            guard let current = try find(id: id) else { throw StoreError.caseNotFound(id) }
            let reportID = try ReportRows.insert(r, caseID: id, state: s.state, outcome: .rechecked, at: at, db)
            _ = try ReportRows.count(r.source, at: at, on: current, db)
            let camera = r.cameraID ?? "?"
            let command = passed ? CaseCommand(.recheck, note: "摄像头 \(camera) 复核：问题已消除", passed: true)
                : CaseCommand(.recheck, reason: "商户确认整改后，摄像头 \(camera) 复核仍发现问题", passed: false)
            let record = try perform(command, on: id, actor: s.actor, at: at)
            return IntakeOutcome(kind: .rechecked, reportID: reportID, record: record, repeated: false)
        case .noOpenCase:
            let id = try ReportRows.insert(r, caseID: nil, state: s.state, outcome: .noOpenCase, at: at, db)
            return IntakeOutcome(kind: .noOpenCase, reportID: id, record: nil, repeated: false)
        }
    }

    /// A new case whose rule registers at intake: register (the rule may dispatch at once), and
    /// where the rule has co-governance, a scenario covers the category and a merchant answers
    /// for the place, tell the merchant to self-correct (notify, a notice and its message).
    func route(_ record: CaseRecord, _ s: IntakeSubmission, _ ctx: IntakeContext, at: Date) throws -> CaseRecord {
        let units = ctx.cases.units
        guard let match = ctx.cases.rules.route(category: record.category, area: record.area, source: record.report.source, units: units),
              match.rule.autoRegister else { return record }
        var r = try perform(CaseCommand(.register, note: "auto-registered by rule \(match.rule.id)"), on: record.id, actor: Self.intakeActor, at: at)
        guard r.status == .dispatched, match.rule.selfCorrection, ctx.cases.coGovernance.scenario(for: r.category) != nil,
              let merchant = try responsibleMerchant(for: r.report, radius: ctx.merchantRadiusMetres) else { return r }
        r = try perform(CaseCommand(.notify, merchant: merchant.id), on: r.id, actor: Self.intakeActor, at: at)
        try issueNotice(for: r, to: merchant, token: Credentials.newNoticeToken(), at: at)
        return r
    }

    /// Camera cases a merchant did not correct, now with enforcement and not yet handled.
    public func enforcedCameraCases() throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM cases WHERE scenario IS NOT NULL AND status = 'dispatched' AND self_corrected = 0 ORDER BY id")
    }

    /// What a detection needs of its camera's open case: the planner's view, the report tally and
    /// the detections waiting for the next summary.
    struct CameraCase {
        var open: OpenCase
        var tally: ReportTally
        var since: Int64
        var pending: Int
        var pendingFirst: Int64?
    }

    /// The open case of a camera and a category.
    func openCase(camera: String, category: String) throws -> CameraCase? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, status, merchant_confirmed, report_sources, last_report_at, created_at, observed_at, pending_detections,
                   pending_first_at, last_summary_at
            FROM cases WHERE camera_id = ? AND category = ?
              AND status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified') ORDER BY id DESC LIMIT 1
            """), arguments: [camera, category]) else { return nil }
        guard let status = CaseStatus(rawValue: row[1]) else { throw StoreError.caseNotFound(row[0]) }
        let created: Int64 = row[5], last = Timestamp.date(millis: row[4] ?? created)
        return CameraCase(open: OpenCase(id: row[0], status: status, merchantConfirmed: row[2]),
                          tally: ReportTally(json: row[3], lastAt: last) ?? ReportTally(bySource: [:], lastAt: last),
                          since: row[9] ?? row[6] ?? created, pending: row[7], pendingFirst: row[8])
    }

    /// Open cases of the report's category in a box around it whose latest report is in the
    /// rule's window: the planner checks the exact distance.
    func nearbyCases(_ r: Report, rules: IntakeRules, at: Date) throws -> [CaseRecord] {
        guard let p = r.location, let category = r.category, let rule = rules.dedup(for: category), rule.distanceMetres > 0 else { return [] }
        let box = p.box(metres: rule.distanceMetres)
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(CaseRows.caseColumns) FROM cases WHERE category = ? AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?
              AND status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified') AND last_report_at >= ?
              ORDER BY id DESC LIMIT 50
            """), arguments: [category, box.lat.lowerBound, box.lat.upperBound, box.lon.lowerBound, box.lon.upperBound,
                             Timestamp.millis(at) - Int64(rule.windowHours * 3_600_000)]).map(CaseRows.record)
    }

    /// A detection joining its camera's case: counted at once, and written to the history as a
    /// summary when the interval since the last summary (in the cameras' time of observation)
    /// has passed: the count and time range since then. In between, it is listed and counted only.
    func count(detection r: Report, on c: CameraCase, at: Date, every minutes: Double, actor: Actor) throws -> CaseStatus {
        var tally = c.tally
        tally.add(.camera, at: at)
        let observed = r.observedAt ?? Timestamp.millis(at)
        let count = c.pending + 1, first = min(c.pendingFirst ?? observed, observed)
        guard observed - c.since >= Int64(minutes * 60_000) else {
            try db.cachedStatement(sql: """
                UPDATE cases SET report_sources = ?, last_report_at = ?, pending_detections = ?, pending_first_at = ? WHERE id = ?
                """).execute(arguments: [tally.json, Timestamp.millis(tally.lastAt), count, first, c.open.id])
            return c.open.status
        }
        try db.cachedStatement(sql: """
            UPDATE cases SET report_sources = ?, last_report_at = ?, pending_detections = 0, pending_first_at = NULL, last_summary_at = ? WHERE id = ?
            """).execute(arguments: [tally.json, Timestamp.millis(tally.lastAt), observed, c.open.id])
        let summary = EventPayload(cameraID: r.cameraID, count: count, firstAt: first, lastAt: max(first, observed))
        return try perform(CaseCommand(.detections, payload: summary), on: c.open.id, actor: actor, at: at).status
    }
}
