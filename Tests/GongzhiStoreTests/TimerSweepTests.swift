import Foundation
import GongzhiCore
import GongzhiGeo
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

@Suite struct TimerSweepTests {
    static let t0 = Timestamp.parse("2026-11-25T09:00:00+08:00")!

    /// A case dispatched with a 2-hour deadline to a community (escalates to its street).
    func dispatched(_ f: StoreFixture, unit: String = "330105003051") async throws -> Int64 {
        let id = try await f.store.create(StoreFixture.report(), actor: .system, at: Self.t0).record.id
        _ = try await f.store.perform(CaseCommand(.register), on: id, actor: .system, at: Self.t0)
        _ = try await f.store.perform(CaseCommand(.dispatch, unit: unit, deadlineHours: 2), on: id, actor: .system, at: Self.t0)
        return id
    }

    func marks(_ f: StoreFixture, _ id: Int64) async throws -> [CaseAction] {
        try await f.store.history(of: id).map(\.action).filter { [.warn, .overdue, .escalate].contains($0) }
    }

    @Test(arguments: Backend.all) func marksEachTimerOnceWhateverTheSweepCount(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let id = try await dispatched(f)
        let sweep = TimerSweep(store: f.store)
        #expect(try await sweep.run(now: Self.t0.addingTimeInterval(3600)).total == 0)
        #expect(try await sweep.run(now: Self.t0.addingTimeInterval(1.6 * 3600)) == TimerSweep.Result(warned: 1, overdue: 0, escalated: 0))
        #expect(try await sweep.run(now: Self.t0.addingTimeInterval(1.7 * 3600)).total == 0)
        #expect(try await sweep.run(now: Self.t0.addingTimeInterval(2 * 3600)) == TimerSweep.Result(warned: 0, overdue: 1, escalated: 0))
        for _ in 0..<3 { #expect(try await sweep.run(now: Self.t0.addingTimeInterval(5 * 3600)).total == 0) }
        #expect(try await marks(f, id) == [.warn, .overdue])
        let record = try #require(try await f.store.find(id: id))
        #expect(record.warned && record.overdueMarked)
    }

    @Test(arguments: Backend.all) func missedMarksAppearOnceAfterARestartWithTheClockAdvanced(backend: Backend) async throws {
        var f: StoreFixture? = try await StoreFixture(backend)
        let db = f!.db
        let id = try await dispatched(f!)
        f = nil  // the server stops before anything falls due
        await db.close()
        let later = Self.t0.addingTimeInterval(3 * 86_400)
        let restarted = try await StoreFixture(backend, reopen: db)
        #expect(try await TimerSweep(store: restarted.store).run(now: later) == TimerSweep.Result(warned: 1, overdue: 1, escalated: 0))
        let again = try await StoreFixture(backend, reopen: db)  // and once more
        #expect(try await TimerSweep(store: again.store).run(now: later).total == 0)
        #expect(try await marks(again, id) == [.warn, .overdue])
        #expect(try await again.verify().isIntact)
    }

    @Test(arguments: Backend.all) func overdueEscalatesUpTheTreePerTheRule(backend: Backend) async throws {
        let reference = StoreFixture.bundled
        let rules = try RoutingTable([RoutingRule(id: "env", category: "06", unit: "community", deadline: DeadlineSpec(2, .naturalHours),
                                                  escalateWhenOverdue: true)], units: reference.units, categories: reference.categories)
        let f = try await StoreFixture(backend, rules: rules)
        let id = try await f.store.create(StoreFixture.report(), actor: .system, at: Self.t0).record.id
        _ = try await f.store.perform(CaseCommand(.register), on: id, actor: .system, at: Self.t0)
        _ = try await f.store.perform(CaseCommand(.dispatch, unit: "330105003051"), on: id, actor: .system, at: Self.t0)
        let sweep = TimerSweep(store: f.store)
        var now = Self.t0
        var holders: [String] = []
        for _ in 0..<4 {
            now = now.addingTimeInterval(2 * 3600)
            try await sweep.run(now: now)
            holders.append(try #require(try await f.store.find(id: id)?.unit))
        }
        // 社区 → 街道 → 区, and the district has no parent: it stays there, marked overdue.
        #expect(holders == ["330105003", "330105", "330105", "330105"])
        #expect(try await marks(f, id).filter { $0 == .escalate }.count == 2)
        #expect(try await marks(f, id).filter { $0 == .overdue }.count == 3)
    }

    @Test(arguments: Backend.all) func handledCasesAreNotMarked(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let id = try await dispatched(f)
        _ = try await f.store.perform(CaseCommand(.handle, note: "done"), on: id, actor: .system, at: Self.t0.addingTimeInterval(600))
        #expect(try await TimerSweep(store: f.store).run(now: Self.t0.addingTimeInterval(86_400)).total == 0)
    }

    @Test(arguments: Backend.all) func overdueFilterAndTimeLeftOrder(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        var ids: [Int64] = []
        for hours in [5.0, 1, 3] {
            let id = try await f.store.create(StoreFixture.report(), actor: .system, at: Self.t0).record.id
            _ = try await f.store.perform(CaseCommand(.register), on: id, actor: .system, at: Self.t0)
            _ = try await f.store.perform(CaseCommand(.dispatch, unit: "330105003", deadlineHours: hours), on: id, actor: .system, at: Self.t0)
            ids.append(id)
        }
        _ = try await f.store.create(StoreFixture.report(), actor: .system, at: Self.t0)  // no deadline
        var q = CaseQuery()
        q.sort = .timeLeft
        q.limit = 2
        let first = try await f.store.list(q)
        q.cursor = first.nextCursor
        let second = try await f.store.list(q)
        #expect((first.items + second.items).map(\.id) == [ids[1], ids[2], ids[0]])
        var overdue = CaseQuery()
        overdue.overdueAt = Self.t0.addingTimeInterval(3 * 3600)
        #expect(Set(try await f.store.list(overdue).items.map(\.id)) == [ids[1], ids[2]])
    }

    /// More cases due than one batch holds: the sweep keeps taking batches until none is left,
    /// each case marked once.
    @Test(arguments: Backend.all) func sweepsLargerThanOneBatch(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        var ids: [Int64] = []
        for _ in 0..<7 { ids.append(try await dispatched(f)) }
        let result = try await TimerSweep(store: f.store).run(now: Self.t0.addingTimeInterval(3 * 3600), batch: 3)
        #expect(result == TimerSweep.Result(warned: 7, overdue: 7, escalated: 0))
        for id in ids { #expect(try await marks(f, id) == [.warn, .overdue]) }
        #expect(try await TimerSweep(store: f.store).run(now: Self.t0.addingTimeInterval(4 * 3600), batch: 3).total == 0)
    }

    /// A failed verification and a reopen each set a new deadline: its warning and overdue are
    /// marked again, once, at their new times.
    @Test(arguments: Backend.all) func timersAreReArmedAfterReworkAndReopen(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let id = try await dispatched(f)
        let sweep = TimerSweep(store: f.store)
        try await sweep.run(now: Self.t0.addingTimeInterval(3 * 3600))
        #expect(try await marks(f, id) == [.warn, .overdue])
        let hour: TimeInterval = 3600
        _ = try await f.store.perform(CaseCommand(.handle, note: "done"), on: id, actor: .system, at: Self.t0.addingTimeInterval(4 * hour))
        let rework = try await f.store.perform(CaseCommand(.verify, reason: "still there", passed: false, deadlineHours: 2), on: id, actor: .system,
                                               at: Self.t0.addingTimeInterval(5 * hour))
        #expect(!rework.warned && !rework.overdueMarked && rework.dueAt == Self.t0.addingTimeInterval(7 * hour))
        #expect(try await sweep.run(now: Self.t0.addingTimeInterval(6.5 * hour)).total == 0)  // warns at 80 % of 2 h: 6.6 h
        #expect(try await sweep.run(now: Self.t0.addingTimeInterval(6.7 * hour)) == TimerSweep.Result(warned: 1, overdue: 0, escalated: 0))
        #expect(try await sweep.run(now: Self.t0.addingTimeInterval(7 * hour)) == TimerSweep.Result(warned: 0, overdue: 1, escalated: 0))
        for c in [CaseCommand(.handle, note: "done"), CaseCommand(.verify, passed: true), CaseCommand(.close)] {
            _ = try await f.store.perform(c, on: id, actor: .system, at: Self.t0.addingTimeInterval(8 * hour))
        }
        let reopened = try await f.store.perform(CaseCommand(.reopen, reason: "back again", deadlineHours: 2), on: id, actor: .system,
                                                 at: Self.t0.addingTimeInterval(9 * hour))
        #expect(!reopened.warned && !reopened.overdueMarked && reopened.dueAt == Self.t0.addingTimeInterval(11 * hour))
        #expect(try await sweep.run(now: Self.t0.addingTimeInterval(20 * hour)) == TimerSweep.Result(warned: 1, overdue: 1, escalated: 0))
        #expect(try await marks(f, id) == [.warn, .overdue, .warn, .overdue, .warn, .overdue])
    }
}
