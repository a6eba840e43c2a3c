import Foundation
import GongzhiCore

extension CaseTransaction {
    static let intakeActor = Actor(id: "system:intake")

    /// One report: a retry finds what the first attempt did; otherwise de-duplicate (the pure
    /// planner over the candidates read here, so earlier reports of the batch count), then open,
    /// join or recheck a case. In a group-committed `batch`, a detection joining its camera's
    /// case is only held (see `IntakeBatch`) and its result's report id filled in at the end.
    public func intake(_ s: IntakeSubmission, _ ctx: IntakeContext, batch: IntakeBatch? = nil, index: Int = 0) throws -> IntakeOutcome {
        let r = s.report
        if let seen = try previous(r, batch) {
            try batch?.flush(sql)  // the case is read as it now is
            return IntakeOutcome(kind: seen.outcome, reportID: seen.id, record: try seen.caseID.flatMap(find(id:)), repeated: true)
        }
        let at = Timestamp.date(millis: Timestamp.millis(s.at))
        if s.dropped {
            if let batch, r.externalID != nil {
                batch.hold(ReportInsert(report: r, caseID: nil, state: s.state, outcome: .dropped, at: at), result: index)
                return IntakeOutcome(kind: .dropped, reportID: 0, record: nil, repeated: false)
            }
            let id = try insertReport(r, caseID: nil, state: s.state, outcome: .dropped, at: at, batch)
            return IntakeOutcome(kind: .dropped, reportID: id, record: nil, repeated: false)
        }
        var cameraCase: CameraCase? = nil, cameraKey = ""
        if let camera = r.cameraID, let category = r.category {
            cameraKey = IntakeBatch.key(camera: camera, category: category)
            if let known = batch?.cameraCase(cameraKey) {
                cameraCase = known  // locked and read earlier in this transaction
            } else {
                if batch?.holdsLock(cameraKey) != true { try sql.lock(IntakeBatch.lockName(camera, category)) }
                cameraCase = try sql.cameraCase(camera: camera, category: category)
                if let found = cameraCase { batch?.keep(found, key: cameraKey, dirty: false) }
            }
        } else if r.location != nil, let category = r.category, ctx.rules.dedup(for: category) != nil {
            try sql.lock("intake:category:\(category)")
        }
        // A camera's own open case settles it; only otherwise are cases around the place read
        // (after what the batch holds is written, so they read as they are).
        var nearby: [CaseRecord] = []
        if cameraCase?.open.status.isOpen != true {
            try batch?.flush(sql)
            nearby = try nearbyCases(r, rules: ctx.rules, at: at)
        }
        let plan = IntakePlanner.plan(r, state: s.state, cameraCase: cameraCase?.open, nearby: nearby, rules: ctx.rules, at: at)
        if case .join(let id) = plan, var c = cameraCase, c.open.id == id {
            // A detection joining its camera's case: the most frequent write of all, kept small.
            let every = ctx.rules.detectionSummaryMinutes
            if let batch, r.externalID != nil {
                batch.hold(ReportInsert(report: r, caseID: id, state: s.state, outcome: .joined, at: at), result: index)
                let status = try count(detection: r, on: &c, at: at, every: every, actor: s.actor, batch: batch, key: cameraKey)
                return IntakeOutcome(kind: .joined, reportID: 0, caseID: id, status: status, repeated: false)
            }
            try batch?.flush(sql)
            let reportID = try insertReport(r, caseID: id, state: s.state, outcome: .joined, at: at, batch)
            let status = try count(detection: r, on: &c, at: at, every: every, actor: s.actor)
            batch?.keep(c, key: cameraKey, dirty: false)
            return IntakeOutcome(kind: .joined, reportID: reportID, caseID: id, status: status, repeated: false)
        }
        try batch?.flush(sql)
        switch plan {
        case .join(let id), .recheck(let id, _): batch?.forget(key: cameraKey, caseID: id)
        case .open, .noOpenCase: batch?.forget(key: cameraKey, caseID: nil)
        }
        switch plan {
        case .open:
            let (record, reportID) = try open(r, actor: s.actor, at: at)
            batch?.wrote(r, id: reportID, caseID: record.id, state: s.state, outcome: .opened, at: at)
            return IntakeOutcome(kind: .opened, reportID: reportID, record: try route(record, s, ctx, at: at), repeated: false)
        case .join(let id):
            // The candidate the planner chose was read in this transaction already.
            guard let current = try nearby.first(where: { $0.id == id }) ?? find(id: id) else { throw StoreError.caseNotFound(id) }
            let reportID = try insertReport(r, caseID: id, state: s.state, outcome: .joined, at: at, batch)
            try countReport(r.source, at: at, on: current)
            let record = try perform(CaseCommand(.join, payload: EventPayload(report: r, reportID: reportID)), on: id, actor: s.actor, at: at)
            return IntakeOutcome(kind: .joined, reportID: reportID, record: record, repeated: false)
        case .recheck(let id, let passed):
            guard let current = try find(id: id) else { throw StoreError.caseNotFound(id) }
            let reportID = try insertReport(r, caseID: id, state: s.state, outcome: .rechecked, at: at, batch)
            try countReport(r.source, at: at, on: current)
            let camera = r.cameraID ?? "?"
            let command = passed ? CaseCommand(.recheck, note: "摄像头 \(camera) 复核：问题已消除", passed: true)
                : CaseCommand(.recheck, reason: "商户确认整改后，摄像头 \(camera) 复核仍发现问题", passed: false)
            let record = try perform(command, on: id, actor: s.actor, at: at)
            return IntakeOutcome(kind: .rechecked, reportID: reportID, record: record, repeated: false)
        case .noOpenCase:
            let id = try insertReport(r, caseID: nil, state: s.state, outcome: .noOpenCase, at: at, batch)
            return IntakeOutcome(kind: .noOpenCase, reportID: id, record: nil, repeated: false)
        }
    }

