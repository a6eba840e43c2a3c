import Foundation
import GongzhiCore

/// Who a token was issued to: an API client (`POST /api/v1/session`) or a browser (the session
/// cookie). Each is accepted only where it was issued.
public enum TokenKind: String, Sendable, Hashable {
    case bearer, web
}

public struct UserAccount: Sendable, Hashable {
    public var username: String
    public var displayName: String
    public var role: Role
    public var unit: String
    public var disabled: Bool
    public var lockedUntil: Date?

    public init(username: String, displayName: String, role: Role, unit: String, disabled: Bool, lockedUntil: Date?) {
        self.username = username
        self.displayName = displayName
        self.role = role
        self.unit = unit
        self.disabled = disabled
        self.lockedUntil = lockedUntil
    }

    public var principal: Principal { Principal(kind: .user, id: "user:\(username)", role: role, unit: unit) }
}

public struct APIKey: Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: Role
    public var unit: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: String, name: String, role: Role, unit: String, createdAt: Date, lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.unit = unit
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public var principal: Principal { Principal(kind: .key, id: "key:\(id)", role: role, unit: unit) }
}

/// A token's holder.
public struct AuthSession: Sendable, Hashable {
    public var principal: Principal
    public var csrf: String?
    public var kind: TokenKind

    public init(principal: Principal, csrf: String?, kind: TokenKind) {
        self.principal = principal
        self.csrf = csrf
        self.kind = kind
    }
}

public enum LoginResult: Sendable, Equatable {
    case success(token: String, csrf: String, user: UserAccount, expiresAt: Date)
    /// Wrong username or password; the same answer for both, so names cannot be probed.
    case invalid
    case locked(until: Date)
}

public enum AccountError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidUsername, weakPassword, unknownUnit(String), userExists(String), noSuchUser(String), noSuchKey(String)
    /// A display name or other text that breaks `TextRule`; the rule's message.
    case invalidText(String)

    public var description: String {
        switch self {
        case .invalidUsername: "usernames are 3–32 letters, digits, '.', '-' or '_'"
        case .weakPassword: "passwords need at least 10 characters"
        case .unknownUnit(let u): "unit \(u) does not exist"
        case .userExists(let u): "user \(u) already exists"
        case .noSuchUser(let u): "no user \(u)"
        case .noSuchKey(let k): "no API key \(k)"
        case .invalidText(let message): message
        }
    }

    /// Checks what any store must refuse before writing.
    public static func check(username: String, password: String?) throws(AccountError) {
        guard (3...32).contains(username.count), username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw .invalidUsername
        }
        if let password, password.count < 10 { throw .weakPassword }
    }

    /// A display name as people see it on pages: one line of at most 50 characters.
    public static func checked(displayName: String) throws(AccountError) -> String {
        do { return try TextRule.checked(displayName, field: "display_name", max: ReportLimits.nameMax) } catch {
            throw .invalidText(error.message)
        }
    }
}

/// An unmasked read of a personal field.
public struct AccessRecord: Sendable, Hashable {
    public var at: Date
    public var actor: String
    public var caseID: Int64
    public var field: String
    public var reason: String
    /// What was read when it is not a case: `dispute:ID` or `petition:ID` (the case id is then 0).
    public var subject: String?

    public init(at: Date, actor: String, caseID: Int64, field: String, reason: String, subject: String? = nil) {
        self.subject = subject
        self.at = at
        self.actor = actor
        self.caseID = caseID
        self.field = field
        self.reason = reason
    }
}

/// One entry of the hash-chained audit log.
public struct AuditEntry: Sendable, Hashable {
    public var seq: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var detail: String

    public init(seq: Int64, at: Date, actor: String, action: String, detail: String) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.detail = detail
    }
}

/// Users, API keys, tokens, the access log and the audit log. Every change is written to the
/// audit log in the same transaction.
public protocol AccountStore: Sendable {
    var policy: LoginPolicy { get }

    func addUser(username: String, displayName: String, role: Role, unit: String, password: String, by actor: String, at: Date) async throws
        -> UserAccount
    func users() async throws -> [UserAccount]
    func user(_ username: String) async throws -> UserAccount?
    var hasUsers: Bool { get async throws }
    /// Disables an account and ends its sessions.
    func disable(_ username: String, by actor: String, at: Date) async throws
    /// Sets a new password, unlocks the account and ends its sessions.
    func resetPassword(_ username: String, to password: String, by actor: String, at: Date) async throws
    /// Changes role and unit and ends the account's sessions.
    func setRole(_ username: String, role: Role, unit: String, by actor: String, at: Date) async throws

    /// Records a login attempt from an address; false (and nothing recorded) when the address has
    /// used up `policy.addressLimit` in the window. Kept in the database, so it holds across instances.
    func allowAttempt(from address: String, at: Date) async throws -> Bool
    /// Checks a password (repeated failures lock the account) and issues a new token.
    func login(username: String, password: String, kind: TokenKind, at: Date) async throws -> LoginResult
    /// The holder of a token, or nil when unknown, expired, or its user is disabled.
    func session(token: String, at: Date) async throws -> AuthSession?
    func logout(token: String, at: Date) async throws

    /// Creates a key and returns it with its secret, which is shown once and not kept.
    func createKey(name: String, role: Role, unit: String, by actor: String, at: Date) async throws -> (key: APIKey, secret: String)
    func keys() async throws -> [APIKey]
    func revokeKey(_ id: String, by actor: String, at: Date) async throws
    /// The principal of a presented key, or nil; records its use.
    func authenticate(key presented: String, at: Date) async throws -> Principal?

    func logAccess(actor: String, caseID: Int64, field: String, reason: String, at: Date) async throws
    func accessLog(limit: Int) async throws -> [AccessRecord]
    /// The audit log, newest first, before `before` (a sequence number).
    func auditEntries(limit: Int, before: Int64?) async throws -> [AuditEntry]
}
