/// Who may do what at the dispute and petition centre, beside `AccessPolicy` for cases. Pure,
/// so it is tested role by role.
public enum CentreAccess {
    /// The centre's records are read by those who read cases (masked unless revealed).
    public static func reads(_ role: Role) -> Bool { AccessPolicy.readsCases(role) }

    /// The window (dispatchers), unit staff, and grid workers, who bring disputes from the grid.
    public static func registersDisputes(_ role: Role) -> Bool { [.admin, .dispatcher, .handler, .gridWorker].contains(role) }

    public static func registersPetitions(_ role: Role) -> Bool { [.admin, .dispatcher, .handler].contains(role) }

    /// Mediating, deciding and answering: the centre (dispatchers) anywhere in scope; a unit's
    /// staff only on what their unit holds.
    public static func acts(_ p: Principal, holder unit: String, scope: Scope) throws(CentreError) {
        switch p.role {
        case .admin, .dispatcher: return
        case .handler:
            guard scope.isAll || scope.units.contains(unit) else {
                throw .forbidden("only the unit holding the matter (\(unit)) may act on it")
            }
        default: throw .forbidden("a \(p.role.rawValue) may not act on disputes or petitions")
        }
    }

    /// A petition's one extension needs approval: the centre or supervision (督办) grants it.
    public static func approvesExtensions(_ role: Role) -> Bool { [.admin, .dispatcher, .supervisor].contains(role) }

    /// Backlog campaigns are set up by the centre.
    public static func runsCampaigns(_ role: Role) -> Bool { role == .admin || role == .dispatcher }
}
