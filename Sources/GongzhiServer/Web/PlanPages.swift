import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The work plan's pages (督查督办, 挂图作战): the plan with its pace bars and lights, the
/// projects' battle map, a project's milestone timeline with its blockers (and the form to
/// raise one), the printable weekly briefing (简报) and the CSV exports. Each is cut to the
/// viewer's scope and evaluated on one day: `as_of`, or today while the plan runs (its last
/// day once it has ended, so a past plan opens on its final state).
extension WebRoutes {
    func registerPlanPages(on router: Router<AppRequestContext>) {
        let readers = Self.caseReaders
        registerPlanEditPage(on: router)
        router.get("/plans") { request, _ in try await page(request, roles: readers) { try await plansPage(request, $0, $1) } }
        router.get("/plans/{id}") { request, context in
            try await page(request, roles: readers) { try await planPage(request, context.parameters.get("id") ?? "", $0, $1) }
        }
        router.get("/plans/{id}/map") { request, context in
            try await page(request, roles: readers) { try await battleMapPage(request, context.parameters.get("id") ?? "", $0, $1) }
        }
        router.get("/plans/{id}/briefing") { request, context in
            try await page(request, roles: readers) { try await briefingPage(request, context.parameters.get("id") ?? "", $0, $1) }
        }
        router.get("/plans/{id}/export/{table}") { request, context in
            try await page(request, roles: readers) { s, _ in
                try await planExport(request, context.parameters.get("id") ?? "", context.parameters.get("table") ?? "", s)
            }
        }
        router.get("/plans/{id}/projects/{project}") { request, context in
            try await page(request, roles: readers) { s, lang in
                try await projectPage(request, context.parameters.get("id") ?? "", context.parameters.get("project") ?? "", s, lang)
            }
        }
        registerPlanForms(on: router)
        router.post("/plans/{id}/projects/{project}/blockers") { request, context in
            try await page(request, roles: PlanController.reporters) { s, lang in
                try await raiseBlocker(request, context.parameters.get("id") ?? "", context.parameters.get("project") ?? "", s, lang)
            }
        }
    }

    var planController: PlanController { PlanController(reader: services.planReader, intake: services.intake, clock: services.clock) }

    /// The day a page evaluates: `as_of`, or today clamped to the plan's last day.
    func planDay(_ request: Request, _ stored: StoredPlan) throws -> PlanDay {
        if let text = request.uri.queryParameters.get("as_of") { return try PlanController.date(text, field: "as_of") }
        return min(PlanDays.of(services.clock.now()), stored.document.end)
    }

    func planHTML(_ view: PlanReader.View, _ lang: Lang) -> PlanHTML {
        let units = services.context.current.units
        return PlanHTML(texts: pages.texts.table(lang), lang: lang, view: view, unitName: { units[$0]?.name ?? $0 }, areaName: services.areaName)
    }

    func planView(_ request: Request, _ id: String, _ s: WebSession, _ lang: Lang) async throws -> (PlanHTML, StoredPlan) {
        let reader = services.planReader
        let stored = try await reader.stored(id)
        let view = try await reader.view(stored, scope: reader.scope(s.session.principal), at: try planDay(request, stored))
        return (planHTML(view, lang), stored)
    }

    /// The cockpit's plan tiles: each plan's tasks by light and its portfolio targets, on the
    /// plan's day, as the viewer's scope cuts them; nil when the viewer sees no plan.
    func planTiles(_ s: WebSession, _ lang: Lang) async throws -> String? {
        let reader = services.planReader
        var h = ""
        for summary in try await services.store.plans.plans() {
            let stored = try await reader.stored(summary.id)
            let view = try await reader.view(stored, scope: reader.scope(s.session.principal),
                                             at: min(PlanDays.of(services.clock.now()), stored.document.end))
            guard !view.document.goalAreas.isEmpty || !view.document.projects.isEmpty else { continue }
            let html = planHTML(view, lang)
            h += "<li class=\"tile plan-tile\"><a href=\"\(html.esc(html.href("")))\"><span class=\"label\">\(html.esc(summary.name))"
            h += " · \(html.word("plan_as_of")) \(html.day)</span></a><p>"
            h += [Light.red, .amber, .green].map { "\(html.light($0)) \(view.status.taskLights[$0] ?? 0)" }.joined(separator: " ") + "</p>"
            for t in view.document.portfolioTargets {
                guard let ps = view.status.portfolios[t.id] else { continue }
                let label = "\(html.percent(ps.share)) / \(html.percent(t.target.share))"
                h += "<p><small>\(html.esc(t.name))</small><br>\(html.paceBar(actual: ps.share, expected: t.target.share, label: label))</p>"
            }
            h += "<p><a href=\"\(html.esc(html.href("/map")))\">\(html.word("plan_map"))</a> · "
            h += "<a href=\"\(html.esc(html.href("/briefing")))\">\(html.word("plan_briefing"))</a></p></li>"
        }
        return h.isEmpty ? nil : "<ul class=\"plan-tiles\">\(h)</ul>"
    }

