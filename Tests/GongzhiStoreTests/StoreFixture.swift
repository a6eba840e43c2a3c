import Foundation
import GongzhiCore
import GongzhiGeo
@testable import GongzhiSQL
import GongzhiSQLite
import GongzhiTestSupport
@testable import GongzhiStore
import GRDB

/// A fresh database of the backend under test, with the bundled reference data: a real file
/// for SQLite (WAL and durability only exist there), a schema of its own on PostgreSQL.
struct StoreFixture {
    let db: TestDatabase
    let reference: ReferenceData
    let store: SQLStorage

    static let bundled = try! ReferenceData.bundled()

    /// The SQLite file, for the tests of SQLite's own settings.
    var database: GongzhiDatabase { db.file! }
    var sql: any SQLDatabase { db.sql }
    var accounts: SQLAccountStore { SQLAccountStore(db: db.sql, bcryptCost: 4) }
    var areas: SQLAreaStore { SQLAreaStore(db: db.sql) }

    /// - Parameter reopen: a database to open again (a restart) instead of a new one.
    init(_ backend: Backend = .sqlite, faults: FaultInjector? = nil, reopen: TestDatabase? = nil, rules: RoutingTable = .empty,
         coGovernance: Bool = false) async throws {
        if let reopen { db = try await reopen.reopened() } else { db = try await backend.makeDatabase() }
        let refs = SQLReferenceStore(db: db.sql)
        try await refs.seed(Self.bundled)
        reference = try await refs.load()
        let areas = SQLAreaStore(db: db.sql)
        if try await areas.currentLayers().isEmpty {
            for layer in try ReferenceData.bundledLayers() { try await areas.importLayer(layer, at: Self.t0) }
        }
        let scenarios = coGovernance ? try ReferenceData.bundledScenarios(units: reference.units, categories: reference.categories) : .none
        let context = CaseContext(units: reference.units, categories: reference.categories, rules: rules, calendar: Self.calendar,
                                  coGovernance: scenarios)
        store = SQLStorage(db: db.sql, context: context, faults: faults)
    }

    /// The chains, the case rows and the statistics against a recomputation.
    func verify() async throws -> ChainVerifier.Report {
        try await ChainVerifier(db: db.sql, calendar: store.context.current.calendar).verify()
    }

    static let calendar = try! ReferenceData.bundledCalendar()

    static func rules(_ reference: ReferenceData) throws -> RoutingTable {
        try RulesFile.load(path: nil, units: reference.units, categories: reference.categories)
    }

    /// The atlas after generating 250 m unit grids over the bundled streets.
    func atlasWithGrids(cell: Double = 250) async throws -> Atlas {
        if try await areas.currentLayers().contains(where: { $0.level == .grid }) == false {
            let streets = try await areas.currentLayers().first { $0.level == .street }!
            let names = Dictionary(reference.areas.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            let grids = try UnitGrids.generate(streets: try await areas.shapes(version: streets.version), names: names, cellMetres: cell)
            try await areas.importLayer(grids, at: Self.t0)
        }
        return try await areas.atlas()
    }

    static let t0 = Timestamp.parse("2026-09-28T09:00:00+08:00")!

    static func report(_ n: Int = 0, external: String? = nil) -> Report {
        Report(source: .gridWorker, category: "06010", description: "暴露垃圾 #\(n)", location: GeoPoint(lat: 30.3192, lon: 120.1414),
               address: "拱墅区湖墅南路", reporter: Reporter(name: "王芳", phone: "13812345678"), externalID: external)
    }

    func count(_ table: String) async throws -> Int { try await db.count("SELECT COUNT(*) FROM \(table)") }

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
