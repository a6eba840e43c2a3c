import Foundation
import GongzhiCore
import GongzhiGeo
@testable import GongzhiSQLite
@testable import GongzhiStore
import GRDB

/// A fresh database file in its own temporary folder, with the bundled reference data: tests
/// use real files, since WAL and durability only exist there.
struct StoreFixture {
    let dir: URL
    let database: GongzhiDatabase
    let reference: ReferenceData
    let store: SQLiteCaseStore

    static let bundled = try! ReferenceData.bundled()

    init(faults: FaultInjector? = nil, dir existing: URL? = nil, rules: RoutingTable = .empty, coGovernance: Bool = false) async throws {
        dir = existing ?? FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        database = try GongzhiDatabase(path: dir.appendingPathComponent("test.sqlite").path)
        let refs = SQLiteReferenceStore(database: database)
        try await refs.seed(Self.bundled)
        reference = try await refs.load()
        let areas = SQLiteAreaStore(database: database)
        if try await areas.currentLayers().isEmpty {
            for layer in try ReferenceData.bundledLayers() { try await areas.importLayer(layer, at: Self.t0) }
        }
        let scenarios = coGovernance ? try ReferenceData.bundledScenarios(units: reference.units, categories: reference.categories) : .none
        store = SQLiteCaseStore(database: database, context: CaseContext(units: reference.units, categories: reference.categories, rules: rules,
                                                                         calendar: Self.calendar, coGovernance: scenarios), faults: faults)
    }

    static let calendar = try! ReferenceData.bundledCalendar()

    static func rules(_ reference: ReferenceData) throws -> RoutingTable {
        try RulesFile.load(path: nil, units: reference.units, categories: reference.categories)
    }

    /// The atlas after generating 250 m unit grids over the bundled streets.
    func atlasWithGrids(cell: Double = 250) async throws -> Atlas {
        let areas = SQLiteAreaStore(database: database)
        if try await areas.currentLayers().contains(where: { $0.level == .grid }) == false {
            let streets = try await areas.currentLayers().first { $0.level == .street }!
            let names = Dictionary(reference.areas.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            try await areas.importLayer(try UnitGrids.generate(streets: try await areas.shapes(version: streets.version), names: names, cellMetres: cell), at: Self.t0)
        }
        return try await areas.atlas()
    }

    static let t0 = Timestamp.parse("2026-09-28T09:00:00+08:00")!

    static func report(_ n: Int = 0, external: String? = nil) -> Report {
        Report(source: .gridWorker, category: "06010", description: "暴露垃圾 #\(n)", location: GeoPoint(lat: 30.3192, lon: 120.1414),
               address: "拱墅区湖墅南路", reporter: Reporter(name: "王芳", phone: "13812345678"), externalID: external)
    }

    func count(_ table: String) async throws -> Int {
        try await database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// Walks a new case through the whole loop and returns it.
    func closedCase(at t: Date = t0) async throws -> CaseRecord {
        let id = try await store.create(Self.report(), actor: .system, at: t).record.id
        var last: CaseRecord? = nil
        for (i, c) in [CaseCommand(.register), CaseCommand(.dispatch, unit: "330105002"), CaseCommand(.handle, note: "已清理"),
                       CaseCommand(.verify, passed: true), CaseCommand(.close)].enumerated() {
            last = try await store.perform(c, on: id, actor: Actor(id: "user:test"), at: t.addingTimeInterval(Double(i + 1) * 600))
        }
        return last!
    }
}

/// A test's own failure, thrown where `#require` does not fit.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
