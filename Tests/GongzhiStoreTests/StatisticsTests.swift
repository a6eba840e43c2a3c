import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

/// The statistics kept in the events' transactions: equal to a recomputation from the
/// histories after random streams of commands, scoped like cases, rebuilt identically.
@Suite struct StatisticsTests {
    static let streets = ["330105001", "330105002", "330105003"]
    static let units = ["330105001", "330105002", "330105003", "330105-CGJ", "330105-ZFJ"]
    static let categories = ["06010", "09005", "01001"]
    static let sources: [ReportSource] = [.resident, .hotline, .gridWorker, .camera]

    static func report(_ n: Int, street: String) -> Report {
        var r = StoreFixture.report(n)
        r.category = categories[n % categories.count]
        r.source = sources[n % sources.count]
        r.area = AreaPath(district: "330105", street: street, community: street + "001", grid: street + "001-G\(n % 4)", version: 1)
        return r
    }

    /// A command for `action` with the arguments it needs, some chosen at random.
    static func command(_ action: CaseAction, _ rng: inout SeededGenerator) -> CaseCommand {
        switch action {
        case .dispatch, .redispatch:
            return CaseCommand(action, unit: units.randomElement(using: &rng)!, reason: "改派",
                               deadlineHours: [1.0, 4, 48].randomElement(using: &rng)!)
        case .verify, .recheck:
            let passed = Bool.random(using: &rng)
            return CaseCommand(action, reason: passed ? nil : "未整改到位", passed: passed)
        case .evaluate:
            return CaseCommand(.evaluate, satisfaction: Satisfaction.allCases.randomElement(using: &rng)!)
        case .notify:
            return CaseCommand(.notify, merchant: "M-\(Int.random(in: 1...3, using: &rng))")
        case .merge:
            return CaseCommand(.merge, reason: "重复", otherCase: 1)
        default:
            return CaseCommand(action, reason: "原因", note: "说明")
        }
    }

    /// Runs random legal commands on `cases` new cases (about `steps` in all) and returns the store.
    static func randomStreams(_ f: StoreFixture, seed: UInt64, cases: Int, steps: Int) async throws {
        var rng = SeededGenerator(seed: seed)
        var ids: [Int64] = []
        var now = StoreFixture.t0
        for n in 0..<cases {
            now = now.addingTimeInterval(Double.random(in: 60...7_200, using: &rng))
            ids.append(try await f.store.create(report(n, street: streets[n % streets.count]), actor: .system, at: now).record.id)
        }
        let context = f.store.context.current
        for _ in 0..<steps {
            // Now and then a long pause (past deadlines, across days), or the clock running back.
            now = now.addingTimeInterval([Double.random(in: 10...900, using: &rng), 86_400 * 2, -3_600].randomElement(using: &rng)!)
            let id = ids.randomElement(using: &rng)!
            guard let record = try await f.store.find(id: id) else { continue }
            var actions = CaseMachine.availableActions(record, at: max(now, record.updatedAt), context: context)
                .filter { $0 != .merge && $0 != .unmerge }
            if record.status == .dispatched, !record.overdueMarked, let due = record.dueAt, due <= now { actions.append(.overdue) }
            if record.status == .selfCorrecting { actions.append(.uncorrected) }
            actions.removeAll { $0 == .comment }
            // Mostly forward, so that cases reach the end of the loop and get judged.
            let forward: [CaseAction] = [.register, .dispatch, .handle, .verify, .close, .evaluate]
            let ahead = actions.filter(forward.contains)
            guard let action = (!ahead.isEmpty && Double.random(in: 0..<1, using: &rng) < 0.6 ? ahead : actions).randomElement(using: &rng)
            else { continue }
            _ = try? await f.store.perform(command(action, &rng), on: id, actor: Actor(id: "user:test"), at: now)
        }
    }

