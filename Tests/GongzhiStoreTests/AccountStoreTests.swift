import Foundation
import GongzhiCore
@testable import GongzhiDemo
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

@Suite struct AccountStoreTests {
    static let t0 = Timestamp.parse("2026-11-25T09:00:00+08:00")!

    func fixture(_ backend: Backend) async throws -> (StoreFixture, AccountStore) {
        let f = try await StoreFixture(backend)
        return (f, f.accounts)
    }

    @Test(arguments: Backend.all) func loginIssuesAFreshTokenEachTimeAndLogoutEndsIt(backend: Backend) async throws {
        let (_, accounts) = try await fixture(backend)
        _ = try await accounts.addUser(username: "wang.fang", displayName: "王芳", role: .handler, unit: "330105003", password: "correct horse", by: "test", at: Self.t0)
        guard case .success(let a, _, _, _) = try await accounts.login(username: "wang.fang", password: "correct horse", kind: .bearer, at: Self.t0),
              case .success(let b, _, _, _) = try await accounts.login(username: "wang.fang", password: "correct horse", kind: .bearer, at: Self.t0) else {
            Issue.record("login failed"); return
        }
        #expect(a != b)
        #expect(try await accounts.session(token: a, at: Self.t0)?.principal == Principal(kind: .user, id: "user:wang.fang", role: .handler, unit: "330105003"))
        #expect(try await accounts.session(token: a, at: Self.t0.addingTimeInterval(13 * 3600)) == nil)  // expired
        try await accounts.logout(token: a, at: Self.t0)
        #expect(try await accounts.session(token: a, at: Self.t0) == nil)
        #expect(try await accounts.session(token: b, at: Self.t0) != nil)
        #expect(try await accounts.session(token: "gzt_forged", at: Self.t0) == nil)
    }

    @Test(arguments: Backend.all) func repeatedFailuresLockTheAccount(backend: Backend) async throws {
        let (_, accounts) = try await fixture(backend)
        _ = try await accounts.addUser(username: "li.lei", displayName: "李雷", role: .dispatcher, unit: "330105", password: "correct horse", by: "test", at: Self.t0)
        for _ in 0..<4 { #expect(try await accounts.login(username: "li.lei", password: "wrong", kind: .bearer, at: Self.t0) == .invalid) }
        #expect(try await accounts.login(username: "li.lei", password: "wrong", kind: .bearer, at: Self.t0) == .invalid)  // the fifth locks
        let locked = try await accounts.login(username: "li.lei", password: "correct horse", kind: .bearer, at: Self.t0.addingTimeInterval(60))
        #expect(locked == .locked(until: Self.t0.addingTimeInterval(15 * 60)))
        guard case .success = try await accounts.login(username: "li.lei", password: "correct horse", kind: .bearer, at: Self.t0.addingTimeInterval(16 * 60)) else {
            Issue.record("the lock must expire"); return
        }
        #expect(try await accounts.login(username: "nobody", password: "x", kind: .bearer, at: Self.t0) == .invalid)
    }

    @Test(arguments: Backend.all) func disabledUsersLoseTheirSessions(backend: Backend) async throws {
        let (_, accounts) = try await fixture(backend)
        _ = try await accounts.addUser(username: "zhao", displayName: "赵", role: .leader, unit: "330105", password: "correct horse", by: "test", at: Self.t0)
        let token = try await login(accounts, "zhao")
        try await accounts.disable("zhao", by: "test", at: Self.t0)
        #expect(try await accounts.session(token: token, at: Self.t0) == nil)
        #expect(try await accounts.login(username: "zhao", password: "correct horse", kind: .bearer, at: Self.t0) == .invalid)
    }

    /// Logs in and returns the token; a failed login fails the test.
    func login(_ accounts: AccountStore, _ username: String, kind: TokenKind = .bearer) async throws -> String {
        let result = try await accounts.login(username: username, password: "correct horse", kind: kind, at: Self.t0)
        guard case .success(let token, _, _, _) = result else { throw TestFailure("login of \(username) failed: \(result)") }
        return token
    }

    @Test(arguments: Backend.all) func resettingAPasswordOrChangingARoleEndsEverySession(backend: Backend) async throws {
        let (_, accounts) = try await fixture(backend)
        _ = try await accounts.addUser(username: "qian", displayName: "钱", role: .handler, unit: "330105003", password: "correct horse", by: "test", at: Self.t0)
        let bearer = try await login(accounts, "qian"), web = try await login(accounts, "qian", kind: .web)
        #expect(try await accounts.session(token: web, at: Self.t0)?.kind == .web)
        try await accounts.setRole("qian", role: .dispatcher, unit: "330105", by: "test", at: Self.t0)
        #expect(try await accounts.session(token: bearer, at: Self.t0) == nil)
        #expect(try await accounts.session(token: web, at: Self.t0) == nil)
        let again = try await login(accounts, "qian")
        #expect(try await accounts.session(token: again, at: Self.t0)?.principal.role == .dispatcher)
        try await accounts.resetPassword("qian", to: "another horse", by: "test", at: Self.t0)
        #expect(try await accounts.session(token: again, at: Self.t0) == nil)
        #expect(try await accounts.login(username: "qian", password: "correct horse", kind: .bearer, at: Self.t0) == .invalid)
        await #expect(throws: AccountError.noSuchUser("nobody")) {
            try await accounts.setRole("nobody", role: .leader, unit: "330105", by: "test", at: Self.t0)
        }
    }

