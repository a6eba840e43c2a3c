import Foundation
import GongzhiCore

/// The heads of every hash chain, kept outside the database. A chain proves that nothing in it
/// changed only to someone who trusts its last hash: whoever can write the database can rewrite
/// a history and re-hash everything after it, and `verify` would pass. An anchor taken earlier
/// (written to a file, a USB stick, another machine) catches that: each case's event at the
/// anchored position must still have the anchored hash, and the audit log's entry too.
///
/// The file is text, one chain per line (`case ID SEQ HASH`, `audit SEQ HASH`), ending in a
/// digest over the lines before it, so an edited anchor is refused rather than trusted.
public struct ChainAnchor: Sendable, Equatable {
    public struct Head: Sendable, Equatable {
        public var seq: Int64
        public var hash: String

        public init(seq: Int64, hash: String) {
            self.seq = seq
            self.hash = hash
        }
    }

    public var madeAt: Date
    public var cases: [Int64: Head]
    public var audit: Head?

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The heads as they are now.
    public static func take(_ db: any SQLDatabase, at: Date) async throws -> ChainAnchor {
        try await db.read { db in
            var cases: [Int64: Head] = [:]
            try db.each("SELECT id, event_count, last_hash FROM cases", []) { row in
                cases[row["id"]] = Head(seq: (row["event_count"] as Int64) - 1, hash: row["last_hash"])
                return true
            }
            let audit = try db.first("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").map { Head(seq: $0["seq"], hash: $0["hash"]) }
            return ChainAnchor(madeAt: at, cases: cases, audit: audit)
        }
    }

    /// What differs from the anchor in the database now, in case order; empty when every
    /// anchored event and audit entry is still there with its hash.
    public func differences(in db: any SQLDatabase, limit: Int = 20) async throws -> [String] {
        let cases = cases, audit = audit
        return try await db.read { db in
            var found: [String] = [], seen = Set<Int64>()
            try db.each("SELECT case_id, seq, hash FROM case_events ORDER BY case_id, seq", []) { row in
                let id: Int64 = row["case_id"], seq: Int64 = row["seq"]
                guard let head = cases[id], head.seq == seq else { return true }
                seen.insert(id)
                if head.hash != (row["hash"] as String) { found.append("case \(id) event #\(seq) is not the event anchored (history rewritten)") }
                return found.count < limit
            }
            for id in cases.keys.sorted() where !seen.contains(id) && found.count < limit {
                found.append("case \(id) has no event #\(cases[id]!.seq) any more (history cut or case deleted)")
            }
            if let audit, found.count < limit {
                let hash = try db.scalar("SELECT hash FROM audit_log WHERE seq = ?", audit.seq, as: String.self)
                if hash != audit.hash { found.append("audit entry \(audit.seq) is not the entry anchored (audit log rewritten)") }
            }
            return found
        }
    }

    /// The file's text: a header, the chains in order, and the digest over them.
    public var text: String {
        var lines = ["gongzhi-anchor 1", "made_at \(Timestamp.rfc3339(madeAt))"]
        if let audit { lines.append("audit \(audit.seq) \(audit.hash)") }
        for id in cases.keys.sorted() { lines.append("case \(id) \(cases[id]!.seq) \(cases[id]!.hash)") }
        let body = lines.joined(separator: "\n") + "\n"
        return body + "digest \(SHA256.hex(body))\n"
    }

    /// The SHA-256 of the text before its digest line: worth writing down elsewhere too.
    public var digest: String { String(text.split(separator: "\n").last!.dropFirst("digest ".count)) }

    public init(madeAt: Date, cases: [Int64: Head], audit: Head?) {
        self.madeAt = madeAt
        self.cases = cases
        self.audit = audit
    }

    /// Reads an anchor file, refusing one whose digest does not match what it holds.
    public init(text: String) throws(Failure) {
        guard let cut = text.range(of: "\ndigest ", options: .backwards) else { throw Failure(description: "not an anchor file: no digest line") }
        let body = String(text[..<cut.lowerBound]) + "\n"
        let digest = text[cut.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard SHA256.hex(body) == digest else { throw Failure(description: "the anchor file was edited: its digest does not match its lines") }
        var madeAt: Date?, cases: [Int64: Head] = [:], audit: Head?
        for (n, line) in body.split(separator: "\n").enumerated() {
            let f = line.split(separator: " ").map(String.init)
            switch (f.first, f.count) {
            case ("gongzhi-anchor", 2) where n == 0: continue
            case ("made_at", 2): madeAt = Timestamp.parse(f[1])
            case ("audit", 3): audit = Int64(f[1]).map { Head(seq: $0, hash: f[2]) }
            case ("case", 4):
                guard let id = Int64(f[1]), let seq = Int64(f[2]) else { throw Failure(description: "line \(n + 1): not a case head") }
                cases[id] = Head(seq: seq, hash: f[3])
            default: throw Failure(description: "line \(n + 1) is not part of an anchor file")
            }
        }
        guard let madeAt, body.hasPrefix("gongzhi-anchor 1\n") else { throw Failure(description: "not an anchor file (version 1)") }
        self.init(madeAt: madeAt, cases: cases, audit: audit)
    }
}
