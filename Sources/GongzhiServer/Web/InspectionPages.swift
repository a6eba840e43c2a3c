import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// Joint inspection rounds (拉网式排查) as pages: the rounds, and for the centre the form to plan
/// one (streets × units × days); a round's grid of areas × units (swept how often, when last,
/// cases found), its sweeps with the cases they raised, and for a unit of the round the form to
/// record a sweep and what it found. Everything goes through `InspectionController`, as the API.
extension WebRoutes {
    var inspectionAPI: InspectionController {
        InspectionController(inspections: services.store.inspections, intake: services.intake, context: services.context, clock: services.clock)
    }

    static let inspectionRoles: Set<Role> = [.dispatcher, .handler, .gridWorker, .supervisor, .leader]

    func registerInspectionPages(on router: Router<AppRequestContext>) {
        let roles = Self.inspectionRoles
        router.get("/inspection-rounds") { request, _ in try await page(request, roles: roles) { try await roundsPage(request, $0, $1) } }
        router.post("/inspection-rounds") { request, _ in try await page(request, roles: roles) { try await postRound(request, $0, $1) } }
        router.get("/inspection-rounds/{id}") { request, context in
            try await page(request, roles: roles) { try await roundPage(request, try InspectionController.id(context), $0, $1) }
        }
        router.post("/inspection-rounds/{id}") { request, context in
            try await page(request, roles: roles) { try await postSweep(request, try InspectionController.id(context), $0, $1) }
        }
    }

    /// Who plans rounds: the district's centre and leaders (the API's rule, asked before drawing the form).
    func plansRounds(_ p: Principal) -> Bool {
        [.admin, .dispatcher, .leader].contains(p.role) && services.scope(of: p).isAll
    }

    func roundsPage(_ request: Request, _ s: WebSession, _ lang: Lang, form: [String: String] = [:], error: String? = nil,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal
        _ = try inspectionAPI.scope(p)
        let rounds = try await services.store.inspections.rounds(limit: 200)
        var body = h.tableHead("inspection-rounds", ["inspection_name", "inspection_period", "inspection_areas", "inspection_units"]
            .map { h.word($0) })
        for r in rounds {
            body += "<tr><td><a href=\"/inspection-rounds/\(r.id)\">\(h.esc(r.name))</a></td>"
                + "<td>\(PlanDays.text(r.firstDay)) – \(PlanDays.text(r.lastDay))</td>"
                + "<td>\(r.areas.map { areaLabel(h, $0) }.joined(separator: "、"))</td>"
                + "<td>\(r.units.map { h.place($0) }.joined(separator: "、"))</td></tr>"
        }
        body += "</tbody></table>"
        if rounds.isEmpty { body += "<p class=\"empty\">\(h.word("inspection_none"))</p>" }
        if plansRounds(p) {
            let units = services.context.current.units
            let streets = units.children(of: ReferenceData.districtCode).compactMap { u in u.areaCode.map { ($0, u.name) } }
            // The departments and the streets' own offices (a street sweeps its area beside them).
            let departments = units.all.filter { $0.kind == .department || $0.kind == .street }.map { ($0.code, $0.name) }
            func boxes(_ legend: String, _ prefix: String, _ items: [(String, String)]) -> String {
                "<fieldset><legend>\(h.word(legend))</legend>" + items.map { code, name in
                    "<label><input type=\"checkbox\" name=\"\(prefix)\(h.esc(code))\" value=\"1\"\(form[prefix + code] != nil ? " checked" : "")> "
                        + "\(h.esc(name))</label>"
                }.joined() + "</fieldset>"
            }
            let today = PlanDays.text(PlanDays.of(services.clock.now()))
            var f = h.field("name", label: "inspection_name", value: form["name"], required: true, max: 100)
            f += h.field("from", label: "inspection_from", type: "date", value: form["from"] ?? today, required: true)
            f += h.field("to", label: "inspection_to", type: "date", value: form["to"] ?? today, required: true)
            f += boxes("inspection_areas", "area_", streets) + boxes("inspection_units", "unit_", departments)
            body += h.form("/inspection-rounds", "plan-round", legend: "inspection_plan", f, button: "inspection_plan")
        }
        return enterprisePageHTML(request, s, lang, title: pages.text("inspection_title", lang), body: body, error: error, status: status)
    }