    /// A key's use is audited after an hour of silence, not on every request, and its last use
    /// is kept to the minute.
    @Test(arguments: Backend.all) func keyUseIsAuditedAfterSilence(backend: Backend) async throws {
        let (f, accounts) = try await fixture(backend)
        let (key, secret) = try await accounts.createKey(name: "cam", role: .machine, unit: "330105", by: "test", at: Self.t0)
        func uses() async throws -> Int {
            try await f.db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'key.use'")
        }
        for minutes in [0.0, 0.5, 1.5, 30, 59] { _ = try await accounts.authenticate(key: secret, at: Self.t0.addingTimeInterval(minutes * 60)) }
        #expect(try await uses() == 1)
        #expect(try await accounts.keys().first?.lastUsedAt == Self.t0.addingTimeInterval(59 * 60))
        _ = try await accounts.authenticate(key: secret, at: Self.t0.addingTimeInterval(121 * 60))
        #expect(try await uses() == 2)
        let actor = try await f.sql.read { try $0.scalar("SELECT actor FROM audit_log WHERE action = 'key.use' LIMIT 1", as: String.self) }
        #expect(actor == "key:\(key.id)")
    }

    @Test(arguments: Backend.all) func auditEntriesPageBackwards(backend: Backend) async throws {
        let (f, accounts) = try await fixture(backend)
        for i in 0..<7 { _ = try await accounts.login(username: "ghost\(i)", password: "x", kind: .bearer, at: Self.t0) }
        let first = try await f.sql.read { try AuditLog.entries($0, limit: 3, before: nil) }
        #expect(first.map(\.seq) == [7, 6, 5])
        let second = try await f.sql.read { try AuditLog.entries($0, limit: 3, before: 5) }
        #expect(second.map(\.seq) == [4, 3, 2] && second.first?.actor == "user:ghost3")
        #expect(try await f.sql.read { try AuditLog.entries($0, limit: 3, before: 1) }.isEmpty)
    }

    /// Two instances on one database (a second store on its own connection) count one
    /// address's attempts and one account's failures together.
    @Test(arguments: Backend.all) func throttleAndLockoutHoldAcrossInstances(backend: Backend) async throws {
        let (f, a) = try await fixture(backend)
        let b = SQLAccountStore(db: try await f.db.reopened().sql, bcryptCost: 4)
        for i in 0..<20 {
            #expect(try await (i % 2 == 0 ? a : b).allowAttempt(from: "10.0.0.1", at: Self.t0.addingTimeInterval(Double(i))))
        }
        #expect(try await !a.allowAttempt(from: "10.0.0.1", at: Self.t0.addingTimeInterval(30)))
        #expect(try await !b.allowAttempt(from: "10.0.0.1", at: Self.t0.addingTimeInterval(30)))
        #expect(try await a.allowAttempt(from: "10.0.0.2", at: Self.t0.addingTimeInterval(30)))
        #expect(try await b.allowAttempt(from: "10.0.0.1", at: Self.t0.addingTimeInterval(320)))
        _ = try await a.addUser(username: "li.na", displayName: "李娜", role: .handler, unit: "330105003", password: "correct horse", by: "t", at: Self.t0)
        for i in 0..<5 { _ = try await (i % 2 == 0 ? a : b).login(username: "li.na", password: "wrong", kind: .bearer, at: Self.t0) }
        guard case .locked = try await b.login(username: "li.na", password: "correct horse", kind: .bearer, at: Self.t0) else {
            Issue.record("five failures across two instances did not lock the account"); return
        }
        #expect(try await f.sql.read { try AuditLog.verify($0) } == nil)
    }

