import Hummingbird
import HTTPTypes

/// Headers every response carries: no sniffing, no framing, no referrer leak, and a
/// content policy that allows only this server's own resources (the product runs air-gapped).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.contentSecurityPolicy] = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        return response
    }
}
