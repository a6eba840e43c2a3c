import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

extension WebRoutes {
    func stateFilter(_ h: CentreHTML, _ path: String, current: MatterQuery.State, states: [MatterQuery.State]) -> String {
        "<p class=\"filters\">" + states.map { st in
            "<a href=\"\(path)?state=\(st.rawValue)\"\(st == current ? " aria-current=\"true\"" : "")>\(h.word("state_" + st.rawValue))</a>"
        }.joined(separator: " · ") + "</p>"
    }

    func listQuery(_ request: Request, default state: MatterQuery.State) throws -> MatterQuery {
        var q = try CentreController.query(request.uri.queryParameters)
        if request.uri.queryParameters.get("state") == nil { q.state = state }
        return q
    }

    // MARK: Disputes

    /// The mediators' worklist: disputes in the viewer's scope, with this month's figure of
    /// where disputes were resolved ("小事不出社区、大事不出街道").
    func disputesPage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let h = centreHTML(s, lang), api = centreAPI, scope = api.scope(s.session.principal)
        let q = try listQuery(request, default: .open)
        let items = try await api.centre.disputes(q, scope: scope, at: h.now)
        let month = Period.containing(PlanDays.of(h.now), kind: .month)
        let shares = try await api.centre.levelShares(scope: scope, from: month.first, to: PlanDays.of(h.now))
        let total = LevelShares.sum(shares.values.flatMap(\.values))
        let counts = try await api.centre.counts(scope: scope, at: h.now)
        var body = "<p class=\"figures\"><span>\(h.word("open_cases")): <strong id=\"disputes-open\">\(counts.openDisputes)</strong></span> "
        body += "<span class=\"late\">\(h.word("overdue")): <strong id=\"disputes-overdue\">\(counts.overdueDisputes)</strong></span> "
        body += "<span>\(h.word("centre_community_share")): <strong id=\"community-share\">\(h.percent(total.share(.community)))</strong></span> "
        body += "<span>\(h.word("centre_street_share")): <strong id=\"street-share\">\(h.percent(total.withinStreet))</strong></span> "
        body += "<small>(\(total.concluded) \(h.word("centre_concluded_month")))</small></p>"
        body += stateFilter(h, "/centre/disputes", current: q.state, states: [.open, .overdue, .closed, .all])
        body += "<p><a href=\"/api/v1/disputes?format=csv&amp;state=\(q.state.rawValue)\" download>\(h.word("export_csv"))</a></p>"
        body += h.tableHead("disputes", ["#", h.word("dispute_type"), h.word("dispute_summary"), h.word("centre_place"), h.word("centre_level"),
                                         h.word("status"), h.word("due")])
        for d in items {
            body += "<tr><td><a href=\"/centre/disputes/\(d.id)\">\(d.id)</a></td>"
            body += "<td>\(h.esc(services.mediationRules.type(d.type)?.name ?? d.type))</td>"
            body += "<td>\(h.esc(d.headline))</td><td>\(h.place(d.community ?? d.street))</td><td>\(h.word("level_" + d.level.rawValue))</td>"
            body += "<td>\(h.word("dispute_status_" + d.status.rawValue))</td><td>\(h.clock(d.nextDue))</td></tr>"
        }
        body += "</tbody></table>" + (items.isEmpty ? "<p>\(h.word("no_data"))</p>" : "")
        return centrePage(request, s, lang, title: pages.text("centre_disputes", lang), section: "/centre/disputes", body: body)
    }

    func disputePage(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang, error: String? = nil,
                     status: HTTPResponse.Status = .ok) async throws -> Response {
        let h = centreHTML(s, lang), api = centreAPI, p = s.session.principal, scope = api.scope(p)
        guard let d = try await api.centre.dispute(id, scope: scope) else { throw StoreError.notFound("dispute \(id)") }
        var body = "<dl class=\"facts\"><dt>\(h.word("dispute_type"))</dt><dd>\(h.esc(services.mediationRules.type(d.type)?.name ?? d.type))</dd>"
        body += "<dt>\(h.word("centre_place"))</dt><dd>\(h.place(d.street)) \(d.community.map { "· " + h.place($0) } ?? "")</dd>"
        body += "<dt>\(h.word("centre_level"))</dt><dd id=\"level\">\(h.word("level_" + d.level.rawValue))"
        body += "\(d.committee.flatMap { services.mediationRules.committee($0)?.name }.map { " · " + h.esc($0) } ?? "")</dd>"
        body += "<dt>\(h.word("centre_unit"))</dt><dd>\(h.place(d.unit))</dd>"
        body += "<dt>\(h.word("status"))</dt><dd id=\"status\">\(h.word("dispute_status_" + d.status.rawValue))</dd>"
        body += "<dt>\(h.word("due"))</dt><dd>\(h.clock(d.nextDue))</dd>"
        body += "<dt>\(h.word("amount_yuan"))</dt><dd>\(d.amountFen.map { String(format: "%lld.%02lld", $0 / 100, $0 % 100) } ?? "—")</dd>"
        body += "<dt>\(h.word("risk"))</dt><dd>\(h.word("risk_" + d.risk.rawValue))</dd></dl>"
        body += "<p class=\"summary\">\(h.esc(d.summary))</p>" + h.parties(d.parties)
        if !d.sessions.isEmpty {
            body += "<h2>\(h.word("centre_sessions"))</h2><ul>" + d.sessions.map {
                "<li>\(PlanDays.text($0.day)) · \(h.esc($0.mediator)) · \(h.esc($0.note))</li>"
            }.joined() + "</ul>"
        }
        if let o = d.outcome {
            body += "<h2>\(h.word("centre_outcome"))</h2>"
            body += "<p id=\"outcome\">\(h.word("dispute_status_" + o.status.rawValue)) · \(h.word("level_" + o.level.rawValue))"
            body += " · \(PlanDays.text(o.day)) \(h.esc(o.agreement ?? "")) \(h.esc(o.note ?? ""))</p>"
        }
        let mayAct = (try? CentreAccess.acts(p, holder: d.unit, scope: scope)) != nil
        let base = "/centre/disputes/\(d.id)/"
        if mayAct && d.isOpen {
            body += h.form(base + "sessions", "step-session", legend: "centre_record_session",
                           h.field("day", label: "day", type: "date", value: PlanDays.text(PlanDays.of(h.now)), required: true)
                           + h.field("mediator", label: "mediator", required: true, max: 100)
                           + "<fieldset><legend>\(h.word("centre_present"))</legend>" + d.parties.enumerated().map { i, party in
                               "<label><input type=\"checkbox\" name=\"present_\(i)\" value=\"1\" checked> \(h.esc(party.masked.name))</label>"
                           }.joined() + "</fieldset>" + h.textarea("note", label: "note"),
                           button: "save")
            body += h.form(base + "outcome", "step-outcome", legend: "centre_conclude",
                           h.select("result", ["agreed", "partial", "referred"].map { ($0, h.texts["dispute_status_" + $0] ?? $0) },
                                    label: "centre_outcome")
                           + h.select("referral", [("", "—")] + Dispute.Referral.allCases.map { ($0.rawValue, h.option("referral_", $0.rawValue)) },
                                      label: "referral", required: false)
                           + h.textarea("agreement", label: "agreement", required: false) + h.textarea("note", label: "note", required: false),
                           button: "save")
            body += h.form(base + "escalate", "step-escalate", legend: "centre_escalate",
                           h.select("committee", [("", "—")] + services.mediationRules.committees.map { ($0.code, $0.name) }, label: "committee",
                                    required: false) + h.textarea("reason", label: "reason"), button: "centre_escalate")
            body += h.form(base + "extend", "step-extend", legend: "centre_extend",
                           h.field("days", label: "days", type: "number", required: true) + h.textarea("reason", label: "reason"),
                           button: "centre_extend")
        }
        if mayAct, d.status == .agreed || d.status == .partial, d.honoured == nil {
            body += h.form(base + "honoured", "step-honoured", legend: "centre_honoured",
                           h.select("honoured", [("true", h.texts["yes"] ?? "yes"), ("false", h.texts["no"] ?? "no")], label: "centre_honoured")
                           + h.textarea("note", label: "note", required: false), button: "save")
        }
        body += h.history(try await api.centre.history(of: id))
        return centrePage(request, s, lang, title: "\(pages.text("centre_dispute", lang)) #\(d.id)", section: "/centre/disputes", body: body,
                          error: error, status: status)
    }

    func disputeStep(_ request: Request, _ id: Int64, _ step: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        func opt(_ k: String) -> String? { form[k].flatMap { $0.isEmpty ? nil : $0 } }
        do {
            let present = (0..<50).filter { form["present_\($0)"] != nil }
            let b = CentreBodies.DisputeStep(day: opt("day"), mediator: opt("mediator"), present: present, note: opt("note"), reason: opt("reason"),
                                             committee: opt("committee"), days: opt("days").flatMap { Int($0) }, result: opt("result"),
                                             agreement: opt("agreement"), referral: opt("referral"), honoured: opt("honoured").map { $0 == "true" })
            _ = try await centreAPI.act(step, onDispute: id, b, by: s.session.principal)
            return Pages.redirect("/centre/disputes/\(id)")
        } catch {
            guard let (message, status) = refusal(error) else { throw error }
            return try await disputePage(request, id, s, lang, error: message, status: status)
        }
    }
}
