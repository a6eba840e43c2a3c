import Foundation
import GongzhiCore
import GongzhiGeo
@testable import GongzhiServer
import GongzhiStore
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

/// The real router over a real database file, with a clock the test controls.
struct ServerFixture {
    let database: GongzhiDatabase
    let services: GongzhiServices
    let clock: ManualTimeSource

    static let bundled = try! ReferenceData.bundled()
    static let start = Timestamp.parse("2026-11-23T09:00:00+08:00")!

    /// - Parameter rulesPath: a rules file; nil leaves the server without rules (every case waits
    ///   for a dispatcher, deadlines from category defaults), as the older tests expect.
    init(rulesPath: String? = nil, bundledRules: Bool = false) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        database = try GongzhiDatabase(path: dir.appendingPathComponent("test.sqlite").path)
        let refs = ReferenceStore(database: database)
        try await refs.seed(Self.bundled)
        let reference = try await refs.load()
        clock = ManualTimeSource(Self.start)
        let areas = AreaStore(database: database)
        for layer in try ReferenceData.bundledLayers() { try await areas.importLayer(layer, at: Self.start) }
        let context = CaseContext(units: reference.units, categories: reference.categories, rules: rulesPath == nil && !bundledRules ? .empty : try RulesFile.load(path: rulesPath, units: reference.units, categories: reference.categories),
                                  calendar: try ReferenceData.bundledCalendar())
        let store = SQLiteCaseStore(database: database, context: context)
        services = GongzhiServices(store: store, reference: reference, clock: clock, atlas: Live(try await areas.atlas()), rulesPath: rulesPath)
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: buildRouter(services))
        try await app.test(.router) { client in try await body(client) }
    }

    func eventCount() async throws -> Int {
        try await database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM case_events") ?? 0 }
    }
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

extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil) async throws -> JSONResponse {
        try await execute(uri: uri, method: method, headers: body == nil ? [:] : [.contentType: "application/json"],
                          body: body.map { ByteBuffer(string: $0) }) { response in
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
