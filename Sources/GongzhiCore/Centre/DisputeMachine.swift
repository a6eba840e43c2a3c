import Foundation

/// What the centre's window registers for a dispute: checked by `DisputeMachine.register`.
public struct DisputeDraft: Sendable, Hashable {
    public var type: String
    public var summary: String
    public var channel: Dispute.Channel
    public var parties: [Party]
    public var amountFen: Int64?
    public var risk: RiskLevel
    public var street: String?
    public var community: String?

    public init(type: String, summary: String, channel: Dispute.Channel, parties: [Party], amountFen: Int64? = nil,
                risk: RiskLevel = .low, street: String? = nil, community: String? = nil) {
        self.type = type
        self.summary = summary
        self.channel = channel
        self.parties = parties
        self.amountFen = amountFen
        self.risk = risk
        self.street = street
        self.community = community
    }
}

public enum DisputeCommand: Sendable, Hashable {
    case session(day: PlanDay, mediator: String, present: [Int], note: String)
    /// To the next level up, or to a sector committee at district level.
    case escalate(reason: String, committee: String?)
    case extend(days: Int, reason: String)
    case agree(agreement: String, note: String?)
    case partial(agreement: String, note: String?)
    case refer(to: Dispute.Referral, note: String)
    case honoured(Bool, note: String?)
}

public enum DisputeMachine {
    /// The largest extension at a time; each needs its reason.
    public static let maxExtensionDays = 30

    public static func register(_ draft: DisputeDraft, id: Int64, rules: MediationRules, units: OrgDirectory, at: Date,
                                calendar: WorkingCalendar) throws(CentreError) -> DisputeEvent {
        guard rules.type(draft.type) != nil else {
            throw CentreError.bad("type", "unknown dispute type '\(draft.type)'; one of: \(rules.types.map(\.code).joined(separator: ", "))",
                                  code: "unknown_value")
        }
        let summary = try CentreError.text(draft.summary, field: "summary", max: 5_000, shape: .multiline)
        let parties = try Party.validated(draft.parties)
        if let a = draft.amountFen, a < 0 || a > 100_000_000_000_000 {
            throw CentreError.bad("amount_fen", "amount_fen must be 0 to 10^14 fen", code: "out_of_range")
        }
        let route = rules.route(type: draft.type, amountFen: draft.amountFen, risk: draft.risk, parties: parties.count)
        // Where the area has no committee of its level (no community given), the level above takes it.
        var level = route.level
        if level == .community, draft.community.flatMap(units.unit(forArea:)) == nil { level = .street }
        if level == .street, draft.street.flatMap(units.unit(forArea:)) == nil { level = .district }
        let unit = rules.unit(level: level, committee: route.committee, street: draft.street, community: draft.community, units: units)
        let day = PlanDays.of(at)
        let d = Dispute(id: id, type: draft.type, summary: summary, channel: draft.channel, parties: parties, amountFen: draft.amountFen,
                        risk: draft.risk, street: draft.street, community: draft.community, registered: day,
                        registeredAt: Timestamp.millis(at), level: level, committee: route.committee, unit: unit,
                        routedBy: route.rule, status: .open,
                        due: StatutoryPeriod.lastDay(after: day, days: rules.limitDays, calendar: calendar),
                        sessions: [], escalations: [], extensions: [], outcome: nil, honoured: nil, marks: [])
        return .registered(dispute: d)
    }

    public static func decide(_ command: DisputeCommand, on d: Dispute, actor: String, rules: MediationRules, units: OrgDirectory,
                              at: Date, calendar: WorkingCalendar) throws(CentreError) -> DisputeEvent {
        let today = PlanDays.of(at)
        if case .honoured = command {} else {
            guard d.isOpen else { throw .conflict("dispute \(d.id) has ended (\(d.status.rawValue))") }
        }
        switch command {
        case .session(let day, let mediator, let present, let note):
            guard day <= today, day >= d.registered else {
                throw CentreError.bad("day", "a session is held between the registration and today", code: "out_of_range")
            }
            guard Set(present).count == present.count, present.allSatisfy({ d.parties.indices.contains($0) }) else {
                throw CentreError.bad("present", "present lists parties by their index (0–\(d.parties.count - 1)), each once")
            }
            return .sessionHeld(session: .init(day: day, mediator: try CentreError.text(mediator, field: "mediator", max: 100),
                                               present: present.sorted(),
                                               note: try CentreError.text(note, field: "note", max: 5_000, shape: .multiline),
                                               recordedBy: actor))
        case .escalate(let reason, let committee):
            let reason = try CentreError.text(reason, field: "reason", max: 2_000, shape: .multiline)
            let to: MediationLevel, sector: String?
            if let committee {
                guard rules.committee(committee) != nil else {
                    throw CentreError.bad("committee", "unknown committee '\(committee)'", code: "unknown_value")
                }
                guard committee != d.committee else { throw .conflict("the dispute is with that committee already") }
                (to, sector) = (.district, committee)
            } else {
                guard let next = d.level.next else { throw .conflict("the dispute is at district level already; name a sector committee") }
                (to, sector) = (next, next == .district ? rules.type(d.type)?.committee : nil)
            }
            let unit = rules.unit(level: to, committee: sector, street: d.street, community: d.community, units: units)
            return .escalated(escalation: .init(day: today, from: d.level, to: to, committee: sector, unit: unit, reason: reason))
        case .extend(let days, let reason):
            guard (1...maxExtensionDays).contains(days) else {
                throw CentreError.bad("days", "an extension is 1–\(maxExtensionDays) days", code: "out_of_range")
            }
            let reason = try CentreError.text(reason, field: "reason", max: 2_000, shape: .multiline)
            return .extended(grant: .init(day: today, days: days, reason: reason,
                                              due: StatutoryPeriod.lastDay(after: d.due, days: days, calendar: calendar)))
        case .agree(let agreement, let note), .partial(let agreement, let note):
            let partial = if case .partial = command { true } else { false }
            return .concluded(outcome: .init(status: partial ? .partial : .agreed, day: today, level: d.level,
                                             agreement: try CentreError.text(agreement, field: "agreement", max: 5_000, shape: .multiline),
                                             referral: nil,
                                             note: try CentreError.optionalText(note, field: "note", max: 2_000, shape: .multiline)))
        case .refer(let to, let note):
            return .concluded(outcome: .init(status: .referred, day: today, level: d.level, agreement: nil, referral: to,
                                             note: try CentreError.text(note, field: "note", max: 2_000, shape: .multiline)))
        case .honoured(let kept, let note):
            guard d.status == .agreed || d.status == .partial else { throw .conflict("only an agreement can be honoured or not") }
            return .honoured(honoured: .init(day: today, honoured: kept,
                                             note: try CentreError.optionalText(note, field: "note", max: 2_000, shape: .multiline)))
        }
    }
}
