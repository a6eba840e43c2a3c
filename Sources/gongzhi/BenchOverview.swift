import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiSQL
import GongzhiStore

/// The cockpit's overview and a month's ranking from the maintained sums, against their peer:
/// the same overview counted directly over the cases and their events (no aggregates), timed
/// in the same run on the same database.
struct BenchOverview: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview", abstract: "Time the cockpit's overview and ranking from the sums against the same figures from the raw tables.")

    @Option(help: DatabaseLocation.help)
    var db = DatabaseLocation.fromEnvironment

    @Option(help: "The month to count (a date in it).")
    var date = "2026-10-15"

    @Option(help: "Runs of each query.")
    var runs = 200

    @Option(help: "Runs of the raw peer (slow).")
    var peerRuns = 5

    func validate() throws {
        guard WorkingCalendar.day(date) != nil else { throw ValidationError("--date must be a date like 2026-10-15") }
        guard runs >= 1, runs <= 100_000, peerRuns >= 1, peerRuns <= 1_000 else { throw ValidationError("--runs and --peer-runs must be 1 or more") }
    }

    func run() async throws {
        let opened = try await OpenedDatabase.open(db)
        do {
            try await measure(opened)
            await opened.close()
        } catch {
            await opened.close()
            throw error
        }
    }

    private func measure(_ opened: OpenedDatabase) async throws {
        let evaluation = Evaluation(stats: opened.store.statistics, scheme: try ReferenceData.scoringScheme())
        let period = Period.containing(WorkingCalendar.day(date)!, kind: .month)
        let q = StatsQuery(from: period.firstDate, to: period.lastDate)
        let now = Period.start(of: period.last).addingTimeInterval(18 * 3600)
        func time(_ label: String, _ n: Int, _ body: () async throws -> Void) async throws -> Duration {
            var samples: [Duration] = []
            for _ in 0..<n {
                let t = ContinuousClock.now
                try await body()
                samples.append(ContinuousClock.now - t)
            }
            samples.sort()
            let p50 = samples[samples.count / 2], p99 = samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))]
            print("\(label): \(n) runs, p50 \(ms(p50)), p99 \(ms(p99))")
            return p50
        }
        var figures = ""
        let fromSums = try await time("overview from the sums", runs) {
            let o = try await evaluation.overview(q, period: period, now: now)
            figures = "intake \(o.intake.values.reduce(0, +)), open \(o.open), overdue \(o.overdue), "
                + "on-time disposal \(Indicator.onTimeDisposalRate.value(o.counts, perspective: .area) ?? 0)"
        }
        print("  \(figures)")
        _ = try await time("ranking of the month from the sums", runs) { _ = try await evaluation.ranking(q, period: period, now: Date()) }
        let start = Timestamp.millis(Period.start(of: period.first)), end = Timestamp.millis(Period.start(of: period.last + 1))
        let peer = try await time("overview from the raw tables (peer)", peerRuns) {
            figures = try await opened.db.read { db in
                let intake = try db.query("SELECT source, COUNT(*) FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY source", start, end)
                    .reduce(Int64(0)) { $0 + (try Int64.decode($1.values[1])) }
                let open = try Int64.decode(try db.query("""
                    SELECT COUNT(*) FROM cases WHERE status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified')
                    """, []).first!.values[0])
                let overdue = try Int64.decode(try db.query("SELECT COUNT(*) FROM cases WHERE status = 'dispatched' AND overdue_marked = ?",
                                                            [.bool(true)]).first!.values[0])
                let row = try db.query("""
                    SELECT COUNT(*), (SELECT COUNT(DISTINCT c2.id) FROM cases c2 JOIN case_events e ON e.case_id = c2.id AND e.action = 'handle'
                                      WHERE c2.created_at >= ? AND c2.created_at < ? AND c2.unit IS NOT NULL AND e.at <= c2.due_at)
                    FROM cases WHERE created_at >= ? AND created_at < ? AND unit IS NOT NULL
                    """, [.int(start), .int(end), .int(start), .int(end)]).first!
                let assigned = try Int64.decode(row.values[0]), onTime = try Int64.decode(row.values[1])
                return "intake \(intake), open \(open), overdue \(overdue), on-time disposal \(assigned > 0 ? Double(onTime) / Double(assigned) : 0)"
            }
        }
        print("  \(figures)")
        print(String(format: "ratio (peer p50 / sums p50): %.0f×", seconds(peer) / max(1e-9, seconds(fromSums))))
    }


    private func ms(_ d: Duration) -> String { String(format: "%.2f ms", seconds(d) * 1000) }
}
