import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// The command centre (指挥中心): the queue of new reports oldest first, what waits for
/// dispatch with the unit the rules choose, what came back (returned, disputed) at the top,
/// what waits for verification and closing, the self-correcting cases with the merchant's time
/// left, and the recent merges with their undo. Filterable by channel and street.
extension WebRoutes {
    static let consoleLimit = 50
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
        var disputedQuery = Self.section(filter, [.registered, .dispatched])
        disputedQuery.disputed = true
        var mergedQuery = Self.section(filter, [.merged], sort: .newest)
        mergedQuery.limit = 10
        let freshQuery = Self.section(filter, [.reported]), registeredQuery = Self.section(filter, [.registered])
        let handledQuery = Self.section(filter, [.handled, .verified]), correctingQuery = Self.section(filter, [.selfCorrecting])
        let store = services.store
        async let fresh = store.list(freshQuery)
        async let registered = store.list(registeredQuery)
        async let disputed = store.list(disputedQuery)
        async let handled = store.list(handledQuery)
        async let correcting = store.list(correctingQuery)
        async let merged = store.list(mergedQuery)
        async let freshCount = store.count(freshQuery)
        async let registeredCount = store.count(registeredQuery)

        let view = CaseView(services: services, texts: pages.texts, lang: lang, now: services.clock.now())
        let scope = filter.scope
        func rows(_ items: [CaseRecord]) -> [[String: Any]] {
            items.map { r in
                var row = view.row(r)
                row["actions"] = actionForms(r, for: p, scope: scope, lang, back: "/console" + (request.uri.query.map { "?" + $0 } ?? ""),
                                             inList: true)
                return row
            }
        }
        let waiting = try await registered.items
        var attention = waiting.filter { $0.lastReturn != nil || $0.disputed }
        for r in try await disputed.items where !attention.contains(where: { $0.id == r.id }) { attention.append(r) }
        var values = base(request, s, lang, title: pages.text("nav_console", lang))
        values["attention"] = rows(attention)
        values["has_attention"] = !attention.isEmpty
        values["fresh"] = rows(try await fresh.items)
        values["to_dispatch"] = rows(waiting.filter { $0.lastReturn == nil && !$0.disputed })
        values["to_close"] = rows(try await handled.items)
        values["correcting"] = rows(try await correcting.items)
        values["merged"] = rows(try await merged.items)
        values["fresh_count"] = try await freshCount
        values["registered_count"] = try await registeredCount
        values["channels"] = ReportSource.allCases.map {
            ["value": $0.rawValue, "label": pages.texts.source($0, lang), "selected": $0.rawValue == channel]
        }
        values["streets"] = services.reference.areas.filter { $0.level == .street }.map {
            ["value": $0.code, "label": $0.name, "selected": $0.code == street]
        }
        values["category_list"] = categoryList()
        values["unit_list"] = unitList()
        values["refresh"] = Self.queueRefreshSeconds
        return pages.render("console", values)
    }

    static func section(_ filter: CaseQuery, _ statuses: [CaseStatus], sort: CaseSort = .oldest) -> CaseQuery {
        var q = filter
        q.statuses = statuses
        q.sort = sort
        return q
    }

    /// Every unit a case can be dispatched to, for the unit box: code and name.
    func unitList() -> [[String: String]] {
        services.context.current.units.all.map { ["code": $0.code, "name": $0.name] }
    }

    /// Every reportable category, for the "other category" box: code and name.
    func categoryList() -> [[String: String]] {
        services.context.current.categories.all.filter { services.context.current.categories.reportable($0.code) != nil }
            .map { ["code": $0.code, "name": "\($0.majorName) · \($0.name)"] }
    }
}
