import Foundation

/// The hash chain over a case's events.
///
/// `hash = SHA-256(canonical text)`, where the canonical text lists, one per line, a version
/// tag, the case id, the sequence number, the action, the actor id and unit, the time in epoch
/// milliseconds, the from and to statuses, the payload's canonical JSON and the previous
/// hash. JSON escapes newlines, and actor ids hold none, so the lines cannot be confused.
/// The first event's previous hash is `genesis`.
public enum EventChain {
    public static let genesis = String(repeating: "0", count: 64)

    /// Canonical JSON for payloads: sorted keys, no escaped slashes.
    public static func canonicalJSON(_ payload: EventPayload) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings, numbers and bools cannot fail.
        let data = try! encoder.encode(payload)
        return String(decoding: data, as: UTF8.self)
    }

    /// The hash over stored text. Sealing and checking both call this, so they cannot drift,
    /// and checking recomputes from the stored columns, so an edit to any of them shows.
    public static func digest(caseID: Int64, seq: Int, action: String, actorID: String, actorUnit: String?, atMillis: Int64,
                              from: String?, to: String, payloadJSON: String, prevHash: String) -> String {
        var text = "gongzhi-event-v1\n"
        text += "\(caseID)\n\(seq)\n\(action)\n\(actorID)\n\(actorUnit ?? "")\n\(atMillis)\n"
        text += "\(from ?? "")\n\(to)\n\(payloadJSON)\n\(prevHash)"
        return SHA256.hex(text)
    }

    /// Places a draft after the case's newest event.
    public static func seal(_ draft: EventDraft, caseID: Int64, seq: Int, prevHash: String, actor: Actor, at: Date) -> CaseEvent {
        let ms = Timestamp.millis(at)
        let json = canonicalJSON(draft.payload)
        let h = digest(caseID: caseID, seq: seq, action: draft.action.rawValue, actorID: actor.id, actorUnit: actor.unit,
                       atMillis: ms, from: draft.from?.rawValue, to: draft.to.rawValue, payloadJSON: json, prevHash: prevHash)
        return CaseEvent(caseID: caseID, seq: seq, action: draft.action, actor: actor, at: Timestamp.date(millis: ms),
                         from: draft.from, to: draft.to, payload: draft.payload, payloadJSON: json, prevHash: prevHash, hash: h)
    }

    /// What is wrong with a stored event.
    public enum Break: Sendable, Hashable, CustomStringConvertible {
        case sequenceGap(expected: Int, found: Int)
        case prevHashMismatch
        case hashMismatch
        case undecodable(String)
        case projectionMismatch(String)

        public var description: String {
            switch self {
            case .sequenceGap(let e, let f): "expected event #\(e), found #\(f): an event is missing or was inserted"
            case .prevHashMismatch: "its previous-hash does not match the hash of the event before it"
            case .hashMismatch: "its contents do not match its hash: the row was edited"
            case .undecodable(let what): "it cannot be read back: \(what)"
            case .projectionMismatch(let field): "the case row's \(field) differs from what its history gives"
            }
        }
    }
}
