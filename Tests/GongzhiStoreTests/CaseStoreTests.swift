import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

@Suite struct CaseStoreTests {
    @Test(arguments: Backend.all) func createPerformAndReadBack(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let closed = try await f.closedCase()
        #expect(closed.status == .closed)
        #expect(closed.eventCount == 6)
        let found = try #require(try await f.store.find(id: closed.id))
        #expect(found == closed)
        let history = try await f.store.history(of: closed.id)
        #expect(history.map(\.action) == [.report, .register, .dispatch, .handle, .verify, .close])
        #expect(CaseMachine.replay(history) == found)
        #expect(TrackingCode.isWellFormed(found.trackingCode))
    }

    @Test(arguments: Backend.all) func illegalStepWritesNothing(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let id = try await f.store.create(StoreFixture.report(), actor: .system, at: StoreFixture.t0).record.id
        let before = try await f.count("case_events")
        await #expect(throws: CaseError.illegalTransition(from: .reported, action: .close)) {
            try await f.store.perform(CaseCommand(.close), on: id, actor: .system, at: StoreFixture.t0)
        }
        await #expect(throws: StoreError.caseNotFound(999)) {
            try await f.store.perform(CaseCommand(.register), on: 999, actor: .system, at: StoreFixture.t0)
        }
        #expect(try await f.count("case_events") == before)
        #expect(try await f.store.find(id: id)?.status == .reported)
    }

    @Test(arguments: Backend.all, [FaultPoint.afterEventInsert, .afterProjectionUpdate])
    func aFailureMidAppendLeavesNothing(backend: Backend, point: FaultPoint) async throws {
        let armed = Armed()
        let f = try await StoreFixture(backend, faults: { p in if p == point, armed.isOn { throw StoreError.injected(p.rawValue) } })
        let id = try await f.store.create(StoreFixture.report(), actor: .system, at: StoreFixture.t0).record.id
        let before = try #require(try await f.store.find(id: id))
        armed.isOn = true
        await #expect(throws: StoreError.injected(point.rawValue)) {
            try await f.store.perform(CaseCommand(.register), on: id, actor: .system, at: StoreFixture.t0)
        }
        await #expect(throws: StoreError.injected(point.rawValue)) {
            try await f.store.create(StoreFixture.report(1), actor: .system, at: StoreFixture.t0)
        }
        #expect(try await f.store.find(id: id) == before)
        #expect(try await f.count("case_events") == 1)
        #expect(try await f.count("cases") == 1)
        armed.isOn = false
        #expect(try await f.store.perform(CaseCommand(.register), on: id, actor: .system, at: StoreFixture.t0).status == .registered)
        #expect(try await f.verify().isIntact)
    }

    @Test(arguments: Backend.all) func resubmissionWithTheSameExternalIDFindsTheCase(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let first = try await f.store.create(StoreFixture.report(external: "12345-001"), actor: .system, at: StoreFixture.t0)
        let again = try await f.store.create(StoreFixture.report(external: "12345-001"), actor: .system, at: StoreFixture.t0)
        var other = StoreFixture.report(external: "12345-001")
        other.source = .hotline
        let otherChannel = try await f.store.create(other, actor: .system, at: StoreFixture.t0)
        #expect(first.created && !again.created && otherChannel.created)
        #expect(again.record.id == first.record.id)
        #expect(otherChannel.record.id != first.record.id)
        #expect(try await f.count("cases") == 2)
    }

    @Test(arguments: Backend.all) func concurrentCreatesAllLand(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for n in 0..<60 {
                group.addTask { try await f.store.create(StoreFixture.report(n), actor: .system, at: StoreFixture.t0).record.id }
            }
            return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
        }
        #expect(ids.count == 60)
        let verified = try await f.verify()
        #expect(verified.isIntact && verified.casesChecked == 60)
    }

    @Test(arguments: Backend.all) func restartKeepsEverything(backend: Backend) async throws {
        var f: StoreFixture? = try await StoreFixture(backend)
        let db = f!.db
        let closed = try await f!.closedCase()
        f = nil  // closes the pool
        await db.close()
        let reopened = try await StoreFixture(backend, reopen: db)
        #expect(try await reopened.store.find(id: closed.id) == closed)
        #expect(try await reopened.store.history(of: closed.id).count == 6)
        // The WAL is checkpointed into the main file or still beside it: either way nothing is lost.
        #expect(try await reopened.verify().isIntact)
    }

    @Test(arguments: Backend.all) func historyIsAppendOnly(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        await #expect(throws: (any Error).self) { try await f.db.execute("UPDATE case_events SET payload = '{}' WHERE case_id = \(c.id)") }
        await #expect(throws: (any Error).self) { try await f.db.execute("DELETE FROM case_events WHERE case_id = \(c.id)") }
        #expect(try await f.count("case_events") == 6)
    }
}

/// A switch tests flip from outside a `@Sendable` fault injector.
final class Armed: @unchecked Sendable {
    private let lock = NSLock()
    private var on = false
    var isOn: Bool {
        get { lock.withLock { on } }
        set { lock.withLock { on = newValue } }
    }
}

@Suite struct ClockJumpTests {
    @Test(arguments: Backend.all) func aClockJumpingBackDoesNotMakeHistoryRunBackwards(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let id = try await f.store.create(StoreFixture.report(), actor: .system, at: StoreFixture.t0).record.id
        _ = try await f.store.perform(CaseCommand(.register), on: id, actor: .system, at: StoreFixture.t0.addingTimeInterval(3600))
        let r = try await f.store.perform(CaseCommand(.comment, note: "clock went back"), on: id, actor: .system, at: StoreFixture.t0)
        let times = try await f.store.history(of: id).map(\.at)
        #expect(times == times.sorted())
        #expect(r.updatedAt == StoreFixture.t0.addingTimeInterval(3600))
    }
}

@Suite struct JSONTextTests {
    /// What the store writes without an encoder reads back as what was written, whatever it holds.
    @Test(arguments: [[], ["https://a.example/1.jpg"], ["a\"b\\c", "line\nbreak\ttab\u{1}", "拱墅 /x?y=1&z=\u{7f}"]])
    func stringArraysRoundTrip(items: [String]) throws {
        let text = JSONText.stringArray(items)
        #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == items)
    }
}
