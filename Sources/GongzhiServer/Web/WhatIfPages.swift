import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The what-if page beside the cockpit: change a rule's deadline or unit, a co-governance
/// scenario's merchant deadline, add a holiday or change office hours, replay a period, and read
/// the two rankings side by side with the cases whose outcome would change.
extension WebRoutes {
    /// The levels whose boundaries a what-if may redraw.
    static let whatIfLevels: [Area.Level] = [.street, .community, .grid]
    /// A form with a real street layer pasted in is larger than a page's usual form.
    static let whatIfFormMax = 8 * 1024 * 1024

    func registerWhatIfPages(on router: Router<AppRequestContext>) {
        let roles = WhatIfController.roles
        router.get("/whatif") { request, _ in try await page(request, roles: roles) { try await whatIfPage(request, $0, $1) } }
        router.post("/whatif") { request, _ in try await page(request, roles: roles) { try await postWhatIf(request, $0, $1) } }
    }

    func whatIfPage(_ request: Request, _ s: WebSession, _ lang: Lang, form: [String: String] = [:], result: String = "",
                    error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), context = services.context.current
        let today = Period.day(of: services.clock.now())
        let month = Period.containing(today, kind: .month).previous
        var f = h.field("from", label: "whatif_from", type: "date", value: form["from"] ?? Period.text(month.first), required: true)
        f += h.field("to", label: "whatif_to", type: "date", value: form["to"] ?? Period.text(month.last), required: true)
        let rules = [("", h.word("whatif_none"))] + context.rules.rules.map { r in
            (r.id, "\(r.id) · \(r.category) · \(r.unit) · \(r.deadline.description)")
        }
        f += "<fieldset><legend>\(h.word("whatif_rule_change"))</legend>" + h.select("rule", rules, selected: form["rule"], label: "whatif_rule",
                                                                                     required: false)
        f += h.field("deadline_amount", label: "whatif_deadline", type: "number", value: form["deadline_amount"])
        let kinds: [DeadlineSpec.Unit] = [.naturalHours, .workingHours, .workingDays]
        f += h.select("deadline_unit", kinds.map { ($0.rawValue, h.word("whatif_unit_" + $0.rawValue)) }, selected: form["deadline_unit"],
                      label: "whatif_deadline_unit")
        let units = [("", h.word("whatif_keep_unit"))] + context.units.all.filter { $0.kind != .community }.map { ($0.code, $0.name) }
        f += h.select("new_unit", units, selected: form["new_unit"], label: "whatif_new_unit", required: false) + "</fieldset>"
        let scenarios = [("", h.word("whatif_none"))] + context.coGovernance.scenarios.map { sc in
            (sc.id, "\(sc.name) · \(String(format: "%g", sc.merchantMinutes)) min")
        }
        f += "<fieldset><legend>\(h.word("whatif_scenario_change"))</legend>"
            + h.select("scenario", scenarios, selected: form["scenario"], label: "whatif_scenario", required: false)
            + h.field("merchant_minutes", label: "whatif_merchant_minutes", type: "number", value: form["merchant_minutes"]) + "</fieldset>"
        f += "<fieldset><legend>\(h.word("whatif_calendar_change"))</legend>"
            + h.field("holiday", label: "whatif_holiday", type: "date", value: form["holiday"])
            + h.field("office_hours", label: "whatif_office_hours", value: form["office_hours"], max: 100) + "</fieldset>"
        let levels = [("", h.word("whatif_none"))] + Self.whatIfLevels.map { ($0.rawValue, h.word("whatif_level_" + $0.rawValue)) }
        f += "<fieldset><legend>\(h.word("whatif_areas_change"))</legend>"
            + h.select("areas_level", levels, selected: form["areas_level"], label: "whatif_areas_level", required: false)
            + "<label>\(h.word("whatif_areas_geojson")) <textarea name=\"areas_geojson\" rows=\"4\" spellcheck=\"false\">"
            + "\(h.esc(form["areas_geojson"]))</textarea></label></fieldset>"
        let body = "<p>\(h.word("whatif_intro"))</p>" + h.form("/whatif", "whatif-form", legend: "whatif_proposal", f, button: "whatif_run")
            + result
        return enterprisePageHTML(request, s, lang, title: pages.text("whatif_title", lang), body: body, error: error, status: status)
    }

    func postWhatIf(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang, maxBytes: Self.whatIfFormMax)
        var body = WhatIfController.Body()
        body.from = form["from"]
        body.to = form["to"]
        body.limit = 200
        if let rule = form["rule"], !rule.isEmpty {
            var change = WhatIfController.RuleChangeBody(rule: rule)
            if let text = form["deadline_amount"], !text.isEmpty {
                guard let amount = Double(text), let unit = DeadlineSpec.Unit(rawValue: form["deadline_unit"] ?? "") else {
                    return try await whatIfPage(request, s, lang, form: form, error: pages.text("whatif_bad_deadline", lang),
                                                status: .unprocessableContent)
                }
                change.deadline = DeadlineSpec(amount, unit)
            }
            if let unit = form["new_unit"], !unit.isEmpty { change.unit = unit }
            body.changes = [change]
        }
        if let id = form["scenario"], !id.isEmpty {
            guard let minutes = Double(form["merchant_minutes"] ?? "") else {
                return try await whatIfPage(request, s, lang, form: form, error: pages.text("whatif_bad_minutes", lang),
                                            status: .unprocessableContent)
            }
            body.scenarios = [.init(scenario: id, merchant_minutes: minutes)]
        }
        if let day = form["holiday"], !day.isEmpty { body.holidays = [day] }
        if let hours = form["office_hours"], !hours.isEmpty { body.office_hours = hours }
        let level = form["areas_level"] ?? "", text = form["areas_geojson"] ?? ""
        let blank = text.allSatisfy(\.isWhitespace)
        guard level.isEmpty == blank else {
            return try await whatIfPage(request, s, lang, form: form, error: pages.text("whatif_bad_areas", lang), status: .unprocessableContent)
        }
        let controller = WhatIfController(services: services)
        let report: WhatIf.Report, layer: WhatIfAreas?
        do {
            // Text that is not JSON is handed on as it is, and named as not GeoJSON.
            layer = blank ? nil : try controller.areas(level: level, geojson: (try? JSONSerialization.jsonObject(with: Data(text.utf8))) ?? text,
                                                       codeProperty: nil, nameProperty: nil)
            report = try await controller.run(body, by: s.session.principal, areas: layer)
        } catch let e as APIError {
            return try await whatIfPage(request, s, lang, form: form, error: e.message,
                                        status: e.status == .tooManyRequests ? .tooManyRequests : .unprocessableContent)
        }
        return try await whatIfPage(request, s, lang, form: form, result: whatIfResult(report, centreHTML(s, lang), lang, layer: layer))
    }

    /// The answer: the district's figures, the two rankings side by side, the changed cases, the assumptions.
    func whatIfResult(_ r: WhatIf.Report, _ h: CentreHTML, _ lang: Lang, layer: WhatIfAreas? = nil) -> String {
        let t = r.tally
        func pct(_ i: Indicator, _ c: Counts, _ p: Indicator.Perspective) -> String { h.percent(i.value(c, perspective: p)) }
        func late(_ c: Counts) -> Int64 { c[.handledLate] + c[.overdueOpen] }
        var out = "<section id=\"whatif-result\"><h2>\(h.word("whatif_result"))</h2>"
        out += "<p class=\"summary\">\(Period.text(r.period.first)) – \(Period.text(r.period.last)): \(h.word("whatif_read")) \(r.considered), "
            + "\(h.word("whatif_may_change")) \(r.mayChange), \(h.word("whatif_changed")) \(t.changed)</p>"
        out += h.tableHead("whatif-district", ["", h.word("whatif_as_is"), h.word("whatif_would_be")])
        let b = r.districtBefore, a = r.districtAfter
        let rows: [(String, String, String)] = [
            ("indicator_on_time_close_rate", pct(.onTimeCloseRate, b, .area), pct(.onTimeCloseRate, a, .area)),
            ("indicator_close_rate", pct(.closeRate, b, .area), pct(.closeRate, a, .area)),
            ("whatif_late", String(late(b)), String(late(a))),
            ("indicator_self_correction_rate", pct(.selfCorrectionRate, b, .area), pct(.selfCorrectionRate, a, .area)),
        ]
        for (key, before, after) in rows { out += "<tr><th scope=\"row\">\(h.word(key))</th><td>\(before)</td><td>\(after)</td></tr>" }
        out += "</tbody></table>"
        // The two rankings side by side: as it is, and under the proposal.
        let asIs = r.units.filter { $0.before != nil }.sorted { ($0.before?.rank ?? .max, $0.unit) < ($1.before?.rank ?? .max, $1.unit) }
        func ranking(_ id: String, _ title: String, _ rows: [WhatIf.UnitRow], after: Bool) -> String {
            var t = "<div><h3>\(h.word(title))</h3>" + h.tableHead(id, [h.word("rank"), h.word("unit"), h.word("score"), h.word("whatif_late")])
            for u in rows {
                let ranked = after ? u.after : u.before
                let counts = after ? u.countsAfter : u.countsBefore
                let moved = u.before?.rank != u.after.rank || u.before?.score != u.after.score
                t += "<tr\(moved ? " class=\"moved\"" : "")><td>\(ranked?.rank.map(String.init) ?? "—")</td><td>\(h.place(u.unit))</td>"
                    + "<td>\(ranked.map { String(format: "%.2f", $0.score) } ?? "—")</td><td>\(late(counts))</td></tr>"
            }
            return t + "</tbody></table></div>"
        }
        out += "<div class=\"side-by-side\">" + ranking("whatif-before", "whatif_as_is", asIs, after: false)
            + ranking("whatif-after", "whatif_would_be", r.units, after: true) + "</div>"
        // Streets as areas: which would fall behind (their score lower, more cases late), those first.
        out += "<h3>\(h.word("whatif_streets"))</h3>" + h.tableHead("whatif-streets", [
            h.word("whatif_street"), h.word("score"), h.word("indicator_on_time_close_rate"), h.word("indicator_self_correction_rate"),
            h.word("whatif_late"),
        ])
        for a in r.streets {
            let behind = a.scoreAfter < a.scoreBefore || late(a.after) > late(a.before)
            func pair(_ i: Indicator) -> String { "\(pct(i, a.before, .area)) → \(pct(i, a.after, .area))" }
            out += "<tr\(behind ? " class=\"moved\"" : "")><td>\(h.esc(layer?.names[a.street] ?? services.areaName(a.street) ?? a.street))</td>"
                + "<td>\(String(format: "%.2f → %.2f", a.scoreBefore, a.scoreAfter))</td><td>\(pair(.onTimeCloseRate))</td>"
                + "<td>\(pair(.selfCorrectionRate))</td><td>\(late(a.before)) → \(late(a.after))</td></tr>"
        }
        out += "</tbody></table>"
        out += "<h3>\(h.word("whatif_cases")) (\(t.changes.count) / \(t.changed))</h3>"
        let heads = ["whatif_case", "whatif_street", "whatif_unit_change", "whatif_due_change", "whatif_outcome", "whatif_cause"]
        out += h.tableHead("whatif-cases", heads.map { h.word($0) })
        for c in t.changes {
            func state(_ s: WhatIfReplay.Outcome.State) -> String {
                switch s {
                case .onTime: h.word("whatif_on_time")
                case .late: h.word("whatif_late_case")
                case .open: h.word("whatif_open")
                case .other: "—"
                }
            }
            let due = [c.before.dueAt, c.after.dueAt].map { $0.map { WebText.time($0, lang) } ?? "—" }
            out += "<tr><td><a href=\"/cases/\(c.caseID)\">\(h.esc(c.trackingCode))</a></td><td>\(h.place(c.street))</td>"
                + "<td>\(h.place(c.before.unit)) → \(h.place(c.after.unit))</td><td>\(h.esc(due[0])) → \(h.esc(due[1]))</td>"
                + "<td>\(state(c.before.state)) → \(state(c.after.state))</td><td>\(h.esc(c.ruleAfter ?? c.ruleBefore ?? "—"))</td></tr>"
        }
        out += "</tbody></table><h3>\(h.word("whatif_assumptions"))</h3><ul>"
            + (WhatIfDTO.assumptions + (layer.map { [WhatIfDTO.located($0)] } ?? [])).map { "<li>\(h.esc($0))</li>" }.joined()
            + "</ul></section>"
        return out
    }
}
