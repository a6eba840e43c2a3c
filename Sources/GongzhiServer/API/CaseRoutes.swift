import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// `/api/v1/reports` and `/api/v1/cases`: the closed loop over HTTP.
struct CaseRoutes {
    let services: GongzhiServices

    func register(on router: Router<AppRequestContext>) {
        router.post("/api/v1/reports") { request, context in try await createReport(request, by: try context.caller()) }
        router.get("/api/v1/cases") { request, context in try await list(request, by: try context.caller()) }
        router.get("/api/v1/cases/{id}") { request, context in
            try await detail(context.parameters.get("id") ?? "", request.uri.queryParameters, by: try context.caller())
        }
        router.get("/api/v1/cases/{id}/reports") { request, context in
            try await reports(context.parameters.get("id") ?? "", request.uri.queryParameters, by: try context.caller())
        }
        router.post("/api/v1/cases/{id}/{action}") { request, context in
            try await act(request, id: context.parameters.get("id") ?? "", action: context.parameters.get("action") ?? "", by: try context.caller())
        }
    }

    func createReport(_ request: Request, by principal: Principal) async throws -> Response {
        guard AccessPolicy.files(principal.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(principal.role.rawValue) may not file reports")
        }
        let body = try await JSONBody.decode(ReportBody.self, from: request)
        let outcome = try await services.intake.submit(body.draft, actor: principal.actor)
        let now = services.clock.now()
        var found = outcome.record
        if found == nil, let id = outcome.caseID { found = try await services.store.find(id: id) }
        guard let record = found else { throw IntakeError.storage("the report has no case") }
        // 201 when this report opened the case; 200 when it joined one, or was sent before.
        let created = outcome.kind == .opened && !outcome.repeated
        return JSONBody.response(writing: CaseDTO(record, services: services, now: now, allowed: offered(record, to: principal, at: now)),
                                 status: created ? .created : .ok)
    }

    func detail(_ idText: String, _ params: Parameters, by principal: Principal) async throws -> Response {
        let id = try caseID(idText)
        guard AccessPolicy.readsCases(principal.role) else { throw StoreError.caseNotFound(id) }
        guard let record = try await services.store.find(id: id), services.scope(of: principal).contains(record) else {
            throw StoreError.caseNotFound(id)
        }
        let now = services.clock.now()
        var reveal = false
        if let field = params.get("reveal") {
            guard field == "reporter" else {
                throw APIError(.unprocessableContent, code: "unknown_field", message: "only reporter can be revealed", field: "reveal")
            }
            guard AccessPolicy.revealsPersonalData(principal.role) else {
                throw APIError(.forbidden, code: "forbidden", message: "a \(principal.role.rawValue) may not read personal fields")
            }
            guard let reason = params.get("reason")?.trimmingCharacters(in: .whitespaces), !reason.isEmpty, reason.count <= 200 else {
                throw APIError(.unprocessableContent, code: "required", message: "say why you need the reporter's details (reason, at most 200 characters)", field: "reason")
            }
            if record.report.reporter != nil {
                try await services.accounts.logAccess(actor: principal.id, caseID: id, field: "reporter", reason: reason, at: now)
            }
            reveal = true
        }
        let history = try await services.store.history(of: id)
        return JSONBody.response(writing: CaseDTO(record, services: services, now: now, allowed: offered(record, to: principal, at: now), history: history,
                                         revealReporter: reveal))
    }

    /// The reports a case gathers, oldest first, paged by `after` (a report id); personal fields masked.
    func reports(_ idText: String, _ params: Parameters, by principal: Principal) async throws -> Response {
        let id = try caseID(idText)
        guard AccessPolicy.readsCases(principal.role), let record = try await services.store.find(id: id),
              services.scope(of: principal).contains(record) else { throw StoreError.caseNotFound(id) }
        var limit = 100
        if let text = params.get("limit") {
            guard let n = Int(text) else { throw APIError.badRequest("wrong_type", "limit must be an integer", field: "limit") }
            guard (1...500).contains(n) else { throw APIError(.unprocessableContent, code: "out_of_range", message: "limit must be 1–500", field: "limit") }
            limit = n
        }
        var after: Int64? = nil
        if let text = params.get("after") {
            guard let n = Int64(text) else { throw APIError.badRequest("wrong_type", "after must be an integer", field: "after") }
            after = n
        }
        let items = try await services.store.reports(of: id, after: after, limit: limit).map(ReportDTO.init)
        struct Body: Encodable { var case_id: Int64; var total: Int; var summary: String; var items: [ReportDTO]; var next_after: Int64? }
        return JSONBody.response(Body(case_id: id, total: record.tally.total, summary: record.tally.summary, items: items,
                                      next_after: items.count == limit ? items.last?.id : nil))
    }

