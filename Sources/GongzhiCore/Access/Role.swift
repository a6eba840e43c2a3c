/// What a principal does in the district's work. Raw values are stored and sent on the wire.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    /// Manages accounts, keys and configuration; may do anything.
    case admin
    /// The command centre (指挥中心): registers, dispatches, verifies and closes cases.
    case dispatcher
    /// A responsible unit's staff: handles, returns and escalates the cases assigned to it.
    case handler
    /// Supervision (督办): urges and comments.
    case supervisor
    /// Leadership: reads everything in scope (the cockpit), acts on nothing.
    case leader
    /// A grid worker (网格员): reports what the patrol finds and checks handling on site.
    case gridWorker = "grid_worker"
    /// A shop or property owner notified to self-correct; sees no cases through the API.
    case merchant
    /// Reads the audit and access logs; reads cases masked.
    case auditor
    /// A machine client (camera system, Open311 app): files reports only.
    case machine
}

/// Who is calling: a user or an API key, with a role and the unit it belongs to.
public struct Principal: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case user, key }

    public var kind: Kind
    /// `user:<username>` or `key:<id>`: what events and logs record.
    public var id: String
    public var role: Role
    /// The unit the principal works for; its scope is this unit and its descendants.
    public var unit: String

    public init(kind: Kind, id: String, role: Role, unit: String) {
        self.kind = kind
        self.id = id
        self.role = role
        self.unit = unit
    }

    public var actor: Actor { Actor(id: id, unit: unit) }
}
