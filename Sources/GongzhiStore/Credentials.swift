import Foundation
import GongzhiCore

/// Random secrets for API keys, tokens and CSRF: from the system's cryptographic generator,
/// shown once, stored only as SHA-256.
public enum Credentials {
    static let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")

    /// `count` random symbols of a 32-letter alphabet: 5 bits each.
    public static func random(_ count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// An API key: `gzk_<id>_<secret>`. The id is public (listed, logged); the 52-symbol secret
    /// (260 bits) is not kept.
    public static func newKey() -> (id: String, key: String, secretHash: String) {
        let id = random(10), secret = random(52)
        return (id, "gzk_\(id)_\(secret)", SHA256.hex(secret))
    }

    /// Splits a presented key into its id and secret.
    public static func parseKey(_ key: String) -> (id: String, secret: String)? {
        let parts = key.split(separator: "_")
        guard parts.count == 3, parts[0] == "gzk", parts[1].count == 10, parts[2].count == 52 else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    /// A merchant notice's secret, the credential in its link (160 bits).
    public static func newNoticeToken() -> String { "gzn_" + random(32) }

    /// A session or bearer token (260 bits).
    public static func newToken() -> String { "gzt_" + random(52) }

    /// Compares two equal-length hex digests without an early exit.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
