import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiIntake
import GongzhiNotify
import GongzhiStore
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Synchronization

/// Everything a running server needs, built once at start; the rules and the area layers can
/// be reloaded while it runs.
public struct GongzhiServices: Sendable {
    public var store: any Storage
    public var reference: ReferenceData
    public var clock: any TimeSource
    public var atlas: Live<Atlas>
    /// The rules file; nil means the bundled defaults.
    public var rulesPath: String?
    public var accounts: any AccountStore
    /// One reload at a time (SIGHUP and the API may ask together), so the newest read wins.
    let reloads = Serial()
    /// Names of the areas in the reference data (communities have no polygons to carry names).
    let referenceAreaNames: [String: String]
    /// The one intake every channel uses, with its writer.
    public let intake: Intake
    public let intakeRules: Live<IntakeRules>
    /// The camera registry, by id, as intake checks detections against it.
    public let cameras: Live<[String: Camera]>
    /// Proposes categories for free text (the hotline); nil leaves such reports to dispatchers.
    public let classifier: (any TextClassifier)?
    /// How units are scored and ranked.
    public let scheme: ScoringScheme
    /// The dispute and petition centre's types, committees and level rules.
    public let mediationRules: MediationRules
    /// The enterprise service's industries and difficulties.
    public let enterpriseCatalogue: EnterpriseCatalogue
    /// The key-population list's measures, health command and retention.
    public let keyPopulationRules: KeyPopulationRules
    /// The case list's rendered items (see `CaseItemCache`).
    let caseItems = CaseItemCache()
    /// The case list's pages while nothing is written (see `RevisionPageCache`).
    let casePages: RevisionPageCache
    /// One what-if at a time, from the API or the page.
    let whatIfGate = WhatIfGate()

    public init(store: any Storage, reference: ReferenceData, clock: any TimeSource, atlas: Live<Atlas>, rulesPath: String? = nil,
                accounts: any AccountStore, intakeRules: IntakeRules = .none, cameras: [Camera] = [],
                classifier: (any TextClassifier)? = nil, commit: GroupCommitter.Settings = .init(), scheme: ScoringScheme? = nil,
                mediationRules: MediationRules? = nil, listPageCache: Bool = true, keyPopulationRules: KeyPopulationRules? = nil) throws {
        ServerMetrics.bootstrap()
        self.casePages = RevisionPageCache(enabled: listPageCache)
        self.store = store
        self.reference = reference
        self.clock = clock
        self.atlas = atlas
        self.rulesPath = rulesPath
        self.accounts = accounts
        referenceAreaNames = Dictionary(reference.areas.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        self.intakeRules = Live(intakeRules)
        self.cameras = Live(Dictionary(cameras.map { ($0.id, $0) }, uniquingKeysWith: { _, b in b }))
        self.classifier = classifier
        self.scheme = try scheme ?? ReferenceData.scoringScheme()
        self.mediationRules = try mediationRules ?? ReferenceData.mediationRules(units: store.context.current.units)
        self.enterpriseCatalogue = try ReferenceData.enterpriseCatalogue(units: store.context.current.units,
                                                                          categories: store.context.current.categories)
        self.keyPopulationRules = try keyPopulationRules ?? ReferenceData.keyPopulationRules(units: store.context.current.units)
        intake = Intake(store: store, clock: clock, atlas: atlas, cases: store.context, rules: self.intakeRules, cameras: self.cameras,
                        classifier: classifier, settings: commit)
    }

    /// What a principal may see.
    public func scope(of principal: Principal) -> Scope { Scope.of(unit: principal.unit, in: context.current.units) }

    /// An area's name, from the layers in force or the reference data.
    public func areaName(_ code: String) -> String? { atlas.current.name(of: code) ?? referenceAreaNames[code] }

    public var context: Live<CaseContext> { store.context }

    /// A unit's or an area's name.
    public func name(_ code: String) -> String? { context.current.units[code]?.name ?? areaName(code) }

    public var evaluation: Evaluation { Evaluation(stats: store.statistics, scheme: scheme, joint: store.jointTasks) }

    /// The work plans as a viewer sees them, with their blocker cases.
    var planReader: PlanReader { PlanReader(plans: store.plans, cases: store, context: context) }

    /// Rules that cannot resolve a unit with the area layers in force (see `RoutingTable.warnings`).
    public func rulesWarnings() -> [String] {
        context.current.rules.warnings(levelsInForce: Set(atlas.current.layers.keys))
    }

    /// Re-reads the rules file and the area layers in force. On any error nothing changes and
    /// the error says what is wrong; the old rules and areas stay in force.
    public func reload() async throws -> (rules: Int, atlasVersion: Int64) {
        let r = try await reloads.run { try await loadAndInstall() }
        // Every other instance on this database reloads too (see `ReloadWatch`).
        try await store.announceReload()
        return r
    }

    /// Reloads because another instance did (or imported area layers, or changed the camera
    /// registry): the rules file, the area layers and the cameras, without announcing it again.
    func follow() async throws -> (rules: Int, atlasVersion: Int64) {
        try await reloads.run {
            let r = try await loadAndInstall()
            let cameras = try await store.cameras()
            self.cameras.replace(Dictionary(cameras.map { ($0.id, $0) }, uniquingKeysWith: { _, b in b }))
            return r
        }
    }

    private func loadAndInstall() async throws -> (rules: Int, atlasVersion: Int64) {
        let current = context.current
        let rules = try RulesFile.load(path: rulesPath, units: current.units, categories: current.categories)
        let atlas = try await store.areaStore.atlas()
        context.update { $0.rules = rules }
        self.atlas.replace(atlas)
        return (rules.rules.count, atlas.version)
    }
}

/// The router with every route of the product. Tests build the same router.
public func buildRouter(_ services: GongzhiServices) async throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(RequestLogMiddleware())
    router.middlewares.add(SecurityHeadersMiddleware())
    router.middlewares.add(APIErrorMiddleware())
    router.middlewares.add(AuthMiddleware(accounts: services.accounts, clock: services.clock))
    router.get("/healthz") { _, _ in JSONBody.response(["status": "ok"]) }
    router.get("/openapi.json") { _, _ in try OpenAPIDocument.response() }
    router.get("/metrics") { _, context in try ServerMetrics.response(for: try context.caller()) }
    CaseRoutes(services: services).register(on: router)
    ReferenceRoutes(reference: services.reference, areas: services.store.areaStore).register(on: router)
    DispatchRoutes(services: services).register(on: router)
    SessionRoutes(services: services).register(on: router)
    StatsRoutes(services: services, evaluation: services.evaluation).register(on: router)
    let api = router.group("/api/v1")
    api.addRoutes(PlanController(reader: services.planReader, intake: services.intake, clock: services.clock).routes)
    api.addRoutes(CameraController(intake: services.intake, registry: services.store, cameras: services.cameras, atlas: services.atlas,
                                   categories: services.reference.categories, clock: services.clock).routes)
    api.addRoutes(CoGovernanceController(registry: services.store, coGovernance: services.store, outbox: services.store, atlas: services.atlas,
                                         cases: services.context, clock: services.clock).routes)
    api.addRoutes(CentreController(centre: services.store.centre, cases: services.context, rules: services.mediationRules,
                                   clock: services.clock, names: { services.name($0) }).routes)
    api.addRoutes(EnterpriseController(enterprises: services.store.enterprises, accounts: services.accounts, cases: services.context,
                                       catalogue: services.enterpriseCatalogue, clock: services.clock).routes)
    api.addRoutes(DifficultyController(enterprises: services.store.enterprises, cases: services.store, intake: services.intake,
                                       context: services.context, catalogue: services.enterpriseCatalogue).routes)
    api.addRoutes(KeyPopulationController(list: services.store.keyPopulation, context: services.context, rules: services.keyPopulationRules,
                                          clock: services.clock, names: { services.name($0) }).routes)
    api.addRoutes(JointController(joint: services.store.jointTasks, cases: services.store, context: services.context, clock: services.clock).routes)
    api.addRoutes(InspectionController(inspections: services.store.inspections, intake: services.intake, context: services.context,
                                       clock: services.clock).routes)
    api.addRoutes(PolicyController(policies: services.store.policies, cases: services.context, catalogue: services.enterpriseCatalogue,
                                   clock: services.clock).routes)
    api.addRoutes(WhatIfController(services: services).routes)
    api.addRoutes(ClassifyController(classifier: services.classifier, categories: services.reference.categories, rules: services.intakeRules).routes)
    api.addRoutes(ImportController(intake: services.intake, categories: services.reference.categories, atlas: services.atlas,
                                   clock: services.clock).routes)
    router.group("/open311/v2").addRoutes(Open311Controller(
        intake: services.intake, store: services.store, accounts: services.accounts, categories: services.reference.categories,
        context: services.context, clock: services.clock, config: try Open311Config.bundled(categories: services.reference.categories),
        keywords: try ReferenceData.bundledKeywords(), areaName: { services.areaName($0) }).routes)
    WebRoutes(services: services, pages: try await Pages.load()).register(on: router)
    router.middlewares.add(MethodNotAllowedMiddleware(routes: router.routes))
    return router
}

