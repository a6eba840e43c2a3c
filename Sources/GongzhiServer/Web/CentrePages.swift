import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The dispute and petition centre's pages: the window (一站式接收) that registers a dispute or a
/// petition with its parties, the mediators' worklist, the petition ledger with its clocks, and
/// the backlog campaign board. Each step is a form posted to the same store calls as the API.
extension WebRoutes {
    static let centreRoles: Set<Role> = [.dispatcher, .handler, .supervisor, .leader, .gridWorker, .auditor]

    var centreAPI: CentreController {
        CentreController(centre: services.store.centre, cases: services.context, rules: services.mediationRules, clock: services.clock,
                         names: { services.name($0) })
    }

    func registerCentrePages(on router: Router<AppRequestContext>) {
        let roles = Self.centreRoles
        router.get("/centre") { request, _ in try await page(request, roles: roles) { try await windowPage(request, $0, $1) } }
        router.post("/centre/disputes") { request, _ in try await page(request, roles: roles) { try await postDispute(request, $0, $1) } }
        router.post("/centre/petitions") { request, _ in try await page(request, roles: roles) { try await postPetition(request, $0, $1) } }
        router.get("/centre/disputes") { request, _ in try await page(request, roles: roles) { try await disputesPage(request, $0, $1) } }
        router.get("/centre/disputes/{id}") { request, context in
            try await page(request, roles: roles) { try await disputePage(request, try CentreController.id(context), $0, $1) }
        }
        router.post("/centre/disputes/{id}/{step}") { request, context in
            try await page(request, roles: roles) {
                try await disputeStep(request, try CentreController.id(context), context.parameters.get("step") ?? "", $0, $1)
            }
        }
        router.get("/centre/petitions") { request, _ in try await page(request, roles: roles) { try await petitionsPage(request, $0, $1) } }
        router.get("/centre/petitions/{id}") { request, context in
            try await page(request, roles: roles) { try await petitionPage(request, try CentreController.id(context), $0, $1) }
        }
        router.post("/centre/petitions/{id}/{step}") { request, context in
            try await page(request, roles: roles) {
                try await petitionStep(request, try CentreController.id(context), context.parameters.get("step") ?? "", $0, $1)
            }
        }
        router.get("/centre/campaigns") { request, _ in try await page(request, roles: roles) { try await campaignsPage(request, $0, $1) } }
        router.post("/centre/campaigns") { request, _ in try await page(request, roles: roles) { try await postCampaign(request, $0, $1) } }
        router.get("/centre/campaigns/{id}") { request, context in
            try await page(request, roles: roles) { try await campaignPage(request, try CentreController.id(context), $0, $1) }
        }
        router.post("/centre/campaigns/{id}/items") { request, context in
            try await page(request, roles: roles) { try await postItems(request, try CentreController.id(context), $0, $1) }
        }
    }

    func centreHTML(_ s: WebSession, _ lang: Lang) -> CentreHTML {
        CentreHTML(texts: pages.texts.table(lang), rules: services.mediationRules, now: services.clock.now(), name: { services.name($0) },
                   csrf: s.session.csrf ?? "", lang: lang)
    }

    func centrePage(_ request: Request, _ s: WebSession, _ lang: Lang, title: String, section: String, body: String,
                    error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var values = base(request, s, lang, title: title)
        values["heading"] = title
        values["subnav"] = centreHTML(s, lang).subnav(section)
        values["body"] = body
        if let error { values["error"] = error }
        return pages.render("centre", values, status: status)
    }

    /// A refused step shown on the page it came from, with the reason (and the field) in words.
    func refusal(_ error: Error) -> (String, HTTPResponse.Status)? {
        guard let api = APIError.from(error), api.status.code < 500 else { return nil }
        return (api.field.map { "\(api.message) (\($0))" } ?? api.message, api.status)
    }

    // MARK: The window

    func communityOptions() -> [(String, String)] {
        let units = services.context.current.units
        var out: [(String, String)] = [("", "—")]
        for street in units.children(of: ReferenceData.districtCode) where street.areaCode?.count == 9 {
            out.append((street.areaCode!, street.name))
            for c in units.children(of: street.code) where c.areaCode?.count == 12 {
                out.append((c.areaCode!, street.name + " · " + c.name))
            }
        }
        return out
    }

