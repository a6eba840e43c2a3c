import Hummingbird

/// Answers a method the router does not serve on a path it does (TRACE, PUT or DELETE on
/// `/api/v1/cases`) with 405 and the `Allow` header RFC 9110 asks for, instead of the 404 the
/// router gives: the resource exists, the method does not. Added last, so it sits inside the
/// error middleware and sees the router's 404 first.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route's path as segments (`{id}` matches any one) with the methods it serves.
    let routes: [(segments: [Substring], methods: Set<HTTPRequest.Method>)]

    init(routes: [Router<Context>.RouteDescription]) {
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for r in routes { byPath[r.path.description, default: []].insert(r.method) }
        self.routes = byPath.map { (path, methods) in (path.split(separator: "/"), methods) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = allowed(request.uri.path)
            guard !methods.isEmpty, !methods.contains(request.method) else { throw error }
            let list = methods.map(\.rawValue).sorted().joined(separator: ", ")
            throw APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method.rawValue) is not served here; allowed: \(list)",
                           allow: list)
        }
    }

    /// The methods served on the routes the path matches.
    func allowed(_ path: String) -> Set<HTTPRequest.Method> {
        let parts = path.split(separator: "/")
        var methods: Set<HTTPRequest.Method> = []
        for route in routes where route.segments.count == parts.count {
            let matches = zip(route.segments, parts).allSatisfy { template, part in
                template == part || template.hasPrefix("{") || template.hasPrefix(":") || template == "*"
            }
            if matches { methods.formUnion(route.methods) }
        }
        return methods
    }
}
