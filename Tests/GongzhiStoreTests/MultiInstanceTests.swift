import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

/// Two instances on one PostgreSQL database, as two `gongzhi serve` processes see it: each
/// store has its own client and connections. Timers, the outbox, case commands, the audit chain
/// and reloads must stay correct with both writing at once.
@Suite(.enabled(if: Backend.postgresURL != nil, "needs GONGZHI_TEST_POSTGRES (scripts/test starts one)"))
struct MultiInstanceTests {
    static let t0 = Timestamp.parse("2026-11-25T09:00:00+08:00")!

    /// Instance A (the fixture's store) and instance B (its own client on the same schema).
    func instances(rules: RoutingTable = .empty) async throws -> (StoreFixture, SQLStorage, TestDatabase) {
        let f = try await StoreFixture(.postgres, rules: rules)
        let other = try await f.db.reopened()
        return (f, SQLStorage(db: other.sql, context: f.store.context.current), other)
    }

    func dispatched(_ store: SQLStorage, deadlineHours: Double = 2) async throws -> Int64 {
        let id = try await store.create(StoreFixture.report(), actor: .system, at: Self.t0).record.id
        _ = try await store.perform(CaseCommand(.register), on: id, actor: .system, at: Self.t0)
        _ = try await store.perform(CaseCommand(.dispatch, unit: "330105003051", deadlineHours: deadlineHours), on: id, actor: .system, at: Self.t0)
        return id
    }

    /// A case written on instance A counts as a change on instance B, whose open cockpits
    /// refresh from its counter; B's own counter does not hear a third database's writes.
    @Test func anotherInstancesWritesReachThisOnesChangeCounter() async throws {
        let (f, b, _) = try await instances()
        #expect(b.followsOtherInstances)
        let elsewhere = try await StoreFixture(.postgres)
        let following = Task { try await b.followChanges() }
        defer { following.cancel() }
        /// Waits up to two seconds for B's counter to pass `count`.
        func heard(after count: UInt64) async throws -> Bool {
            for _ in 0..<40 where b.changes.current <= count { try await Task.sleep(for: .milliseconds(50)) }
            return b.changes.current > count
        }
        // Listening starts on its own connection (counted as a change): wait until it listens
        // and a write is heard, then count.
        for _ in 0..<100 where !b.changes.hearsEveryWriter { try await Task.sleep(for: .milliseconds(20)) }
        var seen = false
        for _ in 0..<10 where !seen {
            let count = b.changes.current
            _ = try await f.store.create(StoreFixture.report(), actor: .system, at: Self.t0)
            seen = try await heard(after: count)
        }
        #expect(seen, "instance B never heard instance A")
        let before = b.changes.current
        _ = try await elsewhere.store.create(StoreFixture.report(), actor: .system, at: Self.t0)
        try await Task.sleep(for: .milliseconds(300))
        #expect(b.changes.current == before, "a write to another schema reached B")
        _ = try await dispatched(f.store)
        #expect(try await heard(after: before))
    }

    /// While B listens, a page of B's case list is held until anything is written anywhere: a
    /// case A writes is on B's next page once A's notice arrives, B's own write on its very next
    /// page; before B listens and after it stops, every page is read afresh.
    @Test func heldListPagesLastUntilAnyInstanceWrites() async throws {
        let (f, b, _) = try await instances()
        let cache = RevisionPageCache()
        var q = CaseQuery()
        q.limit = 10
        func newest() async throws -> Int64? { try await cache.page(q, from: b).items.first?.id }
        _ = try await f.store.create(StoreFixture.report(), actor: .system, at: Self.t0)
        _ = try await newest()
        _ = try await newest()
        #expect(cache.hits == 0 && !b.changes.hearsEveryWriter, "a page was held while nothing vouched for it")

        let following = Task { try await b.followChanges() }
        defer { following.cancel() }
        for _ in 0..<100 where !b.changes.hearsEveryWriter { try await Task.sleep(for: .milliseconds(20)) }
        #expect(b.changes.hearsEveryWriter)
        let first = try await newest()
        #expect(try await newest() == first && cache.hits == 1)
        let off = RevisionPageCache(enabled: false)
        _ = try await off.page(q, from: b)
        _ = try await off.page(q, from: b)
        #expect(off.hits == 0, "a cache switched off held a page")

        let fromA = try await f.store.create(StoreFixture.report(), actor: .system, at: Self.t0.addingTimeInterval(60)).record.id
        var seen = try await newest()
        for _ in 0..<40 where seen != fromA {
            try await Task.sleep(for: .milliseconds(50))
            seen = try await newest()
        }
        #expect(seen == fromA, "B kept answering the page it held before A's case")
        let fromB = try await b.create(StoreFixture.report(), actor: .system, at: Self.t0.addingTimeInterval(120)).record.id
        #expect(try await newest() == fromB)

        following.cancel()
        for _ in 0..<100 where b.changes.hearsEveryWriter { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!b.changes.hearsEveryWriter, "B still vouched for its counter after it stopped listening")
        let hits = cache.hits
        _ = try await newest()
        _ = try await newest()
        #expect(cache.hits == hits)
    }

