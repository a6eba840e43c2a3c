import Foundation
import GongzhiCore
import GongzhiStore

/// Plans on either backend: `plans` holds each plan's current file, `plan_events` the chain of
/// its changes (append-only), and `plan_reports` and `plan_milestones` what the events
/// reported, a row per event, read back in event order.
public struct SQLPlanStore: PlanStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    /// The tables on either backend; `real` is its floating-point type.
    public static func ddl(integer: String, text: String, real: String) -> [String] {
        [
            "CREATE TABLE plans (id \(text) PRIMARY KEY, name TEXT NOT NULL, start_day \(integer) NOT NULL, end_day \(integer) NOT NULL, "
                + "document TEXT NOT NULL, event_count \(integer) NOT NULL, last_hash TEXT NOT NULL)",
            "CREATE TABLE plan_events (plan_id \(text) NOT NULL, seq \(integer) NOT NULL, at \(integer) NOT NULL, actor TEXT NOT NULL, "
                + "action \(text) NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (plan_id, seq))",
            "CREATE TABLE plan_reports (plan_id \(text) NOT NULL, seq \(integer) NOT NULL, indicator \(text) NOT NULL, "
                + "month \(integer) NOT NULL, as_of \(integer) NOT NULL, value \(real) NOT NULL, submitted \(integer) NOT NULL, "
                + "unit \(text) NOT NULL, PRIMARY KEY (plan_id, seq))",
            "CREATE TABLE plan_milestones (plan_id \(text) NOT NULL, seq \(integer) NOT NULL, project \(text) NOT NULL, "
                + "milestone \(text) NOT NULL, day \(integer) NOT NULL, PRIMARY KEY (plan_id, seq))",
        ]
    }

    static func digest(plan: String, seq: Int64, at: Int64, actor: String, action: String, detail: String, prev: String) -> String {
        SHA256.hex("gongzhi-plan-v1\n\(plan)\n\(seq)\n\(at)\n\(actor)\n\(action)\n\(detail)\n\(prev)")
    }

    /// Appends an event to the plan's chain (its row locked by the caller) and returns its seq.
    static func append(_ s: any SQLSession, plan: String, at: Date, actor: String, action: String, detail: [String: String]) throws -> Int64 {
        guard let head = try s.first("SELECT event_count, last_hash FROM plans WHERE id = ?", plan) else { throw PlanStoreError.unknownPlan(plan) }
        let seq: Int64 = (head["event_count"] as Int64) + 1, prev: String = head["last_hash"]
        let json = try OutboxPayload.json(detail), ms = Timestamp.millis(at)
        let hash = digest(plan: plan, seq: seq, at: ms, actor: actor, action: action, detail: json, prev: prev)
        try s.execute("INSERT INTO plan_events (plan_id, seq, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      plan, seq, ms, actor, action, json, prev, hash)
        try s.execute("UPDATE plans SET event_count = ?, last_hash = ? WHERE id = ?", seq, hash, plan)
        return seq
    }

    public func load(_ json: Data, actor: String, at: Date) async throws -> PlanSummary {
        let document: PlanDocument
        do { document = try JSONDecoder().decode(PlanDocument.self, from: json) } catch {
            throw PlanStoreError.unreadable("\(error)")
        }
        let text = String(decoding: json, as: UTF8.self)
        return try await db.write { s in
            try s.lock("plan:" + document.id)
            let units = Set(try s.query("SELECT code FROM units").map { $0[0] as String })
            do throws(PlanError) { try document.validate(knownUnit: units.contains) } catch {
                throw PlanStoreError.invalid(field: "document", error.description)
            }
            let isNew = try s.first("SELECT 1 FROM plans WHERE id = ?", document.id) == nil
            if isNew {
                try s.execute("INSERT INTO plans (id, name, start_day, end_day, document, event_count, last_hash) VALUES (?, ?, ?, ?, ?, 0, ?)",
                              document.id, document.name, document.start, document.end, text, EventChain.genesis)
            } else {
                try s.execute("UPDATE plans SET name = ?, start_day = ?, end_day = ?, document = ? WHERE id = ?",
                              document.name, document.start, document.end, text, document.id)
            }
            _ = try Self.append(s, plan: document.id, at: at, actor: actor, action: "plan_loaded",
                                detail: ["name": document.name, "sha256": SHA256.hex(text)])
            if isNew {
                for r in document.reports {
                    // Dated at noon of its submission day, as the file states it.
                    let submitted = Timestamp.date(millis: (r.report.submitted * 86_400 + 4 * 3_600) * 1_000)
                    try Self.insertReport(s, plan: document.id, indicator: r.indicator, report: r.report, actor: actor, at: submitted)
                }
            }
            return PlanSummary(id: document.id, name: document.name, start: document.start, end: document.end)
        }
    }

    static func insertReport(_ s: any SQLSession, plan: String, indicator: String, report r: ProgressReport, actor: String, at: Date) throws {
        let detail = ["indicator": indicator, "month": String(PlanDays.text(r.month).prefix(7)), "as_of": PlanDays.text(r.asOf),
                      "value": String(r.value), "unit": r.unit]
        let seq = try append(s, plan: plan, at: at, actor: actor, action: "progress_reported", detail: detail)
        try s.execute("INSERT INTO plan_reports (plan_id, seq, indicator, month, as_of, value, submitted, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      plan, seq, indicator, r.month, r.asOf, r.value, r.submitted, r.unit)
    }

    public func plans() async throws -> [PlanSummary] {
        try await db.read { s in
            try s.query("SELECT id, name, start_day, end_day FROM plans ORDER BY start_day DESC, id").map {
                PlanSummary(id: $0["id"], name: $0["name"], start: $0["start_day"], end: $0["end_day"])
            }
        }
    }

    public func document(_ id: String) async throws -> Data? {
        try await db.read { s in try s.first("SELECT document FROM plans WHERE id = ?", id).map { Data(($0["document"] as String).utf8) } }
    }

    public func plan(_ id: String) async throws -> StoredPlan? {
        try await db.read { s in try Self.plan(s, id) }
    }

    static func plan(_ s: any SQLSession, _ id: String) throws -> StoredPlan? {
        guard let row = try s.first("SELECT document, event_count FROM plans WHERE id = ?", id) else { return nil }
        let document = try JSONDecoder().decode(PlanDocument.self, from: Data((row["document"] as String).utf8))
        var reports: [String: [ProgressReport]] = [:]
        for r in try s.query("SELECT * FROM plan_reports WHERE plan_id = ? ORDER BY seq", id) {
            reports[r["indicator"], default: []].append(ProgressReport(month: r["month"], asOf: r["as_of"], value: r["value"],
                                                                       submitted: r["submitted"], unit: r["unit"]))
        }
        var actuals: [String: [Milestone: PlanDay]] = [:]
        for r in try s.query("SELECT * FROM plan_milestones WHERE plan_id = ? ORDER BY seq", id) {
            guard let m = Milestone(rawValue: r["milestone"]) else { continue }
            actuals[r["project"], default: [:]][m] = r["day"]
        }
        return StoredPlan(document: document, reports: reports, actuals: actuals, eventCount: Int(row["event_count"] as Int64))
    }

    public func report(plan: String, indicator: String, month: PlanDay, asOf: PlanDay, value: Double, unit: String,
                       actor: String, at: Date) async throws {
        let today = PlanDays.of(at)
        try await db.write { s in
            try s.lock("plan:" + plan)
            guard let stored = try Self.plan(s, plan) else { throw PlanStoreError.unknownPlan(plan) }
            guard let ind = stored.document.indicators.first(where: { $0.indicator.id == indicator })?.indicator else {
                throw PlanStoreError.invalid(field: "indicator", "plan \(plan) has no indicator '\(indicator)'")
            }
            let span = Period.containing(month, kind: .month)
            guard span.last >= Period.containing(ind.start, kind: .month).first, span.first <= ind.deadline else {
                throw PlanStoreError.invalid(field: "month", "\(PlanDays.text(span.first).prefix(7)) is outside the indicator's span")
            }
            guard span.first <= today else { throw PlanStoreError.invalid(field: "month", "a month that has not begun cannot be reported") }
            guard asOf >= span.first, asOf <= span.last, asOf <= today else {
                throw PlanStoreError.invalid(field: "as_of", "as_of must fall in the month reported and not after today")
            }
            guard value.isFinite, abs(value) < 1e15 else { throw PlanStoreError.invalid(field: "value", "value must be a finite number") }
            guard try s.first("SELECT 1 FROM units WHERE code = ?", unit) != nil else {
                throw PlanStoreError.invalid(field: "unit", "unknown unit '\(unit)'")
            }
            let report = ProgressReport(month: span.first, asOf: asOf, value: value, submitted: today, unit: unit)
            try Self.insertReport(s, plan: plan, indicator: indicator, report: report, actor: actor, at: at)
        }
    }

    public func reach(plan: String, project: String, milestone: Milestone, day: PlanDay, actor: String, at: Date) async throws {
        let today = PlanDays.of(at)
        try await db.write { s in
            try s.lock("plan:" + plan)
            guard let stored = try Self.plan(s, plan) else { throw PlanStoreError.unknownPlan(plan) }
            guard var p = stored.document.projects.first(where: { $0.id == project }) else {
                throw PlanStoreError.invalid(field: "project", "plan \(plan) has no project '\(project)'")
            }
            guard day <= today else { throw PlanStoreError.invalid(field: "day", "a milestone cannot be reached after today") }
            p.actual.merge(stored.actuals[project] ?? [:]) { _, new in new }
            p.actual[milestone] = day
            do throws(PlanError) { try p.validate() } catch { throw PlanStoreError.invalid(field: "day", error.description) }
            let seq = try Self.append(s, plan: plan, at: at, actor: actor, action: "milestone_reached",
                                      detail: ["project": project, "milestone": milestone.rawValue, "day": PlanDays.text(day)])
            try s.execute("INSERT INTO plan_milestones (plan_id, seq, project, milestone, day) VALUES (?, ?, ?, ?, ?)",
                          plan, seq, project, milestone.rawValue, day)
        }
    }

    /// Whether the row an event wrote says what the event says.
    static func checkRow(_ s: any SQLSession, plan: String, seq: Int64, action: String, detail: String) throws -> String? {
        let d = try JSONDecoder().decode([String: String].self, from: Data(detail.utf8))
        switch action {
        case "progress_reported":
            guard let r = try s.first("SELECT * FROM plan_reports WHERE plan_id = ? AND seq = ?", plan, seq) else {
                return "its report row is missing"
            }
            let row = ["indicator": r["indicator"] as String, "month": String(PlanDays.text(r["month"]).prefix(7)),
                       "as_of": PlanDays.text(r["as_of"]), "value": String(r["value"] as Double), "unit": r["unit"] as String]
            return row == d ? nil : "its report row differs from the event"
        case "milestone_reached":
            guard let r = try s.first("SELECT * FROM plan_milestones WHERE plan_id = ? AND seq = ?", plan, seq) else {
                return "its milestone row is missing"
            }
            let row = ["project": r["project"] as String, "milestone": r["milestone"] as String, "day": PlanDays.text(r["day"])]
            return row == d ? nil : "its milestone row differs from the event"
        default:
            return nil
        }
    }

    public func verify(plan: String) async throws -> String? {
        try await db.read { s in
            var prev = EventChain.genesis, expected: Int64 = 1
            for r in try s.query("SELECT * FROM plan_events WHERE plan_id = ? ORDER BY seq", plan) {
                let seq: Int64 = r["seq"]
                if seq != expected { return "event #\(expected) is missing" }
                if r["prev_hash"] as String != prev { return "event #\(seq): its previous-hash does not match the event before it" }
                let hash = Self.digest(plan: plan, seq: seq, at: r["at"], actor: r["actor"], action: r["action"], detail: r["detail"], prev: prev)
                if hash != r["hash"] as String { return "event #\(seq): its contents do not match its hash" }
                if let problem = try Self.checkRow(s, plan: plan, seq: seq, action: r["action"], detail: r["detail"]) {
                    return "event #\(seq): \(problem)"
                }
                prev = hash
                expected += 1
            }
            guard let head = try s.first("SELECT event_count, last_hash FROM plans WHERE id = ?", plan) else { return nil }
            if head["event_count"] as Int64 != expected - 1 || head["last_hash"] as String != prev {
                return "the plan's head does not match its last event"
            }
            return nil
        }
    }
}
