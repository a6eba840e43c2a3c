import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiSQL
import GongzhiStore

/// Store throughput, on demand (not a test): cases opened and events appended per second
/// through the store alone, on a fresh temporary database.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "On-demand benchmarks (see BENCHMARKS.md).",
        subcommands: [BenchStore.self, BenchLocate.self, BenchFill.self, BenchOverview.self, BenchCentre.self],
        defaultSubcommand: BenchStore.self)
}

struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Measure how fast the store opens cases and appends events (writes a temporary database).")

    @Option(help: "Cases to create in each measurement.")
    var cases = 5_000

    @Option(help: "Cases per transaction in the batched measurement.")
    var batch = 500

    @Option(help: "Measure on this PostgreSQL database (postgres:// URL; it gains the cases) instead of a temporary SQLite file.")
    var db: String?

    func validate() throws {
        guard cases > 0, cases <= 10_000_000 else { throw ValidationError("--cases must be between 1 and 10000000") }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
    }

    func run() async throws {
        if let db {
            guard case .postgres = DatabaseLocation(db) else { throw ValidationError("--db must be a postgres:// URL") }
            let opened = try await OpenedDatabase.open(db)
            try await measure(opened, "PostgreSQL at \(opened.db.location)")
            await opened.close()
        } else {
            try await withTemporaryDatabase { opened, dir in try await measure(opened, "SQLite WAL at \(dir.path)") }
        }
    }

    private func measure(_ opened: OpenedDatabase, _ where: String) async throws {
        let store = opened.store
        let report = Report(source: .gridWorker, category: "06010", description: "网格员巡查发现暴露垃圾",
                            location: GeoPoint(lat: 30.3192, lon: 120.1414), address: "拱墅区")
        let actor = Actor(id: "system:bench")
        let unit = "330105001"
        print("store benchmark: \(cases) cases per measurement, \(`where`), \(ProcessInfo.processInfo.activeProcessorCount) cores")

        var t = ContinuousClock.now
        for _ in 0..<cases { _ = try await store.create(report, actor: actor, at: Date()) }
        let single = ContinuousClock.now - t
        emit("create, one transaction each", count: cases, events: cases, elapsed: single)

        t = ContinuousClock.now
        var remaining = cases
        while remaining > 0 {
            let n = min(batch, remaining)
            _ = try await store.transaction { tx in
                for _ in 0..<n { _ = try tx.create(report, actor: actor, at: Date()) }
            }
            remaining -= n
        }
        emit("create, \(batch) per transaction", count: cases, events: cases, elapsed: ContinuousClock.now - t)

        // The whole loop: report, register, dispatch, handle, verify, close = 6 events a case.
        t = ContinuousClock.now
        for _ in 0..<cases {
            let id = try await store.create(report, actor: actor, at: Date()).record.id
            for command in [CaseCommand(.register), CaseCommand(.dispatch, unit: unit), CaseCommand(.handle, note: "已清理"),
                            CaseCommand(.verify, passed: true), CaseCommand(.close)] {
                _ = try await store.perform(command, on: id, actor: actor, at: Date())
            }
        }
        emit("full loop, one transaction per step", count: cases, events: cases * 6, elapsed: ContinuousClock.now - t)
    }

    func emit(_ name: String, count: Int, events: Int, elapsed: Duration) {
        let seconds = seconds(elapsed)
        let label = name.count < 40 ? name + String(repeating: " ", count: 40 - name.count) : name
        print(label + String(format: " %9.0f cases/s %9.0f events/s  (%.2f s)", Double(count) / seconds, Double(events) / seconds, seconds))
    }
}

/// Runs `body` on a fresh database in a temporary folder, removed afterwards.
func withTemporaryDatabase(_ body: (OpenedDatabase, URL) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try await body(try await OpenedDatabase.open(dir.appendingPathComponent("bench.sqlite").path, mustExist: false), dir)
}