    func postRound(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        let chosen = { (prefix: String) in form.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted() }
        let body = InspectionController.PlanBody(name: form["name"], areas: chosen("area_"), units: chosen("unit_"), from: form["from"],
                                                 to: form["to"])
        do {
            let round = try await inspectionAPI.plan(body, by: s.session.principal)
            return Pages.redirect("/inspection-rounds/\(round.id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await roundsPage(request, s, lang, form: form, error: message, status: status)
        }
    }

    func roundPage(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang, form: [String: String] = [:], error: String? = nil,
                   status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, api = inspectionAPI
        let scope = try api.scope(p)
        let round = try await api.round(id)
        let sweeps = try await services.store.inspections.sweeps(of: round.id)
        var body = "<dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("inspection_name", h.esc(round.name)),
            ("inspection_period", "\(PlanDays.text(round.firstDay)) – \(PlanDays.text(round.lastDay))"),
            ("inspection_by", h.esc(round.createdBy)),
        ]
        for (key, value) in facts { body += "<dt>\(h.word(key))</dt><dd>\(value)</dd>" }
        body += "</dl><h2>\(h.word("inspection_grid"))</h2>"
        // The grid: one row per area, one column per unit; a cell not swept yet says so.
        let cells = Dictionary(InspectionCell.grid(of: round, sweeps: sweeps).map { ("\($0.area)|\($0.unit)", $0) }, uniquingKeysWith: { a, _ in a })
        body += h.tableHead("inspection-grid", [h.word("inspection_area")] + round.units.map { h.place($0) })
        for area in round.areas {
            body += "<tr><th scope=\"row\">\(areaLabel(h, area))</th>"
            for unit in round.units {
                guard let c = cells["\(area)|\(unit)"], c.sweeps > 0 else {
                    body += "<td class=\"unswept\">\(h.word("inspection_unswept"))</td>"
                    continue
                }
                body += "<td>\(c.sweeps) × · \(c.lastDay.map(PlanDays.text) ?? "—") · \(h.word("inspection_cases")) \(c.cases)</td>"
            }
            body += "</tr>"
        }
        body += "</tbody></table><h2>\(h.word("inspection_sweeps"))</h2>"
        body += h.tableHead("inspection-sweeps", ["inspection_day", "inspection_area", "inspection_unit", "inspection_note", "inspection_cases"]
            .map { h.word($0) })
        for w in sweeps {
            let links = w.cases.map { "<a href=\"/cases/\($0)\">#\($0)</a>" }.joined(separator: " ")
            body += "<tr><td>\(PlanDays.text(w.day))</td><td>\(areaLabel(h, w.area))</td><td>\(h.place(w.unit))</td><td>\(h.esc(w.note))</td>"
                + "<td>\(links.isEmpty ? "—" : links)</td></tr>"
        }
        body += "</tbody></table>"
        // The form for a unit of the round (an admin may record for any).
        let mine = round.units.filter { p.role == .admin || ([.handler, .leader, .gridWorker].contains(p.role) && scope.units.contains($0)) }
        if !mine.isEmpty {
            let today = PlanDays.of(services.clock.now())
            let day = PlanDays.text(min(max(today, round.firstDay), round.lastDay))
            var f = h.select("area", round.areas.map { ($0, services.areaName($0) ?? $0) }, selected: form["area"], label: "inspection_area")
            f += h.select("unit", mine.map { ($0, services.name($0) ?? $0) }, selected: form["unit"], label: "inspection_unit")
            f += h.field("day", label: "inspection_day", type: "date", value: form["day"] ?? day, required: true)
            f += h.textarea("note", label: "inspection_note", required: false, max: 2_000)
            f += "<fieldset><legend>\(h.word("inspection_finding"))</legend>"
                + h.textarea("finding", label: "inspection_finding_text", required: false, max: 2_000)
                + categorySelect(h, selected: form["category"])
                + h.field("lat", label: "inspection_lat", value: form["lat"], max: 20)
                + h.field("lon", label: "inspection_lon", value: form["lon"], max: 20)
                + "</fieldset>"
            body += h.form("/inspection-rounds/\(round.id)", "record-sweep", legend: "inspection_sweep", f, button: "inspection_sweep")
        }
        return enterprisePageHTML(request, s, lang, title: "\(pages.text("inspection_title", lang)) · \(round.name)", body: body, error: error,
                                  status: status)
    }

    /// An area by its name (a street's code is also its office's: the place, not the office, is meant).
    func areaLabel(_ h: CentreHTML, _ code: String) -> String { h.esc(services.areaName(code) ?? code) }

    /// The reportable categories by major class, as the patrol page offers them.
    func categorySelect(_ h: CentreHTML, selected: String?) -> String {
        let groups = categoryGroups(selected: selected).map { g in
            "<optgroup label=\"\(h.esc("\(g["code"] ?? "") \(g["name"] ?? "")"))\">" + ((g["items"] as? [[String: Any]]) ?? []).map { c in
                let code = c["code"] as? String ?? ""
                return "<option value=\"\(h.esc(code))\"\(code == selected ? " selected" : "")>\(h.esc(c["name"] as? String ?? code))</option>"
            }.joined() + "</optgroup>"
        }
        return "<label>\(h.word("inspection_category")) <select name=\"category\"><option value=\"\">—</option>\(groups.joined())</select></label>"
    }

    func postSweep(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        var findings: [InspectionController.Finding] = []
        if let text = form["finding"], !text.allSatisfy(\.isWhitespace) {
            // A place typed but not a number reaches intake as missing, which names the field.
            let lat = form["lat"] ?? "", lon = form["lon"] ?? ""
            findings.append(.init(description: text, category: form["category"].flatMap { $0.isEmpty ? nil : $0 },
                                  location: lat.isEmpty && lon.isEmpty ? nil : .init(lat: Double(lat), lon: Double(lon))))
        }
        let body = InspectionController.SweepBody(area: form["area"], unit: form["unit"], day: form["day"], note: form["note"], findings: findings)
        do {
            _ = try await inspectionAPI.sweep(id, body, by: s.session.principal)
            return Pages.redirect("/inspection-rounds/\(id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await roundPage(request, id, s, lang, form: form, error: message, status: status)
        }
    }
}