    /// Both instances sweep the same due timers, many times and at once: each mark is made once.
    @Test func dueTimersFireOnceFromTwoInstances() async throws {
        let (f, b, _) = try await instances()
        var ids: [Int64] = []
        for _ in 0..<40 { ids.append(try await dispatched(f.store)) }
        let later = Self.t0.addingTimeInterval(5 * 3600)
        let tallies = try await withThrowingTaskGroup(of: TimerMarks.Tally.self) { group in
            for i in 0..<8 {
                let store: SQLStorage = i % 2 == 0 ? f.store : b
                group.addTask { try await TimerSweep(store: store).run(now: later, batch: 7) }
            }
            return try await group.reduce(TimerMarks.Tally()) { $0 + $1 }
        }
        // Each case: a warning and an overdue (community → street escalation needs a rule: none here).
        #expect(tallies == TimerMarks.Tally(warned: 40, overdue: 40, escalated: 0))
        for id in ids {
            let marks = try await f.store.history(of: id).map(\.action).filter { $0 == .warn || $0 == .overdue }
            #expect(marks == [.warn, .overdue], "case \(id)")
        }
        #expect(try await f.verify().isIntact)
    }

    /// An instance dies while its sweep holds the due cases (its connection is cut, as when the
    /// process or its machine goes): the other instance marks them, once.
    @Test func aSweepCutOffMidTransactionIsTakenOver() async throws {
        let (f, b, other) = try await instances()
        for _ in 0..<5 { _ = try await dispatched(f.store) }
        let later = Self.t0.addingTimeInterval(5 * 3600)
        let holding = Gate(), release = Gate()
        let stuck = Task {
            try await f.store.transaction { tx in
                _ = try tx.sql.dueCases(at: Timestamp.millis(later), limit: 100)  // locks them all
                let pid: Int64 = try #require(try (tx.sql as! SQLCaseSQL).db.scalar("SELECT pg_backend_pid()"))
                holding.open(pid)
                release.wait()
                _ = try TimerSweep.sweep(tx, now: later, limit: 100)
            }
        }
        let pid = await holding.value()
        // While A holds them, B skips them.
        #expect(try await TimerSweep(store: b).run(now: later).total == 0)
        // A's connection is cut: PostgreSQL rolls its transaction back and frees the rows.
        try await other.execute("SELECT pg_terminate_backend(CAST(? AS INTEGER))", [.int(pid)])
        release.open(0)
        await #expect(throws: (any Error).self) { try await stuck.value }
        #expect(try await TimerSweep(store: b).run(now: later) == TimerMarks.Tally(warned: 5, overdue: 5, escalated: 0))
        #expect(try await TimerSweep(store: f.store).run(now: later).total == 0)
        #expect(try await f.verify().isIntact)
    }

    /// An instance that leased outbox messages and died sends nothing; after the lease the other
    /// takes them, and each is sent once.
    @Test func aDeadInstancesOutboxLeaseIsTakenOverAfterItExpires() async throws {
        let (f, b, _) = try await instances()
        try await f.store.transaction { tx in
            for i in 1...3 {
                try tx.sql.enqueue(caseID: Int64(i), eventSeq: 1, kind: "merchant.notice", recipient: "merchant:M-\(i)", payload: "{}", at: Self.t0)
            }
        }
        let claimedByA = try await f.store.claimDue(now: Self.t0, limit: 10, lease: 60)
        #expect(claimedByA.count == 3)
        #expect(try await b.claimDue(now: Self.t0.addingTimeInterval(30), limit: 10, lease: 60).isEmpty)
        let claimedByB = try await b.claimDue(now: Self.t0.addingTimeInterval(61), limit: 10, lease: 60)
        #expect(claimedByB.map(\.id) == claimedByA.map(\.id))
        for m in claimedByB {
            try await b.recordAttempt(m.id, at: Self.t0.addingTimeInterval(62), ok: true, statusCode: 200, error: nil, retryAt: nil)
        }
        #expect(try await f.store.claimDue(now: Self.t0.addingTimeInterval(3600), limit: 10, lease: 60).isEmpty)
        #expect(try await f.store.outbox(caseID: nil, limit: 10).allSatisfy { $0.status == .sent && $0.attempts == 1 })
    }

