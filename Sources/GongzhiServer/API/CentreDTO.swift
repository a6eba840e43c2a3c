import Foundation
import GongzhiCore
import GongzhiStore

/// The centre's records on the wire: days as `YYYY-MM-DD`, money in fen, each clock with its
/// state at the time of the answer, parties masked unless revealed.
enum CentreDTO {
    static func day(_ d: PlanDay?) -> String? { d.map(PlanDays.text) }

    struct PartyDTO: Codable {
        var name: String?
        var kind: String?
        var role: String?
        var phone: String?
        var id_number: String?

        init(_ p: Party, reveal: Bool) {
            let shown = reveal ? p : p.masked
            name = shown.name
            kind = p.kind.rawValue
            role = p.role.rawValue
            phone = shown.phone
            id_number = shown.idNumber
        }

        /// A party as a request names it; kind and role default to a person who applies.
        func party() throws -> Party {
            guard let k = Party.Kind(rawValue: kind ?? "person") else { throw CentreError.bad("kind", "kind must be person or organisation") }
            guard let r = Party.Role(rawValue: role ?? "applicant") else {
                throw CentreError.bad("role", "role must be applicant, respondent or other")
            }
            return Party(name: name ?? "", kind: k, role: r, phone: phone, idNumber: id_number)
        }
    }

    struct Clock: Encodable {
        var step: String
        var due: String
        var state: String
        var days_left: Int

        init?(_ step: String, _ due: PlanDay?, now: Date) {
            guard let due else { return nil }
            self.step = step
            self.due = PlanDays.text(due)
            state = ClockState.of(due, at: now).rawValue
            days_left = StatutoryPeriod.daysLeft(due, at: now)
        }
    }

    struct Step: Encodable {
        var seq: Int64
        var at: String
        var actor: String
        var action: String

        init(_ s: MatterStep) {
            seq = s.seq
            at = Timestamp.rfc3339(s.at)
            actor = s.actor
            action = s.action
        }
    }

    struct Dispute: Encodable {
        struct Session: Encodable { var day: String; var mediator: String; var present: [Int]; var note: String; var recorded_by: String }
        struct Escalation: Encodable {
            var day: String; var from: String; var to: String; var committee: String?; var unit: String; var reason: String
        }
        struct Extension: Encodable { var day: String; var days: Int; var reason: String; var due: String }
        struct Outcome: Encodable {
            var result: String; var day: String; var level: String; var agreement: String?; var referral: String?; var note: String?
        }
        struct Honoured: Encodable { var day: String; var honoured: Bool; var note: String? }

        var id: Int64
        var type: String
        var type_name: String?
        var summary: String
        var channel: String
        var parties: [PartyDTO]
        var parties_masked: Bool
        var amount_fen: Int64?
        var risk: String
        var street: String?
        var street_name: String?
        var community: String?
        var community_name: String?
        var registered: String
        var level: String
        var committee: String?
        var committee_name: String?
        var unit: String
        var unit_name: String?
        var routed_by: String?
        var status: String
        var clock: Clock?
        var sessions: [Session]
        var escalations: [Escalation]
        var extensions: [Extension]
        var outcome: Outcome?
        var honoured: Honoured?
        var history: [Step]?

        init(_ d: GongzhiCore.Dispute, rules: MediationRules, names: (String) -> String?, now: Date, reveal: Bool = false,
             history: [MatterStep]? = nil) {
            id = d.id
            type = d.type
            type_name = rules.type(d.type)?.name
            summary = d.summary
            channel = d.channel.rawValue
            parties = d.parties.map { PartyDTO($0, reveal: reveal) }
            parties_masked = !reveal
            amount_fen = d.amountFen
            risk = d.risk.rawValue
            street = d.street
            street_name = d.street.flatMap(names)
            community = d.community
            community_name = d.community.flatMap(names)
            registered = PlanDays.text(d.registered)
            level = d.level.rawValue
            committee = d.committee
            committee_name = d.committee.flatMap { rules.committee($0)?.name }
            unit = d.unit
            unit_name = names(d.unit)
            routed_by = d.routedBy
            status = d.status.rawValue
            clock = Clock("mediate", d.nextDue, now: now)
            sessions = d.sessions.map { .init(day: PlanDays.text($0.day), mediator: $0.mediator, present: $0.present, note: $0.note,
                                              recorded_by: $0.recordedBy) }
            escalations = d.escalations.map { .init(day: PlanDays.text($0.day), from: $0.from.rawValue, to: $0.to.rawValue,
                                                    committee: $0.committee, unit: $0.unit, reason: $0.reason) }
            extensions = d.extensions.map { .init(day: PlanDays.text($0.day), days: $0.days, reason: $0.reason, due: PlanDays.text($0.due)) }
            outcome = d.outcome.map { .init(result: $0.status.rawValue, day: PlanDays.text($0.day), level: $0.level.rawValue,
                                            agreement: $0.agreement, referral: $0.referral?.rawValue, note: $0.note) }
            honoured = d.honoured.map { .init(day: PlanDays.text($0.day), honoured: $0.honoured, note: $0.note) }
            self.history = history.map { $0.map(Step.init) }
        }
    }