    /// Every case's facts, recomputed here from the histories, summed.
    static func recomputed(_ f: StoreFixture, cases: Int) async throws -> [FactKey: Counts] {
        var sums: [FactKey: Counts] = [:]
        for id in 1...Int64(cases) {
            for fact in CaseFacts.facts(history: try await f.store.history(of: id), calendar: StoreFixture.calendar) {
                sums[fact.key, default: Counts()] += fact.counts
            }
        }
        return sums.filter { !$0.value.isZero }
    }

    @Test(arguments: Backend.all) func randomStreamsEqualARecomputation(backend: Backend) async throws {
        let f = try await StoreFixture(backend, coGovernance: true)
        try await Self.randomStreams(f, seed: 11, cases: 40, steps: 400)
        let report = try await f.verify()
        #expect(report.statisticsChecked && report.isIntact, "\(report.statistics ?? "") \(report.firstBreak.map { "\($0)" } ?? "")")
        let stored = try await f.sql.read { try FactRows.sums($0) }
        let expected = try await Self.recomputed(f, cases: 40)
        // The daily and live rows are the facts summed; each rollup (a month's, yyyymm00, and the
        // live one, day 1) is its rows summed without community and grid.
        let isRollup = { (k: FactKey) in k.day == 1 || (k.day > 1 && k.day % 100 == 0) }
        #expect(stored.filter { !isRollup($0.key) } == expected)
        var rollups: [FactKey: Counts] = [:]
        for (k, c) in expected {
            var r = k
            (r.day, r.community, r.grid) = (k.day == 0 ? 1 : k.day / 100 * 100, "", "")
            rollups[r, default: Counts()] += c
        }
        #expect(stored.filter { isRollup($0.key) } == rollups.filter { !$0.value.isZero })
        #expect(Set(expected.keys.map { $0.day / 100 }).count > 3, "the walk spans several months")
        // The walk reached the figures it is meant to test.
        var all = Counts()
        for c in expected.values { all += c }
        for m in [Measure.closed, .handledOnTime, .handledLate, .reworks, .returned, .postponed, .evaluated, .openOverdue, .supervised] {
            #expect(all[m] > 0, "no \(m) in the walk")
        }
        // The store's totals over the whole time equal the sums, and live counts equal open cases.
        let totals = try await f.store.statistics.totals(StatsQuery(from: 20260101, to: 20271231))
        var dated = Counts()
        for (k, c) in expected where k.kind != .live { dated += c }
        #expect(totals == dated)
        let open = try await f.count("cases WHERE status IN ('reported','registered','dispatched','self_correcting','handled','verified')")
        #expect(try await f.store.statistics.live(StatsQuery(from: 0, to: 0))[.open] == Int64(open))

        // A span with partial months at both ends: read through the rollups (by street) and
        // through the daily rows (by grid, by day), it gives the facts dated in it.
        let months = expected.keys.map(\.day).filter { $0 > 0 }.sorted()
        let span = StatsQuery(from: months[months.count / 4], to: months[months.count * 3 / 4])
        var inSpan = Counts()
        for (k, c) in expected where k.kind != .live && k.day >= span.from && k.day <= span.to { inSpan += c }
        #expect(span.from / 100 < span.to / 100 - 1 && inSpan[.reported] + inSpan[.handled] > 0)
        #expect(SQLStatistics.rollupServes(span, by: .street) && !SQLStatistics.rollupServes(span, by: .grid))
        for by in [StatsDimension.street, .unit, .grid, .day] {
            var summed = Counts()
            for c in try await f.store.statistics.totals(span, by: by).values { summed += c }
            #expect(summed == inSpan, "by \(by)")
        }
        #expect(try await f.store.statistics.totals(span) == inSpan)
        var liveByGrid = Counts()
        for c in try await f.store.statistics.live(span, by: .grid).values { liveByGrid += c }
        #expect(liveByGrid == (try await f.store.statistics.live(span)))
    }

