import Foundation
import GongzhiCore

/// What the server and the command line need of case persistence. Implementations keep
/// every command atomic: the events and the case row are written in one transaction, or
/// neither is.
public protocol CaseStore: Sendable {
    /// Opens a case for a validated report, or returns the case a previous submission with
    /// the same `(source, external_id)` opened (`created == false`).
    func create(_ report: Report, actor: Actor, at: Date) async throws -> (record: CaseRecord, created: Bool)
    /// Applies a command. Throws `CaseError` (nothing written) or `StoreError.caseNotFound`.
    func perform(_ command: CaseCommand, on id: Int64, actor: Actor, at: Date) async throws -> CaseRecord
    func find(id: Int64) async throws -> CaseRecord?
    func history(of id: Int64) async throws -> [CaseEvent]
    func list(_ query: CaseQuery) async throws -> CasePage
}

/// Filters of the case list. Empty arrays mean "any".
public struct CaseQuery: Sendable, Hashable {
    public var statuses: [CaseStatus] = []
    /// Exact codes, or two-digit major classes (`06`), which match every code in the class.
    public var categories: [String] = []
    public var units: [String] = []
    public var sources: [ReportSource] = []
    /// Reported at or after.
    public var since: Date?
    /// Reported before.
    public var until: Date?
    public var limit: Int = 50
    public var cursor: CaseCursor?

    public static let maxLimit = 200

    public init() {}
}

/// A position in the list, newest first: the last item's `(created_at, id)`. Opaque to
/// clients; keyset pagination stays fast and stable while cases are added.
public struct CaseCursor: Sendable, Hashable {
    public var createdAtMillis: Int64
    public var id: Int64

    public init(createdAtMillis: Int64, id: Int64) {
        self.createdAtMillis = createdAtMillis
        self.id = id
    }

    public var token: String {
        Data("\(createdAtMillis):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public init?(token: String) {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard token.count <= 64, let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let ms = Int64(parts[0]), let id = Int64(parts[1]) else { return nil }
        self.init(createdAtMillis: ms, id: id)
    }
}

public struct CasePage: Sendable {
    public var items: [CaseRecord]
    public var nextCursor: CaseCursor?
}