    func planValues(_ request: Request, _ s: WebSession, _ lang: Lang, _ html: PlanHTML, title: String, section: String) -> [String: Any] {
        var values = base(request, s, lang, title: title)
        values["heading"] = title
        values["plan_name"] = html.plan.name
        values["source"] = html.plan.source ?? ""
        values["as_of"] = html.day
        let role = s.session.principal.role
        values["subnav"] = html.subnav(current: section, editable: Self.planEditors.contains(role) || role == .admin)
        return values
    }

    func plansPage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let plans = try await services.store.plans.plans()
        if plans.count == 1 { return Pages.redirect("/plans/\(StatsParams.escape(plans[0].id))") }
        var values = base(request, s, lang, title: pages.text("nav_plans", lang))
        values["heading"] = pages.text("nav_plans", lang)
        var body = "<ul class=\"plans\">"
        for p in plans {
            body += "<li><a href=\"/plans/\(Markup.escape(StatsParams.escape(p.id)))\">\(Markup.escape(p.name))</a> "
            body += "<small>\(PlanDays.text(p.start)) – \(PlanDays.text(p.end))</small></li>"
        }
        values["body"] = plans.isEmpty ? "<p>\(Markup.escape(pages.text("no_data", lang)))</p>" : body + "</ul>"
        return pages.render("plan", values)
    }

    func planPage(_ request: Request, _ id: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        var (html, stored) = try await planView(request, id, s, lang)
        let p = s.session.principal
        if PlanController.reporters.contains(p.role) {
            let scope = services.planReader.scope(p), csrf = s.session.csrf ?? "", plain = html
            html.reportForm = { indicator in
                guard stored.document.mayReport(indicator: indicator, unit: p.unit, scope: scope) else { return nil }
                return reportForm(plain, indicator: indicator, csrf: csrf)
            }
        }
        var values = planValues(request, s, lang, html, title: html.plan.name, section: "")
        values["picker"] = html.picker(action: "/plans/\(StatsParams.escape(id))")
        values["body"] = html.lightTiles() + "<h2>\(html.word("plan_portfolios"))</h2>" + html.portfolios() + html.goalAreas()
        return pages.render("plan", values)
    }

    /// The filters of the battle map, each checked against what the plan has.
    struct ProjectFilter {
        var road: String?, group: String?, stage: String?, light: Light?

        init(_ params: Parameters, plan: PlanDocument) throws {
            func pick(_ name: String, _ allowed: [String]) throws -> String? {
                guard let v = params.get(name), !v.isEmpty else { return nil }
                guard allowed.contains(v) else {
                    throw APIError(.unprocessableContent, code: "unknown_value", message: "\(name) '\(v.prefix(100))' is not in the plan",
                                   field: name)
                }
                return v
            }
            road = try pick("road", Array(Set(plan.projects.compactMap(\.road))))
            group = try pick("group", plan.projectGroups.map(\.id))
            stage = try pick("stage", ["none"] + Milestone.allCases.map(\.rawValue))
            light = try pick("light", Light.allCases.map(\.rawValue)).flatMap(Light.init(rawValue:))
        }

        func keeps(_ p: PlanProject, _ html: PlanHTML) -> Bool {
            if let road, p.road != road { return false }
            if let group, p.group != group { return false }
            if let stage, (html.stage(p)?.rawValue ?? "none") != stage { return false }
            if let light, (html.status.projects[p.id]?.light ?? .none) != light { return false }
            return true
        }

        var items: [(String, String)] {
            [("road", road), ("group", group), ("stage", stage), ("light", light?.rawValue)].compactMap { k, v in v.map { (k, $0) } }
        }
    }

    func battleMapPage(_ request: Request, _ id: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let (html, _) = try await planView(request, id, s, lang)
        let filter = try ProjectFilter(request.uri.queryParameters, plan: html.plan)
        let projects = html.plan.projects.filter { filter.keeps($0, html) }
        var values = planValues(request, s, lang, html, title: pages.text("plan_map", lang) + " · " + html.plan.name, section: "/map")
        values["picker"] = mapFilterForm(html, filter)
        values["body"] = "<p class=\"count\">\(html.word("plan_projects")): \(projects.count)</p>"
            + html.battleMap(projects, atlas: services.atlas.current) + html.projectTable(projects)
        return pages.render("plan", values)
    }

    func mapFilterForm(_ html: PlanHTML, _ filter: ProjectFilter) -> String {
        func select(_ name: String, _ label: String, _ options: [(String, String)], _ chosen: String?) -> String {
            var h = "<label>\(html.word(label)) <select name=\"\(name)\"><option value=\"\">\(html.word("all"))</option>"
            for (v, text) in options {
                h += "<option value=\"\(html.esc(v))\"\(v == chosen ? " selected" : "")>\(html.esc(text))</option>"
            }
            return h + "</select></label>"
        }
        let roads = Set(html.plan.projects.compactMap(\.road)).sorted().map { ($0, $0) }
        var h = "<form method=\"get\" action=\"/plans/\(html.esc(StatsParams.escape(html.plan.id)))/map\" class=\"picker\">"
        h += "<label>\(html.word("plan_as_of")) <input type=\"date\" name=\"as_of\" value=\"\(html.day)\"></label>"
        h += select("road", "plan_road", roads, filter.road)
        h += select("group", "plan_group", html.plan.projectGroups.map { ($0.id, $0.name) }, filter.group)
        let stages = [("none", html.texts["plan_stage_none"] ?? "none")]
            + Milestone.allCases.map { ($0.rawValue, html.texts["milestone_" + $0.rawValue] ?? $0.name) }
        h += select("stage", "plan_stage", stages, filter.stage)
        let lights = [Light.red, .amber, .green, .none].map { ($0.rawValue, html.texts["light_" + $0.rawValue] ?? $0.rawValue) }
        h += select("light", "plan_light", lights, filter.light?.rawValue)
        return h + "<button type=\"submit\">\(html.word("apply"))</button></form>"
    }

    func projectPage(_ request: Request, _ id: String, _ projectID: String, _ s: WebSession, _ lang: Lang,
                     error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (html, _) = try await planView(request, id, s, lang)
        guard let p = html.plan.projects.first(where: { $0.id == projectID }) else {
            throw APIError(.notFound, code: "project_not_found", message: pages.text("plan_no_project", lang))
        }
        var values = planValues(request, s, lang, html, title: p.name, section: "/projects")
        values["picker"] = html.picker(action: "/plans/\(StatsParams.escape(id))/projects/\(StatsParams.escape(projectID))")
        var body = "<p>\(html.light(html.status.projects[p.id]?.light ?? .none))\(html.demoMark(p.stated))"
        if p.namedInText { body += " <span class=\"badge\">\(html.word("plan_named_in_text"))</span>" }
        body += "</p><dl class=\"facts\">"
        let facts: [(String, String?)] = [
            ("plan_group", html.plan.projectGroups.first { $0.id == p.group }?.name ?? p.group), ("plan_type", p.type), ("plan_road", p.road),
            ("area_street", p.street.map { services.areaName($0) ?? $0 }), ("area_community", p.community.map { services.areaName($0) ?? $0 }),
            ("plan_lead_unit", services.context.current.units[p.leadUnit]?.name ?? p.leadUnit), ("plan_entered", PlanDays.text(p.entered)),
            ("plan_target", html.milestoneName(p.target) + " " + PlanDays.text(p.deadline)),
            ("plan_stage", html.stage(p).map(html.milestoneName)), ("plan_why", html.reason(p)),
        ]
        for (key, value) in facts where !(value ?? "").isEmpty { body += "<dt>\(html.word(key))</dt><dd>\(html.esc(value ?? ""))</dd>" }
        body += "</dl><h2>\(html.word("plan_timeline"))</h2>" + html.timeline(p) + html.milestoneTable(p)
        body += "<h2>\(html.word("plan_open_blockers"))</h2>" + blockerList(html, subject: p.id, lang)
        let may = PlanController.reporters.contains(s.session.principal.role)
        if may { body += milestoneForm(html, p, csrf: s.session.csrf ?? "") + blockerForm(html, p, s, error: error) }
        values["body"] = body
        return pages.render("plan", values, status: status)
    }

    func blockerList(_ html: PlanHTML, subject: String, _ lang: Lang) -> String {
        let cases = html.view.blockers[BlockerSubject(plan: html.plan.id, kind: .project, id: subject)] ?? []
        let fromFile = html.plan.blockers.filter { $0.project == subject && $0.raised <= html.status.asOf }
        guard !cases.isEmpty || !fromFile.isEmpty else { return "<p>\(html.word("plan_no_blockers"))</p>" }
        let now = services.clock.now(), units = services.context.current.units
        var h = "<ul class=\"blockers\">"
        for c in cases {
            let overdue = c.status.isOpen && (c.dueAt.map { $0 < now } ?? false)
            h += "<li><a href=\"/cases/\(c.id)\">\(html.esc(c.trackingCode))</a> \(html.esc(CaseView.excerpt(c.report.description, 80)))"
            h += " · \(html.esc(pages.texts.status(c.status, lang))) · \(html.esc(c.unit.map { units[$0]?.name ?? $0 } ?? "—"))"
            if let due = c.dueAt { h += " · \(html.word("due")) \(html.esc(WebText.time(due, lang)))" }
            if overdue { h += " <span class=\"light red\">\(html.word("overdue"))</span>" }
            h += "</li>"
        }
        for b in fromFile {
            h += "<li>\(html.esc(b.title)) · \(html.word("plan_raised")) \(PlanDays.text(b.raised)) · \(html.esc(units[b.unit]?.name ?? b.unit))"
            h += "\(html.demoMark(b.stated)) <small>\(html.word("plan_blocker_from_file"))</small></li>"
        }
        return h + "</ul>"
    }
}