    func windowPage(_ request: Request, _ s: WebSession, _ lang: Lang, error: String? = nil,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), role = s.session.principal.role
        var body = "<p>\(h.word("centre_window_hint"))</p>"
        let places = communityOptions()
        if CentreAccess.registersDisputes(role) {
            var f = h.select("type", services.mediationRules.types.map { ($0.code, $0.name) }, label: "dispute_type")
            f += h.select("channel", Dispute.Channel.allCases.map { ($0.rawValue, h.texts["channel_" + $0.rawValue] ?? $0.rawValue) },
                          label: "channel")
            f += h.select("place", places, label: "centre_place", required: false)
            f += h.select("risk", RiskLevel.allCases.map { ($0.rawValue, h.texts["risk_" + $0.rawValue] ?? $0.rawValue) }, label: "risk")
            f += h.field("amount_yuan", label: "amount_yuan", max: 20)
            f += h.textarea("summary", label: "dispute_summary") + h.partyRows()
            body += h.form("/centre/disputes", "register-dispute", legend: "centre_register_dispute", f, button: "centre_register")
        }
        if CentreAccess.registersPetitions(role) {
            var f = h.field("title", label: "petition_title", required: true)
            f += h.select("form", Petition.Form.allCases.map { ($0.rawValue, h.texts["petition_form_" + $0.rawValue] ?? $0.rawValue) },
                          label: "petition_form")
            f += h.select("place", places, label: "centre_place", required: false)
            f += h.field("people", label: "petition_people", type: "number") + h.field("repeat_of", label: "petition_repeat_of", type: "number")
            f += h.textarea("content", label: "petition_content") + h.partyRows([.applicant, .other, .other, .other])
            body += h.form("/centre/petitions", "register-petition", legend: "centre_register_petition", f, button: "centre_register")
        }
        return centrePage(request, s, lang, title: pages.text("centre_window", lang), section: "/centre", body: body, error: error, status: status)
    }

    /// The parties of a window form (`party_name_N` …), skipping empty rows.
    static func formParties(_ form: [String: String]) -> [CentreDTO.PartyDTO] {
        (0..<4).compactMap { i in
            guard let name = form["party_name_\(i)"], !name.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            var p = CentreDTO.PartyDTO(Party(name: name), reveal: true)
            p.kind = form["party_kind_\(i)"]
            p.role = form["party_role_\(i)"]
            p.phone = form["party_phone_\(i)"].flatMap { $0.isEmpty ? nil : $0 }
            return p
        }
    }

    /// A place picked from the list: a street code, or a community code with its street.
    static func place(_ form: [String: String]) -> (street: String?, community: String?) {
        guard let code = form["place"], !code.isEmpty else { return (nil, nil) }
        return code.count == 12 ? (String(code.prefix(9)), code) : (code, nil)
    }

    /// Yuan as typed (`1200`, `1200.5`) in fen, exactly: never through floating point.
    static func fen(_ text: String?) throws -> Int64? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), whole >= 0, whole < 1_000_000_000_000,
              parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isASCII) && Int64(parts[1]) != nil else {
            throw CentreError.bad("amount_yuan", "the amount is in yuan, with at most two decimals (e.g. 1200.50)")
        }
        let cents = parts.count == 2 ? Int64(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0
        return whole * 100 + cents
    }

    func postDispute(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        let (street, community) = Self.place(form)
        do {
            let body = CentreBodies.Dispute(type: form["type"], summary: form["summary"], channel: form["channel"], parties: Self.formParties(form),
                                            amount_fen: try Self.fen(form["amount_yuan"]), risk: form["risk"], street: street, community: community)
            let d = try await centreAPI.register(body, by: s.session.principal)
            return Pages.redirect("/centre/disputes/\(d.id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await windowPage(request, s, lang, error: message, status: status)
        }
    }

    func postPetition(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        let (street, community) = Self.place(form)
        do {
            func number<T: FixedWidthInteger>(_ field: String) throws -> T? {
                guard let t = form[field], !t.isEmpty else { return nil }
                guard let n = T(t) else { throw CentreError.bad(field, "\(field) must be a whole number", code: "wrong_type") }
                return n
            }
            let body = CentreBodies.Petition(title: form["title"], content: form["content"], form: form["form"],
                                             petitioners: Self.formParties(form), people: try number("people"), street: street,
                                             community: community, repeat_of: try number("repeat_of"), risk: nil)
            let x = try await centreAPI.register(body, by: s.session.principal)
            return Pages.redirect("/centre/petitions/\(x.id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await windowPage(request, s, lang, error: message, status: status)
        }
    }
}
