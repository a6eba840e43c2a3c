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

    @Flag(help: "Perform each step in turn through CaseTransaction.perform (the peer of the bulk load, for its ratio).")
    var stepwise = false

    @Option(help: "The year's end (RFC 3339); cases run up to it.")
    var until = "2026-11-25T18:00:00+08:00"

    func validate() throws {
        guard cases > 0, cases <= 10_000_000 else { throw ValidationError("--cases must be between 1 and 10000000") }
        guard batch > 0, batch <= 10_000 else { throw ValidationError("--batch must be between 1 and 10000") }
        guard Timestamp.parse(until) != nil else { throw ValidationError("--until must be an RFC 3339 time") }
    }

    func run() async throws {
        try await OpenedDatabase.using(db, mustExist: false) { try await fill($0) }
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
        print("filling \(total) cases into \(opened.db.location), \(perTransaction) a transaction\(stepwise ? ", step by step" : "")")
        let started = ContinuousClock.now
        /// The scripts of cases `first..<first + n`: made while the previous batch is written, so
        /// that placing points in streets and building reports does not wait for the writer.
        @Sendable func makeScripts(first: Int, n: Int) -> [CaseScript] {
            var out: [CaseScript] = []
            var rng = SystemRandomNumberGenerator()
            while out.count < n {
                let p = GeoPoint(lat: Double.random(in: box.minLat...box.maxLat, using: &rng),
                                 lon: Double.random(in: box.minLon...box.maxLon, using: &rng))
                guard let area = try? atlas.locate(p), let street = area.street else { continue }
                let i = first + out.count
                let at = end.addingTimeInterval(-year + year * Double(i) / Double(total))
                let report = Report(source: sources.randomElement(using: &rng)!, category: categories.randomElement(using: &rng),
                                    description: "生成的案件 #\(i)：路面垃圾堆积，影响通行", location: p, address: "拱墅区",
                                    reporter: Reporter(name: "市民\(i % 100)", phone: "138\(String(format: "%08d", i % 100_000_000))"), area: area)
                // The last week's cases are still open, registered; older ones went round the loop.
                var steps = [CaseScript.Step(CaseCommand(.register), at: at.addingTimeInterval(600))]
                if end.timeIntervalSince(at) > 7 * 86_400 {
                    let rest: [(CaseCommand, CaseStatus)] = [(CaseCommand(.dispatch, unit: street), .registered),
                                                             (CaseCommand(.handle, note: "已清理"), .dispatched),
                                                             (CaseCommand(.verify, passed: true), .handled), (CaseCommand(.close), .verified)]
                    for (k, (command, status)) in rest.enumerated() {
                        steps.append(CaseScript.Step(command, at: at.addingTimeInterval(k == 0 ? 900 : 3_600 * Double(k + 1)), onlyIf: status))
                    }
                }
                out.append(CaseScript(report: report, actor: .system, openedAt: at, steps: steps))
            }
            return out
        }
        // Batch k + 1 is made (and, once the ids it will get are known, prepared) while batch k
        // is written: on PostgreSQL the database and this process each took half of the time.
        let context = store.context.current
        var made = 0
        var scripts = makeScripts(first: 0, n: min(perTransaction, total))
        var prepared: PreparedLoad? = nil
        while made < total {
            let n = scripts.count, first = made + n, expected = prepared.map { $0.firstID + Int64(n) }
            let upcoming = first < total ? Task { () throws -> ([CaseScript], PreparedLoad?) in
                let next = makeScripts(first: first, n: min(perTransaction, total - first))
                return (next, try expected.map { try CaseTransaction.prepare(next, firstID: $0, context: context) })
            } : nil
            let stepwise = stepwise, batch = scripts, ready = prepared
            let records = try await store.transaction { tx -> [CaseRecord] in
                if let ready { return try tx.load(ready) }
                guard stepwise else { return try tx.load(batch) }
                for script in batch {
                    let id = try tx.create(script.report, actor: script.actor, at: script.openedAt).record.id
                    var status = CaseStatus.reported
                    for step in script.steps where step.applies(to: status) {
                        status = try tx.perform(step.command, on: id, actor: script.actor, at: step.at).status
                    }
                }
                return []
            }
            if let upcoming {
                (scripts, prepared) = try await upcoming.value
                // The first prepared batch, and one after another writer took the ids expected.
                if let last = records.last?.id, prepared?.firstID != last + 1 {
                    prepared = try CaseTransaction.prepare(scripts, firstID: last + 1, context: context)
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
