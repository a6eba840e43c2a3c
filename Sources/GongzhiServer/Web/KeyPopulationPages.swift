import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The key-population list's pages: the worklist in the viewer's part of the district (masked,
/// each record's open tasks with their clocks, overdue ones first), registering a person, and a
/// record's page with its follow-ups and the forms for the next step. Personal fields appear only
/// on the page a reveal returns, after its reason is in the access log.
extension WebRoutes {
    var keyPopulationAPI: KeyPopulationController {
        KeyPopulationController(list: services.store.keyPopulation, context: services.context, rules: services.keyPopulationRules,
                                clock: services.clock, names: { services.name($0) })
    }

    func registerKeyPopulationPages(on router: Router<AppRequestContext>) {
        let roles = Self.enterpriseRoles
        router.get("/key-population") { request, _ in try await page(request, roles: roles) { try await keyListPage(request, $0, $1) } }
        router.post("/key-population") { request, _ in try await page(request, roles: roles) { try await postKeyPerson(request, $0, $1) } }
        router.get("/key-population/{id}") { request, context in
            try await page(request, roles: roles) { try await keyPersonPage(request, try KeyPopulationController.id(context), $0, $1) }
        }
        router.post("/key-population/{id}/reveal") { request, context in
            try await page(request, roles: roles) { try await postKeyReveal(request, try KeyPopulationController.id(context), $0, $1) }
        }
        router.post("/key-population/{id}/steps") { request, context in
            try await page(request, roles: roles) { try await postKeyStep(request, try KeyPopulationController.id(context), $0, $1) }
        }
    }

    func keyTasksHTML(_ tasks: [KeyTask], _ h: CentreHTML) -> String {
        tasks.map { t in
            let day = t.day.map { " " + PlanDays.text($0) } ?? ""
            return "<span class=\"task \(t.level.rawValue)\" data-level=\"\(t.level.rawValue)\">\(h.word("key_task_" + t.kind.rawValue))\(day) · "
                + "\(WebText.time(t.due, h.lang)) · \(h.word("key_level_" + t.level.rawValue))</span>"
        }.joined(separator: "<br>")
    }

    func keyListPage(_ request: Request, _ s: WebSession, _ lang: Lang, error: String? = nil,
                     status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, api = keyPopulationAPI, rules = services.keyPopulationRules
        let q = try api.query(request.uri.queryParameters)
        let now = services.clock.now()
        let people = try await services.store.keyPopulation.people(q, for: try api.viewer(p))
        // Overdue first, the most escalated first; then by the earliest due task.
        let rank: (KeyTask.Level?) -> Int = { [.district: 0, .street: 1, .community: 2][$0 ?? .community] ?? 3 }
        let rows = people.map { ($0, KeyTaskClock.tasks(of: $0, rules: rules, now: now)) }.sorted { a, b in
            let la = a.1.map { rank($0.level) }.min() ?? 4, lb = b.1.map { rank($0.level) }.min() ?? 4
            return la != lb ? la < lb : (a.1.first?.due ?? .distantFuture) < (b.1.first?.due ?? .distantFuture)
        }
        var body = "<p>\(h.word("key_hint"))</p>"
        body += h.tableHead("key-people", ["key_id", "key_measure", "key_name", "key_community", "status", "key_tasks"].map { h.word($0) })
        for (person, tasks) in rows {
            let m = person.masked
            body += "<tr><td><a href=\"/key-population/\(m.id)\">#\(m.id)</a></td><td>\(h.esc(rules.measure(m.measure)?.name ?? m.measure))</td>"
                + "<td>\(h.esc(m.name ?? "—"))</td><td>\(h.place(m.community))</td><td>\(h.word("key_status_" + m.status.rawValue))</td>"
                + "<td>\(keyTasksHTML(tasks, h))</td></tr>"
        }
        body += "</tbody></table>"
        if rows.isEmpty { body += "<p class=\"empty\">\(h.word("key_none"))</p>" }
        let units = services.context.current.units
        let communities = units.all.filter { $0.kind == .community }
            .filter { KeyPopulationAccess.registers(p, community: $0.areaCode ?? $0.code, rules: rules, units: units) }
            .sorted { $0.code < $1.code }
        if !communities.isEmpty {
            var f = h.select("measure", rules.measures.map { ($0.code, $0.name) }, label: "key_measure")
            f += h.select("community", communities.prefix(400).map { ($0.areaCode ?? $0.code, $0.name) }, label: "key_community")
            f += h.field("name", label: "key_name", required: true, max: 40) + h.field("id_number", label: "key_id_number", max: 18)
            f += h.field("phone", label: "key_phone", max: 30) + h.field("address", label: "key_address", required: true)
            body += h.form("/key-population", "register-key-person", legend: "key_register", f, button: "key_register")
        }
        return enterprisePageHTML(request, s, lang, title: pages.text("nav_key_population", lang), body: body, error: error, status: status)
    }

    func keyPersonPage(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang, revealed: KeyPerson? = nil, error: String? = nil,
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, api = keyPopulationAPI, rules = services.keyPopulationRules
        let (stored, _) = try await api.person(id, by: p, reveal: nil, reason: nil)
        let shown = revealed ?? stored
        var body = "<dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("key_measure", h.esc(rules.measure(shown.measure)?.name ?? shown.measure)), ("key_name", h.esc(shown.name ?? "—")),
            ("key_id_number", h.esc(shown.idNumber ?? "—")), ("key_phone", h.esc(shown.phone ?? "—")), ("key_address", h.esc(shown.address ?? "—")),
            ("key_community", h.place(shown.community)), ("status", h.word("key_status_" + shown.status.rawValue)),
            ("key_monitor_until", shown.monitorUntil.map(PlanDays.text) ?? "—"),
            ("key_tasks", keyTasksHTML(KeyTaskClock.tasks(of: shown, rules: rules, now: services.clock.now()), h)),
        ]
        for (key, value) in facts { body += "<dt>\(h.word(key))</dt><dd>\(value)</dd>" }
        body += "</dl>" + h.tableHead("follow-ups", ["key_day", "key_healthy", "key_note"].map { h.word($0) })
        for f in shown.followUps {
            let note = revealed != nil || f.note.isEmpty ? f.note : "***"
            body += "<tr><td>\(PlanDays.text(f.day))</td><td>\(h.word(f.healthy ? "key_healthy_yes" : "key_healthy_no"))</td>"
                + "<td>\(h.esc(note))</td></tr>"
        }
        body += "</tbody></table>"
        if api.entitled(p, stored), stored.anonymisedAt == nil {
            if revealed == nil {
                let f = h.field("reason", label: "key_reason", required: true, max: 200)
                body += h.form("/key-population/\(id)/reveal", "reveal-key-person", legend: "key_reveal", f, button: "key_reveal")
            }
            let action = "/key-population/\(id)/steps"
            switch stored.status {
            case .verifying:
                var f = h.select("found", [("true", h.word("key_found")), ("false", h.word("key_not_found"))], label: "key_verify")
                f += h.textarea("note", label: "key_note", required: false, max: 500) + "<input type=\"hidden\" name=\"step\" value=\"verify\">"
                body += h.form(action, "verify-key-person", legend: "key_task_verify", f, button: "key_task_verify")
            case .monitoring:
                let today = PlanDays.text(PlanDays.of(services.clock.now()))
                var f = h.field("day", label: "key_day", type: "date", value: today, required: true)
                f += h.select("healthy", [("true", h.word("key_healthy_yes")), ("false", h.word("key_healthy_no"))], label: "key_healthy")
                f += h.textarea("note", label: "key_note", required: false, max: 500) + "<input type=\"hidden\" name=\"step\" value=\"follow_up\">"
                body += h.form(action, "follow-up-key-person", legend: "key_task_follow_up", f, button: "key_task_follow_up")
                fallthrough
            case .unreachable:
                let f = h.textarea("note", label: "key_note", required: stored.status == .unreachable, max: 500)
                    + "<input type=\"hidden\" name=\"step\" value=\"release\">"
                body += h.form(action, "release-key-person", legend: "key_task_release", f, button: "key_task_release")
            case .released:
                break
            }
        }
        return enterprisePageHTML(request, s, lang, title: "\(pages.text("nav_key_population", lang)) #\(id)", body: body, error: error,
                                  status: status)
    }

    func postKeyPerson(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let body = KeyPopulationController.RegisterBody(measure: form["measure"], name: form["name"], id_number: form["id_number"],
                                                            phone: form["phone"], address: form["address"], community: form["community"])
            let saved = try await keyPopulationAPI.register(body, by: s.session.principal)
            return Pages.redirect("/key-population/\(saved.id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await keyListPage(request, s, lang, error: message, status: status)
        }
    }

    /// The personal fields on this response only, once the reason is in the access log.
    func postKeyReveal(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let (person, _) = try await keyPopulationAPI.person(id, by: s.session.principal, reveal: "personal", reason: form["reason"])
            return try await keyPersonPage(request, id, s, lang, revealed: person)
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await keyPersonPage(request, id, s, lang, error: message, status: status)
        }
    }

    func postKeyStep(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let body = KeyPopulationController.StepBody(step: form["step"], found: form["found"].map { $0 == "true" }, day: form["day"],
                                                        healthy: form["healthy"].map { $0 == "true" }, note: form["note"])
            _ = try await keyPopulationAPI.step(id, body, by: s.session.principal)
            return Pages.redirect("/key-population/\(id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await keyPersonPage(request, id, s, lang, error: message, status: status)
        }
    }
}
