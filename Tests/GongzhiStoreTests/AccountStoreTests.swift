import Foundation
import GongzhiCore
@testable import GongzhiStore
import GRDB
import Testing

@Suite struct AccountStoreTests {
    static let t0 = Timestamp.parse("2026-11-25T09:00:00+08:00")!

    func fixture() async throws -> (StoreFixture, AccountStore) {
        let f = try await StoreFixture()
        return (f, AccountStore(database: f.database, bcryptCost: 4))
    }

    @Test func loginIssuesAFreshTokenEachTimeAndLogoutEndsIt() async throws {
        let (_, accounts) = try await fixture()
        _ = try await accounts.addUser(username: "wang.fang", displayName: "王芳", role: .handler, unit: "330105003", password: "correct horse", by: "test", at: Self.t0)
        guard case .success(let a, _, _, _) = try await accounts.login(username: "wang.fang", password: "correct horse", kind: "bearer", at: Self.t0),
              case .success(let b, _, _, _) = try await accounts.login(username: "wang.fang", password: "correct horse", kind: "bearer", at: Self.t0) else {
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

    @Test func repeatedFailuresLockTheAccount() async throws {
        let (_, accounts) = try await fixture()
        _ = try await accounts.addUser(username: "li.lei", displayName: "李雷", role: .dispatcher, unit: "330105", password: "correct horse", by: "test", at: Self.t0)
        for _ in 0..<4 { #expect(try await accounts.login(username: "li.lei", password: "wrong", kind: "bearer", at: Self.t0) == .invalid) }
        #expect(try await accounts.login(username: "li.lei", password: "wrong", kind: "bearer", at: Self.t0) == .invalid)  // the fifth locks
        let locked = try await accounts.login(username: "li.lei", password: "correct horse", kind: "bearer", at: Self.t0.addingTimeInterval(60))
        #expect(locked == .locked(until: Self.t0.addingTimeInterval(15 * 60)))
        guard case .success = try await accounts.login(username: "li.lei", password: "correct horse", kind: "bearer", at: Self.t0.addingTimeInterval(16 * 60)) else {
            Issue.record("the lock must expire"); return
        }
        #expect(try await accounts.login(username: "nobody", password: "x", kind: "bearer", at: Self.t0) == .invalid)
    }

    @Test func disabledUsersLoseTheirSessions() async throws {
        let (_, accounts) = try await fixture()
        _ = try await accounts.addUser(username: "zhao", displayName: "赵", role: .leader, unit: "330105", password: "correct horse", by: "test", at: Self.t0)
        guard case .success(let token, _, _, _) = try await accounts.login(username: "zhao", password: "correct horse", kind: "bearer", at: Self.t0) else { return }
        try await accounts.disable("zhao", by: "test", at: Self.t0)
        #expect(try await accounts.session(token: token, at: Self.t0) == nil)
        #expect(try await accounts.login(username: "zhao", password: "correct horse", kind: "bearer", at: Self.t0) == .invalid)
    }

    @Test func badAccountsAreRefused() async throws {
        let (_, accounts) = try await fixture()
        await #expect(throws: AccountStore.AccountError.weakPassword) {
            try await accounts.addUser(username: "abc", displayName: "x", role: .leader, unit: "330105", password: "short", by: "t", at: Self.t0)
        }
        await #expect(throws: AccountStore.AccountError.invalidUsername) {
            try await accounts.addUser(username: "a b", displayName: "x", role: .leader, unit: "330105", password: "long enough pw", by: "t", at: Self.t0)
        }
        await #expect(throws: AccountStore.AccountError.unknownUnit("999")) {
            try await accounts.addUser(username: "abc", displayName: "x", role: .leader, unit: "999", password: "long enough pw", by: "t", at: Self.t0)
        }
    }

    @Test func keysAreShownOnceStoredHashedAndRevocable() async throws {
        let (f, accounts) = try await fixture()
        let (key, secret) = try await accounts.createKey(name: "城市眼", role: .machine, unit: "330105", by: "test", at: Self.t0)
        #expect(secret.hasPrefix("gzk_\(key.id)_"))
        let stored = try await f.database.pool.read { try String.fetchOne($0, sql: "SELECT secret_hash FROM api_keys") }
        #expect(stored?.count == 64 && !(secret.contains(stored!)))
        #expect(try await accounts.authenticate(key: secret, at: Self.t0)?.role == .machine)
        #expect(try await accounts.keys().first?.lastUsedAt == Self.t0)
        let tampered = secret.dropLast() + (secret.last == "a" ? "b" : "a")
        #expect(try await accounts.authenticate(key: String(tampered), at: Self.t0) == nil)
        try await accounts.revokeKey(key.id, by: "test", at: Self.t0)
        #expect(try await accounts.authenticate(key: secret, at: Self.t0) == nil)
    }

    @Test func auditLogChainsAndDetectsEdits() async throws {
        let (f, accounts) = try await fixture()
        _ = try await accounts.addUser(username: "zhou", displayName: "周", role: .auditor, unit: "330105", password: "correct horse", by: "test", at: Self.t0)
        _ = try await accounts.login(username: "zhou", password: "nope", kind: "bearer", at: Self.t0)
        _ = try await accounts.login(username: "zhou", password: "correct horse", kind: "bearer", at: Self.t0)
        let actions = try await f.database.pool.read { db in try AuditLog.entries(db, limit: 10, before: nil).map(\.action) }
        #expect(actions == ["login", "login.failed", "user.add"])
        #expect(try await f.database.pool.read { try AuditLog.verify($0) } == nil)
        try await f.database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_append_only_update")
            try db.execute(sql: "UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = 2")
        }
        let broken = try await f.database.pool.read { try AuditLog.verify($0) }
        #expect(broken?.seq == 2)
    }

    @Test func everyScopeListsExactlyItsCases() async throws {
        let (f, _) = try await fixture()
        let atlas = try await f.atlasWithGrids()
        let demo = DemoData(store: f.store, reference: f.reference, atlas: atlas)
        _ = try await demo.loadIfNeeded(count: 150, now: Self.t0)
        var all = CaseQuery()
        all.limit = 200
        let everything = try await f.store.list(all).items
        for unit in f.reference.units.all.map(\.code) {
            let scope = Scope.of(unit: unit, in: f.reference.units)
            var q = CaseQuery()
            q.limit = 200
            q.scope = scope
            let listed = Set(try await f.store.list(q).items.map(\.id))
            #expect(listed == Set(everything.filter(scope.contains).map(\.id)), "\(unit)")
        }
    }
}
