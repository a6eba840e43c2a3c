import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore
import Hummingbird
import Synchronization

/// `POST /api/v1/whatif`: a period's cases replayed under proposed rules, deadlines, scenarios,
/// holidays or office hours, each unit's figures and rank as they are and as they would have
/// been, and the cases whose outcome changes. For the command centre, supervision and the
/// leadership, over what they may see. Reads only. One runs at a time (a year of cases keeps
/// both cores busy); another asked meanwhile is told to come back.
struct WhatIfController {
    let services: GongzhiServices

    static let roles: Set<Role> = [.dispatcher, .supervisor, .leader, .admin]
    static let maxDays: Int64 = 366

    struct RuleChangeBody: Decodable {
        var rule: String?
        var deadline: DeadlineSpec?
        var unit: String?
    }

    struct ScenarioChangeBody: Decodable {
        var scenario: String?
        var merchant_minutes: Double?
        var enforcement_unit: String?
        var enforcement_deadline: DeadlineSpec?
    }

    /// Other boundaries for one level; `geojson` is read apart from the body's own JSON (see `routes`).
    struct AreasBody: Decodable {
        var level: String?
        var geojson: Present?
        var code_property: String?
        var name_property: String?
    }

    /// A value that is there, whatever its shape: the layer is read as GeoJSON apart.
    struct Present: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    /// A street layer with real boundaries is larger than the API's usual body.
    static let bodyMax = 8 * 1024 * 1024

    struct Body: Decodable {
        var from: String?
        var to: String?
        var period: String?
        var date: String?
        var street: [String]?
        var community: [String]?
        var grid: [String]?
        var category: [String]?
        var source: [String]?
        var unit: [String]?
        var rules: [RoutingRule]?
        var changes: [RuleChangeBody]?
        var scenarios: [ScenarioChangeBody]?
        var holidays: [String]?
        var office_hours: String?
        var limit: Int?
        var areas: AreasBody?
    }

    var routes: RouteCollection<AppRequestContext> {
        let r = RouteCollection(context: AppRequestContext.self)
        r.post("whatif") { request, context in
            let principal = try context.caller()
            let data = try await JSONBody.collect(request, maxBytes: Self.bodyMax)
            try JSONBody.requireJSON(request)
            let body = try JSONBody.decode(Body.self, from: data)
            let layer = try body.areas.map { a in
                // The layer itself, as parsed JSON: the body was checked whole above.
                let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
                let geojson = a.geojson == nil ? nil : (object?["areas"] as? [String: Any])?["geojson"]
                return try areas(level: a.level, geojson: geojson, codeProperty: a.code_property, nameProperty: a.name_property)
            }
            let report = try await run(body, by: principal, areas: layer)
            return JSONBody.response(WhatIfDTO(report, names: { services.name($0) }, areas: { layer?.names[$0] ?? services.areaName($0) },
                                               layer: layer))
        }
        return r
    }

    /// Checks the request, builds the proposal and replays.
    func run(_ body: Body, by principal: Principal, areas: WhatIfAreas? = nil) async throws -> WhatIf.Report {
        guard Self.roles.contains(principal.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(principal.role.rawValue) may not run a what-if")
        }
        let now = services.clock.now()
        let params = try StatsParams.parse(Self.parameters(body), services: services, principal: principal, now: now)
        guard params.period.days <= Self.maxDays else {
            throw APIError(.unprocessableContent, code: "out_of_range", message: "a what-if covers at most \(Self.maxDays) days", field: "to")
        }
        let limit = body.limit ?? 200
        guard (0...1_000).contains(limit) else {
            throw APIError(.unprocessableContent, code: "out_of_range", message: "limit must be 0 to 1000", field: "limit")
        }
        let current = services.context.current
        let proposed: CaseContext
        let proposal = try proposal(body, current)
        do { proposed = try proposal.apply(to: current) } catch {
            throw APIError(.unprocessableContent, code: error.code, message: error.message, field: error.field)
        }
        guard services.whatIfGate.enter() else {
            throw APIError(.tooManyRequests, code: "busy", message: "another what-if is running; try again shortly", retryAfter: 5)
        }
        defer { services.whatIfGate.leave() }
        let whatIf = WhatIf(evaluation: services.evaluation, source: services.store.replay)
        return try await whatIf.run(params.query, period: params.period, current: current, proposed: proposed, now: now, keep: limit,
                                    relocate: areas?.relocate)
    }

