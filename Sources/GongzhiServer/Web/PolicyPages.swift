import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The support policies' pages (惠企政策兑现): the policies with the ledger's totals and recent
/// payments in the viewer's part, a policy with its applications and the commissioner's form to
/// apply, and an application with its review steps and the form for the next step the viewer may
/// take. Amounts are typed in yuan and kept in fen; the forms post to the API's controller calls.
extension WebRoutes {
    var policyAPI: PolicyController {
        PolicyController(policies: services.store.policies, cases: services.context, catalogue: services.enterpriseCatalogue,
                         clock: services.clock)
    }

    func registerPolicyPages(on router: Router<AppRequestContext>) {
        let roles = Self.enterpriseRoles
        router.get("/policies") { request, _ in try await page(request, roles: roles) { try await policiesPage(request, $0, $1) } }
        router.get("/policies/{code}") { request, context in
            try await page(request, roles: roles) { try await policyPage(request, try PolicyController.code(context), $0, $1) }
        }
        router.post("/policies/{code}/applications") { request, context in
            try await page(request, roles: roles) { try await postApplication(request, try PolicyController.code(context), $0, $1) }
        }
        router.get("/policy-applications/{id}") { request, context in
            try await page(request, roles: roles) { try await applicationPage(request, try PolicyController.id(context), $0, $1) }
        }
        router.post("/policy-applications/{id}/steps") { request, context in
            try await page(request, roles: roles) { try await postStep(request, try PolicyController.id(context), $0, $1) }
        }
    }

    /// A policy's rule in one line each: what it asks and what it pays.
    func ruleText(_ p: SupportPolicy, _ h: CentreHTML) -> (conditions: String, amount: String) {
        let conditions = p.conditions.map { c -> String in
            if let values = c.values { return "\(c.field) ∈ {\(values.joined(separator: ", "))}" }
            return [c.min.map { "\(c.field) ≥ \($0)" }, c.max.map { "\(c.field) ≤ \($0)" }].compactMap { $0 }.joined(separator: ", ")
        }.joined(separator: "; ")
        let a = p.amount, cap = a.capFen.map { ", ≤ \(Fen.yuan($0)) 元" } ?? ""
        let amount: String = switch a.kind {
        case .fixed: "\(Fen.yuan(a.fen ?? 0)) 元"
        case .perUnit: "\(Fen.yuan(a.fenPerUnit ?? 0)) 元 × \(a.figure ?? "")\(cap)"
        case .share: "\(Double(a.basisPoints ?? 0) / 100) % × \(a.figure ?? "")\(cap)"
        }
        return (h.esc(conditions.isEmpty ? "—" : conditions), h.esc(amount))
    }

