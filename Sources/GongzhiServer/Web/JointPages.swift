import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The joint case's page (联合执法): the case, every unit's part with its deadline, handler, note
/// and evidence, so partners read each other's findings; the form for the viewer's own part, and
/// for the lead the forms to split the case among units and to close what is left.
extension WebRoutes {
    var jointAPI: JointController {
        JointController(joint: services.store.jointTasks, cases: services.store, context: services.context, clock: services.clock)
    }

    func registerJointPages(on router: Router<AppRequestContext>) {
        let roles = Self.enterpriseRoles
        router.get("/joint-cases/{id}") { request, context in
            try await page(request, roles: roles) { try await jointPage(request, try JointController.id(context), $0, $1) }
        }
        router.post("/joint-cases/{id}") { request, context in
            try await page(request, roles: roles) { try await postJoint(request, try JointController.id(context), $0, $1) }
        }
    }

    func jointPage(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang, error: String? = nil,
                   status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, api = jointAPI
        let (record, parts) = try await api.view(id, by: p)
        let now = services.clock.now()
        var body = "<dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("joint_case", h.esc(record.trackingCode)), ("status", h.esc(pages.texts.status(record.status, lang))),
            ("joint_lead", h.place(record.unit)), ("joint_description", h.esc(record.report.description)),
            ("joint_address", h.esc(record.report.address ?? "—")),
        ]
        for (key, value) in facts { body += "<dt>\(h.word(key))</dt><dd>\(value)</dd>" }
        body += "</dl>" + h.tableHead("joint-parts", ["joint_unit", "joint_due", "joint_handler", "status", "joint_note", "joint_evidence"]
            .map { h.word($0) })
        for t in parts {
            let late = t.isLate(at: now) ? " <strong class=\"late\">\(h.word("joint_late"))</strong>" : ""
            let links = t.evidence.enumerated().map { i, link in "<a href=\"\(h.esc(link))\" rel=\"noopener noreferrer\">\(i + 1)</a>" }
            body += "<tr data-part=\"\(t.id)\"><td>\(h.place(t.unit))</td><td>\(WebText.time(t.dueAt, lang))\(late)</td>"
                + "<td>\(h.esc(t.handler ?? "—"))</td><td>\(h.word("joint_status_" + t.status.rawValue))</td>"
                + "<td>\(h.esc([t.note, t.reason ?? ""].filter { !$0.isEmpty }.joined(separator: " · ")))</td>"
                + "<td>\(links.joined(separator: " "))</td></tr>"
        }
        body += "</tbody></table>"
        if parts.isEmpty { body += "<p class=\"empty\">\(h.word("joint_none"))</p>" }
        let c = JointMachine.Context(principal: p, scope: services.scope(of: p), units: services.context.current.units,
                                     calendar: services.context.current.calendar, now: now)
        let action = "/joint-cases/\(id)"
        for t in parts where t.status == .open && JointMachine.owns(c, t) {
            var f = "<input type=\"hidden\" name=\"task\" value=\"\(t.id)\">" + h.textarea("note", label: "joint_note", max: 2_000)
            f += h.field("evidence", label: "joint_evidence", max: 500) + "<input type=\"hidden\" name=\"step\" value=\"complete\">"
            body += h.form(action, "complete-part-\(t.id)", legend: "joint_complete", f, button: "joint_complete")
            let back = "<input type=\"hidden\" name=\"task\" value=\"\(t.id)\">" + h.field("reason", label: "joint_reason", required: true)
                + "<input type=\"hidden\" name=\"step\" value=\"give_back\">"
            body += h.form(action, "give-back-part-\(t.id)", legend: "joint_give_back", back, button: "joint_give_back")
        }
        if JointMachine.leads(c, record) {
            if record.status == .dispatched {
                let units = services.context.current.units.all.filter { $0.kind == .department }.map { ($0.code, $0.name) }
                var f = "<fieldset><legend>\(h.word("joint_units"))</legend>" + units.map { code, name in
                    "<label><input type=\"checkbox\" name=\"unit_\(h.esc(code))\" value=\"1\"> \(h.esc(name))</label>"
                }.joined() + "</fieldset>"
                f += h.field("days", label: "joint_days", type: "number", value: "1", required: true, max: 3)
                f += "<input type=\"hidden\" name=\"step\" value=\"split\">"
                body += h.form(action, "split-case", legend: "joint_split", f, button: "joint_split")
            }
            if parts.contains(where: { $0.status.isPending }) {
                let f = h.field("reason", label: "joint_reason", required: true) + "<input type=\"hidden\" name=\"step\" value=\"close_rest\">"
                body += h.form(action, "close-rest", legend: "joint_close_rest", f, button: "joint_close_rest")
            }
        }
        return enterprisePageHTML(request, s, lang, title: "\(pages.text("joint_title", lang)) \(record.trackingCode)", body: body, error: error,
                                  status: status)
    }

    func postJoint(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            var body = JointController.StepBody(step: form["step"], units: nil, task: form["task"].flatMap { Int64($0) }, handler: form["handler"],
                                                note: form["note"], evidence: form["evidence"].map { [$0] }?.filter { !$0.isEmpty },
                                                reason: form["reason"])
            if form["step"] == "split" {
                guard let days = form["days"].flatMap(Double.init) else { throw CentreError.bad("days", "days must be a number of working days") }
                body.units = services.context.current.units.all.filter { form["unit_\($0.code)"] != nil }
                    .map { JointController.PartBody(unit: $0.code, deadline: DeadlineSpec(days, .workingDays)) }
            }
            _ = try await jointAPI.step(id, body, by: s.session.principal)
            return Pages.redirect("/joint-cases/\(id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await jointPage(request, id, s, lang, error: message, status: status)
        }
    }
}
