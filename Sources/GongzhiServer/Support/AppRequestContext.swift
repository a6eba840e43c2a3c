import GongzhiCore
import Hummingbird

/// The request context of every route: Hummingbird's core plus who is calling.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` for `/api/v1` routes; nil on open routes.
    public var principal: Principal?
    /// The peer's IP address, for throttling logins ("unknown" in in-process tests).
    public let remoteIP: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        remoteIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The authenticated caller; routes behind `AuthMiddleware` always have one.
    func caller() throws -> Principal {
        guard let principal else { throw APIError(.unauthorized, code: "unauthenticated", message: "send Authorization: Bearer <key or token>") }
        return principal
    }
}
