import Foundation
import GongzhiCore
import GongzhiStore

/// Loads the demo's disputes and petitions through the centre's own commands, once, with
/// histories spread over the last two months: some mediated and agreed in their community, some
/// escalated to the street, petitions at every step, two of them left undecided past their 15
/// days so the ledger and the cockpit show an overdue clock, and a backlog campaign.
public struct DemoCentre {
    struct File: Decodable {
        struct PartyRow: Decodable { var name: String; var kind: String; var role: String; var phone: String? }
        struct DisputeRow: Decodable {
            var type: String; var summary: String; var channel: String; var community: String; var risk: String
            var amount_yuan: Int64?; var parties: [PartyRow]; var outcome: String; var agreement: String?; var referral: String?
            var escalate: Bool
        }
        struct PetitionRow: Decodable {
            var title: String; var content: String; var form: String; var community: String; var people: Int
            var petitioners: [PartyRow]; var stage: String; var unit: String?; var answer: String?; var decline_reason: String?; var risk: Bool
        }
        struct RiskRow: Decodable { var matter: String; var people: Int; var unit: String; var level: String; var street: String; var note: String? }
        var disputes: [DisputeRow]
        var petitions: [PetitionRow]
        var risks: [RiskRow]
    }

    let centre: any CentreStore
    let context: CentreContext

    public init(centre: any CentreStore, context: CentreContext) {
        self.centre = centre
        self.context = context
    }

    static func party(_ r: File.PartyRow) -> Party {
        Party(name: r.name, kind: Party.Kind(rawValue: r.kind) ?? .person, role: Party.Role(rawValue: r.role) ?? .applicant, phone: r.phone)
    }

    /// Adds the demo unless the centre holds anything; returns (disputes, petitions) added.
    @discardableResult
    public func loadIfEmpty(now: Date, seed: UInt64 = 330105) async throws -> (disputes: Int, petitions: Int) {
        guard try await centre.disputes(MatterQuery(limit: 1), scope: .all, at: now).isEmpty,
              try await centre.petitions(MatterQuery(limit: 1), scope: .all, at: now).isEmpty else { return (0, 0) }
        let file = try JSONDecoder().decode(File.self, from: try DemoCentreData.data())
        let desk = Principal(kind: .user, id: "system:demo", role: .dispatcher, unit: ReferenceData.districtCode)
        var rng = SeededGenerator(seed: seed)
        let day = 86_400.0
        var risks: [Int64] = []
        for r in file.risks {
            let entry = RiskEntry(id: 0, matter: r.matter, people: r.people, unit: r.unit, level: RiskLevel(rawValue: r.level) ?? .medium,
                                  street: r.street, note: r.note, createdAt: 0)
            risks.append(try await centre.addRisk(entry, by: desk, at: now.addingTimeInterval(-50 * day)).id)
        }
        for (i, r) in file.disputes.enumerated() {
            let at = now.addingTimeInterval(-Double.random(in: 3...55, using: &rng) * day)
            let draft = DisputeDraft(type: r.type, summary: r.summary, channel: Dispute.Channel(rawValue: r.channel) ?? .window,
                                     parties: r.parties.map(Self.party), amountFen: r.amount_yuan.map { $0 * 100 },
                                     risk: RiskLevel(rawValue: r.risk) ?? .low, street: String(r.community.prefix(9)), community: r.community)
            var d = try await centre.registerDispute(draft, by: desk, context: context, at: at)
            let session = at.addingTimeInterval(day)
            d = try await centre.act(onDispute: d.id, .session(day: PlanDays.of(session), mediator: "调解员\(i % 7 + 1)",
                                                               present: Array(d.parties.indices), note: "双方到场，听取陈述，释法说理。"),
                                     by: desk, scope: .all, context: context, at: session)
            if r.escalate, d.level.next != nil {
                d = try await centre.act(onDispute: d.id, .escalate(reason: "涉及多方，社区调解未果，提请街道调委会", committee: nil), by: desk,
                                         scope: .all, context: context, at: at.addingTimeInterval(2 * day))
            }
            let end = at.addingTimeInterval(Double.random(in: 3...20, using: &rng) * day)
            guard end < now else { continue }
            let command: DisputeCommand? = switch r.outcome {
            case "agreed": .agree(agreement: r.agreement ?? "达成调解协议", note: nil)
            case "partial": .partial(agreement: r.agreement ?? "部分达成", note: nil)
            case "referred": .refer(to: Dispute.Referral(rawValue: r.referral ?? "") ?? .litigation, note: "调解不成，告知当事人其他途径")
            default: nil
            }
            if let command { _ = try await centre.act(onDispute: d.id, command, by: desk, scope: .all, context: context, at: end) }
        }
        var backlog: [(id: Int64, unit: String)] = []
        for (i, r) in file.petitions.enumerated() {
            // Two undecided petitions are older than 15 days: overdue on the ledger.
            let age = r.stage != "registered" ? Double.random(in: 25...58, using: &rng)
                : i % 4 == 0 ? 20.0 : Double.random(in: 1...10, using: &rng)
            let at = now.addingTimeInterval(-age * day)
            let draft = PetitionDraft(title: r.title, content: r.content, form: Petition.Form(rawValue: r.form) ?? .visit,
                                      petitioners: r.petitioners.map(Self.party), people: r.people, street: String(r.community.prefix(9)),
                                      community: r.community, risk: r.risk ? risks.first : nil)
            let p = try await centre.registerPetition(draft, by: desk, scope: .all, context: context, at: at)
            guard r.stage != "registered" else { continue }
            var steps: [(PetitionCommand, Double)] = []
            if r.stage == "declined" {
                steps.append((.decide(accept: false, unit: nil, notice: "书面告知", reason: r.decline_reason ?? "不属于信访受理范围"), 6))
            } else {
                steps.append((.decide(accept: true, unit: r.unit ?? String(r.community.prefix(9)), notice: "书面告知", reason: nil), 5))
                if r.stage == "answered" || r.stage == "closed" { steps.append((.answer(text: r.answer ?? "已答复信访人。"), 18)) }
                if r.stage == "closed" { steps.append((.close, 21)) }
            }
            for (command, after) in steps {
                _ = try await centre.act(onPetition: p.id, command, by: desk, scope: .all, context: context, at: at.addingTimeInterval(after * day))
            }
            if r.stage == "accepted" || r.stage == "answered" { backlog.append((p.id, r.unit ?? String(r.community.prefix(9)))) }
        }
        if !backlog.isEmpty {
            let c = try await centre.createCampaign(name: "书记领衔信访积案清零", start: PlanDays.of(now) - 30, end: PlanDays.of(now) + 60,
                                                    by: desk, at: now)
            let leaders = ["区委副书记", "区政府副区长", "区委政法委书记"]
            let items = backlog.enumerated().map { i, b in
                Campaign.Item(petition: b.id, leader: leaders[i % leaders.count], unit: b.unit,
                              target: PlanDays.of(now) + Int64(10 + i * 3))
            }
            _ = try await centre.addItems(items, to: c.id, by: desk, scope: .all, at: now)
        }
        return (file.disputes.count, file.petitions.count)
    }
}
