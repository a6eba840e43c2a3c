import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

/// `gongzhi migrate-store`: a whole database copied to the other backend reads the same,
/// verifies the same and goes on issuing the ids the original would have.
@Suite struct StoreCopyTests {
    static let t0 = Timestamp.parse("2026-11-25T09:00:00+08:00")!

    /// Every direction the machine can run: both ways between the backends when PostgreSQL is
    /// there, SQLite to SQLite otherwise (the same code, one dialect).
    static var directions: [(Backend, Backend)] {
        Backend.postgresURL == nil ? [(.sqlite, .sqlite)] : [(.sqlite, .postgres), (.postgres, .sqlite), (.postgres, .postgres)]
    }

    /// A source with something in every kind of table: closed, open and merged-away cases,
    /// accounts, tokens, a key, a reveal, login attempts, the audit log, cameras, merchants, a
    /// notice and its outbox message with an attempt.
    func filledSource(_ backend: Backend) async throws -> StoreFixture {
        let f = try await StoreFixture(backend, coGovernance: true)
        _ = try await f.closedCase(at: Self.t0)
        for n in 1...30 {
            let id = try await f.store.create(StoreFixture.report(n), actor: .system, at: Self.t0).record.id
            if n % 3 == 0 { _ = try await f.store.perform(CaseCommand(.register), on: id, actor: .system, at: Self.t0) }
        }
        _ = try await f.accounts.addUser(username: "wang.fang", displayName: "王芳 \u{1F600}", role: .handler, unit: "330105003",
                                         password: "correct horse", by: "test", at: Self.t0)
        _ = try await f.accounts.login(username: "wang.fang", password: "correct horse", kind: .bearer, at: Self.t0)
        _ = try await f.accounts.login(username: "wang.fang", password: "wrong", kind: .bearer, at: Self.t0)
        _ = try await f.accounts.allowAttempt(from: "10.0.0.7", at: Self.t0)
        _ = try await f.accounts.createKey(name: "12345 热线", role: .dispatcher, unit: "330105", by: "test", at: Self.t0)
        try await f.accounts.logAccess(actor: "user:wang.fang", caseID: 1, field: "reporter.phone", reason: "回访", at: Self.t0)
        try await f.store.transaction { tx in
            try tx.sql.enqueue(caseID: 1, eventSeq: 1, kind: "merchant.notice", recipient: "merchant:M-1", payload: #"{"a":"引号\"和\n换行"}"#,
                               at: Self.t0)
        }
        let claimed = try await f.store.claimDue(now: Self.t0, limit: 1, lease: 60)
        try await f.store.recordAttempt(claimed[0].id, at: Self.t0, ok: false, statusCode: 503, error: "busy", retryAt: Self.t0)
        return f
    }

    @Test(arguments: directions)
    func aCopyReadsVerifiesAndContinuesLikeTheOriginal(from: Backend, to: Backend) async throws {
        let f = try await filledSource(from)
        // Ids 32–40 were issued and their cases are gone: verify reports the first as deleted,
        // and the copy must neither hide that nor issue the ids again.
        try await f.db.execute(from == .sqlite ? "UPDATE sqlite_sequence SET seq = 40 WHERE name = 'cases'"
                                               : "UPDATE id_counters SET last = 40 WHERE name = 'cases'")
        let target = try await to.makeDatabase(name: "copy")
        let copied = try await StoreCopy(from: f.sql, to: target.sql, page: 7).run()
        #expect(copied.map(\.table) == StoreCopy.tables.map(\.name))
        for table in StoreCopy.tables {
            let original = try await Self.rows(table, in: f.sql), copy = try await Self.rows(table, in: target.sql)
            #expect(copy == original, "\(table.name)")
            #expect(copied.first { $0.table == table.name }?.rows == original.count)
        }
        let cases = try await f.count("cases"), events = try await f.count("case_events")
        #expect(cases == 31 && events > 31)
        // verify finds on the copy what it finds on the original: the missing cases too.
        let report = try await ChainVerifier(db: target.sql).verify(), original = try await f.verify()
        #expect(report.firstBreak == original.firstBreak && report.firstBreak?.caseID == 32)
        #expect(report.casesChecked == original.casesChecked && report.eventsChecked == original.eventsChecked)
        #expect(try await target.sql.read { try AuditLog.verify($0) } == nil)

        // Ids go on from where the original stopped, on both.
        let context = f.store.context.current
        let next = try await SQLStorage(db: target.sql, context: context).create(StoreFixture.report(99), actor: .system, at: Self.t0)
        let nextOriginal = try await f.store.create(StoreFixture.report(99), actor: .system, at: Self.t0)
        #expect(next.record.id == nextOriginal.record.id && next.record.id == 41)
        // Accounts work on the copy: the password hash and the key came across.
        guard case .success = try await SQLAccountStore(db: target.sql, bcryptCost: 4)
            .login(username: "wang.fang", password: "correct horse", kind: .bearer, at: Self.t0) else {
            Issue.record("the copied account does not log in")
            return
        }
    }

    /// A second copy into the same target is refused before anything is written.
    @Test(arguments: directions)
    func aTargetWithDataIsRefused(from: Backend, to: Backend) async throws {
        let f = try await StoreFixture(from)
        _ = try await f.closedCase()
        let target = try await to.makeDatabase(name: "copy")
        _ = try await StoreCopy(from: f.sql, to: target.sql).run()
        let before = try await target.count("SELECT COUNT(*) FROM case_events")
        await #expect(throws: StoreCopy.Failure.self) { try await StoreCopy(from: f.sql, to: target.sql).run() }
        #expect(try await target.count("SELECT COUNT(*) FROM case_events") == before)
    }

    /// Parents before children whatever order the keys sort in; a row naming a parent that is
    /// not there is reported, not copied.
    @Test func parentsAreCopiedFirstAndOrphansAreReported() throws {
        let columns = SQLColumns(["code", "parent_code"])
        let row = { (code: String, parent: String?) in SQLRow(columns: columns, values: [.text(code), parent.map { .text($0) } ?? .null]) }
        let ordered = try StoreCopy.parentsFirst([row("a2", "b1"), row("b1", "z"), row("z", nil)], key: "code", parent: "parent_code",
                                                 table: "units")
        #expect(ordered.map { $0.values[0] } == [.text("z"), .text("b1"), .text("a2")])
        #expect(throws: StoreCopy.Failure.self) {
            try StoreCopy.parentsFirst([row("a", "missing"), row("b", nil)], key: "code", parent: "parent_code", table: "units")
        }
    }

    /// A table's rows in key order, booleans as 0/1 (the one representation the backends differ in).
    static func rows(_ table: StoreCopy.Table, in db: any SQLDatabase) async throws -> [[SQLValue]] {
        let columns = try await db.read { try $0.columns(of: table.name) }.sorted()
        return try await db.read { s in
            try s.query("SELECT \(columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.key.joined(separator: ", "))", [])
                .map { $0.values.map { if case .bool(let b) = $0 { .int(b ? 1 : 0) } else { $0 } } }
        }
    }
}
