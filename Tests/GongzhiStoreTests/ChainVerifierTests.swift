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
        try await tamper(f, "UPDATE case_events SET hash = ? WHERE case_id = ? AND seq = 2", [String(repeating: "a", count: 64), c.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: c.id, seq: 2, problem: .hashMismatch))
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
