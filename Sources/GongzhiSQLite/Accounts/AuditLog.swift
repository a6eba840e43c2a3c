import Foundation
import GongzhiCore
import GRDB
import GongzhiStore

/// The append-only, hash-chained log of security events: logins, failed logins, key use,
/// account and role changes, exports. Each entry carries the SHA-256 of the one before.
public enum AuditLog {
    /// Appends an entry inside the caller's transaction.
    public static func append(_ db: Database, at: Date, actor: String, action: String, detail: [String: String]) throws {
        let prev = try String.fetchOne(db, sql: "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1") ?? EventChain.genesis
        let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log") ?? 0) + 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(detail), as: UTF8.self)
        let ms = Timestamp.millis(at)
        try db.execute(sql: "INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [seq, ms, actor, action, json, prev, digest(seq: seq, at: ms, actor: actor, action: action, detail: json, prev: prev)])
    }

    static func digest(seq: Int64, at: Int64, actor: String, action: String, detail: String, prev: String) -> String {
        SHA256.hex("gongzhi-audit-v1\n\(seq)\n\(at)\n\(actor)\n\(action)\n\(detail)\n\(prev)")
    }

    public static func entries(_ db: Database, limit: Int, before: Int64?) throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?", arguments: [before ?? Int64.max, limit]).map {
            AuditEntry(seq: $0["seq"], at: Timestamp.date(millis: $0["at"]), actor: $0["actor"], action: $0["action"], detail: $0["detail"])
        }
    }

    /// The first entry whose chain is broken, with what is wrong, or nil when intact.
    public static func verify(_ db: Database) throws -> (seq: Int64, problem: String)? {
        var prev = EventChain.genesis
        var expected: Int64 = 1
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
        while let row = try rows.next() {
            let seq: Int64 = row["seq"]
            if seq != expected { return (seq, "expected entry #\(expected): an entry is missing") }
            if (row["prev_hash"] as String) != prev { return (seq, "its previous-hash does not match the entry before it") }
            let h = digest(seq: seq, at: row["at"], actor: row["actor"], action: row["action"], detail: row["detail"], prev: row["prev_hash"])
            if h != (row["hash"] as String) { return (seq, "its contents do not match its hash: the row was edited") }
            prev = h
            expected += 1
        }
        return nil
    }
}
