import Foundation
import GongzhiCore
import GongzhiStore

/// The append-only, hash-chained log of security events: logins, failed logins, key use,
/// account and role changes, exports. Each entry carries the SHA-256 of the one before.
public enum AuditLog {
    /// Appends an entry inside the caller's transaction. The chain's head is locked first, so
    /// writers on several instances append one after another and the chain stays linear.
    public static func append(_ db: any SQLSession, at: Date, actor: String, action: String, detail: [String: String]) throws {
        try db.lock("audit_log")
        let head = try db.first("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let prev: String = head?["hash"] ?? EventChain.genesis
        let seq: Int64 = (head?["seq"] ?? 0) + 1
        let json = try OutboxPayload.json(detail)
        let ms = Timestamp.millis(at)
        let hash = AuditChain.digest(seq: seq, at: ms, actor: actor, action: action, detail: json, prev: prev)
        try db.execute("INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       seq, ms, actor, action, json, prev, hash)
    }

    public static func entries(_ db: any SQLSession, limit: Int, before: Int64?) throws -> [AuditEntry] {
        try db.query("SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?", before ?? Int64.max, limit).map {
            AuditEntry(seq: $0["seq"], at: Timestamp.date(millis: $0["at"]), actor: $0["actor"], action: $0["action"], detail: $0["detail"])
        }
    }

    /// The first entry whose chain is broken, with what is wrong, or nil when intact.
    public static func verify(_ db: any SQLSession) throws -> (seq: Int64, problem: String)? {
        var prev = EventChain.genesis
        var expected: Int64 = 1
        var found: (seq: Int64, problem: String)? = nil
        try db.each("SELECT * FROM audit_log ORDER BY seq", []) { row in
            let seq: Int64 = try row.decode("seq")
            if let problem = AuditChain.link(seq: seq, at: try row.decode("at"), actor: try row.decode("actor"),
                                             action: try row.decode("action"), detail: try row.decode("detail"),
                                             prevHash: try row.decode("prev_hash"), hash: try row.decode("hash"),
                                             expectedSeq: expected, prev: prev) {
                found = (seq, problem)
                return false
            }
            prev = try row.decode("hash")
            expected += 1
            return true
        }
        return found
    }
}
