import Foundation
import GongzhiCore
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

    init(faults: FaultInjector? = nil, dir existing: URL? = nil) async throws {
        dir = existing ?? FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        database = try GongzhiDatabase(path: dir.appendingPathComponent("test.sqlite").path)
        let refs = ReferenceStore(database: database)
        try await refs.seed(Self.bundled)
        reference = try await refs.load()
        store = SQLiteCaseStore(database: database, context: CaseContext(units: reference.units, categories: reference.categories), faults: faults)
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
