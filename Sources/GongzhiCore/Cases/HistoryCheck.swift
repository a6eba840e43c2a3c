import Foundation

/// The checks `gongzhi verify` makes, as pure functions over what a backend read: each
/// backend streams its rows through these, so both judge a history the same way.
public enum HistoryCheck {
    /// An event as stored, before it is decoded: the hash is recomputed from exactly these texts.
    public struct StoredEvent: Sendable {
        public var caseID: Int64
        public var seq: Int
        public var action: String
        public var actor: String
        public var actorUnit: String?
        public var at: Int64
        public var from: String?
        public var to: String
        public var payload: String
        public var prevHash: String
        public var hash: String

        public init(caseID: Int64, seq: Int, action: String, actor: String, actorUnit: String?, at: Int64, from: String?, to: String,
                    payload: String, prevHash: String, hash: String) {
            self.caseID = caseID
            self.seq = seq
            self.action = action
            self.actor = actor
            self.actorUnit = actorUnit
            self.at = at
            self.from = from
            self.to = to
            self.payload = payload
            self.prevHash = prevHash
            self.hash = hash
        }
    }

    static let emptyActorUnit = "its actor unit is empty, which the store never writes: the row was edited"

    /// What is wrong with the next event of a case's chain, given how many came before and the
    /// hash of the last one; nil when it links.
    public static func link(_ e: StoredEvent, expectedSeq: Int, prev: String) -> EventChain.Break? {
        if e.seq != expectedSeq { return .sequenceGap(expected: expectedSeq, found: e.seq) }
        if e.prevHash != prev { return .prevHashMismatch }
        let recomputed = EventChain.digest(caseID: e.caseID, seq: e.seq, action: e.action, actorID: e.actor, actorUnit: e.actorUnit,
                                           atMillis: e.at, from: e.from, to: e.to, payloadJSON: e.payload, prevHash: e.prevHash)
        if recomputed != e.hash { return .hashMismatch }
        // The hash reads a missing unit and an empty one alike; the store writes only NULL.
        if e.actorUnit == "" { return .undecodable(emptyActorUnit) }
        return nil
    }

    /// Decodes a linked event. Throws when the row cannot be understood (an unknown action or an
    /// undecodable payload): a sign of tampering or of a newer schema.
    public static func decode(_ e: StoredEvent) throws(EventChain.Break) -> CaseEvent {
        guard let action = CaseAction(rawValue: e.action), let to = CaseStatus(rawValue: e.to) else {
            throw .undecodable("event has unknown action '\(e.action)' or status '\(e.to)'")
        }
        var from: CaseStatus? = nil
        if let f = e.from {
            guard let s = CaseStatus(rawValue: f) else { throw .undecodable("event has unknown status '\(f)'") }
            from = s
        }
        let payload: EventPayload
        if let read = PayloadReader.read(e.payload) { payload = read } else {
            do { payload = try JSONDecoder().decode(EventPayload.self, from: Data(e.payload.utf8)) } catch {
                throw .undecodable("its payload is not readable: \(error)")
            }
        }
        return CaseEvent(caseID: e.caseID, seq: e.seq, action: action, actor: Actor(id: e.actor, unit: e.actorUnit),
                         at: Timestamp.date(millis: e.at), from: from, to: to, payload: payload, payloadJSON: e.payload,
                         prevHash: e.prevHash, hash: e.hash)
    }

    /// The first field of the stored case row that differs from its replayed history.
    public static func compare(_ stored: CaseRecord, _ replayed: CaseRecord?) -> String? {
        guard var r = replayed else { return "history (it does not start with a report)" }
        // The stored row's report carries the current category; the replay's the original one.
        r.report.category = stored.report.category
        let checks: [(String, Bool)] = [
            ("tracking_code", r.trackingCode == stored.trackingCode), ("status", r.status == stored.status),
            ("report", r.report == stored.report), ("category", r.category == stored.category), ("unit", r.unit == stored.unit),
            ("due_at", r.dueAt == stored.dueAt), ("warn_at", r.warnAt == stored.warnAt),
            ("timer marks", r.warned == stored.warned && r.overdueMarked == stored.overdueMarked), ("rule_id", r.ruleID == stored.ruleID),
            ("created_at", r.createdAt == stored.createdAt),
            ("updated_at", r.updatedAt == stored.updatedAt), ("closed_at", r.closedAt == stored.closedAt),
            ("counters", (r.reworkCount, r.returnCount, r.escalationCount, r.supervisionCount, r.reopenCount)
                == (stored.reworkCount, stored.returnCount, stored.escalationCount, stored.supervisionCount, stored.reopenCount)),
            ("event_count", r.eventCount == stored.eventCount), ("last_hash", r.lastHash == stored.lastHash),
            ("last_return", r.lastReturn == stored.lastReturn), ("disputed", r.disputed == stored.disputed),
            ("row", r == stored),  // anything the list above does not name
        ]
        return checks.first { !$0.1 }?.0
    }
}

/// The hash chain of the audit log: each entry carries the SHA-256 of the one before.
public enum AuditChain {
    public static func digest(seq: Int64, at: Int64, actor: String, action: String, detail: String, prev: String) -> String {
        SHA256.hex("gongzhi-audit-v1\n\(seq)\n\(at)\n\(actor)\n\(action)\n\(detail)\n\(prev)")
    }

    /// What is wrong with the next entry, given the sequence expected and the previous hash.
    public static func link(seq: Int64, at: Int64, actor: String, action: String, detail: String, prevHash: String, hash: String,
                            expectedSeq: Int64, prev: String) -> String? {
        if seq != expectedSeq { return "expected entry #\(expectedSeq): an entry is missing" }
        if prevHash != prev { return "its previous-hash does not match the entry before it" }
        if digest(seq: seq, at: at, actor: actor, action: action, detail: detail, prev: prevHash) != hash {
            return "its contents do not match its hash: the row was edited"
        }
        return nil
    }
}

/// Thrown by `HistoryCheck.decode` for an event that cannot be read back.
extension EventChain.Break: Error {}