    /// A bulk load: many cases, each opened and taken round the loop in one transaction, one
    /// opened under a savepoint that rolls back, and the same cases moved on in a second
    /// transaction. The facts, settled once per case at the end of each, equal a recomputation.
    @Test(arguments: Backend.all) func stepsInOneTransactionSettleToTheSameSums(backend: Backend) async throws {
        struct RolledBack: Error {}
        let f = try await StoreFixture(backend)
        let t0 = StoreFixture.t0
        let ids = try await f.store.transaction { tx in
            var ids: [Int64] = []
            for n in 0..<8 {
                let id = try tx.create(Self.report(n, street: Self.streets[n % 3]), actor: .system, at: t0).record.id
                ids.append(id)
                _ = try tx.perform(CaseCommand(.register), on: id, actor: .system, at: t0)
                _ = try tx.perform(CaseCommand(.dispatch, unit: Self.units[n % 5], deadlineHours: 4), on: id, actor: .system, at: t0)
                if n % 2 == 0 { _ = try tx.perform(CaseCommand(.handle, note: "已处置"), on: id, actor: .system, at: t0 + 3_600) }
            }
            _ = try? tx.sql.savepoint {
                _ = try tx.create(Self.report(99, street: Self.streets[0]), actor: .system, at: t0)
                throw RolledBack()
            }
            return ids
        }
        _ = try await f.store.transaction { tx in
            for id in ids where id % 2 == 1 {
                _ = try tx.perform(CaseCommand(.verify, passed: true), on: id, actor: .system, at: t0 + 86_400 * 2)
                _ = try tx.perform(CaseCommand(.close), on: id, actor: .system, at: t0 + 86_400 * 2)
            }
        }
        let report = try await f.verify()
        #expect(report.statisticsChecked && report.isIntact, "\(report.statistics ?? "")")
        let stored = try await f.sql.read { try FactRows.sums($0) }
        let expected = try await Self.recomputed(f, cases: 8)
        #expect(stored.filter { $0.key.day != 1 && ($0.key.day <= 1 || $0.key.day % 100 != 0) } == expected)
        var all = Counts()
        for c in expected.values { all += c }
        #expect(all[.reported] == 8 && all[.closed] == 4)
    }