    struct Petition: Encodable {
        struct Decision: Encodable {
            var accepted: Bool; var day: String; var unit: String?; var notice: String; var reason: String?; var handle_by: String?
        }
        struct Extension: Encodable {
            var days: Int; var reason: String; var notice: String; var approved_by: String; var day: String; var handle_by: String
        }
        struct Answer: Encodable { var day: String; var text: String }
        struct Review: Encodable { var requested: String; var due: String; var answer: Answer? }

        var id: Int64
        var title: String
        var content: String
        var form: String
        var petitioners: [PartyDTO]
        var petitioners_masked: Bool
        var people: Int
        var collective: Bool
        var street: String?
        var street_name: String?
        var community: String?
        var registered: String
        var office: String
        var unit: String
        var unit_name: String?
        var status: String
        var accept_by: String
        var clock: Clock?
        var decision: Decision?
        var `extension`: Extension?
        var answer: Answer?
        var review_by: String?
        var review: Review?
        var closed_on: String?
        var repeat_of: Int64?
        var repeats: [Int64]
        var cleared: Bool
        var risk: Int64?
        var history: [Step]?

        init(_ p: GongzhiCore.Petition, names: (String) -> String?, now: Date, reveal: Bool = false, history: [MatterStep]? = nil) {
            id = p.id
            title = p.title
            content = p.content
            form = p.form.rawValue
            petitioners = p.petitioners.map { PartyDTO($0, reveal: reveal) }
            petitioners_masked = !reveal
            people = p.people
            collective = p.collective
            street = p.street
            street_name = p.street.flatMap(names)
            community = p.community
            registered = PlanDays.text(p.registered)
            office = p.office
            unit = p.unit
            unit_name = names(p.unit)
            status = p.status.rawValue
            accept_by = PlanDays.text(p.acceptBy)
            let step = switch p.status {
            case .registered: "decide"
            case .reviewing: "review"
            default: "handle"
            }
            clock = Clock(step, p.nextDue, now: now)
            decision = p.decision.map { .init(accepted: $0.accepted, day: PlanDays.text($0.day), unit: $0.unit, notice: $0.notice,
                                              reason: $0.reason, handle_by: day($0.handleBy)) }
            self.extension = p.extended.map { .init(days: $0.days, reason: $0.reason, notice: $0.notice, approved_by: $0.approvedBy,
                                               day: PlanDays.text($0.day), handle_by: PlanDays.text($0.handleBy)) }
            answer = p.answer.map { .init(day: PlanDays.text($0.day), text: $0.text) }
            review_by = day(p.reviewBy)
            review = p.review.map { r in .init(requested: PlanDays.text(r.requested), due: PlanDays.text(r.due),
                                               answer: r.answer.map { .init(day: PlanDays.text($0.day), text: $0.text) }) }
            closed_on = day(p.closedOn)
            repeat_of = p.repeatOf
            repeats = p.repeats
            cleared = p.isCleared
            risk = p.risk
            self.history = history.map { $0.map(Step.init) }
        }
    }

    struct CampaignItem: Encodable {
        var petition: Int64
        var title: String?
        var leader: String
        var unit: String
        var unit_name: String?
        var target: String
        var status: String?
        var cleared: Bool
        var late: Bool
    }

    struct Tally: Encodable {
        var key: String
        var name: String?
        var total: Int
        var cleared: Int
        var late: Int
        var rate: Double

        init(_ t: CampaignTally, name: String?) {
            key = t.key
            self.name = name
            total = t.total
            cleared = t.cleared
            late = t.late
            rate = (t.rate * 10_000).rounded() / 10_000
        }
    }

    struct Campaign: Encodable {
        var id: Int64
        var name: String
        var start: String
        var end: String
        var items: [CampaignItem]?
        var by_leader: [Tally]?
        var by_unit: [Tally]?
        var total: Int?
        var cleared: Int?
        var rate: Double?
    }

    struct Risk: Encodable {
        var id: Int64
        var matter: String
        var people: Int
        var unit: String
        var unit_name: String?
        var level: String
        var street: String?
        var note: String?
        var created: String

        init(_ r: RiskEntry, names: (String) -> String?) {
            id = r.id
            matter = r.matter
            people = r.people
            unit = r.unit
            unit_name = names(r.unit)
            level = r.level.rawValue
            street = r.street
            note = r.note
            created = Timestamp.rfc3339(Timestamp.date(millis: r.createdAt))
        }
    }
}
