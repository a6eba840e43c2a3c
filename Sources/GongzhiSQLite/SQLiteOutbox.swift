import Foundation
import GongzhiCore
import GongzhiStore
import GRDB

enum OutboxRows {
    static func message(_ row: Row) -> OutboxMessage {
        OutboxMessage(id: row["id"], caseID: row["case_id"], eventSeq: row["event_seq"], kind: row["kind"], recipient: row["recipient"],
                      payload: row["payload"], status: OutboxMessage.Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
                      createdAt: Timestamp.date(millis: row["created_at"]), lastError: row["last_error"])
    }
}

extension SQLiteCaseStore: OutboxStore {
    public func claimDue(now: Date, limit: Int, lease: TimeInterval) async throws -> [OutboxMessage] {
        let ms = Timestamp.millis(now)
        return try await database.pool.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [ms, ms, limit])
            for row in rows {
                try db.execute(sql: "UPDATE outbox SET lease_until = ? WHERE id = ?", arguments: [ms + Int64(lease * 1000), row["id"] as Int64])
            }
            return rows.map(OutboxRows.message)
        }
    }

    public func recordAttempt(_ id: Int64, at: Date, ok: Bool, statusCode: Int?, error: String?, retryAt: Date?) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "INSERT INTO outbox_attempts (outbox_id, at, ok, status_code, error) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, Timestamp.millis(at), ok, statusCode, error])
            if ok {
                // Sent: the notice's secret is no longer kept in the message.
                try db.execute(sql: """
                    UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, lease_until = NULL, last_error = NULL,
                        payload = CASE WHEN kind = 'merchant.notice'
                            THEN json_set(payload, '$.confirm_path', '/api/v1/notices/(sent)/confirm') ELSE payload END
                    WHERE id = ?
                    """, arguments: [Timestamp.millis(at), id])
            } else {
                try db.execute(sql: """
                    UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?
                    """, arguments: [retryAt == nil ? "failed" : "pending", retryAt.map(Timestamp.millis) ?? Timestamp.millis(at), error, id])
            }
        }
    }

    public func outbox(caseID: Int64?, limit: Int) async throws -> [OutboxMessage] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE ? IS NULL OR case_id = ? ORDER BY id LIMIT ?",
                             arguments: [caseID, caseID, limit]).map(OutboxRows.message)
        }
    }
}

extension SQLiteCaseStore: CoGovernanceStore {
    public func selfCorrectionStats(by grouping: SelfCorrectionStats.Grouping, since: Date?, until: Date?) async throws -> [SelfCorrectionStats] {
        let column = switch grouping { case .scenario: "scenario"; case .street: "street_code"; case .merchant: "merchant_id" }
        return try await database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(column) AS k, COUNT(*) AS notified, SUM(self_corrected) AS corrected,
                       SUM(CASE WHEN status = 'self_correcting' THEN 1 ELSE 0 END) AS pending
                FROM cases WHERE scenario IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY \(column) ORDER BY \(column)
                """, arguments: [since.map(Timestamp.millis) ?? Int64.min, until.map(Timestamp.millis) ?? Int64.max]).map { row in
                let notified: Int = row["notified"], corrected: Int = row["corrected"] ?? 0, pending: Int = row["pending"] ?? 0
                return SelfCorrectionStats(key: row["k"] ?? "", notified: notified, selfCorrected: corrected,
                                           enforced: notified - corrected - pending, pending: pending)
            }
        }
    }
}