    func policiesPage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, api = policyAPI
        let summaries = try await services.store.policies.policies()
        let viewer = try api.viewer(p)
        var body = "<p>\(h.word("policy_hint"))</p>"
        body += h.tableHead("policies", ["policy_code", "policy_name", "policy_department", "policy_period", "policy_conditions", "policy_amount",
                                         "policy_budget", "policy_approved", "policy_paid"].map { h.word($0) })
        for sum in summaries {
            let pol = sum.policy, rule = ruleText(pol, h)
            body += "<tr><td><a href=\"/policies/\(h.esc(pol.code))\">\(h.esc(pol.code))</a></td><td>\(h.esc(pol.name))</td>"
                + "<td>\(h.place(pol.department))</td><td>\(PlanDays.text(pol.opens)) – \(PlanDays.text(pol.closes))</td>"
                + "<td>\(rule.conditions)</td><td>\(rule.amount)</td><td>\(pol.budgetFen.map(Fen.yuan) ?? "—")</td>"
                + "<td>\(Fen.yuan(sum.approvedFen))</td><td>\(Fen.yuan(sum.paidFen))</td></tr>"
        }
        body += "</tbody></table>"
        if summaries.isEmpty { body += "<p class=\"empty\">\(h.word("policy_none"))</p>" }
        let totals = try await services.store.policies.totals(PolicyLedgerQuery(), for: viewer)
        body += "<h2>\(h.word("policy_ledger"))</h2><p id=\"ledger-total\">\(h.word("policy_paid_total")): \(Fen.yuan(totals.fen)) 元 · "
            + "\(totals.payments) \(h.word("policy_payments"))</p>"
        for (id, key, rows, named) in [("totals-street", "street", totals.byStreet, true), ("totals-month", "policy_month", totals.byMonth, false)] {
            body += h.tableHead(id, [h.word(key), h.word("policy_payments"), h.word("policy_paid")])
            for r in rows { body += "<tr><td>\(named ? h.place(r.key) : h.esc(r.key))</td><td>\(r.payments)</td><td>\(Fen.yuan(r.fen))</td></tr>" }
            body += "</tbody></table>"
        }
        var recent = PolicyLedgerQuery()
        recent.limit = 1_000
        let payments = try await services.store.policies.payments(recent, for: viewer).suffix(50).reversed()
        body += h.tableHead("payments", ["policy_reference", "policy_day", "policy_code", "enterprise_name", "street", "policy_paid",
                                         "policy_chain"].map { h.word($0) })
        for pay in payments {
            body += "<tr><td>\(h.esc(pay.reference))</td><td>\(PlanDays.text(pay.day))</td><td>\(h.esc(pay.policy))</td>"
                + "<td><a href=\"/policy-applications/\(pay.application)\">\(h.esc(pay.enterpriseName))</a></td><td>\(h.place(pay.street))</td>"
                + "<td>\(Fen.yuan(pay.amountFen))</td><td>\(h.esc([pay.checkedBy, pay.approvedBy, pay.paidBy].joined(separator: " → ")))</td></tr>"
        }
        body += "</tbody></table><p><a href=\"/api/v1/policy-payments?format=csv&amp;limit=1000\" download>\(h.word("export_csv"))</a> · "
            + "<a href=\"/api/v1/policy-payments?format=csv&amp;encoding=gb18030&amp;limit=1000\" download>"
            + "\(h.word("policy_export_gb18030"))</a></p>"
        return enterprisePageHTML(request, s, lang, title: pages.text("nav_policies", lang), body: body)
    }

    func policyPage(_ request: Request, _ code: String, _ s: WebSession, _ lang: Lang, error: String? = nil,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, api = policyAPI
        let sum = try await api.policy(code, by: p), pol = sum.policy, rule = ruleText(pol, h)
        var body = "<dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("policy_code", h.esc(pol.code)), ("policy_department", h.place(pol.department)),
            ("policy_period", "\(PlanDays.text(pol.opens)) – \(PlanDays.text(pol.closes))"), ("policy_conditions", rule.conditions),
            ("policy_amount", rule.amount), ("policy_budget", pol.budgetFen.map(Fen.yuan) ?? "—"),
            ("policy_approved", Fen.yuan(sum.approvedFen)), ("policy_paid", Fen.yuan(sum.paidFen)),
        ]
        for (key, value) in facts { body += "<dt>\(h.word(key))</dt><dd>\(value)</dd>" }
        body += "</dl><h2>\(h.word("policy_applications"))</h2>"
        var q = PolicyLedgerQuery()
        q.policy = code
        q.limit = 1_000
        body += applicationsTable(try await services.store.policies.applications(q, for: try api.viewer(p)), h)
        var mine = EnterpriseQuery()
        mine.commissioner = p.id
        mine.limit = 200
        let served = try await services.store.enterprises.enterprises(mine, for: EnterpriseViewer(scope: try api.viewer(p).scope, principal: p.id))
        if !served.isEmpty {
            var f = h.select("credit_code", served.map { ($0.code, $0.name) }, label: "enterprise_name")
            for figure in pol.figures { f += h.field("figure_\(figure)", label: figure, type: "number", required: true, max: 20) }
            f += h.textarea("note", label: "policy_note", required: false, max: 1_000)
            body += h.form("/policies/\(pol.code)/applications", "apply-policy", legend: "policy_apply", f, button: "policy_apply")
        }
        return enterprisePageHTML(request, s, lang, title: pol.name, body: body, error: error, status: status)
    }

    func applicationsTable(_ list: [PolicyApplication], _ h: CentreHTML) -> String {
        var body = h.tableHead("applications", ["policy_application", "enterprise_code", "street", "policy_status", "policy_entitlement",
                                                "policy_approved", "policy_paid"].map { h.word($0) })
        for a in list {
            body += "<tr><td><a href=\"/policy-applications/\(a.id)\">#\(a.id)</a></td><td>\(h.esc(a.enterprise))</td><td>\(h.place(a.street))</td>"
                + "<td>\(h.word("policy_status_" + a.status.rawValue))</td><td>\(Fen.yuan(a.entitlementFen))</td>"
                + "<td>\(a.approvedFen.map(Fen.yuan) ?? "—")</td><td>\(a.paidFen.map(Fen.yuan) ?? "—")</td></tr>"
        }
        return body + "</tbody></table>" + (list.isEmpty ? "<p class=\"empty\">\(h.word("policy_no_applications"))</p>" : "")
    }

    func applicationPage(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang, error: String? = nil,
                         status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), p = s.session.principal, api = policyAPI
        let a = try await api.application(id, by: p), sum = try await api.policy(a.policy, by: p), pol = sum.policy
        var body = "<dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("policy_name", "<a href=\"/policies/\(h.esc(pol.code))\">\(h.esc(pol.name))</a>"), ("enterprise_code", h.esc(a.enterprise)),
            ("street", h.place(a.street)), ("policy_status", h.word("policy_status_" + a.status.rawValue)),
            ("policy_figures", h.esc(a.figures.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", "))),
            ("policy_entitlement", Fen.yuan(a.entitlementFen)), ("policy_approved", a.approvedFen.map(Fen.yuan) ?? "—"),
            ("policy_paid", a.paidFen.map(Fen.yuan) ?? "—"),
        ]
        for (key, value) in facts { body += "<dt>\(h.word(key))</dt><dd>\(value)</dd>" }
        body += "</dl>" + h.tableHead("steps", ["policy_step", "policy_actor", "policy_at", "policy_amount_yuan", "policy_reference", "policy_note"]
            .map { h.word($0) })
        for st in a.steps {
            let verdict = st.eligible.map { $0 ? " ✓" : " ✗" } ?? ""
            body += "<tr><td>\(h.word("policy_step_" + st.kind.rawValue))\(verdict)</td><td>\(h.esc(st.actor))</td>"
                + "<td>\(h.esc(Timestamp.rfc3339(st.at)))</td><td>\(st.amountFen.map(Fen.yuan) ?? "")</td><td>\(h.esc(st.reference))</td>"
                + "<td>\(h.esc(st.note))</td></tr>"
        }
        body += "</tbody></table>"
        let scope = try api.viewer(p).scope, action = "/policy-applications/\(a.id)/steps"
        if PolicyAccess.checks(p, scope: scope, policy: pol), a.status == .submitted {
            var f = h.select("eligible", [("true", h.word("policy_eligible")), ("false", h.word("policy_ineligible"))], label: "policy_verdict")
            f += h.textarea("note", label: "policy_note", max: 1_000) + "<input type=\"hidden\" name=\"step\" value=\"check\">"
            body += h.form(action, "check-application", legend: "policy_step_check", f, button: "policy_step_check")
        }
        if PolicyAccess.approves(p, scope: scope, policy: pol), a.status == .eligible {
            var f = h.field("amount", label: "policy_amount_yuan", value: Fen.yuan(a.entitlementFen), required: true, max: 20)
            f += h.textarea("note", label: "policy_note", required: false, max: 1_000) + "<input type=\"hidden\" name=\"step\" value=\"approve\">"
            body += h.form(action, "approve-application", legend: "policy_step_approve", f, button: "policy_step_approve")
        }
        if PolicyAccess.checks(p, scope: scope, policy: pol), [.submitted, .eligible].contains(a.status) {
            let f = h.textarea("note", label: "policy_note", max: 1_000) + "<input type=\"hidden\" name=\"step\" value=\"reject\">"
            body += h.form(action, "reject-application", legend: "policy_step_reject", f, button: "policy_step_reject")
        }
        if PolicyAccess.pays(p, scope: scope, financeUnit: services.enterpriseCatalogue.financeUnit), a.status == .approved {
            var f = h.field("amount", label: "policy_amount_yuan", value: a.approvedFen.map(Fen.yuan), required: true, max: 20)
            f += h.field("reference", label: "policy_reference", required: true, max: 40) + "<input type=\"hidden\" name=\"step\" value=\"pay\">"
            body += h.form(action, "pay-application", legend: "policy_step_pay", f, button: "policy_step_pay")
        }
        return enterprisePageHTML(request, s, lang, title: "\(pol.name) #\(a.id)", body: body, error: error, status: status)
    }

    func postApplication(_ request: Request, _ code: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            let pol = try await policyAPI.policy(code, by: s.session.principal).policy
            var figures: [String: WholeNumber] = [:]
            for name in pol.figures {
                guard let text = form["figure_\(name)"]?.trimmed, !text.isEmpty else { continue }
                guard let v = Int64(text) else { throw EnterpriseError.bad("figures.\(name)", "figures.\(name) must be a whole number") }
                figures[name] = WholeNumber(value: v)
            }
            let body = PolicyController.ApplyBody(credit_code: form["credit_code"], figures: figures, note: form["note"])
            let app = try await policyAPI.apply(code, body, by: s.session.principal)
            return Pages.redirect("/policy-applications/\(app.id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await policyPage(request, code, s, lang, error: message, status: status)
        }
    }

    func postStep(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        do {
            var fen: WholeNumber?
            if let text = form["amount"] {
                do { fen = WholeNumber(value: try Fen.parse(yuan: text, field: "amount")) } catch { throw EnterpriseError.invalid(error) }
            }
            let eligible = form["eligible"].map { $0 == "true" }
            let body = PolicyController.StepBody(step: form["step"], eligible: eligible, amount_fen: fen, reference: form["reference"],
                                                 note: form["note"])
            _ = try await policyAPI.advance(id, body, by: s.session.principal)
            return Pages.redirect("/policy-applications/\(id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await applicationPage(request, id, s, lang, error: message, status: status)
        }
    }
}
