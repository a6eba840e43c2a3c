import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiSQLite
import GongzhiTestSupport
@testable import GongzhiStore
import GRDB
import Testing

@Suite struct ChainVerifierTests {
    /// Tampering the way someone with the file or a superuser would: drop the append-only
    /// guard, then edit (each statement on its own).
    func tamper(_ f: StoreFixture, _ statements: String, _ args: [SQLBindable] = []) async throws {
        try await f.db.allowEdits("case_events")
        var remaining = args.map(\.sqlValue)
        for sql in statements.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let n = sql.filter { $0 == "?" }.count
            try await f.db.execute(sql, Array(remaining.prefix(n)))
            remaining.removeFirst(n)
        }
    }

    func firstBreak(_ f: StoreFixture) async throws -> ChainVerifier.Finding? { try await f.verify().firstBreak }

    @Test(arguments: Backend.all) func intactHistoriesPass(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        for _ in 0..<3 { _ = try await f.closedCase() }
        let report = try await f.verify()
        #expect(report.isIntact && report.casesChecked == 3 && report.eventsChecked == 18)
    }

    @Test(arguments: Backend.all) func anEditedEventIsNamed(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        _ = try await f.closedCase()
        let c = try await f.closedCase()
        try await tamper(f, "UPDATE case_events SET payload = replace(payload, '已清理', '未处理') WHERE case_id = ? AND seq = 3", [c.id])
        let b = try await firstBreak(f)
        #expect(b == ChainVerifier.Finding(caseID: c.id, seq: 3, problem: .hashMismatch))
        #expect(b?.description.contains("case \(c.id) event #3") == true)
    }

    @Test(arguments: Backend.all) func rehashingAnEditedEventStillBreaksTheNext(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        let e = try await f.store.history(of: c.id)[3]
        let forged = EventChain.canonicalJSON(EventPayload(note: "未处理"))
        let rehashed = EventChain.digest(caseID: c.id, seq: 3, action: e.action.rawValue, actorID: e.actor.id, actorUnit: e.actor.unit,
                                         atMillis: Timestamp.millis(e.at), from: e.from?.rawValue, to: e.to.rawValue, payloadJSON: forged, prevHash: e.prevHash)
        try await tamper(f, "UPDATE case_events SET payload = ?, hash = ? WHERE case_id = ? AND seq = 3", [forged, rehashed, c.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: c.id, seq: 4, problem: .prevHashMismatch))
    }

    /// A history rewritten to its end and re-hashed, the case row made to agree: `verify` alone
    /// cannot tell. An anchor taken before can: the anchored event's hash is not there any more.
    @Test(arguments: Backend.all) func anAnchorCatchesAHistoryRewrittenAndRehashed(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let a = try await f.closedCase(), b = try await f.closedCase()
        let anchor = try await ChainAnchor.take(f.sql, at: StoreFixture.t0)
        #expect(anchor.cases.count == 2 && anchor.cases[b.id]?.seq == 5 && anchor.audit == nil)
        #expect(try ChainAnchor(text: anchor.text) == anchor)
        #expect(try await anchor.differences(in: f.sql).isEmpty)

        let e = try await f.store.history(of: b.id)[5]
        let forged = EventChain.canonicalJSON(EventPayload(note: "补录"))
        let rehashed = EventChain.digest(caseID: b.id, seq: 5, action: e.action.rawValue, actorID: e.actor.id, actorUnit: e.actor.unit,
                                         atMillis: Timestamp.millis(e.at), from: e.from?.rawValue, to: e.to.rawValue, payloadJSON: forged,
                                         prevHash: e.prevHash)
        try await tamper(f, "UPDATE case_events SET payload = ?, hash = ? WHERE case_id = ? AND seq = 5; "
                         + "UPDATE cases SET last_hash = ? WHERE id = ?", [forged, rehashed, b.id, rehashed, b.id])
        #expect(try await f.verify().isIntact, "the rewrite must pass the chains alone, or this test proves nothing")
        let found = try await anchor.differences(in: f.sql)
        #expect(found == ["case \(b.id) event #5 is not the event anchored (history rewritten)"])

        // The guard is already down: delete a whole case.
        for table in ["case_events WHERE case_id", "reports WHERE case_id", "cases WHERE id"] {
            try await f.db.execute("DELETE FROM \(table) = ?", [.int(a.id)])
        }
        #expect(try await anchor.differences(in: f.sql).contains("case \(a.id) has no event #5 any more (history cut or case deleted)"))
    }

    @Test func anEditedAnchorFileIsRefused() throws {
        let anchor = ChainAnchor(madeAt: StoreFixture.t0, cases: [1: .init(seq: 3, hash: String(repeating: "a", count: 64))],
                                 audit: .init(seq: 9, hash: String(repeating: "b", count: 64)))
        #expect(try ChainAnchor(text: anchor.text) == anchor)
        let edited = anchor.text.replacingOccurrences(of: "case 1 3 a", with: "case 1 3 c")
        #expect(throws: ChainAnchor.Failure.self) { try ChainAnchor(text: edited) }
        #expect(throws: ChainAnchor.Failure.self) { try ChainAnchor(text: "case 1 3 aaaa\n") }
    }

    @Test(arguments: Backend.all) func aDeletedCaseIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        _ = try await f.closedCase()
        let second = try await f.closedCase()
        _ = try await f.closedCase()
        try await tamper(f, "DELETE FROM case_events WHERE case_id = ?; DELETE FROM reports WHERE case_id = ?; DELETE FROM cases WHERE id = ?",
                         [second.id, second.id, second.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: second.id, seq: nil, problem: .undecodable("its case row is missing (deleted)")))
    }

    @Test(arguments: Backend.all) func theNewestCaseDeletedIsCaughtToo(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        _ = try await f.closedCase()
        let newest = try await f.closedCase()
        try await tamper(f, "DELETE FROM case_events WHERE case_id = ?; DELETE FROM reports WHERE case_id = ?; DELETE FROM cases WHERE id = ?",
                         [newest.id, newest.id, newest.id])
        #expect(try await firstBreak(f)?.caseID == newest.id)
    }

    @Test(arguments: Backend.all) func anEditedLastReturnIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let id = try await f.store.create(StoreFixture.report(), actor: .system, at: StoreFixture.t0).record.id
        for c in [CaseCommand(.register), CaseCommand(.dispatch, unit: "330105003"), CaseCommand(.return, reason: "不归我们")] {
            _ = try await f.store.perform(c, on: id, actor: .system, at: StoreFixture.t0)
        }
        try await tamper(f, "UPDATE cases SET last_return_reason = 'x' WHERE id = ?", [id])
        #expect(try await firstBreak(f)?.problem == .projectionMismatch("last_return"))
    }

    @Test(arguments: Backend.all) func aDeletedEventIsAGap(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        try await tamper(f, "DELETE FROM case_events WHERE case_id = ? AND seq = 2", [c.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: c.id, seq: 3, problem: .sequenceGap(expected: 2, found: 3)))
    }

    @Test(arguments: Backend.all) func anEditedCaseRowIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        try await tamper(f, "UPDATE cases SET unit = '330105-CGJ' WHERE id = ?", [c.id])
        #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: c.id, seq: nil, problem: .projectionMismatch("unit")))
    }

    @Test(arguments: Backend.all) func aTruncatedHistoryIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        try await tamper(f, "DELETE FROM case_events WHERE case_id = ? AND seq = 5", [c.id])
        #expect(try await firstBreak(f)?.problem == .projectionMismatch("status"))
    }

    /// An event whose case row does not exist: before the first case and after the last.
    @Test(arguments: Backend.all) func orphanEventsAreCaught(backend: Backend) async throws {
        for orphan: Int64 in [0, 99] {
            let f = try await StoreFixture(backend)
            let c = try await f.closedCase()
            let e = try await f.store.history(of: c.id)[1]
            // As the sqlite3 shell or a superuser would, with foreign keys unchecked.
            try await f.db.executeUnchecked("""
                INSERT INTO case_events (case_id, seq, action, actor, actor_unit, at, from_status, to_status, payload, prev_hash, hash)
                VALUES (?, 0, 'report', 'user:mallory', NULL, 0, NULL, 'reported', '{}', ?, ?)
                """, [.int(orphan), .text(EventChain.genesis), .text(e.hash)])
            #expect(try await firstBreak(f) == ChainVerifier.Finding(caseID: orphan, seq: 0, problem: .undecodable("its case row is missing")))
        }
    }

    @Test(arguments: Backend.all) func anUnreadableCaseRowIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        try await tamper(f, "UPDATE cases SET status = 'frozen' WHERE id = ?", [c.id])
        let b = try #require(try await firstBreak(f))
        #expect(b.caseID == c.id && b.seq == nil && b.description.contains("the case row is not readable"))
    }

    @Test(arguments: Backend.all) func anUnreadableEventIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        let e = try await f.store.history(of: c.id)[2]
        // Rehashed, so only the unknown action gives it away.
        let h = EventChain.digest(caseID: c.id, seq: 2, action: "teleport", actorID: e.actor.id, actorUnit: e.actor.unit, atMillis: Timestamp.millis(e.at),
                                  from: e.from?.rawValue, to: e.to.rawValue, payloadJSON: e.payloadJSON, prevHash: e.prevHash)
        try await tamper(f, "UPDATE case_events SET action = 'teleport', hash = ? WHERE case_id = ? AND seq = 2", [h, c.id])
        let b = try #require(try await firstBreak(f))
        #expect(b.caseID == c.id && b.seq == 2 && b.description.contains("cannot be read back"))
    }

    /// The hash reads a NULL unit and an empty one alike; the store writes only NULL, so an
    /// empty unit is an edit, caught although every hash still matches.
    @Test(arguments: Backend.all) func anActorUnitEmptiedIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        #expect(try await f.db.count("SELECT COUNT(*) FROM case_events WHERE case_id = \(c.id) AND seq = 1 AND actor_unit IS NULL") == 1)
        try await tamper(f, "UPDATE case_events SET actor_unit = '' WHERE case_id = ? AND seq = 1", [c.id])
        let b = try #require(try await firstBreak(f))
        #expect(b.caseID == c.id && b.seq == 1 && b.description.contains("actor unit is empty"))
        // And the store never writes an empty one, even when asked to.
        let g = try await StoreFixture(backend)
        let id = try await g.store.create(StoreFixture.report(), actor: Actor(id: "user:x", unit: ""), at: StoreFixture.t0).record.id
        #expect(try await g.db.count("SELECT COUNT(*) FROM case_events WHERE case_id = \(id) AND actor_unit IS NULL") == 1)
        #expect(try await g.verify().isIntact)
    }

    @Test(arguments: Backend.all) func anEditedDisputedFlagIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let c = try await f.closedCase()
        try await tamper(f, "UPDATE cases SET disputed = ? WHERE id = ?", [true, c.id])
        #expect(try await firstBreak(f)?.problem == .projectionMismatch("disputed"))
    }

    @Test(arguments: Backend.all) func aBrokenAuditLinkIsCaught(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        for i in 0..<4 { _ = try await f.accounts.login(username: "ghost\(i)", password: "x", kind: .bearer, at: StoreFixture.t0) }
        try await f.db.allowEdits("audit_log")
        try await f.db.execute("UPDATE audit_log SET prev_hash = ? WHERE seq = 3", [.text(EventChain.genesis)])
        #expect(try await f.sql.read { try AuditLog.verify($0) }?.problem == "its previous-hash does not match the entry before it")
        try await f.db.execute("DELETE FROM audit_log WHERE seq = 2")
        let gap = try await f.sql.read { try AuditLog.verify($0) }
        #expect(gap?.seq == 3 && gap?.problem == "expected entry #2: an entry is missing")
    }

    /// A database written by the release of November 2026 (`Fixtures/format-2026-11.sql`, never
    /// regenerated) keeps verifying: read-only as it is, and after migrating to today's schema,
    /// which derives `disputed` from the history.
    @Test func aDatabaseFromTheFirstReleaseStillVerifies() async throws {
        let dump = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/format-2026-11.sql")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("old.sqlite").path
        // The dump's own BEGIN/COMMIT are dropped: GRDB wraps the import in its transaction.
        let sql = try String(contentsOf: dump, encoding: .utf8).replacingOccurrences(of: "BEGIN TRANSACTION;\n", with: "")
            .replacingOccurrences(of: "\nCOMMIT;\n", with: "\n")
        var plain = Configuration()
        plain.foreignKeysEnabled = false  // as the sqlite3 shell loads a dump: tables come in name order
        let writer = try DatabaseQueue(path: path, configuration: plain)
        try await writer.write { try $0.execute(sql: sql) }
        try writer.close()
        let old = try GongzhiDatabase.readOnly(path: path)
        let before = try await ChainVerifier(db: old).verify()
        #expect(before.isIntact, "\(String(describing: before.firstBreak))")
        #expect(before.casesChecked == 43 && before.eventsChecked == 289)
        #expect(try await old.read { try AuditLog.verify($0) }?.seq == nil)
        try old.close()
        let migrated = try GongzhiDatabase(path: path)
        let after = try await ChainVerifier(db: migrated.sql).verify()
        #expect(after.isIntact && after.casesChecked == 43, "\(String(describing: after.firstBreak))")
        // Case 43 was returned twice by 城管 for the same reason: disputed, as its history says.
        let disputed = try await migrated.pool.read { try Int64.fetchAll($0, sql: "SELECT id FROM cases WHERE disputed = 1") }
        #expect(disputed == [43])
    }
}