/// The application the `gongzhi serve` command runs and the end-to-end tests drive: the HTTP
/// server and the scheduler that marks warnings, overdues and escalations.
public func buildApplication(
    _ services: GongzhiServices, host: String, port: Int, logger: Logger, sweepEvery: Duration = .seconds(15),
    channel: (any MessageChannel)? = nil, deliverEvery: Duration = .seconds(2), watchEvery: Duration = .seconds(5),
    limits: GongzhiHTTP.Limits = GongzhiHTTP.Limits(), more: [any Service] = [],
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let worker = DeliveryWorker(store: services.store, channel: channel ?? LogChannel(logger: logger), clock: services.clock)
    var background: [any Service] = [SchedulerService(timers: services.store, clock: services.clock, every: sweepEvery, logger: logger),
                                     ReloadWatch(services: services, every: watchEvery, logger: logger),
                                     IntakeWriter(intake: services.intake), DeliveryService(worker: worker, every: deliverEvery, logger: logger),
                                     CentreSweepService(centre: services.store.centre, clock: services.clock, every: sweepEvery * 4, logger: logger),
                                     KeyPopulationRetentionService(list: services.store.keyPopulation, rules: services.keyPopulationRules,
                                                                   clock: services.clock, every: sweepEvery * 40, logger: logger)]
    if services.store.followsOtherInstances { background.append(ChangeWatch(store: services.store, logger: logger)) }
    background.append(contentsOf: more)
    return Application(
        router: try await buildRouter(services),
        server: GongzhiHTTP.server(limits),
        configuration: .init(address: .hostname(host, port: port), serverName: "gongzhi",
                             availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
        services: background,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}

/// Runs async jobs one after another.
actor Serial {
    private var tail: Task<Void, Never>?

    func run<T: Sendable>(_ job: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tail
        let task = Task { () async throws -> T in
            await previous?.value
            return try await job()
        }
        tail = Task { _ = try? await task.value }
        return try await task.value
    }
}
