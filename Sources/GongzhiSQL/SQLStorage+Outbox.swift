import Foundation
import GongzhiCore
import GongzhiStore

extension SQLStorage: OutboxStore {
    /// Leases what is due. With several instances, rows another instance is leasing at this
    /// moment are skipped, and a lease that expires (its instance died) makes the message due again.
    public func outboxBacklog() async throws -> Int {
        try await db.read { db in try db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'", as: Int.self) ?? 0 }
    }

    public func claimDue(now: Date, limit: Int, lease: TimeInterval) async throws -> [OutboxMessage] {
        let ms = Timestamp.millis(now)
        return try await db.write { db in
            let rows = try db.query("""
                SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                ORDER BY next_attempt_at, id LIMIT ?
                """ + db.skipLocked, ms, ms, limit)
            for row in rows {
                try db.execute("UPDATE outbox SET lease_until = ? WHERE id = ?", ms + Int64(lease * 1000), row["id"] as Int64)
            }
            return rows.map(OutboxRows.message)
        }
    }

    public func recordAttempt(_ id: Int64, at: Date, ok: Bool, statusCode: Int?, error: String?, retryAt: Date?) async throws {
        try await db.write { db in
            try db.execute("INSERT INTO outbox_attempts (outbox_id, at, ok, status_code, error) VALUES (?, ?, ?, ?, ?)",
                           id, Timestamp.millis(at), ok, statusCode, error)
            if ok {
                // Sent: the notice's secret is no longer kept in the message.
                guard let row = try db.first("SELECT kind, payload FROM outbox WHERE id = ?" + db.forUpdate, id) else { return }
                let payload = (row["kind"] as String) == "merchant.notice" ? try OutboxRows.forgetSecret(row["payload"]) : row["payload"]
                try db.execute("""
                    UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, lease_until = NULL, last_error = NULL,
                        payload = ? WHERE id = ?
                    """, Timestamp.millis(at), payload, id)
            } else {
                try db.execute("""
                    UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?
                    """, retryAt == nil ? "failed" : "pending", retryAt.map(Timestamp.millis) ?? Timestamp.millis(at), error, id)
            }
        }
    }

    public func outbox(caseID: Int64?, limit: Int) async throws -> [OutboxMessage] {
        try await db.read { db in
            if let caseID {
                return try db.query("SELECT * FROM outbox WHERE case_id = ? ORDER BY id LIMIT ?", caseID, limit).map(OutboxRows.message)
            }
            return try db.query("SELECT * FROM outbox ORDER BY id LIMIT ?", limit).map(OutboxRows.message)
        }
    }
}

enum OutboxRows {
    static func message(_ row: SQLRow) -> OutboxMessage {
        OutboxMessage(id: row["id"], caseID: row["case_id"], eventSeq: row["event_seq"], kind: row["kind"], recipient: row["recipient"],
                      payload: row["payload"], status: OutboxMessage.Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
                      createdAt: Timestamp.date(millis: row["created_at"]), lastError: row["last_error"])
    }

    /// A sent notice's payload without the secret in its confirm link (whatever else the
    /// payload holds stays as it was; a payload that is not a JSON object is kept whole).
    static func forgetSecret(_ payload: String) throws -> String {
        guard var object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else { return payload }
        object["confirm_path"] = "/api/v1/notices/(sent)/confirm"
        if object["page_path"] != nil { object["page_path"] = "/notice/(sent)" }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

extension SQLStorage: CoGovernanceStore {
    public func selfCorrectionStats(by grouping: SelfCorrectionStats.Grouping, since: Date?, until: Date?) async throws -> [SelfCorrectionStats] {
        let column = switch grouping { case .scenario: "scenario"; case .street: "street_code"; case .merchant: "merchant_id" }
        return try await db.read { db in
            try db.query("""
                SELECT \(column) AS k, COUNT(*) AS notified, CAST(SUM(CASE WHEN self_corrected THEN 1 ELSE 0 END) AS BIGINT) AS corrected,
                       CAST(SUM(CASE WHEN status = 'self_correcting' THEN 1 ELSE 0 END) AS BIGINT) AS pending
                FROM cases WHERE scenario IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY \(column) ORDER BY \(column)
                """, since.map(Timestamp.millis) ?? Int64.min, until.map(Timestamp.millis) ?? Int64.max).map { row in
                let notified: Int = row["notified"], corrected: Int = row["corrected"] ?? 0, pending: Int = row["pending"] ?? 0
                return SelfCorrectionStats(key: row["k"] ?? "", notified: notified, selfCorrected: corrected,
                                           enforced: notified - corrected - pending, pending: pending)
            }
        }
    }
}
