import Foundation

/// A dispute (矛盾纠纷) in mediation: its parties, the level and unit mediating it, the sessions
/// held and how it ended. The state is the fold of its events (`applying`).
public struct Dispute: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable, CaseIterable {
        /// 调解中.
        case open
        /// 调解成功: an agreement (调解协议).
        case agreed
        /// 部分达成.
        case partial
        /// 调解不成, referred elsewhere.
        case referred
    }

    /// How it came in.
    public enum Channel: String, Sendable, Codable, Hashable, CaseIterable { case window, phone, online, grid }

    /// Where a failed mediation goes.
    public enum Referral: String, Sendable, Codable, Hashable, CaseIterable { case arbitration, litigation, hotline, police }

    public struct Session: Sendable, Codable, Hashable {
        public var day: PlanDay
        public var mediator: String
        /// Indexes into `parties` of those present.
        public var present: [Int]
        public var note: String
        public var recordedBy: String
    }

    public struct Outcome: Sendable, Codable, Hashable {
        public var status: Status
        public var day: PlanDay
        /// The level it ended at: what "resolved at community level" counts.
        public var level: MediationLevel
        /// The agreement's text or the reference of its file (调解协议书编号).
        public var agreement: String?
        public var referral: Referral?
        public var note: String?
    }

    public struct Escalation: Sendable, Codable, Hashable {
        public var day: PlanDay
        public var from: MediationLevel
        public var to: MediationLevel
        public var committee: String?
        public var unit: String
        public var reason: String
    }

    public struct Extension: Sendable, Codable, Hashable {
        public var day: PlanDay
        public var days: Int
        public var reason: String
        public var due: PlanDay
    }

    public struct Honoured: Sendable, Codable, Hashable {
        public var day: PlanDay
        public var honoured: Bool
        public var note: String?
    }

    public var id: Int64
    /// A type code of `MediationRules.types`.
    public var type: String
    public var summary: String
    public var channel: Channel
    public var parties: [Party]
    /// The amount in dispute, in fen (分): never floating point.
    public var amountFen: Int64?
    public var risk: RiskLevel
    public var street: String?
    public var community: String?
    public var registered: PlanDay
    public var registeredAt: Int64
    public var level: MediationLevel
    public var committee: String?
    /// The unit mediating now.
    public var unit: String
    /// The rule that routed it, as the rules file named it.
    public var routedBy: String?
    public var status: Status
    public var due: PlanDay
    public var sessions: [Session]
    public var escalations: [Escalation]
    public var extensions: [Extension]
    public var outcome: Outcome?
    public var honoured: Honoured?
    /// The scheduler's warnings and overdue marks, oldest first.
    public var marks: [ClockMark]

    public var isOpen: Bool { status == .open }
    public var nextDue: PlanDay? { isOpen ? due : nil }
    public var pendingStep: String? { isOpen ? "mediate" : nil }
}

public enum DisputeEvent: Sendable, Codable, Hashable {
    case registered(dispute: Dispute)
    case sessionHeld(session: Dispute.Session)
    case escalated(escalation: Dispute.Escalation)
    case extended(grant: Dispute.Extension)
    case concluded(outcome: Dispute.Outcome)
    case honoured(honoured: Dispute.Honoured)
    case marked(mark: ClockMark)

    public var action: String {
        switch self {
        case .registered: "registered"
        case .sessionHeld: "session_held"
        case .escalated: "escalated"
        case .extended: "extended"
        case .concluded(let o): o.status.rawValue
        case .honoured(let h): h.honoured ? "honoured" : "not_honoured"
        case .marked(let m): m.state == .overdue ? "overdue" : "warned"
        }
    }
}

extension Dispute {
    public func applying(_ event: DisputeEvent) -> Dispute {
        var d = self
        switch event {
        case .registered(let new): d = new
        case .sessionHeld(let s): d.sessions.append(s)
        case .escalated(let e):
            d.escalations.append(e)
            d.level = e.to
            d.committee = e.committee
            d.unit = e.unit
        case .extended(let e):
            d.extensions.append(e)
            d.due = e.due
        case .concluded(let o):
            d.outcome = o
            d.status = o.status
        case .honoured(let h): d.honoured = h
        case .marked(let m): d.marks.append(m)
        }
        return d
    }

    public static func replay(_ events: [DisputeEvent]) throws(CentreError) -> Dispute {
        guard case .registered(let first)? = events.first else { throw .conflict("a dispute's first event must be its registration") }
        return events.dropFirst().reduce(first) { $0.applying($1) }
    }
}