    /// Two instances claim at the same moment: no message is leased to both.
    @Test func concurrentClaimsShareNoMessage() async throws {
        let (f, b, _) = try await instances()
        try await f.store.transaction { tx in
            for i in 1...50 {
                try tx.sql.enqueue(caseID: Int64(i), eventSeq: 1, kind: "merchant.notice", recipient: "merchant:M", payload: "{}", at: Self.t0)
            }
        }
        let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for i in 0..<10 {
                let store: SQLStorage = i % 2 == 0 ? f.store : b
                group.addTask { try await store.claimDue(now: Self.t0, limit: 7, lease: 60).map(\.id) }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(claims.count == 50 && Set(claims).count == 50)
    }

    /// The same command on one case from both instances at once: one wins, the other is refused
    /// as an illegal step (the API's 409), and the history stays one linear chain.
    @Test func concurrentActionsOnOneCaseOneWins() async throws {
        let (f, b, _) = try await instances()
        var ids: [Int64] = []
        for _ in 0..<10 { ids.append(try await dispatched(f.store, deadlineHours: 48)) }
        for id in ids {
            let results = await withTaskGroup(of: Result<CaseRecord, any Error>.self) { group in
                for store in [f.store, b] {
                    group.addTask {
                        do {
                            let command = CaseCommand(.handle, note: "已处理")
                            return .success(try await store.perform(command, on: id, actor: Actor(id: "user:x"), at: Self.t0))
                        } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { (try? $0.get()) != nil }.count == 1)
            let refused = results.compactMap { r -> CaseError? in
                guard case .failure(let e) = r else { return nil }
                return e as? CaseError
            }
            #expect(refused == [CaseError.illegalTransition(from: .handled, action: .handle)])
            #expect(try await b.history(of: id).map(\.seq) == Array(0..<4))
        }
        #expect(try await f.verify().isIntact)
    }

    /// Security events written by both instances at once form one linear audit chain.
    @Test func theAuditChainStaysLinearUnderConcurrentWriters() async throws {
        let (f, _, other) = try await instances()
        let a = f.accounts, b = SQLAccountStore(db: other.sql, bcryptCost: 4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                let accounts = i % 2 == 0 ? a : b
                group.addTask { _ = try await accounts.login(username: "ghost\(i)", password: "x", kind: .bearer, at: Self.t0) }
            }
            try await group.waitForAll()
        }
        #expect(try await f.sql.read { try AuditLog.verify($0) } == nil)
        #expect(try await f.db.count("SELECT COUNT(*) FROM audit_log") == 40)
        #expect(try await f.db.count("SELECT MAX(seq) FROM audit_log") == 40)
    }

    /// A case changed on one instance reads changed on the other at once, and a reload or an
    /// area import announced on one changes the revision the other watches.
    @Test func changesAndReloadsAreSeenByTheOtherInstance() async throws {
        let (f, b, _) = try await instances()
        let id = try await dispatched(f.store)
        #expect(try await b.find(id: id)?.status == .dispatched)
        let before = try await b.reloadRevision()
        try await f.store.announceReload()
        let afterReload = try await b.reloadRevision()
        #expect(afterReload != before)
        _ = try await f.atlasWithGrids()
        #expect(try await b.reloadRevision() != afterReload)
        try await f.store.saveCameras([Camera(id: "CAM-1", name: "x", location: GeoPoint(lat: 30.3, lon: 120.1), categories: ["09005"])],
                                      by: "t", at: Self.t0)
        #expect(try await b.cameras().map(\.id) == ["CAM-1"])
    }

    /// Detections of one camera arriving at both instances at once join one case.
    @Test func detectionsOfOneCameraOnTwoInstancesMakeOneCase() async throws {
        let (f, b, _) = try await instances()
        let context = IntakeContext(cases: f.store.context.current, rules: try ReferenceData.intakeRules(categories: f.reference.categories))
        let report = { (n: Int) in
            Report(source: .camera, category: "09005", description: "出店经营", location: GeoPoint(lat: 30.342135, lon: 120.142877),
                   externalID: "evt-\(n)", cameraID: "CAM-ST-001", observedAt: Timestamp.millis(Self.t0) + Int64(n))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in 0..<10 {
                let store: SQLStorage = batch % 2 == 0 ? f.store : b
                let items = (0..<20).map { IntakeSubmission(report: report(batch * 20 + $0), state: .present, actor: .system, at: Self.t0) }
                group.addTask { _ = try await store.commit(items, context: context) }
            }
            try await group.waitForAll()
        }
        #expect(try await f.count("cases") == 1)
        #expect(try await f.count("reports") == 200)
        #expect(try await f.verify().isIntact)
    }
}

/// A one-shot signal between a blocked database thread and the test.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var payload: Int64?

    func open(_ value: Int64) {
        condition.lock()
        payload = value
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks the calling thread (a database thread, never a task's) until opened.
    func wait() {
        condition.lock()
        while payload == nil { condition.wait() }
        condition.unlock()
    }

    func value() async -> Int64 {
        while true {
            if let v = current() { return v }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func current() -> Int64? {
        condition.lock()
        defer { condition.unlock() }
        return payload
    }
}
