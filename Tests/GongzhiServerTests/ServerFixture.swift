import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiIntake
@testable import GongzhiServer
import GongzhiSQL
import GongzhiTestSupport
import GongzhiStore
import Hummingbird
import HummingbirdTesting
import Testing

/// The real router over a real database file, with a clock the test controls.
struct ServerFixture {
    let db: TestDatabase
    let services: GongzhiServices
    let clock: ManualTimeSource
    /// An admin API key; the request helpers send it unless told otherwise.
    let adminKey: String

    static let bundled = try! ReferenceData.bundled()
    static let start = Timestamp.parse("2026-11-23T09:00:00+08:00")!

    /// - Parameter rulesPath: a rules file; nil leaves the server without rules (every case waits
    ///   for a dispatcher, deadlines from category defaults), as the older tests expect.
    /// - Parameter intakeRules: de-duplication and confidence rules; none by default, so reports never join.
    /// - Parameter classifier: the hotline classifier; none by default (reports without a category wait unclassified).
    init(_ backend: Backend = .sqlite, rulesPath: String? = nil, bundledRules: Bool = false, intakeRules: IntakeRules = .none,
         classifier: (any TextClassifier)? = nil, commit: GroupCommitter.Settings = .init()) async throws {
        db = try await backend.makeDatabase(name: "server")
        let refs = SQLReferenceStore(db: db.sql)
        try await refs.seed(Self.bundled)
        let reference = try await refs.load()
        clock = ManualTimeSource(Self.start)
        let areas = SQLAreaStore(db: db.sql)
        for layer in try ReferenceData.bundledLayers() { try await areas.importLayer(layer, at: Self.start) }
        let rules = rulesPath == nil && !bundledRules ? .empty : try RulesFile.load(path: rulesPath, units: reference.units, categories: reference.categories)
        let scenarios = try ReferenceData.bundledScenarios(units: reference.units, categories: reference.categories)
        let context = CaseContext(units: reference.units, categories: reference.categories, rules: rules, calendar: try ReferenceData.bundledCalendar(),
                                  coGovernance: bundledRules ? scenarios : .none)
        let store = SQLStorage(db: db.sql, context: context)
        let accounts = SQLAccountStore(db: db.sql, bcryptCost: 4)
        adminKey = try await accounts.createKey(name: "tests", role: .admin, unit: "330105", by: "test", at: Self.start).secret
        services = try GongzhiServices(store: store, reference: reference, clock: clock, atlas: Live(try await areas.atlas()), rulesPath: rulesPath,
                                   accounts: accounts, intakeRules: intakeRules, classifier: classifier, commit: commit)
    }

    func test(_ body: @Sendable (Client) async throws -> Void) async throws {
        let app = Application(router: try await buildRouter(services))
        let key = adminKey
        // The intake's writer runs beside the router, as in the application.
        let writer = Task { [intake = services.intake] in await intake.run() }
        defer { writer.cancel() }
        try await app.test(.router) { client in try await body(Client(raw: client, credential: key)) }
    }

    /// A key for a new principal with this role and unit.
    func key(_ role: Role, _ unit: String) async throws -> String {
        try await services.accounts.createKey(name: "\(role)", role: role, unit: unit, by: "test", at: Self.start).secret
    }

    func eventCount() async throws -> Int { try await db.count("SELECT COUNT(*) FROM case_events") }
}

/// A decoded JSON response.
struct JSONResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: [String: Any]

    subscript(key: String) -> Any? { json[key] }

    var error: [String: Any]? { json["error"] as? [String: Any] }
    var errorCode: String? { error?["code"] as? String }
    var errorField: String? { error?["field"] as? String }
}

/// The test client with a credential sent on every request (nil sends none).
struct Client: Sendable {
    let raw: any TestClientProtocol
    var credential: String?

    /// The same client acting with another credential.
    func `as`(_ credential: String?) -> Client { Client(raw: raw, credential: credential) }

    func call(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers extra: HTTPFields = [:]) async throws -> JSONResponse {
        var headers: HTTPFields = body == nil ? [:] : [.contentType: "application/json"]
        if let credential { headers[.authorization] = "Bearer \(credential)" }
        for field in extra { headers[field.name] = field.value }
        return try await raw.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let data = Data(buffer: response.body)
            let object = data.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
            return JSONResponse(status: response.status, headers: response.headers, json: object)
        }
    }

    func post(_ uri: String, _ body: String = "") async throws -> JSONResponse { try await call(.post, uri, body: body) }
    func get(_ uri: String) async throws -> JSONResponse { try await call(.get, uri) }

    /// Files a report and returns the new case's id.
    func newCase(_ extra: String = "") async throws -> Int {
        let r = try await post("/api/v1/reports", #"{"source":"grid_worker","category":"06010","description":"暴露垃圾","location":{"lat":30.3192,"lon":120.1414}\#(extra)}"#)
        #expect(r.status == .created)
        return try #require(r["id"] as? Int)
    }
}
