import Foundation

/// How logins are limited: failures before an account locks, for how long, and how long a token
/// lives. Pure, so every store applies the same rule.
public struct LoginPolicy: Sendable, Hashable {
    /// Failed attempts before the account locks.
    public var maxFailures = 5
    public var lockout: TimeInterval = 15 * 60
    public var tokenLifetime: TimeInterval = 12 * 3600
    /// Login attempts one source address may make in `addressWindow` seconds, whatever the
    /// accounts: one address cannot try a password against many accounts, each under its lockout.
    public var addressLimit = 20
    public var addressWindow: TimeInterval = 300
    /// The longest name a login may send: above any account's (32 characters), so a name
    /// slightly too long is answered like a wrong one, yet nobody can fill a request with one.
    public static let usernameInputMax = 64

    public init() {}
}

/// What a login attempt does to an account, decided from its state and the password check.
public enum LoginDecision: Sendable, Hashable {
    /// The password is right and the account usable: failures reset, a token is issued.
    case accept
    /// Locked until then; nothing changes.
    case locked(until: Date)
    /// Wrong password (or a disabled account): the failure count becomes `failures`, and the
    /// account locks until `lockUntil` when it reaches the limit (the count then restarts).
    case reject(failures: Int, lockUntil: Date?)

    public static func decide(passwordOK: Bool, disabled: Bool, failures: Int, lockedUntil: Date?, at: Date,
                              policy: LoginPolicy) -> LoginDecision {
        if let until = lockedUntil, until > at { return .locked(until: until) }
        if passwordOK, !disabled { return .accept }
        let n = failures + 1
        return n >= policy.maxFailures ? .reject(failures: 0, lockUntil: at.addingTimeInterval(policy.lockout)) : .reject(failures: n, lockUntil: nil)
    }
}