    /// The report stored earlier under the same source and external id (a retry), if any. In
    /// a batch, a row the batch still holds is written first, so it has its id.
    private func previous(_ r: Report, _ batch: IntakeBatch?) throws -> StoredReport? {
        guard let batch else { return try r.externalID.flatMap { try sql.findReport(source: r.source, externalID: $0) } }
        guard let seen = batch.lookup(r) else { return nil }
        if let stored = seen.stored { return stored }
        try batch.flush(sql)
        return batch.lookup(r)?.stored
    }

    private func insertReport(_ r: Report, caseID: Int64?, state: DetectionState?, outcome: IntakeOutcome.Kind, at: Date,
                              _ batch: IntakeBatch?) throws -> Int64 {
        let id = try sql.insertReport(r, caseID: caseID, state: state, outcome: outcome, at: at)
        batch?.wrote(r, id: id, caseID: caseID, state: state, outcome: outcome, at: at)
        return id
    }

    /// Counts one more report for a case: the tally kept beside it.
    private func countReport(_ source: ReportSource, at: Date, on record: CaseRecord) throws {
        var tally = record.tally
        tally.add(source, at: at)
        try sql.setTally(of: record.id, tally)
    }

    /// A new case whose rule registers at intake: register (the rule may dispatch at once), and
    /// where the rule has co-governance, a scenario covers the category and a merchant answers
    /// for the place, tell the merchant to self-correct (notify, a notice and its message).
    func route(_ record: CaseRecord, _ s: IntakeSubmission, _ ctx: IntakeContext, at: Date) throws -> CaseRecord {
        let units = ctx.cases.units
        guard let match = ctx.cases.rules.route(category: record.category, area: record.area, source: record.report.source, units: units),
              match.rule.autoRegister else { return record }
        let note = "auto-registered by rule \(match.rule.id)"
        var r = try perform(CaseCommand(.register, note: note), on: record.id, actor: Self.intakeActor, at: at)
        guard r.status == .dispatched, match.rule.selfCorrection, ctx.cases.coGovernance.scenario(for: r.category) != nil,
              let merchant = try responsibleMerchant(for: r.report, radius: ctx.merchantRadiusMetres) else { return r }
        r = try perform(CaseCommand(.notify, merchant: merchant.id), on: r.id, actor: Self.intakeActor, at: at)
        try issueNotice(for: r, to: merchant, token: Credentials.newNoticeToken(), at: at)
        return r
    }

    /// Camera cases a merchant did not correct, now with enforcement and not yet handled.
    public func enforcedCameraCases() throws -> [Int64] { try sql.enforcedCameraCases() }

    /// Open cases of the report's category around it whose latest report is in the rule's
    /// window: the planner checks the exact distance.
    func nearbyCases(_ r: Report, rules: IntakeRules, at: Date) throws -> [CaseRecord] {
        guard let p = r.location, let category = r.category, let rule = rules.dedup(for: category), rule.distanceMetres > 0 else { return [] }
        let since = Timestamp.millis(at) - Int64(rule.windowHours * 3_600_000)
        return try sql.nearbyCases(category: category, box: p.box(metres: rule.distanceMetres), since: since, limit: 50)
    }

    /// A detection joining its camera's case: counted at once, and written to the history as a
    /// summary when the interval since the last summary (in the cameras' time of observation)
    /// has passed: the count and time range since then. In between, it is listed and counted
    /// only — in a batch, in memory until the batch writes its counters.
    func count(detection r: Report, on c: inout CameraCase, at: Date, every minutes: Double, actor: Actor,
               batch: IntakeBatch? = nil, key: String = "") throws -> CaseStatus {
        c.tally.add(.camera, at: at)
        let observed = r.observedAt ?? Timestamp.millis(at)
        let count = c.pending + 1, first = min(c.pendingFirst ?? observed, observed)
        guard observed - c.since >= Int64(minutes * 60_000) else {
            c.pending = count
            c.pendingFirst = first
            if let batch {
                batch.keep(c, key: key, dirty: true)
            } else {
                try sql.setDetections(of: c.open.id, tally: c.tally, pending: count, pendingFirst: first, summaryAt: nil)
            }
            return c.open.status
        }
        c.pending = 0
        c.pendingFirst = nil
        c.since = observed
        try sql.setDetections(of: c.open.id, tally: c.tally, pending: 0, pendingFirst: nil, summaryAt: observed)
        let summary = EventPayload(cameraID: r.cameraID, count: count, firstAt: first, lastAt: max(first, observed))
        c.open.status = try perform(CaseCommand(.detections, payload: summary), on: c.open.id, actor: actor, at: at).status
        batch?.keep(c, key: key, dirty: false)
        return c.open.status
    }

    /// A batch in one transaction, each report under a savepoint: the one that fails rolls back
    /// alone and the rest commit.
    public func intakeEach(_ batch: [IntakeSubmission], _ ctx: IntakeContext) -> [Result<IntakeOutcome, IntakeFailure>] {
        batch.map { item in
            do {
                return .success(try sql.savepoint { try intake(item, ctx) })
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
