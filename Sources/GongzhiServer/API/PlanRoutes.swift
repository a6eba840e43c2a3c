import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// `/api/v1/plans` and `/api/v1/projects`: the work plan (督查督办) on a day (`as_of`, default
/// today), cut to the caller's scope before anything is counted; progress reports and
/// milestones reached, each an event of the plan with the caller as actor.
struct PlanController {
    let plans: any PlanStore
    let context: Live<CaseContext>
    let clock: any TimeSource

    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("plans") { _, context in try await list(by: try context.caller()) }
        routes.get("plans/{id}") { request, context in
            try await plan(context.parameters.get("id") ?? "", request.uri.queryParameters, by: try context.caller())
        }
        routes.post("plans/{id}/reports") { request, context in
            try await report(request, plan: context.parameters.get("id") ?? "", by: try context.caller())
        }
        routes.post("plans/{id}/milestones") { request, context in
            try await reach(request, plan: context.parameters.get("id") ?? "", by: try context.caller())
        }
        routes.get("projects") { request, context in try await projects(request.uri.queryParameters, by: try context.caller()) }
        routes.get("projects/{id}") { request, context in
            try await project(context.parameters.get("id") ?? "", request.uri.queryParameters, by: try context.caller())
        }
        return routes
    }

    /// Roles that report progress and milestones (leaders read only).
    static let reporters: Set<Role> = [.admin, .dispatcher, .supervisor, .handler]

    func scope(_ p: Principal) -> Scope { Scope.of(unit: p.unit, in: context.current.units) }

    func readable(_ p: Principal) throws {
        guard AccessPolicy.readsCases(p.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(p.role.rawValue) may not read plans")
        }
    }

    /// `as_of=YYYY-MM-DD`, or today in China.
    func day(_ params: Parameters) throws -> PlanDay {
        guard let text = params.get("as_of") else { return PlanDays.of(clock.now()) }
        return try Self.date(text, field: "as_of")
    }

    static func date(_ text: String, field: String) throws -> PlanDay {
        guard let day = PlanDays.parse(text) else {
            throw APIError(.unprocessableContent, code: "invalid_date", message: "\(field) must be a date YYYY-MM-DD", field: field)
        }
        return day
    }

    static func mayReport(_ p: Principal) throws {
        guard reporters.contains(p.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(p.role.rawValue) may not report on plans")
        }
    }

    /// The plan as the caller sees it, evaluated on `day`. Blockers in the plan's file count
    /// as open from the day they were raised.
    func scoped(_ id: String, by p: Principal, at day: PlanDay) async throws -> (PlanDocument, PlanStatus) {
        let stored = try await stored(id)
        let seen = stored.document.scoped(to: scope(p))
        let blockers = Dictionary(grouping: seen.blockers.filter { $0.raised <= day }, by: \.project).mapValues(\.count)
        let visible = Set(seen.indicators.map(\.indicator.id))
        let reports = stored.reports.filter { visible.contains($0.key) }
        let status = StoredPlan(document: seen, reports: reports, actuals: stored.actuals, eventCount: stored.eventCount)
            .status(at: day, openBlockers: blockers)
        return (seen, status)
    }

    /// The stored plan, or 404; an id no plan could have (control characters, too long) is not looked up.
    func stored(_ id: String) async throws -> StoredPlan {
        let plausible = !id.isEmpty && id.utf8.count <= 200 && !id.unicodeScalars.contains { $0.properties.generalCategory == .control }
        guard plausible, let stored = try await plans.plan(id) else {
            throw APIError(.notFound, code: "plan_not_found", message: "plan '\(id.prefix(200))' does not exist")
        }
        return stored
    }

    func list(by p: Principal) async throws -> Response {
        try readable(p)
        struct Body: Encodable { var items: [PlanDTO.Summary] }
        return JSONBody.response(Body(items: try await plans.plans().map(PlanDTO.Summary.init)))
    }

    func plan(_ id: String, _ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        let (seen, status) = try await scoped(id, by: p, at: try day(params))
        return JSONBody.response(PlanDTO(seen, status: status))
    }

    func projects(_ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        let day = try day(params)
        let stage = try params.get("stage").map { try Self.milestone($0, field: "stage") }
        let light = try params.get("light").map { text in
            guard let l = Light(rawValue: text) else {
                throw APIError(.unprocessableContent, code: "unknown_value", message: "light must be none, green, amber or red", field: "light")
            }
            return l
        }
        let ids = try await planIDs(params)
        var items: [ProjectDTO] = []
        for id in ids {
            let (seen, status) = try await scoped(id, by: p, at: day)
            for project in seen.projects {
                guard let s = status.projects[project.id] else { continue }
                let dto = ProjectDTO(project, plan: id, status: s)
                if let road = params.get("road"), project.road != road { continue }
                if let stage, dto.stage != stage.rawValue { continue }
                if let light, s.light != light { continue }
                items.append(dto)
            }
        }
        struct Body: Encodable { var as_of: String; var items: [ProjectDTO] }
        return JSONBody.response(Body(as_of: PlanDays.text(day), items: items))
    }

    func project(_ id: String, _ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        return try await project(id, in: try await planIDs(params), at: try day(params), by: p)
    }

    /// The first of `plans` (project ids are unique within a plan only) that has the project.
    func project(_ id: String, in plans: [String], at day: PlanDay, by p: Principal) async throws -> Response {
        for plan in plans {
            let (seen, status) = try await scoped(plan, by: p, at: day)
            if let project = seen.projects.first(where: { $0.id == id }), let s = status.projects[id] {
                return JSONBody.response(ProjectDTO(project, plan: plan, status: s))
            }
        }
        throw APIError(.notFound, code: "project_not_found", message: "project '\(id)' does not exist in a plan you can see")
    }

    /// `plan=ID` (checked), or every plan.
    func planIDs(_ params: Parameters) async throws -> [String] {
        let all = try await plans.plans().map(\.id)
        guard let one = params.get("plan") else { return all }
        guard all.contains(one) else { throw APIError(.notFound, code: "plan_not_found", message: "plan '\(one)' does not exist") }
        return [one]
    }

    func report(_ request: Request, plan id: String, by p: Principal) async throws -> Response {
        try Self.mayReport(p)
        let body = try await JSONBody.decode(PlanReportBody.self, from: request)
        let stored = try await stored(id)
        guard let indicator = body.indicator, !indicator.isEmpty else { throw Self.missing("indicator") }
        guard let monthText = body.month else { throw Self.missing("month") }
        guard let month = PlanDays.parse(monthText + "-01"), monthText.count == 7 else {
            throw APIError(.unprocessableContent, code: "invalid_date", message: "month must be YYYY-MM", field: "month")
        }
        guard let value = body.value else { throw Self.missing("value") }
        let asOf = try body.as_of.map { try Self.date($0, field: "as_of") }
            ?? min(Period.containing(month, kind: .month).last, PlanDays.of(clock.now()))
        let unit = body.unit ?? p.unit
        guard context.current.units[unit] != nil else {
            throw APIError(.unprocessableContent, code: "unknown_unit", message: "unknown unit '\(unit)'", field: "unit")
        }
        guard stored.document.mayReport(indicator: indicator, unit: unit, scope: scope(p)) else {
            throw APIError(.forbidden, code: "forbidden", message: "you may not report on '\(indicator)' for unit '\(unit)'", field: "indicator")
        }
        try await Self.mapping {
            try await plans.report(plan: id, indicator: indicator, month: month, asOf: asOf, value: value, unit: unit, actor: p.id, at: clock.now())
        }
        return try await plan(id, Parameters(), by: p).withStatus(.created)
    }

    func reach(_ request: Request, plan id: String, by p: Principal) async throws -> Response {
        try Self.mayReport(p)
        let body = try await JSONBody.decode(MilestoneBody.self, from: request)
        let stored = try await stored(id)
        guard let projectID = body.project, !projectID.isEmpty else { throw Self.missing("project") }
        guard let name = body.milestone else { throw Self.missing("milestone") }
        let milestone = try Self.milestone(name, field: "milestone")
        guard let dayText = body.day else { throw Self.missing("day") }
        let day = try Self.date(dayText, field: "day")
        let scope = scope(p)
        guard let project = stored.document.projects.first(where: { $0.id == projectID }), stored.document.sees(project, scope: scope) else {
            throw APIError(.unprocessableContent, code: "unknown_project", message: "no project '\(projectID)' you can see", field: "project")
        }
        try await Self.mapping {
            try await plans.reach(plan: id, project: projectID, milestone: milestone, day: day, actor: p.id, at: clock.now())
        }
        return try await self.project(projectID, in: [id], at: PlanDays.of(clock.now()), by: p).withStatus(.created)
    }

    static func milestone(_ text: String, field: String) throws -> Milestone {
        guard let m = Milestone(rawValue: text) else {
            throw APIError(.unprocessableContent, code: "unknown_value",
                           message: "\(field) must be one of \(Milestone.allCases.map(\.rawValue).joined(separator: ", "))", field: field)
        }
        return m
    }

    static func missing(_ field: String) -> APIError {
        APIError(.unprocessableContent, code: "missing_field", message: "\(field) is required", field: field)
    }

    /// The store's refusals as 404 and 422 naming the field.
    static func mapping(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let e as PlanStoreError {
            switch e {
            case .unknownPlan: throw APIError(.notFound, code: "plan_not_found", message: e.description)
            case .invalid(let field, let why): throw APIError(.unprocessableContent, code: "invalid_value", message: why, field: field)
            case .unreadable(let why): throw APIError(.unprocessableContent, code: "unreadable", message: why)
            }
        }
    }
}

extension Response {
    func withStatus(_ status: HTTPResponse.Status) -> Response {
        var r = self
        r.status = status
        return r
    }
}
