import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The supervisors' (督办) page to change a plan: rows pasted from the district's spreadsheet,
/// or one task or indicator changed in place. Both go through the same sheet import (checked
/// row by row, merged by name), and each accepted change is a new version of the plan: one
/// event with the supervisor as actor.
extension WebRoutes {
    static let planEditors: Set<Role> = [.supervisor]

    func registerPlanEditPage(on router: Router<AppRequestContext>) {
        router.get("/plans/{id}/edit") { request, context in
            try await page(request, roles: Self.planEditors) { try await planEditPage(request, context.parameters.get("id") ?? "", $0, $1) }
        }
        router.post("/plans/{id}/edit") { request, context in
            try await page(request, roles: Self.planEditors) { try await planEdit(request, context.parameters.get("id") ?? "", $0, $1) }
        }
    }

    /// The columns of one row, in the order the edit forms send them.
    static let sheetColumns = ["goal_area", "task", "lead_unit", "cooperating_units", "deadline", "indicator", "unit_of_measure", "target",
                               "baseline", "start", "direction", "accumulation"]

    func planEditPage(_ request: Request, _ id: String, _ s: WebSession, _ lang: Lang, message: String? = nil,
                      errors: [PlanSheet.RowError] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        // The whole plan, as the district holds it: editing is not cut to a scope.
        let reader = services.planReader
        let stored = try await reader.stored(id)
        let view = try await reader.view(stored, scope: .all, at: min(PlanDays.of(services.clock.now()), stored.document.end))
        let units = services.context.current.units
        let html = planHTML(view, lang)
        var values = planValues(request, s, lang, html, title: pages.text("plan_edit", lang) + " · " + html.plan.name, section: "/edit")
        let csrf = html.esc(s.session.csrf ?? "")
        let action = "/plans/\(html.esc(StatsParams.escape(id)))/edit"
        var body = ""
        if let message { body += "<p class=\"notice\" role=\"status\">\(html.esc(message))</p>" }
        if !errors.isEmpty {
            body += "<ul class=\"error\" role=\"alert\">" + errors.map { "<li>\(html.esc($0.description))</li>" }.joined() + "</ul>"
        }
        body += "<form method=\"post\" action=\"\(action)\" class=\"card-form\"><h2>\(html.word("plan_import"))</h2>"
        body += "<p><small>\(html.word("plan_import_hint"))</small></p><input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"
        body += "<label>\(html.word("plan_sheet")) <textarea name=\"sheet\" rows=\"6\" required></textarea></label>"
        body += "<button type=\"submit\">\(html.word("plan_import"))</button></form><h2>\(html.word("plan_edit_rows"))</h2>"
        for area in html.plan.goalAreas {
            body += "<h3>\(html.esc(area.name))</h3>"
            for t in area.tasks {
                let rows: [[String: String]] = t.indicators.isEmpty ? [[:]] : t.indicators.map { si in
                    let i = si.indicator
                    return ["indicator": i.name, "unit_of_measure": i.unitOfMeasure, "target": html.number(i.target),
                            "baseline": html.number(i.baseline), "start": PlanDays.text(i.start), "direction": i.direction.rawValue,
                            "accumulation": i.accumulation.rawValue]
                }
                for row in rows {
                    body += "<form method=\"post\" action=\"\(action)\" class=\"plan-row\"><input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"
                    let kept = ["indicator", "unit_of_measure", "start", "direction", "accumulation"]
                    let fixed = ["goal_area": area.name, "task": t.name].merging(row.filter { kept.contains($0.key) }) { a, _ in a }
                    for (k, v) in fixed.sorted(by: { $0.key < $1.key }) { body += "<input type=\"hidden\" name=\"\(k)\" value=\"\(html.esc(v))\">" }
                    body += "<strong>\(html.esc(t.name))</strong>" + (row["indicator"].map { " · \(html.esc($0))" } ?? "")
                    body += "<label>\(html.word("plan_lead_unit")) "
                    body += "<input name=\"lead_unit\" value=\"\(html.esc(units[t.leadUnit]?.name ?? t.leadUnit))\""
                    body += " required maxlength=\"100\"></label>"
                    let cooperating = t.cooperatingUnits.map { units[$0]?.name ?? $0 }.joined(separator: "、")
                    body += "<label>\(html.word("plan_cooperating")) "
                    body += "<input name=\"cooperating_units\" value=\"\(html.esc(cooperating))\" maxlength=\"1000\"></label>"
                    body += "<label>\(html.word("plan_deadline")) "
                    body += "<input type=\"date\" name=\"deadline\" value=\"\(PlanDays.text(t.deadline))\" required></label>"
                    if let target = row["target"], let baseline = row["baseline"] {
                        body += "<label>\(html.word("plan_target")) "
                        body += "<input name=\"target\" value=\"\(target)\" inputmode=\"decimal\" required></label>"
                        body += "<label>\(html.word("plan_baseline")) <input name=\"baseline\" value=\"\(baseline)\" inputmode=\"decimal\"></label>"
                    }
                    body += "<button type=\"submit\">\(html.word("save"))</button></form>"
                }
            }
        }
        values["body"] = body
        return pages.render("plan", values, status: status)
    }

    func planEdit(_ request: Request, _ id: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        let sheet: String
        if let pasted = form["sheet"] {
            sheet = pasted
        } else {
            sheet = CSV.write([Self.sheetColumns, Self.sheetColumns.map { form[$0] ?? "" }])
        }
        guard sheet.utf8.count <= 1_000_000 else {
            return try await planEditPage(request, id, s, lang, message: pages.text("plan_sheet_too_large", lang), status: .contentTooLarge)
        }
        let outcome: PlanSheet.Outcome
        do {
            outcome = try await services.store.plans.importSheet(sheet, plan: id, new: nil, unit: services.context.current.units.code(of:),
                                                                  actor: s.session.principal.id, at: services.clock.now())
        } catch let e as PlanStoreError {
            let error = PlanSheet.RowError(line: 0, field: "file", message: e.description)
            return try await planEditPage(request, id, s, lang, errors: [error], status: .unprocessableContent)
        }
        let message = "\(outcome.taken)/\(outcome.rows) " + pages.text("plan_rows_taken", lang)
        return try await planEditPage(request, id, s, lang, message: message, errors: outcome.errors,
                                      status: outcome.taken == 0 ? .unprocessableContent : .ok)
    }
}
