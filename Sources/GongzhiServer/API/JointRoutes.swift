import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// `/api/v1/joint-cases/{id}`, `/api/v1/joint-tasks` and `/api/v1/joint-figures`: joint cases
/// (联合执法). The lead splits a case into one part per unit; each unit sees the whole joint case
/// with its partners' notes, acts on its own part only, and the case waits until every part is
/// done or the lead closes the rest with a reason.
struct JointController {
    let joint: any JointTaskStore
    let cases: any CaseStore
    let context: Live<CaseContext>
    let clock: any TimeSource

    struct PartBody: Decodable {
        var unit: String?
        var deadline: DeadlineSpec?
    }

    struct StepBody: Decodable {
        var step: String?
        var units: [PartBody]?
        var task: Int64?
        var handler: String?
        var note: String?
        var evidence: [String]?
        var reason: String?
    }

    var routes: RouteCollection<AppRequestContext> {
        let r = RouteCollection(context: AppRequestContext.self)
        r.get("joint-cases/{id}") { _, context in
            let (record, parts) = try await view(try Self.id(context), by: try context.caller())
            return JSONBody.response(dto(record, parts))
        }
        r.post("joint-cases/{id}") { request, context in
            let body = try await JSONBody.decode(StepBody.self, from: request)
            let id = try Self.id(context), p = try context.caller()
            let parts = try await step(id, body, by: p)
            guard let record = try await cases.find(id: id) else { throw StoreError.caseNotFound(id) }
            return JSONBody.response(dto(record, parts))
        }
        r.get("joint-tasks") { request, context in try await worklist(request.uri.queryParameters, by: try context.caller()) }
        r.get("joint-figures") { request, context in try await figures(request.uri.queryParameters, by: try context.caller()) }
        return r
    }