    /// Fixed vectors hashed by hand (Python's hashlib over the canonical text), so a change to
    /// the audit encoding fails here before it breaks `verify` on existing databases.
    @Test func goldenAuditHashes() {
        let h1 = AuditChain.digest(seq: 1, at: 1_795_140_000_000, actor: "system:install", action: "user.add",
                                 detail: #"{"role":"admin","unit":"330105","user":"admin"}"#, prev: String(repeating: "0", count: 64))
        #expect(h1 == "63526f529d3bfa0b31b93a27742e4839fa2d4c8b35e50bd6e77eaeab2943564b")
        let h2 = AuditChain.digest(seq: 2, at: 1_795_140_005_000, actor: "user:ghost", action: "login.failed", detail: #"{"reason":"unknown user"}"#, prev: h1)
        #expect(h2 == "5d4b842502d78cbed6d6e8c1013f40915bb92ff9ff01354a909b5558bc74c868")
    }

    /// bcrypt runs on NIO's pool (threads named `SGLTN-TP-#…`), never on Swift's shared pool.
    @Test func passwordWorkRunsOnTheThreadPool() async throws {
        let name = try await SQLAccountStore.offPool { Thread.current.name ?? "" }
        #expect(name.contains("TP-#"), "\(name)")
        #expect(try await SQLAccountStore.offPool { Thread.isMainThread } == false)
    }

    @Test(arguments: Backend.all) func badAccountsAreRefused(backend: Backend) async throws {
        let (_, accounts) = try await fixture(backend)
        await #expect(throws: AccountError.weakPassword) {
            try await accounts.addUser(username: "abc", displayName: "x", role: .leader, unit: "330105", password: "short", by: "t", at: Self.t0)
        }
        await #expect(throws: AccountError.invalidUsername) {
            try await accounts.addUser(username: "a b", displayName: "x", role: .leader, unit: "330105", password: "long enough pw", by: "t", at: Self.t0)
        }
        await #expect(throws: AccountError.unknownUnit("999")) {
            try await accounts.addUser(username: "abc", displayName: "x", role: .leader, unit: "999", password: "long enough pw", by: "t", at: Self.t0)
        }
    }

    @Test(arguments: Backend.all) func keysAreShownOnceStoredHashedAndRevocable(backend: Backend) async throws {
        let (f, accounts) = try await fixture(backend)
        let (key, secret) = try await accounts.createKey(name: "城市眼", role: .machine, unit: "330105", by: "test", at: Self.t0)
        #expect(secret.hasPrefix("gzk_\(key.id)_"))
        let stored = try await f.sql.read { try $0.scalar("SELECT secret_hash FROM api_keys", as: String.self) }
        #expect(stored?.count == 64 && !(secret.contains(stored!)))
        #expect(try await accounts.authenticate(key: secret, at: Self.t0)?.role == .machine)
        #expect(try await accounts.keys().first?.lastUsedAt == Self.t0)
        let tampered = secret.dropLast() + (secret.last == "a" ? "b" : "a")
        #expect(try await accounts.authenticate(key: String(tampered), at: Self.t0) == nil)
        try await accounts.revokeKey(key.id, by: "test", at: Self.t0)
        #expect(try await accounts.authenticate(key: secret, at: Self.t0) == nil)
    }

    @Test(arguments: Backend.all) func auditLogChainsAndDetectsEdits(backend: Backend) async throws {
        let (f, accounts) = try await fixture(backend)
        _ = try await accounts.addUser(username: "zhou", displayName: "周", role: .auditor, unit: "330105", password: "correct horse", by: "test", at: Self.t0)
        _ = try await accounts.login(username: "zhou", password: "nope", kind: .bearer, at: Self.t0)
        _ = try await accounts.login(username: "zhou", password: "correct horse", kind: .bearer, at: Self.t0)
        let actions = try await f.sql.read { db in try AuditLog.entries(db, limit: 10, before: nil).map(\.action) }
        #expect(actions == ["login", "login.failed", "user.add"])
        #expect(try await f.sql.read { try AuditLog.verify($0) } == nil)
        try await f.db.allowEdits("audit_log")
        try await f.db.execute("UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = 2")
        let broken = try await f.sql.read { try AuditLog.verify($0) }
        #expect(broken?.seq == 2)
    }

    @Test(arguments: Backend.all) func everyScopeListsExactlyItsCases(backend: Backend) async throws {
        let (f, _) = try await fixture(backend)
        let atlas = try await f.atlasWithGrids()
        let demo = DemoData(store: f.store, reference: f.reference, atlas: atlas, rules: .none)
        _ = try await demo.loadIfNeeded(count: 150, now: Self.t0)
        var all = CaseQuery()
        all.limit = 200
        let everything = try await f.store.list(all).items
        // The specification, independent of `Scope`: Gongshu's codes nest (330105 ⊃ 330105003 ⊃
        // 330105003051; departments 330105-XXX have no children), so a unit sees what a unit under
        // its code holds and what was located in a street or community under its code.
        func visible(_ unit: String, _ r: CaseRecord) -> Bool {
            if unit == "330105" { return true }
            if r.unit?.hasPrefix(unit) == true { return true }
            return r.area?.street == unit || r.area?.community?.hasPrefix(unit) == true
        }
        var nonEmpty = 0
        for unit in f.reference.units.all.map(\.code) {
            var q = CaseQuery()
            q.limit = 200
            q.scope = Scope.of(unit: unit, in: f.reference.units)
            let listed = Set(try await f.store.list(q).items.map(\.id))
            #expect(listed == Set(everything.filter { visible(unit, $0) }.map(\.id)), "\(unit)")
            if !listed.isEmpty, listed.count < everything.count { nonEmpty += 1 }
        }
        #expect(everything.count >= 100 && nonEmpty >= 10)  // the check is not vacuous
    }
}
