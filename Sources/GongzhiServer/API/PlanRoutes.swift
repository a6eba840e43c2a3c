import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// `/api/v1/plans` and `/api/v1/projects`: the work plan (督查督办) on a day (`as_of`, default
/// today), cut to the caller's scope before anything is counted; progress reports and
/// milestones reached, each an event of the plan with the caller as actor; blockers, each a
/// case through the one intake.
struct PlanController {
    let reader: PlanReader
    let intake: Intake
    let clock: any TimeSource

    var plans: any PlanStore { reader.plans }
    var context: Live<CaseContext> { reader.context }

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
        routes.post("plans/{id}/blockers") { request, context in
            try await raise(request, plan: context.parameters.get("id") ?? "", by: try context.caller())
        }
        routes.get("projects") { request, context in try await projects(request.uri.queryParameters, by: try context.caller()) }
        routes.get("projects/{id}") { request, context in
            try await project(context.parameters.get("id") ?? "", request.uri.queryParameters, by: try context.caller())
        }
        return routes
    }

    /// Roles that report progress and milestones (leaders read only).
    static let reporters: Set<Role> = [.admin, .dispatcher, .supervisor, .handler]

    func scope(_ p: Principal) -> Scope { reader.scope(p) }

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

    func stored(_ id: String) async throws -> StoredPlan { try await reader.stored(id) }

    func list(by p: Principal) async throws -> Response {
        try readable(p)
        struct Body: Encodable { var items: [PlanDTO.Summary] }
        return JSONBody.response(Body(items: try await plans.plans().map(PlanDTO.Summary.init)))
    }

    func plan(_ id: String, _ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        let view = try await reader.view(id, by: p, at: try day(params))
        return JSONBody.response(PlanDTO(view.document, status: view.status))
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
            let view = try await reader.view(id, by: p, at: day)
            for project in view.document.projects {
                guard let s = view.status.projects[project.id] else { continue }
                if let road = params.get("road"), project.road != road { continue }
                if let light, s.light != light { continue }
                let dto = ProjectDTO(project, plan: id, status: s, blockers: view.blockers[.init(plan: id, kind: .project, id: project.id)] ?? [],
                                     now: clock.now())
                if let stage, dto.stage != stage.rawValue { continue }
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
            let view = try await reader.view(plan, by: p, at: day)
            if let project = view.document.projects.first(where: { $0.id == id }), let s = view.status.projects[id] {
                let blockers = view.blockers[.init(plan: plan, kind: .project, id: id)] ?? []
                return JSONBody.response(ProjectDTO(project, plan: plan, status: s, blockers: blockers, now: clock.now()))
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
        try await report(plan: id, try await JSONBody.decode(PlanReportBody.self, from: request), by: p)
        return try await plan(id, Parameters(), by: p).withStatus(.created)
    }

    /// A progress report, checked as the API and the pages both need it.
    func report(plan id: String, _ body: PlanReportBody, by p: Principal) async throws {
        try Self.mayReport(p)
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
    }

    func reach(_ request: Request, plan id: String, by p: Principal) async throws -> Response {
        let project = try await reach(plan: id, try await JSONBody.decode(MilestoneBody.self, from: request), by: p)
        return try await self.project(project, in: [id], at: PlanDays.of(clock.now()), by: p).withStatus(.created)
    }

    /// A milestone reached, checked as the API and the pages both need it; the project's id.
    func reach(plan id: String, _ body: MilestoneBody, by p: Principal) async throws -> String {
        try Self.mayReport(p)
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
        return projectID
    }

    /// A blocker (堵点卡点) on a project or task the caller can see: a case of class 95 through
    /// the one intake, routed by the rules to the coordinating unit. `key` makes a retry find
    /// the case it already opened (200) instead of opening another.
    func raise(_ request: Request, plan id: String, by p: Principal) async throws -> Response {
        let body = try await JSONBody.decode(BlockerBody.self, from: request)
        let (record, repeated) = try await raise(plan: id, body, by: p)
        return JSONBody.response(BlockerDTO(record, now: clock.now()), status: repeated ? .ok : .created)
    }

    /// The blocker's case, and whether it was raised before with the same key.
    func raise(plan id: String, _ body: BlockerBody, by p: Principal) async throws -> (CaseRecord, Bool) {
        try Self.mayReport(p)
        let stored = try await stored(id)
        let scope = scope(p)
        let subject: BlockerSubject, place: String
        switch (body.project, body.task) {
        case (let projectID?, nil):
            guard let project = stored.document.projects.first(where: { $0.id == projectID }), stored.document.sees(project, scope: scope) else {
                throw APIError(.unprocessableContent, code: "unknown_project", message: "no project '\(projectID)' you can see", field: "project")
            }
            subject = BlockerSubject(plan: id, kind: .project, id: projectID)
            place = project.name + (project.road.map { "（\($0)）" } ?? "")
        case (nil, let taskID?):
            let seen = stored.document.scoped(to: scope).goalAreas.flatMap(\.tasks)
            guard let task = seen.first(where: { $0.id == taskID }) else {
                throw APIError(.unprocessableContent, code: "unknown_task", message: "no task '\(taskID)' you can see", field: "task")
            }
            subject = BlockerSubject(plan: id, kind: .task, id: taskID)
            place = task.name
        default:
            throw APIError(.unprocessableContent, code: "missing_field", message: "name one project or one task", field: "project")
        }
        let category = body.category ?? "95002"
        guard category.hasPrefix("95"), context.current.categories.reportable(category) != nil else {
            throw APIError(.unprocessableContent, code: "unknown_value", message: "category must be a blocker category (class 95)",
                           field: "category")
        }
        var externalID: String? = nil
        if let key = body.key {
            let text = "\(id)/\(subject.kind.rawValue)/\(subject.id)/\(key)"
            guard !key.isEmpty, text.utf8.count <= ReportLimits.externalIDMax else {
                throw APIError(.unprocessableContent, code: "out_of_range",
                               message: "key must be non-empty and, with the plan and subject, at most \(ReportLimits.externalIDMax) bytes",
                               field: "key")
            }
            externalID = text
        }
        let draft = ReportDraft(source: ReportSource.project.rawValue, category: category, description: body.description, address: place,
                                externalID: externalID, attributes: subject.attributes)
        let outcome = try await intake.submit(draft, actor: p.actor)
        guard let caseID = outcome.caseID, let record = try await reader.cases.find(id: caseID) else {
            throw IntakeError.storage("the blocker has no case")
        }
        return (record, outcome.repeated)
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
