import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// The centre's request bodies and their checks. Every field is optional in the decoded body so
/// a missing one is refused by name (422 `required`), not as a decoding error.
enum CentreBodies {
    typealias AreaCheck = (_ street: String?, _ community: String?) throws -> Void

    struct Dispute: Decodable {
        var type: String?
        var summary: String?
        var channel: String?
        var parties: [CentreDTO.PartyDTO]?
        var amount_fen: Int64?
        var risk: String?
        var street: String?
        var community: String?
    }

    struct Petition: Decodable {
        var title: String?
        var content: String?
        var form: String?
        var petitioners: [CentreDTO.PartyDTO]?
        var people: Int?
        var street: String?
        var community: String?
        var repeat_of: Int64?
        var risk: Int64?
    }

    struct DisputeStep: Decodable {
        var day: String?
        var mediator: String?
        var present: [Int]?
        var note: String?
        var reason: String?
        var committee: String?
        var days: Int?
        var result: String?
        var agreement: String?
        var referral: String?
        var honoured: Bool?
    }

    struct PetitionStep: Decodable {
        var accept: Bool?
        var unit: String?
        var notice: String?
        var reason: String?
        var days: Int?
        var text: String?
    }

    struct NewCampaign: Decodable { var name: String?; var start: String?; var end: String? }
    struct Item: Decodable { var petition: Int64?; var leader: String?; var unit: String?; var target: String? }
    struct Items: Decodable { var items: [Item]? }
    struct Risk: Decodable {
        var matter: String?; var people: Int?; var unit: String?; var level: String?; var street: String?; var note: String?
    }

    static func required<T>(_ value: T?, _ field: String) throws -> T {
        guard let value else { throw CentreError.bad(field, "\(field) is required", code: "required") }
        return value
    }

    static func oneOf<E: RawRepresentable & CaseIterable>(_ text: String?, _ field: String, default d: E? = nil) throws -> E
    where E.RawValue == String {
        guard let text else {
            if let d { return d }
            throw CentreError.bad(field, "\(field) is required", code: "required")
        }
        guard let v = E(rawValue: text) else {
            throw CentreError.bad(field, "\(field) must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))", code: "unknown_value")
        }
        return v
    }

    /// A list's page by id: `after` (the last id of the previous page) and `limit`, each optional.
    static func paging(_ params: Parameters, maxLimit: Int) throws -> (after: Int64?, limit: Int?) {
        var after: Int64?, limit: Int?
        if let text = params.get("after") {
            guard let n = Int64(text), n >= 0 else { throw CentreError.bad("after", "after must be an id", code: "wrong_type") }
            after = n
        }
        if let text = params.get("limit") {
            guard let n = Int(text), (1...maxLimit).contains(n) else {
                throw CentreError.bad("limit", "limit must be 1–\(maxLimit)", code: "wrong_type")
            }
            limit = n
        }
        return (after, limit)
    }

    /// A unit, area or committee code: ASCII letters, digits and '-', at most 64 (nothing else can name one).
    static func code(_ text: String?, field: String) throws -> String? {
        guard let t = text else { return nil }
        guard (1...64).contains(t.utf8.count), t.utf8.allSatisfy({ $0 == 0x2D || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
            || (0x61...0x7A).contains($0) }) else {
            throw CentreError.bad(field, "\(field) must be a code of letters, digits and '-' (at most 64)", code: "unknown_value")
        }
        return t
    }

    static func day(_ text: String?, field: String) throws -> PlanDay {
        guard let t = text else { throw CentreError.bad(field, "\(field) is required", code: "required") }
        guard let d = PlanDays.parse(t), t.count == 10 else {
            throw CentreError.bad(field, "\(field) must be a date YYYY-MM-DD", code: "invalid_date")
        }
        return d
    }

    static func parties(_ list: [CentreDTO.PartyDTO]?, field: String) throws -> [Party] {
        try required(list, field).enumerated().map { i, p in
            do { return try p.party() } catch let CentreError.invalid(e) {
                throw CentreError.bad("\(field)[\(i)].\(e.field)", e.message, code: e.code)
            }
        }
    }

    static func dispute(_ b: Dispute, areas: AreaCheck) throws -> DisputeDraft {
        try areas(try code(b.street, field: "street"), try code(b.community, field: "community"))
        return DisputeDraft(type: try required(b.type, "type"), summary: try required(b.summary, "summary"),
                            channel: try oneOf(b.channel, "channel", default: .window), parties: try parties(b.parties, field: "parties"),
                            amountFen: b.amount_fen, risk: try oneOf(b.risk, "risk", default: .low), street: b.street, community: b.community)
    }

