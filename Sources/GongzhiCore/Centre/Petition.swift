import Foundation

/// A petition (信访事项) and its clocks under the 2022 信访工作条例: acceptance decided and
/// the petitioner told within 15 days of registration (第二十五条); handled within 60 days of
/// acceptance, extended once by at most 30 days with approval and notice (第三十二条); a
/// review (复查) asked within 30 days of the answer and answered within 30 days (第三十五条).
/// Every period is counted by `StatutoryPeriod`. The state is the fold of the petition's events
/// (`applying`), each event carrying the days it fixed, so a later calendar never rewrites them.
public struct Petition: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable, CaseIterable {
        /// 待受理: the office has 15 days to decide.
        case registered
        /// 办理中: the responsible unit has 60 days (90 when extended).
        case accepted
        /// 不予受理: told why; nothing more to do.
        case declined
        /// 已答复: the review window is open.
        case answered
        /// 复查中.
        case reviewing
        /// 复查已答复.
        case reviewed
        /// 办结.
        case closed
        /// A repeat of a matter already registered: linked to it, with no clock of its own.
        case `repeat`
    }

    /// How the petition came in (信访形式).
    public enum Form: String, Sendable, Codable, Hashable, CaseIterable { case visit, letter, online, phone }

    public struct Decision: Sendable, Codable, Hashable {
        public var accepted: Bool
        public var day: PlanDay
        /// The unit that handles an accepted petition (承办单位).
        public var unit: String?
        /// How and when the petitioner was told (告知).
        public var notice: String
        public var reason: String?
        public var handleBy: PlanDay?
    }

    public struct Extension: Sendable, Codable, Hashable {
        public var days: Int
        public var reason: String
        public var notice: String
        /// Who approved it: the principal that recorded it.
        public var approvedBy: String
        public var day: PlanDay
        public var handleBy: PlanDay
    }

    public struct Answer: Sendable, Codable, Hashable {
        public var day: PlanDay
        public var text: String
    }

    public struct Review: Sendable, Codable, Hashable {
        public var requested: PlanDay
        public var due: PlanDay
        public var answer: Answer?
    }

    public var id: Int64
    public var title: String
    public var content: String
    public var form: Form
    public var petitioners: [Party]
    /// How many people came or signed (集体访 at five or more).
    public var people: Int
    public var street: String?
    public var community: String?
    public var registered: PlanDay
    public var registeredAt: Int64
    /// The office that decides on acceptance (信访工作机构).
    public var office: String
    public var status: Status
    public var acceptBy: PlanDay
    public var decision: Decision?
    public var extended: Extension?
    public var answer: Answer?
    /// The last day a review may be asked for, once answered.
    public var reviewBy: PlanDay?
    public var review: Review?
    public var closedOn: PlanDay?
    public var repeatOf: Int64?
    /// The repeats linked to this petition, by id.
    public var repeats: [Int64]
    /// The risk-list entry the matter belongs to, if any.
    public var risk: Int64?
    /// The scheduler's warnings and overdue marks, oldest first.
    public var marks: [ClockMark]

    public static let collectiveAt = 5

    public var collective: Bool { people >= Self.collectiveAt }

    /// The unit answering for the petition now: the office until it is accepted.
    public var unit: String { decision?.unit ?? office }

    /// The last day of the step now pending, or nil when none is.
    public var nextDue: PlanDay? {
        switch status {
        case .registered: acceptBy
        case .accepted: extended?.handleBy ?? decision?.handleBy
        case .reviewing: review?.due
        default: nil
        }
    }

    /// Cleared (化解) as a backlog campaign counts it: closed, the answer recorded, no review pending.
    public var isCleared: Bool { status == .closed && answer != nil && review.map { $0.answer != nil } ?? true }

    public var isOpen: Bool { nextDue != nil }

    /// The step whose clock runs now, if any.
    public var pendingStep: String? {
        switch status {
        case .registered: "decide"
        case .accepted: "handle"
        case .reviewing: "review"
        default: nil
        }
    }
}

/// A petition's recorded steps: each carries the days it fixed.
public enum PetitionEvent: Sendable, Codable, Hashable {
    case registered(petition: Petition)
    case decided(decision: Petition.Decision)
    case extended(grant: Petition.Extension)
    case answered(answer: Petition.Answer, reviewBy: PlanDay)
    case reviewRequested(review: Petition.Review)
    case reviewAnswered(answer: Petition.Answer)
    case closed(day: PlanDay)
    case repeatLinked(id: Int64)
    case marked(mark: ClockMark)

    public var action: String {
        switch self {
        case .registered: "registered"
        case .decided(let d): d.accepted ? "accepted" : "declined"
        case .extended: "extended"
        case .answered: "answered"
        case .reviewRequested: "review_requested"
        case .reviewAnswered: "review_answered"
        case .closed: "closed"
        case .repeatLinked: "repeat_linked"
        case .marked(let m): m.state == .overdue ? "overdue" : "warned"
        }
    }
}

extension Petition {
    /// The state after `event`. Pure: the event says everything.
    public func applying(_ event: PetitionEvent) -> Petition {
        var p = self
        switch event {
        case .registered(let new): p = new
        case .decided(let d):
            p.decision = d
            p.status = d.accepted ? .accepted : .declined
        case .extended(let e): p.extended = e
        case .answered(let a, let reviewBy):
            p.answer = a
            p.reviewBy = reviewBy
            p.status = .answered
        case .reviewRequested(let r):
            p.review = r
            p.status = .reviewing
            p.closedOn = nil
        case .reviewAnswered(let a):
            p.review?.answer = a
            p.status = .reviewed
        case .closed(let day):
            p.closedOn = day
            p.status = .closed
        case .repeatLinked(let id): p.repeats.append(id)
        case .marked(let m): p.marks.append(m)
        }
        return p
    }

    /// Replays a petition's events from the first.
    public static func replay(_ events: [PetitionEvent]) throws(CentreError) -> Petition {
        guard case .registered(let first)? = events.first else { throw .conflict("a petition's first event must be its registration") }
        return events.dropFirst().reduce(first) { $0.applying($1) }
    }
}