    /// Other boundaries, checked; a part at fault is named (`areas.geojson` with the feature).
    /// `geojson` is the layer as `JSONSerialization` read it.
    func areas(level: String?, geojson: Any?, codeProperty: String?, nameProperty: String?) throws -> WhatIfAreas {
        guard let text = level, let level = Area.Level(rawValue: text) else {
            throw APIError(.unprocessableContent, code: "invalid_value", message: "areas.level must be street, community or grid",
                           field: "areas.level")
        }
        guard let geojson else { throw Self.missing("areas.geojson") }
        for (name, value) in [("areas.code_property", codeProperty), ("areas.name_property", nameProperty)] {
            if let value, value.isEmpty || value.count > 64 {
                throw APIError(.unprocessableContent, code: "invalid_value", message: "\(name) must be 1 to 64 characters", field: name)
            }
        }
        do {
            return try WhatIfAreas(current: services.atlas.current, level: level, features: try GeoJSON.features(json: geojson),
                                   codeProperty: codeProperty ?? "code", nameProperty: nameProperty ?? "name", source: "what-if")
        } catch let error as GeoJSON.Error {
            throw APIError(.unprocessableContent, code: "invalid_value", message: "areas.geojson: \(error)", field: "areas.geojson")
        } catch let error as WhatIfAreas.Problem {
            throw APIError(.unprocessableContent, code: "invalid_value", message: "areas.\(error.field): \(error.message)",
                           field: "areas.\(error.field)")
        }
    }

    /// The body's period and filters as the statistics' query string, checked the same way.
    static func parameters(_ b: Body) -> Parameters {
        var items: [(Substring, Substring)] = []
        for (name, value) in [("from", b.from), ("to", b.to), ("period", b.period), ("date", b.date)] {
            if let value { items.append((Substring(name), Substring(value))) }
        }
        for (name, values) in [("street", b.street), ("community", b.community), ("grid", b.grid), ("category", b.category),
                               ("source", b.source), ("unit", b.unit)] {
            for v in values ?? [] { items.append((Substring(name), Substring(v))) }
        }
        return Parameters(items)
    }

    /// The body's changes as a proposal; a part that is missing or malformed names its field.
    func proposal(_ b: Body, _ current: CaseContext) throws -> WhatIfProposal {
        var p = WhatIfProposal()
        if let rules = b.rules {
            do { p.rules = try RoutingTable(rules, units: current.units, categories: current.categories) } catch {
                throw APIError(.unprocessableContent, code: "invalid_value", message: error.description, field: "rules")
            }
        }
        for (n, c) in (b.changes ?? []).enumerated() {
            guard let rule = c.rule, !rule.isEmpty else { throw Self.missing("changes[\(n)].rule") }
            guard c.deadline != nil || c.unit != nil else { throw Self.missing("changes[\(n)].deadline") }
            p.ruleChanges.append(.init(rule: rule, deadline: c.deadline, unit: c.unit))
        }
        for (n, s) in (b.scenarios ?? []).enumerated() {
            guard let id = s.scenario, !id.isEmpty else { throw Self.missing("scenarios[\(n)].scenario") }
            if let m = s.merchant_minutes, !m.isFinite { throw Self.missing("scenarios[\(n)].merchant_minutes") }
            p.scenarioChanges.append(.init(scenario: id, merchantMinutes: s.merchant_minutes, enforcementUnit: s.enforcement_unit,
                                           enforcementDeadline: s.enforcement_deadline))
        }
        let holidays = b.holidays ?? []
        guard holidays.count <= 366 else {
            throw APIError(.unprocessableContent, code: "too_many", message: "at most 366 holidays", field: "holidays")
        }
        for (n, text) in holidays.enumerated() {
            guard text.utf8.count == 10, let day = WorkingCalendar.day(text), Period.text(day) == text else {
                throw APIError.badRequest("invalid_date", "holidays[\(n)] must be a date like 2026-10-09", field: "holidays[\(n)]")
            }
            p.daysOff[day] = "what-if"
        }
        if let text = b.office_hours {
            guard let hours = WorkingCalendar.OfficeHours(parsing: text) else {
                throw APIError(.unprocessableContent, code: "invalid_value",
                               message: "office_hours must be ordered HH:MM-HH:MM intervals separated by commas", field: "office_hours")
            }
            p.officeHours = hours
        }
        return p
    }

    static func missing(_ field: String) -> APIError {
        APIError(.unprocessableContent, code: "required", message: "\(field) is required", field: field)
    }
}

/// One what-if at a time per server.
final class WhatIfGate: Sendable {
    private let busy = Mutex(false)

    func enter() -> Bool {
        busy.withLock { b in
            if b { return false }
            b = true
            return true
        }
    }

    func leave() { busy.withLock { $0 = false } }
}
