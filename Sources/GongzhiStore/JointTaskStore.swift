import Foundation
import GongzhiCore

/// The parts of joint cases (联合执法). Each step runs inside one transaction with the case row
/// locked, so a part cannot be added while the lead reports the case handled, and the handle
/// check (`CaseSQL.pendingJointParts`) sees every part committed before it.
public protocol JointTaskStore: Sendable {
    func parts(of caseID: Int64) async throws -> [JointTask]
    /// Applies `step` to the case and its parts and writes what changed; new parts have id 0.
    func apply(caseID: Int64, by actor: String, at: Date,
               _ step: @escaping @Sendable (CaseRecord, [JointTask]) throws -> [JointTask]) async throws -> [JointTask]
    /// The parts of these units (all units when nil), pending ones only if asked, newest first.
    func parts(units: Set<String>?, pendingOnly: Bool, limit: Int) async throws -> [JointTask]
    /// The parts created on the query's China-time days (`from`…`to` as yyyymmdd), for the
    /// evaluation's counts per unit: the part's unit, or its case's area, category and source,
    /// filtered and scoped as the statistics are.
    func parts(_ q: StatsQuery) async throws -> [JointTask]
}
