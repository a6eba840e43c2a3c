import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The enterprise service's pages (亲清在线): the registry a viewer sees (a commissioner's own
/// enterprises first), registering an enterprise, an enterprise with its commissioners and its
/// visit log, and the forms to log a visit and to assign commissioners. The forms post to the
/// same controller calls as the API; the contact person stays masked here.
extension WebRoutes {
    static let enterpriseRoles: Set<Role> = [.dispatcher, .handler, .supervisor, .leader]

    var enterpriseAPI: EnterpriseController {
        EnterpriseController(enterprises: services.store.enterprises, accounts: services.accounts, cases: services.context,
                             catalogue: services.enterpriseCatalogue, clock: services.clock)
    }

    var difficultyAPI: DifficultyController {
        DifficultyController(enterprises: services.store.enterprises, cases: services.store, intake: services.intake, context: services.context,
                             catalogue: services.enterpriseCatalogue)
    }

    func registerEnterprisePages(on router: Router<AppRequestContext>) {
        let roles = Self.enterpriseRoles
        router.get("/enterprises") { request, _ in try await page(request, roles: roles) { try await enterprisesPage(request, $0, $1) } }
        router.post("/enterprises") { request, _ in try await page(request, roles: roles) { try await postEnterprise(request, $0, $1) } }
        router.get("/enterprises/{code}") { request, context in
            try await page(request, roles: roles) { try await enterprisePage(request, try EnterpriseController.code(context), $0, $1) }
        }
        router.post("/enterprises/{code}/visits") { request, context in
            try await page(request, roles: roles) { try await postVisit(request, try EnterpriseController.code(context), $0, $1) }
        }
        router.post("/enterprises/{code}/difficulties") { request, context in
            try await page(request, roles: roles) { try await postDifficulty(request, try EnterpriseController.code(context), $0, $1) }
        }
        router.post("/enterprises/{code}/commissioners") { request, context in
            try await page(request, roles: roles) { try await postCommissioners(request, try EnterpriseController.code(context), $0, $1) }
        }
    }

    /// The commissioners as the assignment form takes them: usernames, comma-separated.
    static func usernames(_ e: Enterprise) -> String {
        e.commissioners.map { $0.hasPrefix("user:") ? String($0.dropFirst(5)) : $0 }.joined(separator: ", ")
    }

    func enterprisePageHTML(_ request: Request, _ s: WebSession, _ lang: Lang, title: String, body: String, error: String? = nil,
                            status: HTTPResponse.Status = .ok) -> Response {
        var values = base(request, s, lang, title: title)
        values["heading"] = title
        values["body"] = body
        if let error { values["error"] = error }
        return pages.render("centre", values, status: status)
    }

    func enterprisesPage(_ request: Request, _ s: WebSession, _ lang: Lang, error: String? = nil,
                         status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, api = enterpriseAPI
        let params = request.uri.queryParameters
        let q = try api.query(params, by: p)
        let list = try await services.store.enterprises.enterprises(q, for: try api.viewer(p))
        let mine = q.commissioner != nil
        var body = "<p>\(h.word("enterprise_hint"))</p><p><a href=\"/enterprises\(mine ? "" : "?mine=true")\">"
            + "\(h.word(mine ? "enterprise_all" : "enterprise_mine"))</a></p>"
        body += h.tableHead("enterprises", ["enterprise_code", "enterprise_name", "street", "enterprise_industry", "enterprise_commissioners"]
            .map { h.word($0) })
        for e in list {
            body += "<tr><td><a href=\"/enterprises/\(h.esc(e.code))\">\(h.esc(e.code))</a></td><td>\(h.esc(e.name))</td>"
                + "<td>\(h.place(e.street))</td><td>\(h.esc(services.enterpriseCatalogue.industry(e.industry)?.name ?? e.industry))</td>"
                + "<td>\(h.esc(Self.usernames(e)))</td></tr>"
        }
        body += "</tbody></table>"
        if list.isEmpty { body += "<p class=\"empty\">\(h.word("enterprise_none"))</p>" }
        if EnterpriseAccess.registers(p.role) {
            let streets = services.context.current.units.children(of: ReferenceData.districtCode).filter { $0.kind == .street }
                .map { ($0.code, $0.name) }
            var f = h.field("credit_code", label: "enterprise_code", required: true, max: 40)
            f += h.field("name", label: "enterprise_name", required: true, max: 100)
            f += h.field("address", label: "enterprise_address", required: true)
            f += h.select("street", streets, label: "street")
            let industries = services.enterpriseCatalogue.industries.map { ($0.code, "\($0.code) \($0.name)") }
            f += h.select("industry", industries, label: "enterprise_industry")
            f += h.field("contact_name", label: "enterprise_contact_name", max: 40)
            f += h.field("contact_phone", label: "enterprise_contact_phone", max: 30)
            body += h.form("/enterprises", "register-enterprise", legend: "enterprise_register", f, button: "enterprise_register")
        }
        return enterprisePageHTML(request, s, lang, title: pages.text("nav_enterprises", lang), body: body, error: error, status: status)
    }

