import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// Tokens for API clients, the audit logs, and the public status lookup.
struct SessionRoutes {
    let services: GongzhiServices

    func register(on router: Router<AppRequestContext>) {
        router.post("/api/v1/session") { request, context in try await login(request, from: context.remoteIP) }
        router.delete("/api/v1/session") { request, _ in try await logout(request) }
        router.get("/api/v1/me") { _, context in try me(try context.caller()) }
        router.get("/api/v1/audit/log") { request, context in try await auditLog(request, by: try context.caller()) }
        router.get("/api/v1/audit/access") { request, context in try await accessLog(request, by: try context.caller()) }
        router.get("/public/track/{code}") { _, context in try await track(context.parameters.get("code") ?? "") }
    }

    struct LoginBody: Decodable { var username: String?; var password: String? }

    func login(_ request: Request, from address: String) async throws -> Response {
        struct Body: Encodable { var token: String; var expires_at: String; var username: String; var role: String; var unit: String }
        guard try await services.accounts.allowAttempt(from: address, at: services.clock.now()) else {
            throw APIError(.tooManyRequests, code: "throttled", message: "too many login attempts from your address; wait a few minutes")
        }
        let body = try await JSONBody.decode(LoginBody.self, from: request)
        guard let username = body.username, !username.isEmpty else { throw APIError(.unprocessableContent, code: "required", message: "username is required", field: "username") }
        guard let password = body.password, !password.isEmpty else { throw APIError(.unprocessableContent, code: "required", message: "password is required", field: "password") }
        // Text no account name can hold is refused here, by the rule every text field follows.
        do { _ = try TextRule.checked(username, field: "username", max: LoginPolicy.usernameInputMax) } catch { throw APIError.unprocessable(error) }
        switch try await services.accounts.login(username: username, password: password, kind: .bearer, at: services.clock.now()) {
        case .success(let token, _, let user, let expires):
            return JSONBody.response(Body(token: token, expires_at: Timestamp.rfc3339(expires), username: user.username, role: user.role.rawValue, unit: user.unit))
        case .invalid:
            throw APIError(.unauthorized, code: "invalid_credentials", message: "wrong username or password")
        case .locked(let until):
            throw APIError(.tooManyRequests, code: "locked", message: "too many failed logins; try again after \(Timestamp.rfc3339(until))")
        }
    }

    func logout(_ request: Request) async throws -> Response {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer gzt_") {
            try await services.accounts.logout(token: String(header.dropFirst("Bearer ".count)), at: services.clock.now())
        }
        return Response(status: .noContent)
    }

    func me(_ p: Principal) throws -> Response {
        struct Body: Encodable { var id: String; var role: String; var unit: String; var unit_name: String?; var scope_units: Int? }
        let scope = services.scope(of: p)
        return JSONBody.response(Body(id: p.id, role: p.role.rawValue, unit: p.unit, unit_name: services.context.current.units[p.unit]?.name,
                                      scope_units: scope.isAll ? nil : scope.units.count))
    }

    func auditLog(_ request: Request, by p: Principal) async throws -> Response {
        guard AccessPolicy.readsAudit(p.role) else { throw APIError(.forbidden, code: "forbidden", message: "only auditors read the audit log") }
        struct Item: Encodable { var seq: Int64; var at: String; var actor: String; var action: String; var detail: RawJSON }
        let before = request.uri.queryParameters.get("before").flatMap(Int64.init)
        let entries = try await services.accounts.auditEntries(limit: 200, before: before)
        return JSONBody.response(["items": entries.map { Item(seq: $0.seq, at: Timestamp.rfc3339($0.at), actor: $0.actor, action: $0.action, detail: RawJSON($0.detail)) }])
    }

    func accessLog(_ request: Request, by p: Principal) async throws -> Response {
        guard AccessPolicy.readsAudit(p.role) else { throw APIError(.forbidden, code: "forbidden", message: "only auditors read the access log") }
        struct Item: Encodable {
            var at: String; var actor: String; var case_id: Int64; var field: String; var reason: String; var subject: String?
        }
        let entries = try await services.accounts.accessLog(limit: 500)
        return JSONBody.response(["items": entries.map {
            Item(at: Timestamp.rfc3339($0.at), actor: $0.actor, case_id: $0.caseID, field: $0.field, reason: $0.reason, subject: $0.subject)
        }])
    }

    /// What the public may know of a case by its tracking code: no personal fields, no text.
    func track(_ code: String) async throws -> Response {
        struct Body: Encodable { var tracking_code: String; var status: String; var category: String?; var street: String?; var reported_at: String; var updated_at: String; var closed_at: String? }
        guard TrackingCode.isWellFormed(code), let r = try await services.store.find(trackingCode: code.uppercased()) else {
            throw APIError(.notFound, code: "not_found", message: "no case has this tracking code")
        }
        return JSONBody.response(Body(tracking_code: r.trackingCode, status: r.status.rawValue, category: r.category.flatMap { services.reference.categories.reportable($0)?.name },
                                      street: r.area?.street.flatMap(services.areaName), reported_at: Timestamp.rfc3339(r.createdAt),
                                      updated_at: Timestamp.rfc3339(r.updatedAt), closed_at: r.closedAt.map(Timestamp.rfc3339)))
    }
}
