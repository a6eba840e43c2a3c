import Foundation
import GongzhiCore
import GongzhiGeo
@testable import GongzhiIntake
@testable import GongzhiSQL
import GongzhiTestSupport
import GongzhiStore

/// A real database file with the bundled reference data, rules, co-governance scenarios and
/// intake rules; one camera and one merchant on 上塘街道's 东苑 (a real 2022 sampling site); the
/// intake's writer running; a clock the test moves.
final class IntakeFixture: @unchecked Sendable {
    let db: TestDatabase
    let store: SQLStorage
    let reference: ReferenceData
    let clock: ManualTimeSource
    let intake: Intake
    let cameras: Live<[String: Camera]>
    let atlas: Atlas
    let writer: Task<Void, Never>

    /// Tuesday 24 November 2026, 10:00 China time: a working day.
    static let start = Timestamp.parse("2026-11-24T10:00:00+08:00")!
    static let shangtang = GeoPoint(lat: 30.342135, lon: 120.142877)
    static let camera = Camera(id: "CAM-ST-001", name: "上塘东苑路口", location: shangtang, categories: ["09005", "09006", "06010"])
    static let merchant = Merchant(id: "M-001", name: "东苑便利店", contactName: "周老板", contactPhone: "13900001111", address: "上塘街道东苑",
                                   location: GeoPoint(lat: 30.34215, lon: 120.14290), cameras: ["CAM-ST-001"])
    static let machine = Actor(id: "key:camera-system", unit: "330105")

    init(_ backend: Backend = .sqlite, settings: GroupCommitter.Settings = .init(), rules: IntakeRules? = nil,
         merchants: [Merchant] = [merchant], classifier: (any TextClassifier)? = nil, faults: FaultInjector? = nil) async throws {
        db = try await backend.makeDatabase(name: "intake")
        let refs = SQLReferenceStore(db: db.sql)
        try await refs.seed(try ReferenceData.bundled())
        reference = try await refs.load()
        let areas = SQLAreaStore(db: db.sql)
        for layer in try ReferenceData.bundledLayers() { try await areas.importLayer(layer, at: Self.start) }
        let atlas = try await areas.atlas()
        self.atlas = atlas
        let context = CaseContext(units: reference.units, categories: reference.categories,
                                  rules: try RulesFile.load(path: nil, units: reference.units, categories: reference.categories),
                                  calendar: try ReferenceData.bundledCalendar(),
                                  coGovernance: try ReferenceData.bundledScenarios(units: reference.units, categories: reference.categories))
        store = SQLStorage(db: db.sql, context: context, faults: faults)
        var camera = Self.camera
        camera.area = try atlas.locate(camera.location)
        try await store.saveCameras([camera], by: "test", at: Self.start)
        try await store.saveMerchants(merchants, by: "test", at: Self.start)
        clock = ManualTimeSource(Self.start)
        cameras = Live([camera.id: camera])
        let intakeRules = try rules ?? ReferenceData.intakeRules(categories: reference.categories)
        intake = Intake(store: store, clock: clock, atlas: Live(atlas), cases: store.context, rules: Live(intakeRules), cameras: cameras,
                        classifier: classifier, settings: settings)
        writer = Task { [intake] in await intake.run() }
    }

    deinit { writer.cancel() }

    /// A detection of `state` by the fixture's camera, `seconds` after the clock's time.
    func event(_ id: String, _ state: String = "present", category: String = "09005", confidence: Double = 0.95, seconds: Double = 0,
               camera: String = "CAM-ST-001") -> CameraEventDraft {
        CameraEventDraft(eventID: id, cameraID: camera, category: category, confidence: confidence,
                         detectedAt: Timestamp.rfc3339(clock.now().addingTimeInterval(seconds)), state: state)
    }

    func detect(_ events: [CameraEventDraft]) async throws -> [Result<IntakeOutcome, IntakeError>] {
        try await intake.submit(detections: events, actor: Self.machine)
    }

    func history(_ id: Int64) async throws -> [CaseAction] { try await store.history(of: id).map(\.action) }

    func count(_ sql: String) async throws -> Int { try await db.count(sql) }

    /// The chains, the case rows and the statistics against a recomputation.
    func verify() async throws -> ChainVerifier.Report {
        try await ChainVerifier(db: db.sql, calendar: store.context.current.calendar).verify()
    }
}

extension Result {
    var value: Success? { try? get() }
    var failure: Failure? { if case .failure(let e) = self { return e } else { return nil } }
}