    func act(_ request: Request, id idText: String, action actionText: String, by principal: Principal) async throws -> Response {
        let id = try caseID(idText)
        guard let action = CaseAction(rawValue: actionText), !CaseAction.systemOnly.contains(action) else {
            throw APIError(.notFound, code: "unknown_action",
                           message: "'\(actionText)' is not an action; actions are \(CaseAction.commands.map(\.rawValue).joined(separator: ", "))")
        }
        let body = try await JSONBody.decode(ActionBody.self, from: request)
        let command = CaseCommand(action, unit: body.unit, reason: body.reason, note: body.note, passed: body.passed,
                                  mediaURLs: body.media_urls ?? [], deadlineHours: body.deadline_hours, otherCase: body.into,
                                  category: body.category, satisfaction: try body.verdict())
        let now = services.clock.now()
        let scope = services.scope(of: principal)
        // Checked inside the transaction, against the case as it is there.
        let record = try await services.store.perform(command, on: id, actor: principal.actor, at: now) { current in
            try AccessPolicy.decide(principal, action, on: current, scope: scope).enforce(caseID: id)
        }
        let history = try await services.store.history(of: id)
        return JSONBody.response(writing: CaseDTO(record, services: services, now: now, allowed: offered(record, to: principal, at: now), history: history))
    }

    func list(_ request: Request, by principal: Principal) async throws -> Response {
        guard AccessPolicy.readsCases(principal.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(principal.role.rawValue) may not read cases")
        }
        var q = try CaseListQuery.parse(request.uri.queryParameters, categories: services.reference.categories, now: services.clock.now())
        q.scope = services.scope(of: principal)
        // Ids and revisions first (held while nothing is written: `RevisionPageCache`); whole
        // rows only for the cases the item cache lacks (`CaseItemCache`).
        let page = try await services.casePages.page(q, from: services.store)
        let cache = services.caseItems
        var held = cache.items(page.items, atlasVersion: services.atlas.current.version)
        let missing = page.items.map(\.id).filter { held[$0] == nil }
        if !missing.isEmpty {
            let made = try await services.store.cases(ids: missing).map { CaseItemCache.item($0.record, revision: $0.revision, services: services) }
            cache.store(made)
            for item in made { held[item.record.id] = item }
        }
        let now = services.clock.now(), context = services.context.current
        let items = page.items.compactMap { held[$0.id] }.map { item in
            CachedCaseJSON(item: item, allowed: AccessPolicy.offeredActions(principal, on: item.record, scope: q.scope, at: now, context: context),
                           now: now)
        }
        return JSONBody.response(writing: CaseListDTO(items: items, next_cursor: page.nextCursor?.token), capacity: 1_024 * (items.count + 1))
    }

    /// What `principal` may do to the case now: the API's `allowed_actions`.
    func offered(_ record: CaseRecord, to principal: Principal, at now: Date) -> [CaseAction] {
        AccessPolicy.offeredActions(principal, on: record, scope: services.scope(of: principal), at: now, context: services.context.current)
    }

    func caseID(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw APIError(.notFound, code: "case_not_found", message: "case '\(text)' does not exist: case ids are positive integers")
        }
        return id
    }
}

extension AccessPolicy.Decision {
    /// Throws what the caller sees: 404 for a case outside the scope (its existence must not
    /// leak), 403 for an action the role may not take.
    func enforce(caseID id: Int64) throws {
        switch self {
        case .allow: return
        case .hidden: throw StoreError.caseNotFound(id)
        case .forbidden(let why): throw APIError(.forbidden, code: "forbidden", message: why)
        }
    }
}
