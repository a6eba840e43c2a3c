import Foundation

/// Who may do what: the one place the platform's permissions are written down. Pure, so it is
/// tested exhaustively, role by role and action by action.
public enum AccessPolicy {
    /// Whether the role reads cases at all (within its scope).
    public static func readsCases(_ role: Role) -> Bool {
        role != .machine && role != .merchant
    }

    /// Whether the role may import a spreadsheet of reports: the command centre's work.
    public static func imports(_ role: Role) -> Bool { role == .admin || role == .dispatcher }

    /// Whether the role may file reports.
    public static func files(_ role: Role) -> Bool {
        [.admin, .dispatcher, .handler, .gridWorker, .machine].contains(role)
    }

    /// The case actions each role may take, before scope and assignment are considered.
    public static func actions(_ role: Role) -> Set<CaseAction> { actionsByRole[role] ?? [] }

    /// Built once: the case list asks for each case it shows.
    private static let actionsByRole: [Role: Set<CaseAction>] = Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, roleActions($0)) })

    private static func roleActions(_ role: Role) -> Set<CaseAction> {
        switch role {
        case .admin: Set(CaseAction.commands)
        case .dispatcher: [.register, .reject, .dispatch, .escalate, .redispatch, .verify, .recheck, .close, .reopen, .comment, .supervise,
                           .merge, .unmerge, .postpone, .evaluate]
        case .handler: [.accept, .return, .escalate, .handle, .comment]
        case .supervisor: [.supervise, .comment]
        case .gridWorker: [.verify, .recheck, .comment]
        case .leader, .merchant, .auditor, .machine: []
        }
    }

    /// Actions only the unit now holding the case may take (its handler answers for it).
    static let holderOnly: Set<CaseAction> = [.accept, .return, .handle]

    public enum Decision: Sendable, Hashable {
        case allow
        /// The case exists but the principal may not act on it: 403.
        case forbidden(String)
        /// The principal may not even know the case exists: 404.
        case hidden
    }

    /// May `principal` take `action` on `record`?
    public static func decide(_ principal: Principal, _ action: CaseAction, on record: CaseRecord, scope: Scope) -> Decision {
        guard readsCases(principal.role), scope.contains(record) else { return .hidden }
        guard actions(principal.role).contains(action) else {
            return .forbidden("a \(principal.role.rawValue) may not \(action.rawValue) cases")
        }
        if principal.role == .handler, holderOnly.contains(action) || action == .escalate {
            guard let unit = record.unit, scope.units.contains(unit) || scope.isAll else {
                return .forbidden("only the unit holding the case may \(action.rawValue) it")
            }
        }
        return .allow
    }

    /// The actions to offer `principal` on `record` now: those the state machine allows in the
    /// case's present state (`CaseMachine.availableActions`) that the policy lets this principal
    /// take. The one source of the API's `allowed_actions` and of the pages' buttons.
    public static func offeredActions(_ principal: Principal, on record: CaseRecord, scope: Scope, at: Date,
                                      context: CaseContext) -> [CaseAction] {
        // The role's own actions first: `decide` words a refusal, which the list does not need.
        let own = actions(principal.role)
        return CaseMachine.availableActions(record, at: at, context: context).filter {
            own.contains($0) && decide(principal, $0, on: record, scope: scope) == .allow
        }
    }

    /// Whether the role may read personal fields unmasked (on request, logged).
    public static func revealsPersonalData(_ role: Role) -> Bool {
        [.admin, .dispatcher, .handler].contains(role)
    }

    /// Whether the role reads the audit and access logs.
    public static func readsAudit(_ role: Role) -> Bool { role == .auditor || role == .admin }
}
