import Foundation
import NIOPosix
import GongzhiCore
import HummingbirdBcrypt
import Synchronization
import GongzhiStore

/// Users, API keys, tokens and the access log, on either backend. Every change is written to
/// the audit log in the same transaction. Failed logins and lockouts are counted in the
/// database, so they hold across instances.
public struct SQLAccountStore: AccountStore {
    public let db: any SQLDatabase
    /// bcrypt cost; tests lower it, production keeps 12 (~0.25 s a hash on one core).
    public let bcryptCost: UInt8
    public let policy: LoginPolicy
    /// Keys verified in the last `keyCacheSeconds`, by the hash of the presented key: a camera
    /// system's thousands of requests do not each read the database. A key revoked elsewhere (the
    /// CLI) stops working within that time.
    let verifiedKeys = KeyCache()
    public var keyCacheSeconds: TimeInterval = 10

    public init(db: any SQLDatabase, bcryptCost: UInt8 = 12, policy: LoginPolicy = LoginPolicy()) {
        self.db = db
        self.bcryptCost = bcryptCost
        self.policy = policy
    }

    // MARK: Users

    public func addUser(username: String, displayName: String, role: Role, unit: String, password: String, by actor: String,
                        at: Date) async throws -> UserAccount {
        try AccountError.check(username: username, password: password)
        let displayName = try AccountError.checked(displayName: displayName)
        let cost = bcryptCost
        let hash = try await Self.offPool { Bcrypt.hash(password, cost: cost) }
        return try await db.write { db in
            guard try db.scalar("SELECT 1 FROM units WHERE code = ?", unit, as: Int64.self) != nil else { throw AccountError.unknownUnit(unit) }
            guard try db.scalar("SELECT 1 FROM users WHERE username = ?", username, as: Int64.self) == nil else {
                throw AccountError.userExists(username)
            }
            let ms = Timestamp.millis(at)
            try db.execute("""
                INSERT INTO users (username, display_name, role, unit, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, username, displayName, role.rawValue, unit, hash, ms, ms)
            try AuditLog.append(db, at: at, actor: actor, action: "user.add", detail: ["user": username, "role": role.rawValue, "unit": unit])
            return UserAccount(username: username, displayName: displayName, role: role, unit: unit, disabled: false, lockedUntil: nil)
        }
    }

    public func users() async throws -> [UserAccount] {
        try await db.read { db in try db.query("SELECT * FROM users ORDER BY username").compactMap(Self.user) }
    }

    public func user(_ username: String) async throws -> UserAccount? {
        try await db.read { db in try db.first("SELECT * FROM users WHERE username = ?", username).flatMap(Self.user) }
    }

    public var hasUsers: Bool {
        get async throws { try await db.read { try $0.scalar("SELECT 1 FROM users LIMIT 1", as: Int64.self) != nil } }
    }

    /// Disables an account and ends its sessions.
    public func disable(_ username: String, by actor: String, at: Date) async throws {
        try await db.write { db in
            guard try db.execute("UPDATE users SET disabled = ? WHERE username = ?", true, username) == 1 else {
                throw AccountError.noSuchUser(username)
            }
            try db.execute("DELETE FROM tokens WHERE username = ?", username)
            try AuditLog.append(db, at: at, actor: actor, action: "user.disable", detail: ["user": username])
        }
    }

    /// Sets a new password, unlocks the account and ends its sessions.
    public func resetPassword(_ username: String, to password: String, by actor: String, at: Date) async throws {
        guard password.count >= 10 else { throw AccountError.weakPassword }
        let cost = bcryptCost
        let hash = try await Self.offPool { Bcrypt.hash(password, cost: cost) }
        try await db.write { db in
            guard try db.execute("""
                UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL, password_changed_at = ? WHERE username = ?
                """, hash, Timestamp.millis(at), username) == 1 else { throw AccountError.noSuchUser(username) }
            try db.execute("DELETE FROM tokens WHERE username = ?", username)
            try AuditLog.append(db, at: at, actor: actor, action: "user.reset_password", detail: ["user": username])
        }
    }

    public func setRole(_ username: String, role: Role, unit: String, by actor: String, at: Date) async throws {
        try await db.write { db in
            guard try db.scalar("SELECT 1 FROM units WHERE code = ?", unit, as: Int64.self) != nil else { throw AccountError.unknownUnit(unit) }
            guard try db.execute("UPDATE users SET role = ?, unit = ? WHERE username = ?", role.rawValue, unit, username) == 1 else {
                throw AccountError.noSuchUser(username)
            }
            try db.execute("DELETE FROM tokens WHERE username = ?", username)
            try AuditLog.append(db, at: at, actor: actor, action: "user.role", detail: ["user": username, "role": role.rawValue, "unit": unit])
        }
    }

    // MARK: Login and tokens

    /// Checks a password and issues a new token (a new one at every login, so a planted session
    /// id is never promoted). Repeated failures lock the account for a while.
    public func login(username: String, password: String, kind: TokenKind, at: Date) async throws -> LoginResult {
        // A name no account can have is recorded without its text: whoever sends one needs no
        // credentials, and must not be able to write what they like (or a U+0000) to the log.
        do throws(AccountError) { try AccountError.check(username: username, password: nil) } catch {
            try await db.write { db in
                try AuditLog.append(db, at: at, actor: "anonymous", action: "login.failed",
                                    detail: ["reason": "malformed username", "characters": String(username.count)])
            }
            return .invalid
        }
        let found = try await db.read { db -> (user: UserAccount, hash: String)? in
            guard let row = try db.first("SELECT * FROM users WHERE username = ?", username), let user = Self.user(row) else { return nil }
            return (user, row["password_hash"])
        }
        // Verify even for unknown users, so timing does not tell which names exist.
        let hash = found?.hash ?? Self.dummyHash
        let ok = try await Self.offPool { Bcrypt.verify(password, hash: hash) }
        let policy = policy
        return try await db.write { db in
            guard let user = found?.user else {
                try AuditLog.append(db, at: at, actor: "user:\(username)", action: "login.failed", detail: ["reason": "unknown user"])
                return .invalid
            }
            // The account's state as it is now, in this transaction (another attempt may have counted).
            // Locked on PostgreSQL: two instances counting failures of one account take turns.
            let sql = "SELECT failed_logins, locked_until, disabled FROM users WHERE username = ?" + db.forUpdate
            guard let row = try db.first(sql, username) else { return .invalid }
            let lockedUntil = (row["locked_until"] as Int64?).map(Timestamp.date(millis:)), disabled: Bool = row["disabled"]
            switch LoginDecision.decide(passwordOK: ok, disabled: disabled, failures: row["failed_logins"], lockedUntil: lockedUntil,
                                        at: at, policy: policy) {
            case .locked(let until):
                try AuditLog.append(db, at: at, actor: user.principal.id, action: "login.failed", detail: ["reason": "locked"])
                return .locked(until: until)
            case .reject(let failures, let lock):
                try db.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE username = ?",
                               failures, lock.map(Timestamp.millis), username)
                try AuditLog.append(db, at: at, actor: user.principal.id, action: "login.failed",
                                    detail: ["reason": disabled ? "disabled" : "password", "locked": lock == nil ? "no" : "yes"])
                return .invalid
            case .accept:
                break
            }
            try db.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?", username)
            let token = Credentials.newToken(), csrf = Credentials.random(32)
            let expires = at.addingTimeInterval(policy.tokenLifetime)
            try db.execute("INSERT INTO tokens (hash, username, kind, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                           SHA256.hex(token), username, kind.rawValue, csrf, Timestamp.millis(at), Timestamp.millis(expires))
            try AuditLog.append(db, at: at, actor: user.principal.id, action: "login", detail: ["kind": kind.rawValue])
            return .success(token: token, csrf: csrf, user: user, expiresAt: expires)
        }
    }

    public func allowAttempt(from address: String, at: Date) async throws -> Bool {
        let ms = Timestamp.millis(at), since = ms - Int64(policy.addressWindow * 1000), limit = policy.addressLimit
        return try await db.write { db in
            // Instances count one address's attempts one after another, so none slips past the limit.
            try db.lock("login:\(address)")
            try db.execute("DELETE FROM login_attempts WHERE address = ? AND at <= ?", address, since)
            guard try db.scalar("SELECT COUNT(*) FROM login_attempts WHERE address = ?", address, as: Int.self) ?? 0 < limit else { return false }
            try db.execute("INSERT INTO login_attempts (address, at) VALUES (?, ?)", address, ms)
            return true
        }
    }

    /// A bcrypt hash of nothing anyone knows, so unknown users cost as much as known ones.
    /// Runs bcrypt (about 0.25 s a hash at cost 12) on NIO's thread pool: on Swift's shared pool,
    /// one thread per core, two logins at once would stall every other request of the server.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    static let dummyHash = Bcrypt.hash(Credentials.random(20), cost: 4)

    /// The principal behind a bearer token or session cookie, or nil when it is unknown,
    /// expired, or its user is disabled.
    public func session(token: String, at: Date) async throws -> AuthSession? {
        try await db.read { db in
            guard let row = try db.first("""
                SELECT t.kind, t.csrf, t.expires_at, u.* FROM tokens t JOIN users u ON u.username = t.username WHERE t.hash = ?
                """, SHA256.hex(token)), let user = Self.user(row), !user.disabled,
                  (row["expires_at"] as Int64) > Timestamp.millis(at), let kind = TokenKind(rawValue: row["kind"]) else { return nil }
            return AuthSession(principal: user.principal, csrf: row["csrf"], kind: kind)
        }
    }

    public func logout(token: String, at: Date) async throws {
        try await db.write { db in
            if let user = try db.scalar("SELECT username FROM tokens WHERE hash = ?", SHA256.hex(token), as: String.self) {
                try db.execute("DELETE FROM tokens WHERE hash = ?", SHA256.hex(token))
                try AuditLog.append(db, at: at, actor: "user:\(user)", action: "logout", detail: [:])
            }
        }
    }

    // MARK: API keys

    /// Creates a key and returns it with its secret, which is shown once and not kept.
    public func createKey(name: String, role: Role, unit: String, by actor: String, at: Date) async throws -> (key: APIKey, secret: String) {
        let (id, secret, hash) = Credentials.newKey()
        return try await db.write { db in
            guard try db.scalar("SELECT 1 FROM units WHERE code = ?", unit, as: Int64.self) != nil else { throw AccountError.unknownUnit(unit) }
            try db.execute("INSERT INTO api_keys (id, name, role, unit, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           id, name, role.rawValue, unit, hash, Timestamp.millis(at))
            try AuditLog.append(db, at: at, actor: actor, action: "key.create",
                                detail: ["key": id, "name": name, "role": role.rawValue, "unit": unit])
            return (APIKey(id: id, name: name, role: role, unit: unit, createdAt: at), secret)
        }
    }

    public func keys() async throws -> [APIKey] {
        try await db.read { db in try db.query("SELECT * FROM api_keys ORDER BY created_at, id").compactMap(Self.key) }
    }

    public func revokeKey(_ id: String, by actor: String, at: Date) async throws {
        try await db.write { db in
            guard try db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", Timestamp.millis(at), id) == 1 else {
                throw AccountError.noSuchKey(id)
            }
            verifiedKeys.forget(id: id)
            try AuditLog.append(db, at: at, actor: actor, action: "key.revoke", detail: ["key": id])
        }
    }

    /// The principal of a presented API key, or nil when unknown or revoked. Records its use:
    /// the last-used time to the minute, and an audit entry when a key is used after an hour or
    /// more of silence, so a busy camera system does not turn every request into a write.
    public func authenticate(key presented: String, at: Date) async throws -> Principal? {
        guard let (id, secret) = Credentials.parseKey(presented) else { return nil }
        let presentedHash = SHA256.hex(secret)
        if let principal = verifiedKeys.principal(id: id, secretHash: presentedHash, at: at) { return principal }
        let found = try await db.read { db -> (APIKey, String)? in
            guard let row = try db.first("SELECT * FROM api_keys WHERE id = ?", id), let key = Self.key(row) else { return nil }
            return (key, row["secret_hash"])
        }
        guard let (key, hash) = found, key.revokedAt == nil, Credentials.constantTimeEquals(hash, presentedHash) else { return nil }
        verifiedKeys.remember(id: id, secretHash: presentedHash, principal: key.principal, until: at.addingTimeInterval(keyCacheSeconds))
        let ms = Timestamp.millis(at), last = key.lastUsedAt.map(Timestamp.millis) ?? 0
        if last < ms - 60_000 {
            try await db.write { db in
                if last < ms - 3_600_000 { try AuditLog.append(db, at: at, actor: key.principal.id, action: "key.use", detail: [:]) }
                try db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", ms, id)
            }
        }
        return key.principal
    }

    // MARK: Access log

    /// Records an unmasked read of a personal field.
    public func logAccess(actor: String, caseID: Int64, field: String, reason: String, at: Date) async throws {
        _ = try await db.write { db in
            try db.execute("INSERT INTO access_log (at, actor, case_id, field, reason) VALUES (?, ?, ?, ?, ?)",
                           Timestamp.millis(at), actor, caseID, field, reason)
        }
    }

    public func auditEntries(limit: Int, before: Int64?) async throws -> [AuditEntry] {
        try await db.read { db in try AuditLog.entries(db, limit: limit, before: before) }
    }

    public func accessLog(limit: Int) async throws -> [AccessRecord] {
        try await db.read { db in
            try db.query("SELECT * FROM access_log ORDER BY id DESC LIMIT ?", limit).map {
                AccessRecord(at: Timestamp.date(millis: $0["at"]), actor: $0["actor"], caseID: $0["case_id"], field: $0["field"],
                             reason: $0["reason"], subject: $0["subject"])
            }
        }
    }

    // MARK: Rows

    static func user(_ row: SQLRow) -> UserAccount? {
        guard let role = Role(rawValue: row["role"]) else { return nil }
        return UserAccount(username: row["username"], displayName: row["display_name"], role: role, unit: row["unit"], disabled: row["disabled"],
                    lockedUntil: (row["locked_until"] as Int64?).map(Timestamp.date(millis:)))
    }

    static func key(_ row: SQLRow) -> APIKey? {
        guard let role = Role(rawValue: row["role"]) else { return nil }
        return APIKey(id: row["id"], name: row["name"], role: role, unit: row["unit"], createdAt: Timestamp.date(millis: row["created_at"]),
                   lastUsedAt: (row["last_used_at"] as Int64?).map(Timestamp.date(millis:)),
                   revokedAt: (row["revoked_at"] as Int64?).map(Timestamp.date(millis:)))
    }
}

/// Recently verified API keys: id → (hash of the secret, principal, until).
final class KeyCache: Sendable {
    private let entries = Mutex<[String: (hash: String, principal: Principal, until: Date)]>([:])

    func principal(id: String, secretHash: String, at: Date) -> Principal? {
        entries.withLock { all in
            guard let e = all[id], e.until > at, Credentials.constantTimeEquals(e.hash, secretHash) else { return nil }
            return e.principal
        }
    }

    func remember(id: String, secretHash: String, principal: Principal, until: Date) {
        entries.withLock { all in
            if all.count > 10_000 { all.removeAll() }
            all[id] = (secretHash, principal, until)
        }
    }

    func forget(id: String) { _ = entries.withLock { $0.removeValue(forKey: id) } }
}
