/// What the store needs of a dispute or a petition to keep its row: the columns it is found
/// by, and the fold of its events that the row must always equal.
public protocol Matter: Sendable, Codable, Hashable {
    associatedtype Event: Sendable, Codable, Hashable
    static var kind: String { get }
    var id: Int64 { get }
    var unit: String { get }
    var street: String? { get }
    var community: String? { get }
    var statusText: String { get }
    var nextDue: PlanDay? { get }
    var registered: PlanDay { get }
    /// The day it ended (concluded, closed, declined), if it has.
    var endedOn: PlanDay? { get }
    /// A short line for lists.
    var headline: String { get }
    var isCollective: Bool { get }
    func applying(_ event: Event) -> Self
    static func replay(_ events: [Event]) throws(CentreError) -> Self
    static func action(of event: Event) -> String
}

extension Dispute: Matter {
    public static let kind = "dispute"
    public var statusText: String { status.rawValue }
    public var endedOn: PlanDay? { outcome?.day }
    public var headline: String { String(summary.prefix(80)) }
    public var isCollective: Bool { parties.count >= Petition.collectiveAt }
    public static func action(of event: DisputeEvent) -> String { event.action }
}

extension Petition: Matter {
    public static let kind = "petition"
    public var statusText: String { status.rawValue }
    public var endedOn: PlanDay? {
        switch status {
        case .closed: closedOn
        case .declined: decision?.day
        default: nil
        }
    }
    public var headline: String { title }
    public var isCollective: Bool { collective }
    public static func action(of event: PetitionEvent) -> String { event.action }
}
