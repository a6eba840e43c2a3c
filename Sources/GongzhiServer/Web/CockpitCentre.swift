import Foundation
import GongzhiCore
import GongzhiStore

/// The centre on the cockpit: open and overdue petitions and disputes (linked to the ledger and
/// the worklist), and where the period's disputes were resolved, by street — the seed's
/// "小事不出社区、大事不出街道" as a figure. Scoped to the viewer and to the street picked.
extension WebRoutes {
    func centreTiles(_ s: WebSession, _ lang: Lang, period: Period, street: String?) async throws -> String {
        let h = centreHTML(s, lang), api = centreAPI
        var scope = api.scope(s.session.principal)
        // The street picked narrows the viewer's scope, never widens it: another street's figures stay out.
        if let street, scope.isAll || scope.areas.contains(street) { scope = Scope(isAll: false, units: [], areas: [street]) }
        let counts = try await api.centre.counts(scope: scope, at: h.now)
        let byStreet = try await api.centre.levelShares(scope: scope, from: period.first, to: period.last)
        var total = LevelShares()
        var rows = ""
        for (code, months) in byStreet.sorted(by: { $0.key < $1.key }) {
            let one = LevelShares.sum(months.values)
            total.add(one)
            rows += "<tr><td>\(h.place(code.isEmpty ? nil : code))</td><td>\(one.concluded)</td><td>\(h.percent(one.share(.community)))</td>"
            rows += "<td>\(h.percent(one.withinStreet))</td></tr>"
        }
        let tiles: [(String, String, String)] = [
            ("centre_open_petitions", String(counts.openPetitions), "/centre/petitions?state=open"),
            ("petition_undecided_overdue", String(counts.undecidedOverdue), "/centre/petitions?state=overdue"),
            ("centre_overdue_petitions", String(counts.overduePetitions), "/centre/petitions?state=overdue"),
            ("centre_open_disputes", String(counts.openDisputes), "/centre/disputes?state=open"),
            ("centre_community_share", h.percent(total.share(.community)), "/centre/disputes?state=closed"),
            ("centre_street_share", h.percent(total.withinStreet), "/centre/disputes?state=closed"),
        ]
        var html = "<ul class=\"tiles\" id=\"centre-tiles\">" + tiles.enumerated().map { i, t in
            "<li class=\"tile\" data-tile=\"centre-\(i)\"><a href=\"\(t.2)\"><span class=\"label\">\(h.word(t.0))</span>"
                + "<span class=\"value\">\(Markup.escape(t.1))</span></a></li>"
        }.joined() + "</ul>"
        if !rows.isEmpty {
            html += h.tableHead("centre-levels", [h.word("centre_place"), h.word("centre_concluded"), h.word("centre_community_share"),
                                                  h.word("centre_street_share")]) + rows + "</tbody></table>"
        }
        return html
    }
}
