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
        #expect(stored == expected)
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