    func enterprisePage(_ request: Request, _ code: String, _ s: WebSession, _ lang: Lang, error: String? = nil,
                        status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, catalogue = services.enterpriseCatalogue
        let e = try await enterpriseAPI.enterprise(code, by: p, reveal: nil, reason: nil)
        let visits = try await services.store.enterprises.visits(of: code, for: try enterpriseAPI.viewer(p))
        var body = "<dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("enterprise_code", h.esc(e.code)), ("enterprise_address", h.esc(e.address)), ("street", h.place(e.street)),
            ("enterprise_industry", h.esc(catalogue.industry(e.industry)?.name ?? e.industry)),
            ("enterprise_contact_name", h.esc(e.contactName ?? "—")), ("enterprise_contact_phone", h.esc(e.contactPhone ?? "—")),
            ("enterprise_commissioners", h.esc(e.commissioners.isEmpty ? "—" : e.commissioners.joined(separator: ", "))),
        ]
        for (key, value) in facts { body += "<dt>\(h.word(key))</dt><dd>\(value)</dd>" }
        body += "</dl><h2>\(h.word("enterprise_visits"))</h2>"
        body += h.tableHead("visits", ["enterprise_visit_day", "enterprise_commissioner", "enterprise_difficulties", "enterprise_visit_note"]
            .map { h.word($0) })
        for v in visits {
            let raised = v.difficulties.map { catalogue.difficulty($0)?.name ?? $0 }.joined(separator: "、")
            body += "<tr><td>\(PlanDays.text(v.day))</td><td>\(h.esc(v.commissioner))</td><td>\(h.esc(raised.isEmpty ? "—" : raised))</td>"
                + "<td>\(h.esc(v.note))</td></tr>"
        }
        body += "</tbody></table>" + (try await difficultiesHTML(code, e, h, p))
        if EnterpriseAccess.logsVisits(p, on: e) {
            let today = PlanDays.text(PlanDays.of(services.clock.now()))
            var f = h.field("day", label: "enterprise_visit_day", type: "date", value: today, required: true)
            f += "<fieldset><legend>\(h.word("enterprise_difficulties"))</legend>" + catalogue.difficulties.map {
                "<label><input type=\"checkbox\" name=\"difficulty_\(h.esc($0.code))\" value=\"1\"> \(h.esc($0.name))</label>"
            }.joined() + "</fieldset>"
            f += h.textarea("note", label: "enterprise_visit_note", max: 2_000)
            body += h.form("/enterprises/\(e.code)/visits", "log-visit", legend: "enterprise_log_visit", f, button: "enterprise_log_visit")
        }
        if EnterpriseAccess.assigns(p.role) {
            let current = Self.usernames(e)
            let f = h.field("commissioners", label: "enterprise_commissioner_usernames", value: current, max: 1_000)
            body += h.form("/enterprises/\(e.code)/commissioners", "assign-commissioners", legend: "enterprise_assign", f,
                           button: "enterprise_assign")
        }
        return enterprisePageHTML(request, s, lang, title: e.name, body: body, error: error, status: status)
    }

    /// The difficulties raised as cases: each case's tracking code (the enterprise's credential on
    /// the public status page), where it is, by when, and the enterprise's verdict; and, for its
    /// commissioners, the form to raise one.
    func difficultiesHTML(_ code: String, _ e: Enterprise, _ h: CentreHTML, _ p: Principal) async throws -> String {
        let api = difficultyAPI
        var body = "<h2>\(h.word("enterprise_raised"))</h2>" + h.tableHead("difficulties", ["enterprise_tracking_code", "enterprise_difficulties",
            "status", "enterprise_unit", "enterprise_due", "enterprise_verdict"].map { h.word($0) })
        let lang = h.lang
        for r in try await api.raised(code, by: p) {
            let d = api.dto(r)
            body += "<tr><td><a href=\"/status/\(h.esc(r.trackingCode))\">\(h.esc(r.trackingCode))</a></td>"
                + "<td>\(h.esc(d.difficulty_name ?? "—"))</td>"
                + "<td>\(h.esc(pages.texts.status(r.status, lang)))</td><td>\(h.place(r.unit))</td>"
                + "<td>\(r.dueAt.map { WebText.time($0, lang) } ?? "—")</td>"
                + "<td>\(r.satisfaction.map { h.word("satisfaction_" + $0.rawValue) } ?? "—")</td></tr>"
        }
        body += "</tbody></table>"
        guard EnterpriseAccess.logsVisits(p, on: e) else { return body }
        let options = services.enterpriseCatalogue.difficulties.map { d -> (String, String) in
            let unit = api.route(d)?.unit.flatMap { services.context.current.units[$0]?.name }
            return (d.code, unit.map { "\(d.name) → \($0)" } ?? d.name)
        }
        let f = h.select("difficulty", options, label: "enterprise_difficulties")
            + h.textarea("description", label: "enterprise_difficulty_text", max: 2_000)
        return body + h.form("/enterprises/\(e.code)/difficulties", "raise-difficulty", legend: "enterprise_raise", f, button: "enterprise_raise")
    }

    func postDifficulty(_ request: Request, _ code: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let body = DifficultyController.RaiseBody(difficulty: form["difficulty"], description: form["description"], key: nil)
            _ = try await difficultyAPI.raise(code, body, by: s.session.principal)
            return Pages.redirect("/enterprises/\(code)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await enterprisePage(request, code, s, lang, error: message, status: status)
        }
    }

    func postEnterprise(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let draft = Enterprise.Draft(code: form["credit_code"], name: form["name"], address: form["address"], street: form["street"],
                                         industry: form["industry"], contactName: form["contact_name"], contactPhone: form["contact_phone"])
            let e = try await enterpriseAPI.register(draft, by: s.session.principal)
            return Pages.redirect("/enterprises/\(e.code)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await enterprisesPage(request, s, lang, error: message, status: status)
        }
    }

    func postVisit(_ request: Request, _ code: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let raised = services.enterpriseCatalogue.difficulties.map(\.code).filter { form["difficulty_\($0)"] != nil }
            let body = EnterpriseController.VisitBody(day: form["day"], note: form["note"], difficulties: raised)
            _ = try await enterpriseAPI.logVisit(code, body, by: s.session.principal)
            return Pages.redirect("/enterprises/\(code)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await enterprisePage(request, code, s, lang, error: message, status: status)
        }
    }

    func postCommissioners(_ request: Request, _ code: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let names = (form["commissioners"] ?? "").split(whereSeparator: { $0 == "," || $0 == "，" || $0 == " " }).map(String.init)
            _ = try await enterpriseAPI.assign(code, usernames: names, by: s.session.principal)
            return Pages.redirect("/enterprises/\(code)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await enterprisePage(request, code, s, lang, error: message, status: status)
        }
    }
}