    @Test func aPeriodIsReadAsWholeMonthsAndTheDaysAroundThem() {
        func show(_ pieces: [(String, [SQLValue])]) -> [String] {
            pieces.map { p in p.0 + " " + p.1.map { if case .int(let n) = $0 { String(n) } else { "?" } }.joined(separator: ",") }
        }
        #expect(show(SQLStatistics.dayPieces(from: 20261015, to: 20261231, months: true))
                == ["day >= ? AND day <= ? 20261015,20261031", "day IN (?, ?) 20261100,20261200"])
        // A leap February whole, a partial March; a month's own days only.
        #expect(show(SQLStatistics.dayPieces(from: 20240201, to: 20240303, months: true))
                == ["day >= ? AND day <= ? 20240301,20240303", "day IN (?) 20240200"])
        #expect(show(SQLStatistics.dayPieces(from: 20230201, to: 20230228, months: true)) == ["day IN (?) 20230200"])
        #expect(show(SQLStatistics.dayPieces(from: 20261103, to: 20261120, months: true)) == ["day >= ? AND day <= ? 20261103,20261120"])
        // Across a year's end; without the rollups one range that leaves them out; nothing for an empty span.
        #expect(show(SQLStatistics.dayPieces(from: 20261201, to: 20270110, months: true))
                == ["day >= ? AND day <= ? 20270101,20270110", "day IN (?) 20261200"])
        #expect(show(SQLStatistics.dayPieces(from: 20261015, to: 20261231, months: false))
                == ["day >= ? AND day <= ? AND day % 100 <> 0 20261015,20261231"])
        #expect(SQLStatistics.dayPieces(from: 20261120, to: 20261101, months: true).isEmpty)
        // Live rows (0, 1) never fall in a period, however it is written.
        #expect(show(SQLStatistics.dayPieces(from: 0, to: 19700105, months: false)) == ["day >= ? AND day <= ? AND day % 100 <> 0 10000101,19700105"])
    }

    @Test func communityScopesReadTheDailyRows() {
        var q = StatsQuery(from: 20261001, to: 20261031)
        q.scope = Scope(isAll: false, units: ["330105001"], areas: ["330105001", "330105001051"])
        #expect(SQLStatistics.rollupServes(q, by: .unit))
        q.scope = Scope(isAll: false, units: ["330105001051"], areas: ["330105001051"])
        #expect(!SQLStatistics.rollupServes(q, by: .unit))
        q.scope = .all
        q.communities = ["330105001051"]
        #expect(!SQLStatistics.rollupServes(q, by: .street))
    }

    @Test(arguments: Backend.all) func aChangedSumIsFoundAndARebuildMendsIt(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        try await Self.randomStreams(f, seed: 5, cases: 12, steps: 80)
        let before = try await f.sql.read { try FactRows.sums($0) }
        _ = try await f.sql.write { try $0.execute("UPDATE stats_daily SET reported = reported + 1 WHERE kind = 0 AND day = 20260928", []) }
        let broken = try await f.verify()
        #expect(broken.statistics?.contains("daily sums differ") == true && broken.firstBreak == nil)
        _ = try await f.sql.write { try $0.execute("UPDATE case_facts SET counts = 'reported=2' WHERE case_id = 3 AND kind = 0", []) }
        #expect(try await f.verify().statistics?.contains("case 3") == true)
        let counted = try await StatisticsBuild.rebuild(f.sql, calendar: StoreFixture.calendar, page: 5)
        #expect(counted == 12)
        #expect(try await f.sql.read { try FactRows.sums($0) } == before)
        #expect(try await f.verify().isIntact)
        #expect(try await StatisticsBuild.isCurrent(f.sql, calendar: StoreFixture.calendar))
    }

    /// A street's staff see their street's figures only: nothing from a case elsewhere, even
    /// one handled by a district department.
    @Test(arguments: Backend.all) func figuresAreScoped(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        for n in 0..<6 {
            let street = n < 4 ? "330105001" : "330105002"
            let id = try await f.store.create(Self.report(n, street: street), actor: .system, at: StoreFixture.t0).record.id
            _ = try await f.store.perform(CaseCommand(.register), on: id, actor: .system, at: StoreFixture.t0)
            let unit = n == 5 ? "330105-CGJ" : street
            _ = try await f.store.perform(CaseCommand(.dispatch, unit: unit), on: id, actor: .system, at: StoreFixture.t0)
        }
        var q = StatsQuery(from: 20260901, to: 20261231)
        q.scope = Scope.of(unit: "330105001", in: f.reference.units)
        let mine = try await f.store.statistics.totals(q)
        #expect(mine[.reported] == 4 && mine[.assigned] == 4)
        let byStreet = try await f.store.statistics.totals(q, by: .street)
        #expect(Set(byStreet.keys) == ["330105001"])
        #expect(try await f.store.statistics.live(q)[.open] == 4)
        // The department sees its one case, though it lies in another street.
        q.scope = Scope.of(unit: "330105-CGJ", in: f.reference.units)
        #expect(try await f.store.statistics.totals(q, by: .unit).keys.sorted() == ["330105-CGJ"])
        // The district sees all six; a filter by street narrows it.
        q.scope = .all
        #expect(try await f.store.statistics.totals(q)[.reported] == 6)
        q.streets = ["330105002"]
        #expect(try await f.store.statistics.totals(q)[.reported] == 2)
        q.streets = []
        q.categories = ["06"]
        #expect(try await f.store.statistics.totals(q)[.reported] == 2)  // n = 0, 3: 06010
    }
}
