import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// The command centre (指挥中心): the queue of new reports oldest first, what waits for
/// dispatch with the unit the rules choose, what came back (returned, disputed) at the top,
/// what waits for verification and closing, the self-correcting cases with the merchant's time
/// left, and the recent merges with their undo. Filterable by channel and street.
extension WebRoutes {
    /// Cards per queue: the oldest thirty; the rest are counted and a link away.
    static let consoleLimit = 30
    /// The queues reload themselves this often while nobody types in them (see `app.js`).
    static let queueRefreshSeconds = 60

    func consolePage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let p = s.session.principal
        let params = request.uri.queryParameters
        var filter = CaseQuery()
        filter.scope = services.scope(of: p)
        filter.limit = Self.consoleLimit
        filter.sort = .oldest
        let channel = params.get("channel") ?? "", street = params.get("street") ?? ""
        if !channel.isEmpty {
            guard let source = ReportSource(rawValue: channel) else {
                throw APIError.badRequest("unknown_source", pages.text("unknown_channel", lang), field: "channel")
            }
            filter.sources = [source]
        }
        if !street.isEmpty {
            guard services.reference.areas.contains(where: { $0.code == street && $0.level == .street }) else {
                throw APIError.badRequest("unknown_area", pages.text("unknown_street", lang), field: "street")
            }
            filter.streets = [street]
        }
        // Returned or disputed and waiting for the command centre: however old, these come first.
        var attentionQuery = Self.section(filter, [.registered])
        attentionQuery.returnedOrDisputed = true
        var mergedQuery = Self.section(filter, [.merged], sort: .newest)
        mergedQuery.limit = 10
        let freshQuery = Self.section(filter, [.reported]), registeredQuery = Self.section(filter, [.registered])
        let handledQuery = Self.section(filter, [.handled, .verified]), correctingQuery = Self.section(filter, [.selfCorrecting])
        let store = services.store
        async let fresh = store.list(freshQuery)
        async let registered = store.list(registeredQuery)
        async let flagged = store.list(attentionQuery)
        async let handled = store.list(handledQuery)
        async let correcting = store.list(correctingQuery)
        async let merged = store.list(mergedQuery)
        async let freshCount = store.count(freshQuery)
        async let registeredCount = store.count(registeredQuery)

        let view = caseView(lang)
        let scope = filter.scope, texts = pages.texts.table(lang)
        let back = "/console" + (request.uri.query.map { "?" + $0 } ?? "")
        func cards(_ items: [CaseRecord]) -> String {
            items.map { r in
                CardHTML.card(r, view, forms: actionForms(r, for: s, scope: scope, lang, back: back, inList: true), texts: texts)
            }.joined()
        }
        let attention = try await flagged.items
        let waiting = try await registered.items.filter { r in !attention.contains { $0.id == r.id } }
        var values = base(request, s, lang, title: pages.text("nav_console", lang))
        let sections: [(String, [CaseRecord])] = [
            ("attention", attention), ("fresh", try await fresh.items), ("to_dispatch", waiting),
            ("to_close", try await handled.items), ("correcting", try await correcting.items), ("merged", try await merged.items),
        ]
        for (name, items) in sections {
            values[name] = items.isEmpty ? nil : cards(items)
        }
        values["limit"] = Self.consoleLimit
        values["fresh_count"] = try await freshCount
        values["registered_count"] = try await registeredCount
        values["channels"] = ReportSource.allCases.map {
            ["value": $0.rawValue, "label": pages.texts.source($0, lang), "selected": $0.rawValue == channel]
        }
        values["streets"] = services.reference.areas.filter { $0.level == .street }.map {
            ["value": $0.code, "label": $0.name, "selected": $0.code == street]
        }
        values["datalists"] = datalists()
        values["refresh"] = Self.queueRefreshSeconds
        return pages.render("console", values)
    }

    static func section(_ filter: CaseQuery, _ statuses: [CaseStatus], sort: CaseSort = .oldest) -> CaseQuery {
        var q = filter
        q.statuses = statuses
        q.sort = sort
        return q
    }

    /// The lists behind the unit and category boxes of the dispatch and register forms (every
    /// unit and every reportable category), written directly: hundreds of options.
    func datalists() -> String {
        let context = services.context.current
        var out = "<datalist id=\"categories\">"
        for c in context.categories.all where context.categories.reportable(c.code) != nil {
            out += "<option value=\"\(Markup.escape(c.code))\">\(Markup.escape(c.majorName + " · " + c.name))</option>"
        }
        out += "</datalist>\n<datalist id=\"units\">"
        for u in context.units.all { out += "<option value=\"\(Markup.escape(u.code))\">\(Markup.escape(u.name))</option>" }
        return out + "</datalist>\n"
    }
}