    static func petition(_ b: Petition, areas: AreaCheck) throws -> PetitionDraft {
        try areas(try code(b.street, field: "street"), try code(b.community, field: "community"))
        return PetitionDraft(title: try required(b.title, "title"), content: try required(b.content, "content"),
                             form: try oneOf(b.form, "form", default: .visit), petitioners: try parties(b.petitioners, field: "petitioners"),
                             people: b.people, street: b.street, community: b.community, repeatOf: b.repeat_of, risk: b.risk)
    }

    static func disputeCommand(_ step: String, _ b: DisputeStep) throws -> DisputeCommand {
        switch step {
        case "sessions":
            return .session(day: try day(b.day, field: "day"), mediator: try required(b.mediator, "mediator"), present: b.present ?? [],
                            note: try required(b.note, "note"))
        case "escalate": return .escalate(reason: try required(b.reason, "reason"), committee: try code(b.committee, field: "committee"))
        case "extend": return .extend(days: try required(b.days, "days"), reason: try required(b.reason, "reason"))
        case "outcome":
            switch try required(b.result, "result") {
            case "agreed": return .agree(agreement: try required(b.agreement, "agreement"), note: b.note)
            case "partial": return .partial(agreement: try required(b.agreement, "agreement"), note: b.note)
            case "referred": return .refer(to: try oneOf(b.referral, "referral"), note: try required(b.note, "note"))
            default: throw CentreError.bad("result", "result must be agreed, partial or referred", code: "unknown_value")
            }
        case "honoured": return .honoured(try required(b.honoured, "honoured"), note: b.note)
        default: throw StoreError.notFound("dispute step \(step)")
        }
    }

    static func petitionCommand(_ step: String, _ b: PetitionStep) throws -> PetitionCommand {
        switch step {
        case "decision":
            return .decide(accept: try required(b.accept, "accept"), unit: try code(b.unit, field: "unit"), notice: try required(b.notice, "notice"),
                           reason: b.reason)
        case "extend": return .extend(days: try required(b.days, "days"), reason: try required(b.reason, "reason"),
                                      notice: try required(b.notice, "notice"))
        case "answer": return .answer(text: try required(b.text, "text"))
        case "review": return .requestReview
        case "review-answer": return .answerReview(text: try required(b.text, "text"))
        case "close": return .close
        default: throw StoreError.notFound("petition step \(step)")
        }
    }

    static func items(_ b: Items) throws -> [Campaign.Item] {
        try required(b.items, "items").enumerated().map { i, item in
            Campaign.Item(petition: try required(item.petition, "items[\(i)].petition"), leader: try required(item.leader, "items[\(i)].leader"),
                          unit: try required(try code(item.unit, field: "items[\(i)].unit"), "items[\(i)].unit"),
                          target: try day(item.target, field: "items[\(i)].target"))
        }
    }

    /// A sheet with columns `petition`, `leader`, `unit` (code or full name) and `target`.
    static func items(csv text: String, units: OrgDirectory) throws -> [Campaign.Item] {
        let records: [[String: String]]
        do { records = try CSV.records(text) } catch { throw CentreError.bad("file", "the sheet cannot be read: \(error)") }
        return try records.enumerated().map { i, r in
            let row = "row \(i + 2)"
            guard let id = r["petition"].flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) else {
                throw CentreError.bad("petition", "\(row): petition must be a petition id", code: "wrong_type")
            }
            guard let unitText = r["unit"], let unit = units.code(of: unitText) else {
                throw CentreError.bad("unit", "\(row): unknown unit '\(r["unit"] ?? "")'", code: "unknown_value")
            }
            return Campaign.Item(petition: id, leader: r["leader"] ?? "", unit: unit, target: try day(r["target"], field: "target"))
        }
    }

    static func risk(_ b: Risk, areas: AreaCheck) throws -> RiskEntry {
        try areas(try code(b.street, field: "street"), nil)
        return RiskEntry(id: 0, matter: try required(b.matter, "matter"), people: try required(b.people, "people"),
                         unit: try required(try code(b.unit, field: "unit"), "unit"), level: try oneOf(b.level, "level", default: .medium),
                         street: b.street,
                         note: b.note, createdAt: 0)
    }
}

extension TextDecoding {
    /// A sheet's text, UTF-8 (with or without BOM) or GB18030 as Excel in China saves it.
    static func text(_ data: Data) throws -> String {
        do { return try decode(data).text } catch { throw CentreError.bad("file", "the sheet's encoding cannot be read: \(error)") }
    }
}
