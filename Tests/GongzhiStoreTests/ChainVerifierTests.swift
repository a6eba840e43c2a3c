import Foundation
import GongzhiCore
@testable import GongzhiStore
import GRDB
import Testing

@Suite struct ChainVerifierTests {
    /// Tampering the way someone with the file would: drop the append-only triggers, then edit.
    func tamper(_ f: StoreFixture, _ sql: String, _ args: StatementArguments = []) async throws {
        try await f.database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS case_events_append_only_update; DROP TRIGGER IF EXISTS case_events_append_only_delete")
            try db.execute(sql: sql, arguments: args)
        }
    }

    func firstBreak(_ f: StoreFixture) async throws -> ChainVerifier.Finding? {
        try await ChainVerifier(database: f.database).verify().firstBreak
    }

    @Test func intactHistoriesPass() async throws {
        let f = try await StoreFixture()
        for _ in 0..<3 { _ = try await f.closedCase() }
        let report = try await ChainVerifier(database: f.database).verify()
        #expect(report.isIntact && report.casesChecked == 3 && report.eventsChecked == 18)
    }

    @Test func anEditedEventIsNamed() async throws {
        let f = try await StoreFixture()
        _ = try await f.closedCase()
        let c = try await f.closedCase()
        try await tamper(f, "UPDATE case_events SET payload = replace(payload, '已清理', '未处理') WHERE case_id = ? AND seq = 3", [c.id])
        let b = try await firstBreak(f)
        #expect(b == ChainVerifier.Finding(caseID: c.id, seq: 3, problem: .hashMismatch))
        #expect(b?.description.contains("case \(c.id) event #3") == true)
    }

    @Test func rehashingAnEditedEventStillBreaksTheNext() async throws {
        let f = try await StoreFixture()
        let c = try await f.closedCase()
        let e = try await f.store.history(of: c.id)[3]
        let forged = EventChain.canonicalJSON(EventPayload(note: "未处理"))
        let rehashed = EventChain.digest(caseID: c.id, seq: 3, action: e.action.rawValue, actorID: e.actor.id, actorUnit: e.actor.unit,
                                         atMillis: Timestamp.millis(e.at), from: e.from?.rawValue, to: e.to.rawValue, payloadJSON: forged, prevHash: e.prevHash)
        try await tamper(f, "UPDATE case_events SET payload = ?, hash = ? WHERE case_id = ? AND seq = 3", [forged, rehashed, c.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: c.id, seq: 4, problem: .prevHashMismatch))
    }

    @Test func aDeletedCaseIsCaught() async throws {
        let f = try await StoreFixture()
        _ = try await f.closedCase()
        let second = try await f.closedCase()
        _ = try await f.closedCase()
        try await tamper(f, "DELETE FROM case_events WHERE case_id = ?; DELETE FROM cases WHERE id = ?", [second.id, second.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: second.id, seq: nil, problem: .undecodable("its case row is missing (deleted)")))
    }

    @Test func theNewestCaseDeletedIsCaughtToo() async throws {
        let f = try await StoreFixture()
        _ = try await f.closedCase()
        let newest = try await f.closedCase()
        try await tamper(f, "DELETE FROM case_events WHERE case_id = ?; DELETE FROM cases WHERE id = ?", [newest.id, newest.id])
        #expect(try await firstBreak(f)?.caseID == newest.id)
    }

    @Test func anEditedLastReturnIsCaught() async throws {
        let f = try await StoreFixture()
        let id = try await f.store.create(StoreFixture.report(), actor: .system, at: StoreFixture.t0).record.id
        for c in [CaseCommand(.register), CaseCommand(.dispatch, unit: "330105003"), CaseCommand(.return, reason: "不归我们")] {
            _ = try await f.store.perform(c, on: id, actor: .system, at: StoreFixture.t0)
        }
        try await tamper(f, "UPDATE cases SET last_return_reason = 'x' WHERE id = ?", [id])
        #expect(try await firstBreak(f)?.problem == .projectionMismatch("last_return"))
    }

    @Test func aDeletedEventIsAGap() async throws {
        let f = try await StoreFixture()
        let c = try await f.closedCase()
        try await tamper(f, "DELETE FROM case_events WHERE case_id = ? AND seq = 2", [c.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: c.id, seq: 3, problem: .sequenceGap(expected: 2, found: 3)))
    }

    @Test func anEditedCaseRowIsCaught() async throws {
        let f = try await StoreFixture()
        let c = try await f.closedCase()
        try await tamper(f, "UPDATE cases SET unit = '330105-CGJ' WHERE id = ?", [c.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: c.id, seq: nil, problem: .projectionMismatch("unit")))
    }

    @Test func aTruncatedHistoryIsCaught() async throws {
        let f = try await StoreFixture()
        let c = try await f.closedCase()
        try await tamper(f, "DELETE FROM case_events WHERE case_id = ? AND seq = 5", [c.id])
        #expect(try await firstBreak(f)?.problem == .projectionMismatch("status"))
    }
}
