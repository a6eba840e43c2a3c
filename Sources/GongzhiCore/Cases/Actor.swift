/// Who did something. Recorded on every event; never derived from request bodies.
public struct Actor: Sendable, Hashable, Codable {
    /// A stable identifier: `user:<name>`, `key:<id>`, `system:<job>`.
    public var id: String
    /// The unit the actor acted for, when there is one.
    public var unit: String?

    public init(id: String, unit: String? = nil) {
        self.id = id
        self.unit = unit
    }

    /// The scheduler and other background jobs.
    public static let system = Actor(id: "system:scheduler")
    /// Demo data loaded on first start.
    public static let demo = Actor(id: "system:demo")
}