    static func id(_ context: AppRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.notFound, code: "case_not_found", message: "no such case")
        }
        return id
    }

    func scope(_ p: Principal) throws -> Scope {
        guard AccessPolicy.readsCases(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not read joint cases") }
        return Scope.of(unit: p.unit, in: context.current.units)
    }

    /// The joint case as a partner sees it: whoever sees the case, and every unit with a part.
    func view(_ id: Int64, by p: Principal) async throws -> (CaseRecord, [JointTask]) {
        let scope = try scope(p)
        guard let record = try await cases.find(id: id) else { throw StoreError.caseNotFound(id) }
        let parts = try await joint.parts(of: id)
        guard scope.contains(record) || parts.contains(where: { scope.units.contains($0.unit) }) else { throw StoreError.caseNotFound(id) }
        return (record, parts)
    }

    func step(_ id: Int64, _ body: StepBody, by p: Principal) async throws -> [JointTask] {
        _ = try await view(id, by: p)
        let command: JointCommand
        switch body.step {
        case "split":
            guard let units = body.units else { throw CentreError.bad("units", "units is required to split a case", code: "required") }
            var parts: [(unit: String, deadline: DeadlineSpec)] = []
            for (i, part) in units.enumerated() {
                guard let unit = part.unit else { throw CentreError.bad("units[\(i)].unit", "units[\(i)].unit is required", code: "required") }
                guard let deadline = part.deadline else {
                    throw CentreError.bad("units[\(i)].deadline", "units[\(i)].deadline is required", code: "required")
                }
                parts.append((unit, deadline))
            }
            command = .split(parts)
        case "assign", "complete", "give_back":
            guard let task = body.task else { throw CentreError.bad("task", "task is required", code: "required") }
            command = switch body.step {
            case "assign": .assign(task: task, handler: body.handler ?? "")
            case "complete": .complete(task: task, note: body.note, evidence: body.evidence)
            default: .giveBack(task: task, reason: body.reason)
            }
        case "close_rest": command = .closeRest(reason: body.reason)
        case nil: throw CentreError.bad("step", "step is required", code: "required")
        default: throw CentreError.bad("step", "step must be split, assign, complete, give_back or close_rest", code: "unknown_value")
        }
        let c = JointMachine.Context(principal: p, scope: try scope(p), units: context.current.units, calendar: context.current.calendar,
                                     now: clock.now())
        return try await joint.apply(caseID: id, by: p.id, at: c.now) { record, parts in
            try JointMachine.apply(command, record: record, tasks: parts, context: c)
        }
    }

    /// The parts of the caller's units, pending ones unless `status=all`, with their cases.
    func worklist(_ params: Parameters, by p: Principal) async throws -> Response {
        let scope = try scope(p)
        let all = params.get("status") == "all"
        guard [nil, "all", "pending"].contains(params.get("status")) else {
            throw CentreError.bad("status", "status must be pending or all", code: "unknown_value")
        }
        let parts = try await joint.parts(units: scope.isAll ? nil : scope.units, pendingOnly: !all, limit: 500)
        struct Item: Encodable { var part: JointPartDTO; var tracking_code: String?; var case_status: String?; var lead_unit: String? }
        var items: [Item] = []
        for part in parts {
            let record = try await cases.find(id: part.caseID)
            items.append(Item(part: JointPartDTO(part, now: clock.now(), names: name), tracking_code: record?.trackingCode,
                              case_status: record?.status.rawValue, lead_unit: record?.unit))
        }
        struct Page: Encodable { var items: [Item] }
        return JSONBody.response(Page(items: items))
    }

    /// Parts per unit over a period (China-time days, both ends included; the last 30 days by
    /// default): how many, done, done on time, late, returned, closed by the lead, still pending.
    func figures(_ params: Parameters, by p: Principal) async throws -> Response {
        let scope = try scope(p), now = clock.now(), today = PlanDays.of(now)
        var days: [PlanDay] = []
        for (key, fallback) in [("from", today - 29), ("to", today)] {
            guard let text = params.get(key), !text.isEmpty else { days.append(fallback); continue }
            guard let d = PlanDays.parse(text) else { throw CentreError.bad(key, "\(key) must be a date as YYYY-MM-DD") }
            days.append(d)
        }
        guard days[0] <= days[1], days[1] - days[0] <= 366 else { throw CentreError.bad("to", "to must be after from, within a year") }
        var q = StatsQuery(from: Period.yyyymmdd(days[0]), to: Period.yyyymmdd(days[1]))
        q.scope = scope
        let rows = JointCounts.byUnit(try await joint.parts(q), now: now).map { unit, counts in
            JointFigureDTO(unit: unit, unit_name: name(unit), counts: JointCountsDTO(counts))
        }.sorted { $0.unit < $1.unit }
        struct Page: Encodable { var from: String; var to: String; var items: [JointFigureDTO] }
        return JSONBody.response(Page(from: PlanDays.text(days[0]), to: PlanDays.text(days[1]), items: rows))
    }

    func name(_ code: String) -> String? { context.current.units[code]?.name }

    func dto(_ r: CaseRecord, _ parts: [JointTask]) -> JointCaseDTO {
        JointCaseDTO(case_id: r.id, tracking_code: r.trackingCode, status: r.status.rawValue, category: r.category,
                     description: r.report.description, address: r.report.address, lead_unit: r.unit, lead_unit_name: r.unit.flatMap(name),
                     due_at: r.dueAt.map(Timestamp.rfc3339), pending: parts.filter { $0.status.isPending }.count,
                     parts: parts.map { JointPartDTO($0, now: clock.now(), names: name) })
    }
}

struct JointPartDTO: Encodable {
    var id: Int64
    var case_id: Int64
    var unit: String
    var unit_name: String?
    var due_at: String
    var handler: String?
    var note: String
    var evidence: [String]
    var status: String
    var late: Bool
    var finished_at: String?
    var finished_by: String?
    var reason: String?

    init(_ t: JointTask, now: Date, names: (String) -> String?) {
        id = t.id
        case_id = t.caseID
        unit = t.unit
        unit_name = names(t.unit)
        due_at = Timestamp.rfc3339(t.dueAt)
        handler = t.handler
        note = t.note
        evidence = t.evidence
        status = t.status.rawValue
        late = t.isLate(at: now)
        finished_at = t.finishedAt.map(Timestamp.rfc3339)
        finished_by = t.finishedBy
        reason = t.reason
    }
}

struct JointCaseDTO: Encodable {
    var case_id: Int64
    var tracking_code: String
    var status: String
    var category: String?
    var description: String
    var address: String?
    var lead_unit: String?
    var lead_unit_name: String?
    var due_at: String?
    var pending: Int
    var parts: [JointPartDTO]
}

/// A unit's row of the joint figures: its code and name beside its counts.
struct JointFigureDTO: Encodable {
    var unit: String
    var unit_name: String?
    var counts: JointCountsDTO

    func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey { case unit, unit_name }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(unit, forKey: .unit)
        try c.encodeIfPresent(unit_name, forKey: .unit_name)
        try counts.encode(to: encoder)
    }
}
