import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird
import Logging

/// Everything a running server needs, built once at start.
public struct GongzhiServices: Sendable {
    public var store: any CaseStore
    public var reference: ReferenceData
    public var clock: any TimeSource
    /// Who API requests act as. Until accounts exist every request acts as this one actor.
    public var actor: Actor

    public init(store: any CaseStore, reference: ReferenceData, clock: any TimeSource, actor: Actor = Actor(id: "api:anonymous")) {
        self.store = store
        self.reference = reference
        self.clock = clock
        self.actor = actor
    }
}

/// The router with every route of the product. Tests build the same router.
public func buildRouter(_ services: GongzhiServices) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.middlewares.add(APIErrorMiddleware())
    router.middlewares.add(SecurityHeadersMiddleware())
    router.get("/healthz") { _, _ in JSONBody.response(["status": "ok"]) }
    router.get("/openapi.json") { _, _ in try OpenAPIDocument.response() }
    CaseRoutes(services: services).register(on: router)
    ReferenceRoutes(reference: services.reference).register(on: router)
    return router
}

/// The application the `gongzhi serve` command runs and the end-to-end tests drive.
public func buildApplication(
    _ services: GongzhiServices, host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(services),
        configuration: .init(address: .hostname(host, port: port), serverName: "gongzhi"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}
