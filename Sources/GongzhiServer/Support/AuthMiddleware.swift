import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// Authenticates every `/api/v1` request by `Authorization: Bearer <API key or token>`.
/// Without valid credentials the answer is 401 with the JSON error body; `POST /api/v1/session`
/// (which issues tokens) is the one route under `/api/v1` that needs none.
///
/// Only tokens issued to API clients are accepted: a web session's token (the cookie's value)
/// is refused even when sent as a bearer token, so the API needs no CSRF defence and a stolen
/// cookie does not open the API.
struct AuthMiddleware: RouterMiddleware {
    let accounts: any AccountStore
    let clock: any TimeSource

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/v1/") || path == "/api/v1" || path == "/metrics" else { return try await next(request, context) }
        if path == "/api/v1/session", request.method == .post { return try await next(request, context) }
        // A merchant confirms through its notice's link, whose secret is the credential.
        if request.method == .post, path.hasPrefix("/api/v1/notices/"), path.hasSuffix("/confirm") { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "send Authorization: Bearer <API key or token>; get a token from POST /api/v1/session")
        }
        let credential = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        let now = clock.now()
        let principal: Principal?
        if credential.hasPrefix("gzk_") {
            principal = try await accounts.authenticate(key: credential, at: now)
        } else if credential.hasPrefix("gzt_") {
            let session = try await accounts.session(token: credential, at: now)
            principal = session?.kind == .bearer ? session?.principal : nil
        } else {
            principal = nil
        }
        guard let principal else {
            throw APIError(.unauthorized, code: "invalid_credentials", message: "the key or token is unknown, revoked or expired")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
