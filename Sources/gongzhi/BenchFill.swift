import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiSQL
import GongzhiStore

/// Fills a database with a year of cases for the read benchmarks (list and detail at a
/// million cases): spread over the district's streets, categories and channels, most closed
/// after the whole loop, the last days' still open. Not the demo: no cameras, no merchants.
struct BenchFill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill", abstract: "Fill a database with a year of generated cases (for the read benchmarks).")

    @Option(help: DatabaseLocation.help)
    var db = DatabaseLocation.fromEnvironment

    @Option(help: "Cases to add.")
    var cases = 1_000_000

    @Option(help: "Cases per transaction.")
    var batch = 1_000

    @Option(help: "The year's end (RFC 3339); cases run up to it.")
    var until = "2026-11-25T18:00:00+08:00"

    func validate() throws {
        guard cases > 0, cases <= 10_000_000 else { throw ValidationError("--cases must be between 1 and 10000000") }
        guard batch > 0, batch <= 10_000 else { throw ValidationError("--batch must be between 1 and 10000") }
        guard Timestamp.parse(until) != nil else { throw ValidationError("--until must be an RFC 3339 time") }
    }

    func run() async throws {
        let opened = try await OpenedDatabase.open(db, mustExist: false)
        do {
            try await fill(opened)
            await opened.close()
        } catch {
            await opened.close()
            throw error
        }
    }

    private func fill(_ opened: OpenedDatabase) async throws {
        let atlas = opened.atlas.current
        guard let district = atlas.layers[.district] else { throw CommandFailure("no district boundary") }
        let shapes = try await opened.areas.shapes(version: district.version)
        let box = try GeoJSON.geometry(shapes[0].geometry).boundingBox
        let categories = ["06010", "06012", "09005", "09006", "01001", "02003", "05002", "08001"]
            .filter { opened.reference.categories.reportable($0) != nil }
        let sources: [ReportSource] = [.resident, .hotline, .gridWorker, .gridWorker, .dispute, .enterprise]
        let end = Timestamp.parse(until)!, year = 365.0 * 86_400
        let store = opened.store, total = cases, perTransaction = batch
        print("filling \(total) cases into \(opened.db.location), \(perTransaction) a transaction")
        let started = ContinuousClock.now
        var made = 0
        while made < total {
            let n = min(perTransaction, total - made), first = made
            var reports: [(Report, Date)] = []
            var rng = SystemRandomNumberGenerator()
            while reports.count < n {
                let p = GeoPoint(lat: Double.random(in: box.minLat...box.maxLat, using: &rng),
                                 lon: Double.random(in: box.minLon...box.maxLon, using: &rng))
                guard let area = try? atlas.locate(p), area.street != nil else { continue }
                let i = first + reports.count
                let at = end.addingTimeInterval(-year + year * Double(i) / Double(total))
                let report = Report(source: sources.randomElement(using: &rng)!, category: categories.randomElement(using: &rng),
                                    description: "生成的案件 #\(i)：路面垃圾堆积，影响通行", location: p, address: "拱墅区",
                                    reporter: Reporter(name: "市民\(i % 100)", phone: "138\(String(format: "%08d", i % 100_000_000))"), area: area)
                reports.append((report, at))
            }
            try await store.transaction { [reports] tx in
                for (report, at) in reports {
                    let id = try tx.create(report, actor: .system, at: at).record.id
                    // The last week's cases are still open; older ones went round the loop.
                    let age = end.timeIntervalSince(at)
                    var status = try tx.perform(CaseCommand(.register), on: id, actor: .system, at: at.addingTimeInterval(600)).status
                    guard age > 7 * 86_400 else { continue }
                    if status == .registered, let unit = report.area?.street {
                        status = try tx.perform(CaseCommand(.dispatch, unit: unit), on: id, actor: .system, at: at.addingTimeInterval(900)).status
                    }
                    guard status == .dispatched else { continue }
                    let steps = [CaseCommand(.handle, note: "已清理"), CaseCommand(.verify, passed: true), CaseCommand(.close)]
                    for (k, step) in steps.enumerated() {
                        _ = try tx.perform(step, on: id, actor: .system, at: at.addingTimeInterval(3_600 * Double(k + 2)))
                    }
                }
            }
            made += n
            if made % (perTransaction * 50) == 0 || made == total {
                let s = seconds(ContinuousClock.now - started)
                print(String(format: "  %d cases, %.0f cases/s", made, Double(made) / s))
            }
        }
    }
}
