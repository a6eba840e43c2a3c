import Foundation
import GongzhiCore
import GongzhiStore

/// 亲清在线 on the cockpit: the enterprises' difficulties raised as cases (open, overdue, and the
/// enterprises' own verdicts on those raised in the period and closed), and the support policies' payouts
/// in the period, in yuan from the fen ledger. Each tile links to the list behind it; everything
/// is held to the viewer's scope and to the street picked, as the rest of the cockpit is.
extension WebRoutes {
    func enterpriseTiles(_ s: WebSession, _ lang: Lang, period: Period, street: String?) async throws -> String {
        let h = centreHTML(s, lang), p = s.session.principal
        var scope = services.scope(of: p)
        if let street, scope.isAll || scope.areas.contains(street) { scope = Scope(isAll: false, units: [], areas: [street]) }
        var open = CaseQuery()
        open.scope = scope
        open.sources = [.enterprise]
        open.statuses = CaseStatus.joinable
        var overdue = open
        overdue.overdueAt = h.now
        var closed = CaseQuery()
        closed.scope = scope
        closed.sources = [.enterprise]
        closed.statuses = [.closed]
        closed.since = Period.start(of: period.first)
        closed.until = Period.start(of: period.last + 1)
        closed.limit = CaseQuery.maxLimit
        // Verdicts of the period's closed difficulties: few (tens a month), read page by page.
        var judged = 0, content = 0
        while true {
            let page = try await services.store.list(closed)
            for r in page.items {
                guard let v = r.satisfaction else { continue }
                judged += 1
                if v != .dissatisfied { content += 1 }
            }
            guard let next = page.nextCursor, !page.items.isEmpty else { break }
            closed.cursor = next
        }
        var ledger = PolicyLedgerQuery()
        ledger.from = period.first
        ledger.to = period.last
        if let street { ledger.streets = [street] }
        let viewer = PolicyViewer(scope: services.scope(of: p), principal: p.id, financeUnit: services.enterpriseCatalogue.financeUnit)
        let paid = try await services.store.policies.totals(ledger, for: viewer)
        let tiles: [(String, String, String)] = [
            ("cockpit_enterprise_open", String(try await services.store.count(open)), "/cases?source=enterprise"),
            ("cockpit_enterprise_overdue", String(try await services.store.count(overdue)), "/cases?source=enterprise&overdue=true"),
            ("cockpit_enterprise_satisfied", judged == 0 ? "—" : h.percent(Double(content) / Double(judged)),
             "/cases?source=enterprise&status=closed"),
            ("cockpit_policy_paid", Fen.yuan(paid.fen), "/policies"),
            ("cockpit_policy_payments", String(paid.payments), "/policies"),
        ]
        return "<ul class=\"tiles\" id=\"enterprise-tiles\">" + tiles.enumerated().map { i, t in
            "<li class=\"tile\" data-tile=\"enterprise-\(i)\"><a href=\"\(Markup.escape(t.2))\"><span class=\"label\">\(h.word(t.0))</span>"
                + "<span class=\"value\">\(Markup.escape(t.1))</span></a></li>"
        }.joined() + "</ul>"
    }
}
