import Foundation

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
    /// The step whose clock runs now (`nextDue` is its last day), if any.
    var pendingStep: String? { get }
    var marks: [ClockMark] { get }
    func applying(_ event: Event) -> Self
    static func replay(_ events: [Event]) throws(CentreError) -> Self
    static func action(of event: Event) -> String
    static func marked(_ mark: ClockMark) -> Event
}

extension Matter {
    /// The newest mark on the clock running now (its step and last day), if any.
    public var currentMark: ClockState? {
        guard let due = nextDue, let step = pendingStep else { return nil }
        return marks.last { $0.step == step && $0.due == due }?.state
    }

    /// The mark the scheduler makes at `now`, or nil: a step's clock is warned once when three
    /// days or fewer are left and marked overdue once when it has run out (only overdue when it
    /// ran out unwarned, the server being down); an extension gives a new last day, a new clock.
    public func clockMark(at now: Date) -> ClockMark? {
        guard let due = nextDue, let step = pendingStep else { return nil }
        let state = ClockState.of(due, at: now)
        guard state != .running, currentMark != state, currentMark != .overdue else { return nil }
        return ClockMark(step: step, due: due, state: state, day: PlanDays.of(now))
    }
}

extension Dispute: Matter {
    public static let kind = "dispute"
    public var statusText: String { status.rawValue }
    public var endedOn: PlanDay? { outcome?.day }
    public var headline: String { String(summary.prefix(80)) }
    public var isCollective: Bool { parties.count >= Petition.collectiveAt }
    public static func action(of event: DisputeEvent) -> String { event.action }
    public static func marked(_ mark: ClockMark) -> DisputeEvent { .marked(mark: mark) }
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
    public static func marked(_ mark: ClockMark) -> PetitionEvent { .marked(mark: mark) }
}
