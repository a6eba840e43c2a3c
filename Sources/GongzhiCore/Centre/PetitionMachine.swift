import Foundation

/// What a petition's window registers: checked by `PetitionMachine.register`.
public struct PetitionDraft: Sendable, Hashable {
    public var title: String
    public var content: String
    public var form: Petition.Form
    public var petitioners: [Party]
    public var people: Int?
    public var street: String?
    public var community: String?
    public var repeatOf: Int64?
    public var risk: Int64?

    public init(title: String, content: String, form: Petition.Form, petitioners: [Party], people: Int? = nil, street: String? = nil,
                community: String? = nil, repeatOf: Int64? = nil, risk: Int64? = nil) {
        self.title = title
        self.content = content
        self.form = form
        self.petitioners = petitioners
        self.people = people
        self.street = street
        self.community = community
        self.repeatOf = repeatOf
        self.risk = risk
    }
}

/// The steps a petition can take, each checked against its state and the law's periods.
public enum PetitionCommand: Sendable, Hashable {
    /// 受理 or 不予受理, with how the petitioner was told; `unit` handles an accepted one.
    case decide(accept: Bool, unit: String?, notice: String, reason: String?)
    /// The one extension, at most 30 days, with the reason and how the petitioner was told.
    case extend(days: Int, reason: String, notice: String)
    /// 答复意见: the answer given to the petitioner.
    case answer(text: String)
    /// 复查申请, on the day it is made.
    case requestReview
    case answerReview(text: String)
    /// 办结: only once answered and with no review pending.
    case close
}

public enum PetitionMachine {
    public static let acceptDays = 15
    public static let handleDays = 60
    public static let maxExtensionDays = 30
    public static let reviewWindowDays = 30
    public static let reviewDays = 30

    /// The registration event of a new petition `id`. A repeat (`draft.repeatOf`, already
    /// resolved to the first petition on the matter) gets no clock: the first one's runs.
    public static func register(_ draft: PetitionDraft, id: Int64, office: String, at: Date,
                                calendar: WorkingCalendar) throws(CentreError) -> PetitionEvent {
        let title = try CentreError.text(draft.title, field: "title", max: 200)
        let content = try CentreError.text(draft.content, field: "content", max: 5_000, shape: .multiline)
        let parties = try Party.validated(draft.petitioners)
        let people = draft.people ?? parties.count
        guard (1...100_000).contains(people) else { throw CentreError.bad("people", "people must be 1–100000") }
        guard people >= parties.count else { throw CentreError.bad("people", "people cannot be fewer than the petitioners named") }
        let day = PlanDays.of(at)
        let p = Petition(id: id, title: title, content: content, form: draft.form, petitioners: parties, people: people,
                         street: draft.street, community: draft.community, registered: day, registeredAt: Timestamp.millis(at),
                         office: office, status: draft.repeatOf == nil ? .registered : .repeat,
                         acceptBy: StatutoryPeriod.lastDay(after: day, days: acceptDays, calendar: calendar),
                         decision: nil, extended: nil, answer: nil, reviewBy: nil, review: nil, closedOn: nil,
                         repeatOf: draft.repeatOf, repeats: [], risk: draft.risk, marks: [])
        return .registered(petition: p)
    }

    /// The event `command` makes of `p` at `at`, or why it cannot be taken. `actor` is recorded
    /// as the approver of an extension.
    public static func decide(_ command: PetitionCommand, on p: Petition, actor: String, at: Date,
                              calendar: WorkingCalendar) throws(CentreError) -> PetitionEvent {
        let today = PlanDays.of(at)
        switch command {
        case .decide(let accept, let unit, let notice, let reason):
            guard p.status == .registered else { throw .conflict("petition \(p.id) was decided on already (\(p.status.rawValue))") }
            let notice = try CentreError.text(notice, field: "notice", max: 500)
            let reason = try CentreError.optionalText(reason, field: "reason", max: 2_000, shape: .multiline)
            if accept {
                guard let unit, !unit.isEmpty else {
                    throw CentreError.bad("unit", "an accepted petition needs the unit that handles it", code: "required")
                }
                let due = StatutoryPeriod.lastDay(after: today, days: handleDays, calendar: calendar)
                return .decided(decision: .init(accepted: true, day: today, unit: unit, notice: notice, reason: reason, handleBy: due))
            }
            guard let reason else { throw CentreError.bad("reason", "say why the petition is not accepted", code: "required") }
            return .decided(decision: .init(accepted: false, day: today, unit: nil, notice: notice, reason: reason, handleBy: nil))
        case .extend(let days, let reason, let notice):
            guard p.status == .accepted, let due = p.decision?.handleBy else { throw .conflict("only a petition being handled can be extended") }
            guard p.extended == nil else { throw .conflict("petition \(p.id) was extended once already; the law allows one extension") }
            guard (1...maxExtensionDays).contains(days) else {
                throw CentreError.bad("days", "an extension is 1–\(maxExtensionDays) days", code: "out_of_range")
            }
            guard !StatutoryPeriod.isOverdue(due, at: at) else { throw .conflict("the handling period ran out; it can no longer be extended") }
            let reason = try CentreError.text(reason, field: "reason", max: 2_000, shape: .multiline)
            let notice = try CentreError.text(notice, field: "notice", max: 500)
            let end = StatutoryPeriod.lastDay(after: due, days: days, calendar: calendar)
            return .extended(grant: .init(days: days, reason: reason, notice: notice, approvedBy: actor, day: today, handleBy: end))
        case .answer(let text):
            guard p.status == .accepted else { throw .conflict("only a petition being handled can be answered") }
            let text = try CentreError.text(text, field: "text", max: 5_000, shape: .multiline)
            return .answered(answer: .init(day: today, text: text),
                             reviewBy: StatutoryPeriod.lastDay(after: today, days: reviewWindowDays, calendar: calendar))
        case .requestReview:
            guard [.answered, .closed].contains(p.status), p.review == nil, let last = p.reviewBy else {
                throw .conflict("a review can be asked for once, of an answered petition")
            }
            guard !StatutoryPeriod.isOverdue(last, at: at) else {
                throw .conflict("the 30 days to ask for a review ended on \(PlanDays.text(last))")
            }
            let due = StatutoryPeriod.lastDay(after: today, days: reviewDays, calendar: calendar)
            return .reviewRequested(review: .init(requested: today, due: due))
        case .answerReview(let text):
            guard p.status == .reviewing else { throw .conflict("no review is pending") }
            return .reviewAnswered(answer: .init(day: today, text: try CentreError.text(text, field: "text", max: 5_000, shape: .multiline)))
        case .close:
            guard [.answered, .reviewed].contains(p.status) else {
                throw .conflict("only an answered petition with no review pending can be closed")
            }
            return .closed(day: today)
        }
    }
}
