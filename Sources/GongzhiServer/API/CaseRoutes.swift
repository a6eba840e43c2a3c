import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// `/api/v1/reports` and `/api/v1/cases`: the closed loop over HTTP.
struct CaseRoutes {
    let services: GongzhiServices

    func register(on router: Router<some RequestContext>) {
        router.post("/api/v1/reports") { request, _ in try await createReport(request) }
        router.get("/api/v1/cases") { request, _ in try await list(request) }
        router.get("/api/v1/cases/{id}") { _, context in try await detail(context.parameters.get("id") ?? "") }
        router.post("/api/v1/cases/{id}/{action}") { request, context in
            try await act(request, id: context.parameters.get("id") ?? "", action: context.parameters.get("action") ?? "")
        }
    }

    func createReport(_ request: Request) async throws -> Response {
        let body = try await JSONBody.decode(ReportBody.self, from: request)
        let report = try ReportIntake.report(from: body, categories: services.reference.categories, atlas: services.atlas.current)
        let now = services.clock.now()
        let (record, created) = try await services.store.create(report, actor: services.actor, at: now)
        return JSONBody.response(CaseDTO(record, services: services, now: now), status: created ? .created : .ok)
    }

    func detail(_ idText: String) async throws -> Response {
        let id = try caseID(idText)
        guard let record = try await services.store.find(id: id) else { throw StoreError.caseNotFound(id) }
        let history = try await services.store.history(of: id)
        return JSONBody.response(CaseDTO(record, services: services, now: services.clock.now(), history: history))
    }

    func act(_ request: Request, id idText: String, action actionText: String) async throws -> Response {
        let id = try caseID(idText)
        guard let action = CaseAction(rawValue: actionText), !CaseAction.systemOnly.contains(action) else {
            throw APIError(.notFound, code: "unknown_action",
                           message: "'\(actionText)' is not an action; actions are \(CaseAction.commands.map(\.rawValue).joined(separator: ", "))")
        }
        let body = try await JSONBody.decode(ActionBody.self, from: request)
        let command = CaseCommand(action, unit: body.unit, reason: body.reason, note: body.note, passed: body.passed,
                                  mediaURLs: body.media_urls ?? [], deadlineHours: body.deadline_hours)
        let now = services.clock.now()
        let record = try await services.store.perform(command, on: id, actor: services.actor, at: now)
        let history = try await services.store.history(of: id)
        return JSONBody.response(CaseDTO(record, services: services, now: now, history: history))
    }

    func list(_ request: Request) async throws -> Response {
        let q = try CaseListQuery.parse(request.uri.queryParameters, categories: services.reference.categories, now: services.clock.now())
        let page = try await services.store.list(q)
        let now = services.clock.now()
        return JSONBody.response(CaseListDTO(items: page.items.map { CaseDTO($0, services: services, now: now) },
                                             next_cursor: page.nextCursor?.token))
    }

    private func caseID(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw APIError(.notFound, code: "case_not_found", message: "case '\(text)' does not exist: case ids are positive integers")
        }
        return id
    }
}
