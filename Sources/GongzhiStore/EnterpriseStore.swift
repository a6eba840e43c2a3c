import Foundation
import GongzhiCore

/// Who is reading the enterprise registry: the scope of their unit, and who they are, since a
/// commissioner sees the enterprises assigned to them wherever those are.
public struct EnterpriseViewer: Sendable {
    public var scope: Scope
    public var principal: String

    public init(scope: Scope, principal: String) {
        self.scope = scope
        self.principal = principal
    }
}

/// Filters of the registry's list. Empty means "any".
public struct EnterpriseQuery: Sendable {
    public var streets: [String] = []
    public var industry: String?
    /// Only the enterprises this principal serves (`user:<name>`).
    public var commissioner: String?
    /// Part of the name.
    public var name: String?
    /// The last code of the previous page (codes are unique and ordered).
    public var after: String?
    public var limit = 50

    public init() {}
}

/// The enterprise registry (亲清在线): enterprises, their commissioners and the visit log. Every
/// read and write is held to the viewer inside the query: an enterprise outside the viewer's
/// streets that they do not serve is not found.
public protocol EnterpriseStore: Sendable {
    /// Registers `e`; a code already registered is refused (`EnterpriseError.conflict`).
    func register(_ e: Enterprise) async throws -> Enterprise
    func enterprise(_ code: String, for viewer: EnterpriseViewer) async throws -> Enterprise?
    func enterprises(_ query: EnterpriseQuery, for viewer: EnterpriseViewer) async throws -> [Enterprise]
    /// Replaces the enterprise's commissioners, in the audit log.
    func setCommissioners(of code: String, to ids: [String], by actor: String, at: Date, for viewer: EnterpriseViewer) async throws -> Enterprise
    /// Records a visit, checking inside the transaction that `visit.commissioner` may log it.
    func addVisit(_ visit: EnterpriseVisit, by principal: Principal, for viewer: EnterpriseViewer) async throws -> EnterpriseVisit
    /// The enterprise's visits, newest first.
    func visits(of code: String, for viewer: EnterpriseViewer) async throws -> [EnterpriseVisit]
    /// The cases raised for the enterprise's difficulties (source `enterprise`, its credit code
    /// as the report's `credit_code` attribute), newest first; not found outside the viewer's part.
    func difficultyCases(of code: String, limit: Int, for viewer: EnterpriseViewer) async throws -> [Int64]
    /// Writes a reveal of the contact person to the access log, before it is shown.
    func logReveal(of code: String, actor: String, reason: String, at: Date) async throws
}
