import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

extension WebRoutes {
    /// The petition ledger (信访台账): each petition with the clock of its pending step, overdue
    /// ones marked; repeats shown linked to the first petition on the matter.
    func petitionsPage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let h = centreHTML(s, lang), api = centreAPI, scope = api.scope(s.session.principal)
        let q = try listQuery(request, default: .open), now = h.now, centre = api.centre
        async let items = centre.petitions(q, scope: scope, at: now)
        async let counts = centre.counts(scope: scope, at: now)
        async let risks = centre.risks(scope: scope)
        let c = try await counts
        var body = "<p class=\"figures\"><span>\(h.word("open_cases")): <strong id=\"petitions-open\">\(c.openPetitions)</strong></span> "
        body += "<span class=\"late\">\(h.word("overdue")): <strong id=\"petitions-overdue\">\(c.overduePetitions)</strong></span> "
        body += "<span class=\"late\">\(h.word("petition_undecided_overdue")): <strong>\(c.undecidedOverdue)</strong></span> "
        body += "<span>\(h.word("petition_collective")): <strong>\(c.collectiveOpen)</strong></span></p>"
        body += stateFilter(h, "/centre/petitions", current: q.state, states: [.open, .overdue, .undecided, .closed, .all])
        body += "<p><a href=\"/api/v1/petitions?format=csv&amp;state=\(q.state.rawValue)\" download>\(h.word("export_csv"))</a></p>"
        body += h.tableHead("petitions", ["#", h.word("petition_title"), h.word("petition_people"), h.word("centre_place"), h.word("centre_unit"),
                                          h.word("status"), h.word("due")])
        let list = try await items
        for x in list {
            var title = h.esc(x.title)
            if x.collective { title += " <span class=\"badge\">\(h.word("petition_collective"))</span>" }
            if let r = x.repeatOf { title += " <small>\(h.word("petition_repeat_of")) <a href=\"/centre/petitions/\(r)\">#\(r)</a></small>" }
            if !x.repeats.isEmpty { title += " <small>+\(x.repeats.count) \(h.word("petition_repeats"))</small>" }
            body += "<tr data-id=\"\(x.id)\"><td><a href=\"/centre/petitions/\(x.id)\">\(x.id)</a></td><td>\(title)</td><td>\(x.people)</td>"
            body += "<td>\(h.place(x.community ?? x.street))</td><td>\(h.place(x.unit))</td>"
            body += "<td>\(h.word("petition_status_" + x.status.rawValue))</td>"
            body += "<td>\(h.clock(x.nextDue))</td></tr>"
        }
        body += "</tbody></table>" + (list.isEmpty ? "<p>\(h.word("no_data"))</p>" : "")
        if let next = list.last?.id, list.count == q.limit {
            body += "<p><a href=\"/centre/petitions?state=\(q.state.rawValue)&amp;before=\(next)\">\(h.word("next_page"))</a></p>"
        }
        let r = try await risks
        if !r.isEmpty {
            body += "<h2>\(h.word("risk_list"))</h2>"
            body += h.tableHead("risks", [h.word("risk_matter"), h.word("petition_people"), h.word("centre_unit"), h.word("risk")])
            body += r.map {
                "<tr><td>\(h.esc($0.matter))</td><td>\($0.people)</td><td>\(h.place($0.unit))</td>"
                    + "<td>\(h.word("risk_" + $0.level.rawValue))</td></tr>"
            }.joined() + "</tbody></table>"
        }
        return centrePage(request, s, lang, title: pages.text("centre_petitions", lang), section: "/centre/petitions", body: body)
    }

    func petitionPage(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang, error: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), api = centreAPI, p = s.session.principal, scope = api.scope(p)
        guard let x = try await api.centre.petition(id, scope: scope) else { throw StoreError.notFound("petition \(id)") }
        var body = "<dl class=\"facts\"><dt>\(h.word("status"))</dt><dd id=\"status\">\(h.word("petition_status_" + x.status.rawValue))</dd>"
        body += "<dt>\(h.word("due"))</dt><dd id=\"clock\">\(h.clock(x.nextDue))</dd>"
        body += "<dt>\(h.word("petition_registered"))</dt><dd>\(PlanDays.text(x.registered)) · \(h.word("petition_form_" + x.form.rawValue))</dd>"
        body += "<dt>\(h.word("petition_accept_by"))</dt><dd>\(PlanDays.text(x.acceptBy))</dd>"
        body += "<dt>\(h.word("centre_unit"))</dt><dd>\(h.place(x.unit))</dd>"
        let collective = x.collective ? " <span class=\"badge\">\(h.word("petition_collective"))</span>" : ""
        body += "<dt>\(h.word("petition_people"))</dt><dd>\(x.people)\(collective)</dd>"
        if let r = x.repeatOf { body += "<dt>\(h.word("petition_repeat_of"))</dt><dd><a href=\"/centre/petitions/\(r)\">#\(r)</a></dd>" }
        if !x.repeats.isEmpty {
            body += "<dt>\(h.word("petition_repeats"))</dt><dd>"
                + x.repeats.map { "<a href=\"/centre/petitions/\($0)\">#\($0)</a>" }.joined(separator: " ")
                + "</dd>"
        }
        if let e = x.extended { body += "<dt>\(h.word("centre_extend"))</dt><dd>+\(e.days) \(h.word("days")) · \(h.esc(e.reason))</dd>" }
        if let a = x.answer { body += "<dt>\(h.word("petition_answer"))</dt><dd>\(PlanDays.text(a.day)) · \(h.esc(a.text))</dd>" }
        if let by = x.reviewBy { body += "<dt>\(h.word("petition_review_by"))</dt><dd>\(PlanDays.text(by))</dd>" }
        body += "</dl><h2>\(h.esc(x.title))</h2><p class=\"summary\">\(h.esc(x.content))</p>" + h.parties(x.petitioners)
        let base = "/centre/petitions/\(x.id)/"
        let holds = (try? CentreAccess.acts(p, holder: x.unit, scope: scope)) != nil
        if holds, x.status == .registered {
            let units = services.context.current.units.all.filter { $0.kind != .community }.map { ($0.code, $0.name) }
            body += h.form(base + "decision", "step-decision", legend: "petition_decide",
                           h.select("accept", [("true", h.option("petition_", "accept")), ("false", h.option("petition_", "decline"))],
                                    label: "petition_decide")
                           + h.select("unit", [("", "—")] + units, label: "centre_unit", required: false)
                           + h.field("notice", label: "petition_notice", required: true, max: 500)
                           + h.textarea("reason", label: "reason", required: false),
                           button: "save")
        }
        if holds, x.status == .accepted {
            body += h.form(base + "answer", "step-answer", legend: "petition_answer", h.textarea("text", label: "petition_answer"), button: "save")
        }
        if CentreAccess.approvesExtensions(p.role), x.status == .accepted, x.extended == nil {
            body += h.form(base + "extend", "step-extend", legend: "centre_extend",
                           h.field("days", label: "days", type: "number", required: true) + h.textarea("reason", label: "reason")
                           + h.field("notice", label: "petition_notice", required: true, max: 500), button: "centre_extend")
        }
        if holds, [.answered, .closed].contains(x.status), x.review == nil, let by = x.reviewBy, !StatutoryPeriod.isOverdue(by, at: h.now) {
            body += h.form(base + "review", "step-review", legend: "petition_review", "", button: "petition_review")
        }
        if holds, x.status == .reviewing {
            body += h.form(base + "review-answer", "step-review-answer", legend: "petition_review_answer",
                           h.textarea("text", label: "petition_answer"), button: "save")
        }
        if holds, [.answered, .reviewed].contains(x.status) {
            body += h.form(base + "close", "step-close", legend: "petition_close", "", button: "petition_close")
        }
        body += h.history(try await api.centre.history(of: id))
        return centrePage(request, s, lang, title: "\(pages.text("centre_petition", lang)) #\(x.id)", section: "/centre/petitions", body: body,
                          error: error, status: status)
    }

    func petitionStep(_ request: Request, _ id: Int64, _ step: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        func opt(_ k: String) -> String? { form[k].flatMap { $0.isEmpty ? nil : $0 } }
        do {
            let b = CentreBodies.PetitionStep(accept: opt("accept").map { $0 == "true" }, unit: opt("unit"), notice: opt("notice"),
                                              reason: opt("reason"), days: opt("days").flatMap { Int($0) }, text: opt("text"))
            _ = try await centreAPI.act(step, onPetition: id, b, by: s.session.principal)
            return Pages.redirect("/centre/petitions/\(id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await petitionPage(request, id, s, lang, error: message, status: status)
        }
    }

    // MARK: Campaigns

    func campaignsPage(_ request: Request, _ s: WebSession, _ lang: Lang, error: String? = nil,
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang)
        let list = try await centreAPI.centre.campaigns()
        var body = "<ul class=\"plans\" id=\"campaigns\">" + list.map {
            "<li><a href=\"/centre/campaigns/\($0.id)\">\(h.esc($0.name))</a> "
                + "<small>\(PlanDays.text($0.start)) – \(PlanDays.text($0.end))</small></li>"
        }.joined() + "</ul>" + (list.isEmpty ? "<p>\(h.word("no_data"))</p>" : "")
        if CentreAccess.runsCampaigns(s.session.principal.role) {
            body += h.form("/centre/campaigns", "new-campaign", legend: "campaign_new",
                           h.field("name", label: "campaign_name", required: true)
                           + h.field("start", label: "campaign_start", type: "date", required: true)
                           + h.field("end", label: "campaign_end", type: "date", required: true), button: "save")
        }
        return centrePage(request, s, lang, title: pages.text("centre_campaigns", lang), section: "/centre/campaigns", body: body,
                          error: error, status: status)
    }

    func postCampaign(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let c = try await centreAPI.centre.createCampaign(name: form["name"] ?? "", start: try CentreBodies.day(form["start"], field: "start"),
                                                              end: try CentreBodies.day(form["end"], field: "end"), by: s.session.principal,
                                                              at: services.clock.now())
            return Pages.redirect("/centre/campaigns/\(c.id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await campaignsPage(request, s, lang, error: message, status: status)
        }
    }

    /// The campaign board (积案清零): clearance per leader and per unit, each item with its state.
    func campaignPage(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang, error: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), api = centreAPI
        guard let (c, petitions) = try await api.centre.campaign(id, scope: api.scope(s.session.principal)) else {
            throw StoreError.notFound("campaign \(id)")
        }
        let dto = api.board(c, petitions, now: h.now)
        var body = "<p class=\"figures\"><span>\(h.word("campaign_cleared")): "
        body += "<strong id=\"campaign-cleared\">\(dto.cleared ?? 0)/\(dto.total ?? 0)</strong>"
        body += " (\(h.percent(dto.rate)))</span> <small>\(PlanDays.text(c.start)) – \(PlanDays.text(c.end))</small></p>"
        body += "<p><a href=\"/api/v1/campaigns/\(id)?format=csv\" download>\(h.word("export_csv"))</a></p>"
        for (key, tallies) in [("campaign_by_leader", dto.by_leader ?? []), ("campaign_by_unit", dto.by_unit ?? [])] {
            body += "<h2>\(h.word(key))</h2>" + h.tableHead(key, ["", h.word("campaign_items"), h.word("campaign_cleared"), h.word("overdue"), "%"])
            body += tallies.map {
                "<tr><td>\(h.esc($0.name ?? $0.key))</td><td>\($0.total)</td><td>\($0.cleared)</td><td>\($0.late)</td>"
                    + "<td>\(h.percent($0.rate))</td></tr>"
            }.joined() + "</tbody></table>"
        }
        body += "<h2>\(h.word("campaign_items"))</h2>"
        body += h.tableHead("campaign-items", ["#", h.word("petition_title"), h.word("campaign_leader"), h.word("centre_unit"),
                                               h.word("campaign_target"), h.word("status")])
        for i in dto.items ?? [] {
            let state = i.cleared ? h.word("campaign_item_cleared") : i.late ? "<span class=\"clock overdue\">\(h.word("clock_overdue"))</span>"
                : h.word("petition_status_" + (i.status ?? "registered"))
            body += "<tr><td><a href=\"/centre/petitions/\(i.petition)\">\(i.petition)</a></td><td>\(h.esc(i.title))</td><td>\(h.esc(i.leader))</td>"
            body += "<td>\(h.esc(i.unit_name ?? i.unit))</td><td>\(i.target)</td><td>\(state)</td></tr>"
        }
        body += "</tbody></table>"
        if CentreAccess.runsCampaigns(s.session.principal.role) {
            body += h.form("/centre/campaigns/\(id)/items", "add-items", legend: "campaign_add",
                           "<p><small>\(h.word("campaign_sheet_hint"))</small></p>" + h.textarea("sheet", label: "campaign_sheet", max: 1_000_000),
                           button: "save")
        }
        return centrePage(request, s, lang, title: c.name, section: "/centre/campaigns", body: body, error: error, status: status)
    }

    /// Items pasted from a spreadsheet (columns petition, leader, unit, target), all or none.
    func postItems(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let api = centreAPI, p = s.session.principal
            let items = try CentreBodies.items(csv: form["sheet"] ?? "", units: services.context.current.units)
            _ = try await api.centre.addItems(items, to: id, by: p, scope: api.scope(p), at: services.clock.now())
            return Pages.redirect("/centre/campaigns/\(id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await campaignPage(request, id, s, lang, error: message, status: status)
        }
    }
}
