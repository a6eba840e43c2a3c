import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The forms through which units report on the plan from its pages: an indicator's value for a
/// month, a project's milestone reached, a blocker raised. Each goes through the same checks as
/// the API (`PlanController`), needs the session's token, and lands back on the page on today,
/// where what was just reported counts (a day in the past counts only what was known then).
extension WebRoutes {
    func registerPlanForms(on router: Router<AppRequestContext>) {
        router.post("/plans/{id}/reports") { request, context in
            try await page(request, roles: PlanController.reporters) { s, lang in
                try await reportProgress(request, context.parameters.get("id") ?? "", s, lang)
            }
        }
        router.post("/plans/{id}/projects/{project}/milestones") { request, context in
            try await page(request, roles: PlanController.reporters) { s, lang in
                try await reachMilestone(request, context.parameters.get("id") ?? "", context.parameters.get("project") ?? "", s, lang)
            }
        }
    }

    var today: String { PlanDays.text(PlanDays.of(services.clock.now())) }

    /// The small form beside an indicator the viewer may report on.
    func reportForm(_ html: PlanHTML, indicator: String, csrf: String) -> String {
        var h = "<form method=\"post\" action=\"/plans/\(html.esc(StatsParams.escape(html.plan.id)))/reports\" class=\"report-form\">"
        h += "<input type=\"hidden\" name=\"csrf\" value=\"\(html.esc(csrf))\">"
        h += "<input type=\"hidden\" name=\"indicator\" value=\"\(html.esc(indicator))\">"
        h += "<label>\(html.word("plan_month")) <input type=\"month\" name=\"month\" required></label>"
        h += "<label>\(html.word("plan_value")) <input name=\"value\" inputmode=\"decimal\" required maxlength=\"30\"></label>"
        return h + "<button type=\"submit\">\(html.word("plan_report"))</button></form>"
    }

    func reportProgress(_ request: Request, _ id: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        let body = PlanReportBody(indicator: form["indicator"], month: form["month"], as_of: nil, value: try number(form["value"], "value"),
                                  unit: nil)
        try await planController.report(plan: id, body, by: s.session.principal)
        return Pages.redirect("/plans/\(StatsParams.escape(id))?as_of=\(today)")
    }

    /// A number a person typed (as a sheet's cell is read), or nil when the field was left empty.
    func number(_ text: String?, _ field: String) throws -> Double? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let v = PlanSheet.number(text) else {
            throw APIError(.unprocessableContent, code: "invalid_value", message: "\(field) must be a number, such as 8800 or 8,800", field: field)
        }
        return v
    }

    /// The milestones not reached yet, to record one; nothing once all are.
    func milestoneForm(_ html: PlanHTML, _ p: PlanProject, csrf: String) -> String {
        let reached = Set(html.status.projects[p.id]?.milestones.filter { $0.actual != nil }.map(\.milestone) ?? [])
        let open = Milestone.allCases.filter { !reached.contains($0) }
        guard !open.isEmpty else { return "" }
        let action = "/plans/\(StatsParams.escape(html.plan.id))/projects/\(StatsParams.escape(p.id))/milestones"
        var h = "<form method=\"post\" action=\"\(html.esc(action))\" class=\"card-form milestone-form\"><h2>\(html.word("plan_reach"))</h2>"
        h += "<input type=\"hidden\" name=\"csrf\" value=\"\(html.esc(csrf))\"><label>\(html.word("plan_milestone")) <select name=\"milestone\">"
        for m in open { h += "<option value=\"\(m.rawValue)\">\(html.milestoneName(m))</option>" }
        h += "</select></label><label>\(html.word("plan_actual_date")) <input type=\"date\" name=\"day\" required max=\"\(today)\"></label>"
        return h + "<button type=\"submit\">\(html.word("plan_reach"))</button></form>"
    }

    func reachMilestone(_ request: Request, _ id: String, _ projectID: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        _ = try await planController.reach(plan: id, MilestoneBody(project: projectID, milestone: form["milestone"], day: form["day"]),
                                           by: s.session.principal)
        return Pages.redirect("/plans/\(StatsParams.escape(id))/projects/\(StatsParams.escape(projectID))?as_of=\(today)")
    }

    func blockerForm(_ html: PlanHTML, _ p: PlanProject, _ s: WebSession, error: String?) -> String {
        let action = "/plans/\(StatsParams.escape(html.plan.id))/projects/\(StatsParams.escape(p.id))/blockers"
        var h = "<form method=\"post\" action=\"\(html.esc(action))\" class=\"card-form blocker-form\"><h2>\(html.word("plan_raise_blocker"))</h2>"
        if let error { h += "<p class=\"error\" role=\"alert\">\(html.esc(error))</p>" }
        h += "<input type=\"hidden\" name=\"csrf\" value=\"\(html.esc(s.session.csrf ?? ""))\">"
        h += "<input type=\"hidden\" name=\"key\" value=\"\(Credentials.random(12))\">"
        h += "<label>\(html.word("category")) <select name=\"category\">"
        for code in ["95001", "95002"] {
            let name = services.context.current.categories.reportable(code)?.name ?? code
            h += "<option value=\"\(code)\"\(code == "95002" ? " selected" : "")>\(code) \(html.esc(name))</option>"
        }
        h += "</select></label><label>\(html.word("description")) "
        h += "<textarea name=\"description\" required maxlength=\"4000\" rows=\"3\"></textarea></label>"
        return h + "<button type=\"submit\">\(html.word("plan_raise_blocker"))</button></form>"
    }

    /// The form's blocker through the same path as the API's; back to the project, or the form
    /// again with what was wrong.
    func raiseBlocker(_ request: Request, _ id: String, _ projectID: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        let body = BlockerBody(project: projectID, task: nil, category: form["category"], description: form["description"], key: form["key"])
        do {
            _ = try await planController.raise(plan: id, body, by: s.session.principal)
        } catch let e as APIError where e.status == .unprocessableContent {
            return try await projectPage(request, id, projectID, s, lang, error: e.message, status: e.status)
        } catch let e as IntakeError {
            return try await projectPage(request, id, projectID, s, lang, error: e.description, status: .unprocessableContent)
        }
        return Pages.redirect("/plans/\(StatsParams.escape(id))/projects/\(StatsParams.escape(projectID))?as_of=\(today)")
    }
}
