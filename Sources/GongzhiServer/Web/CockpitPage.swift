import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore
import Hummingbird

/// The cockpit (数字驾驶舱): today's intake, what is open and late, the rates, the district by
/// street (a street by grid) coloured by open or overdue cases or by score, the 30-day trend,
/// the top categories and the unit ranking, for a period the viewer picks. Everything comes
/// from the statistics (never a scan of cases) and is scoped to the viewer; each figure links
/// to the cases behind it, and the filters ride along in the URL.
extension WebRoutes {
    /// What the choropleth colours by.
    enum CockpitColour: String, CaseIterable { case open, overdue, score }

    func cockpitPage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let p = try StatsParams.parse(request.uri.queryParameters, services: services, principal: s.session.principal, now: services.clock.now())
        let colourText = request.uri.queryParameters.get("color") ?? "open"
        guard let colour = CockpitColour(rawValue: colourText) else {
            throw APIError.badRequest("unknown_value", "color must be open, overdue or score", field: "color")
        }
        let now = services.clock.now()
        let evaluation = services.evaluation
        let street = p.query.streets.count == 1 ? p.query.streets[0] : nil
        let overview = try await evaluation.overview(p.query, period: p.period, now: now)
        let areas = try await evaluation.breakdown(p.query, period: p.period, by: street == nil ? .street : .grid, now: now)
        let communities = street == nil ? [] : try await evaluation.breakdown(p.query, period: p.period, by: .community, now: now)
        let today = Period.day(of: now)
        let trendEnd = min(p.period.last, today)
        let trend = try await evaluation.trend(p.query, period: Period(kind: .range, first: trendEnd - 29, last: trendEnd))
        var byCategory = p.query
        byCategory.from = p.period.firstDate
        byCategory.to = p.period.lastDate
        let categories = try await services.store.statistics.totals(byCategory, by: .category, measures: [.reported])
        let ranking = try await evaluation.ranking(p.query, period: p.period, now: now)

        let html = CockpitHTML(texts: pages.texts.table(lang), lang: lang, params: p, colour: colour, services: services)
        var values = base(request, s, lang, title: pages.text("nav_cockpit", lang))
        values["picker"] = html.picker(street: street)
        values["crumbs"] = html.crumbs(street: street)
        values["tiles"] = html.tiles(overview)
        values["map"] = html.map(areas, street: street, atlas: services.atlas.current)
        values["communities"] = communities.isEmpty ? nil : html.areaTable(communities, level: "community")
        values["trend"] = html.trend(trend)
        values["categories"] = html.categories(categories, directory: services.context.current.categories)
        values["ranking"] = html.ranking(ranking)
        values["exports"] = html.exports()
        values["plans"] = try await planTiles(s, lang)
        values["centre"] = try await centreTiles(s, lang, period: p.period, street: street)
        values["enterprise"] = try await enterpriseTiles(s, lang, period: p.period, street: street)
        values["live"] = "/cockpit/events"
        return pages.render("cockpit", values)
    }
}

/// The cockpit's parts as HTML: everything users or the data could have typed is escaped.
struct CockpitHTML {
    let texts: [String: String]
    let lang: Lang
    let params: StatsParams
    let colour: WebRoutes.CockpitColour
    let services: GongzhiServices

    func word(_ key: String) -> String { Markup.escape(texts[key] ?? key) }
    func esc(_ s: String) -> String { Markup.escape(s) }

    /// The period and colour, as a query string to carry into every link.
    func carried(street: String? = nil, dropStreet: Bool = false) -> String {
        var items: [(String, String)] = []
        let q = URLComponents(string: "?" + params.casesQuery(period: false))?.queryItems ?? []
        for item in q where !(dropStreet && item.name == "street") { items.append((item.name, item.value ?? "")) }
        if let street { items.removeAll { $0.0 == "street" }; items.append(("street", street)) }
        items += periodItems()
        items.append(("color", colour.rawValue))
        return items.map { "\($0.0)=\(StatsParams.escape($0.1))" }.joined(separator: "&")
    }

    func periodItems() -> [(String, String)] {
        let period = params.period
        if period.kind == .range { return [("from", Period.text(period.first)), ("to", Period.text(period.last))] }
        return [("period", period.kind.rawValue), ("date", Period.text(period.first))]
    }

    func picker(street: String?) -> String {
        var h = "<form method=\"get\" action=\"/cockpit\" class=\"picker\">"
        if let street { h += "<input type=\"hidden\" name=\"street\" value=\"\(esc(street))\">" }
        h += "<label>\(word("period")) <select name=\"period\">"
        for kind in Period.Kind.allCases where kind != .range {
            let selected = params.period.kind == kind ? " selected" : ""
            h += "<option value=\"\(kind.rawValue)\"\(selected)>\(word("period_" + kind.rawValue))</option>"
        }
        h += "</select></label>"
        h += "<label>\(word("period_date")) <input type=\"date\" name=\"date\" value=\"\(Period.text(params.period.first))\"></label>"
        h += "<label>\(word("cockpit_colour")) <select name=\"color\">"
        for c in WebRoutes.CockpitColour.allCases {
            h += "<option value=\"\(c.rawValue)\"\(c == colour ? " selected" : "")>\(word("colour_" + c.rawValue))</option>"
        }
        h += "</select></label><button type=\"submit\">\(word("apply"))</button></form>"
        h += "<p class=\"period\">\(esc(Period.text(params.period.first))) – \(esc(Period.text(params.period.last)))</p>"
        return h
    }

    func crumbs(street: String?) -> String {
        var h = "<nav class=\"crumbs\" aria-label=\"\(word("cockpit_drill"))\"><a href=\"/cockpit?\(esc(carried(dropStreet: true)))\">"
        h += word("district_all") + "</a>"
        if let street { h += " › <span>\(esc(services.areaName(street) ?? street))</span>" }
        return h + "</nav>"
    }

    /// A link to the case list for the current filters plus `extra`.
    func cases(_ extra: [(String, String)], period: Bool = true) -> String { "/cases?" + params.casesQuery(extra, period: period) }

    func tiles(_ o: Evaluation.Overview) -> String {
        let openStatuses = CaseStatus.allCases.filter(\.isOpen).map(\.rawValue).joined(separator: ",")
        let todayLink = "/cases?" + params.casesQuery([("since", Period.text(Period.day(of: services.clock.now())))], period: false)
        func rate(_ i: Indicator) -> String { i.value(o.counts, perspective: .area).map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
        var byChannel = ""
        for s in ReportSource.allCases where (o.today[s] ?? 0) > 0 {
            byChannel += "<li>\(word("source_" + s.rawValue)) <strong>\(o.today[s] ?? 0)</strong></li>"
        }
        let tiles: [(String, String, String, String?)] = [
            ("cockpit_today", String(o.today.values.reduce(0, +)), todayLink, byChannel.isEmpty ? nil : "<ul class=\"channels\">\(byChannel)</ul>"),
            ("cockpit_intake", String(o.intake.values.reduce(0, +)), cases([]), nil),
            ("cockpit_open", String(o.open), cases([("status", openStatuses)], period: false), nil),
            ("cockpit_overdue", String(o.overdue), cases([("overdue", "true")], period: false), nil),
            ("cockpit_due_today", String(o.dueToday), cases([("status", "dispatched"), ("sort", "time_left")], period: false), nil),
            ("cockpit_on_time", rate(.onTimeDisposalRate), cases([("status", "handled,verified,closed")]), nil),
            ("cockpit_self_correction", rate(.selfCorrectionRate), cases([("status", "closed")]), nil),
            ("cockpit_satisfaction", rate(.satisfactionRate), cases([("status", "closed")]), nil),
        ]
        var h = "<ul class=\"tiles\">"
        for (key, value, href, extra) in tiles {
            h += "<li class=\"tile\" data-tile=\"\(key)\"><a href=\"\(esc(href))\"><span class=\"label\">\(word(key))</span>"
            h += "<span class=\"value\">\(esc(value))</span></a>\(extra ?? "")</li>"
        }
        return h + "</ul>"
    }

    /// The value an area is coloured by.
    func value(_ row: Evaluation.Row) -> Double {
        switch colour {
        case .open: Double(row.live[.open])
        case .overdue: Double(row.live[.openOverdue])
        case .score: row.score
        }
    }

    /// Five classes by quantile of the areas' values: 0 for none (or no data), 1–4 rising.
    static func classes(_ values: [String: Double]) -> [String: Int] {
        let sorted = values.values.filter { $0 > 0 }.sorted()
        guard !sorted.isEmpty else { return values.mapValues { _ in 0 } }
        func cut(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        let cuts = [cut(0.25), cut(0.5), cut(0.75)]
        return values.mapValues { v in v <= 0 ? 0 : 1 + cuts.filter { v > $0 }.count }
    }

    func map(_ rows: [Evaluation.Row], street: String?, atlas: Atlas) -> String {
        let values = Dictionary(uniqueKeysWithValues: rows.map { ($0.key, value($0)) })
        let classes = Self.classes(values)
        let view = MapView(atlas: atlas)
        var layers: [SVGMap.Layer] = []
        var shapes: [MultiPolygon] = []
        func label(_ code: String, _ name: String) -> String {
            let v = values[code].map { colour == .score ? String(format: "%.1f", $0) : String(Int($0)) } ?? "—"
            return "\(name): \(texts["colour_" + colour.rawValue] ?? "") \(v)"
        }
        if let street, let shape = atlas.shape(of: street) {
            shapes = [shape]
            layers.append(SVGMap.Layer(code: street, name: atlas.name(of: street) ?? street, shape: shape, style: .base))
            for grid in view.grids(within: [shape], highlight: nil) {
                var g = grid
                g.fill = classes[g.code] ?? 0
                g.name = label(g.code, g.name)
                g.link = "/cases?" + params.casesQuery(colour == .overdue ? [("grid", g.code), ("overdue", "true")] : [("grid", g.code)],
                                                       period: colour == .score)
                layers.append(g)
            }
        } else if let (code, shape) = view.district(), let streets = atlas.layers[.street] {
            shapes = [shape]
            layers.append(SVGMap.Layer(code: code, name: atlas.name(of: code) ?? code, shape: shape, style: .base))
            for c in streets.codes {
                guard let s = streets.shapes[c] else { continue }
                layers.append(SVGMap.Layer(code: c, name: label(c, streets.names[c] ?? c), shape: s, style: .grid, fill: classes[c] ?? 0,
                                           link: "/cockpit?" + carried(street: c)))
            }
        }
        guard !shapes.isEmpty else { return "<p>\(word("no_map"))</p>" }
        let svg = SVGMap(frame: SVGMap.frame(of: shapes)).render(layers, label: texts["cockpit_map"] ?? "map")
        var legend = "<ol class=\"legend\">"
        for q in 0...4 { legend += "<li><span class=\"swatch q\(q)\"></span>\(word(q == 0 ? "legend_none" : "legend_q\(q)"))</li>" }
        legend += "</ol>"
        let table = areaTable(rows, level: street == nil ? "street" : "grid")
        return "<figure class=\"choropleth\">\(svg)<figcaption>\(legend)</figcaption></figure>" + table
    }

    /// The areas' figures as a table, each row linking down (a street to its cockpit, others to their cases).
    func areaTable(_ rows: [Evaluation.Row], level: String) -> String {
        var h = "<div class=\"scroll\"><table class=\"list figures-table\"><thead><tr><th scope=\"col\">\(word("area_" + level))</th>"
        h += "<th scope=\"col\">\(word("cockpit_intake"))</th><th scope=\"col\">\(word("cockpit_open"))</th>"
        h += "<th scope=\"col\">\(word("cockpit_overdue"))</th><th scope=\"col\">\(word("cockpit_on_time"))</th>"
        h += "<th scope=\"col\">\(word("score"))</th></tr></thead><tbody>"
        for row in rows.sorted(by: { value($0) > value($1) }) {
            let name = services.areaName(row.key) ?? row.key
            let href = level == "street" ? "/cockpit?" + carried(street: row.key) : cases([(level, row.key)])
            let rate = Indicator.onTimeDisposalRate.value(row.counts, perspective: .area).map { String(format: "%.1f%%", $0 * 100) } ?? "—"
            h += "<tr><td><a href=\"\(esc(href))\">\(esc(name))</a></td><td>\(row.counts[.reported])</td><td>\(row.live[.open])</td>"
            h += "<td>\(row.live[.openOverdue])</td><td>\(rate)</td><td>\(String(format: "%.1f", row.score))</td></tr>"
        }
        return h + "</tbody></table></div>"
    }

    /// Reported and closed per day as two lines, with the first, middle and last dates.
    func trend(_ days: [Evaluation.Day]) -> String {
        let w = 480.0, hgt = 150.0, pad = 24.0
        let top = max(1, days.map { max($0.reported, $0.closed) }.max() ?? 1)
        func x(_ i: Int) -> Double { pad + (w - 2 * pad) * Double(i) / Double(max(1, days.count - 1)) }
        func y(_ v: Int64) -> Double { hgt - pad - (hgt - 2 * pad) * Double(v) / Double(top) }
        func line(_ f: (Evaluation.Day) -> Int64) -> String {
            days.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y(f($0.element))) }.joined(separator: " ")
        }
        var h = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\" viewBox=\"0 0 \(Int(w)) \(Int(hgt))\" role=\"img\""
        h += " aria-label=\"\(word("cockpit_trend"))\">"
        h += "<line class=\"axis\" x1=\"\(pad)\" y1=\"\(hgt - pad)\" x2=\"\(w - pad)\" y2=\"\(hgt - pad)\"></line>"
        h += "<polyline class=\"reported\" points=\"\(line { $0.reported })\"><title>\(word("reported"))</title></polyline>"
        h += "<polyline class=\"closed\" points=\"\(line { $0.closed })\"><title>\(word("closed"))</title></polyline>"
        h += "<text x=\"2\" y=\"\(pad - 6)\">\(top)</text>"
        for i in [0, days.count / 2, days.count - 1] where days.indices.contains(i) {
            let anchor = i == 0 ? "start" : i == days.count - 1 ? "end" : "middle"
            h += "<text x=\"\(String(format: "%.1f", x(i)))\" y=\"\(hgt - 6)\" text-anchor=\"\(anchor)\">\(Period.text(days[i].day).dropFirst(5))"
            h += "</text>"
        }
        h += "</svg><p class=\"keys\"><span class=\"key reported\">\(word("reported"))</span> <span class=\"key closed\">\(word("closed"))</span>"
        let total = days.reduce(0) { $0 + $1.reported }, closed = days.reduce(0) { $0 + $1.closed }
        h += " · \(word("cockpit_trend_total")) \(total) / \(closed)</p>"
        return h
    }

    func categories(_ sums: [String: Counts], directory: CategoryDirectory) -> String {
        let top = sums.filter { !$0.key.isEmpty && $0.value[.reported] > 0 }.sorted { ($0.value[.reported], $1.key) > ($1.value[.reported], $0.key) }
            .prefix(10)
        guard !top.isEmpty else { return "<p>\(word("no_data"))</p>" }
        let most = Double(top.first?.value[.reported] ?? 1)
        var h = "<ol class=\"bars\">"
        for (code, c) in top {
            let name = directory.reportable(code)?.name ?? code
            let width = String(format: "%.0f", 100 * Double(c[.reported]) / most)
            h += "<li><a href=\"\(esc(cases([("category", code)])))\">\(esc(code + " " + name))</a>"
            // An SVG bar: the pages' content security policy refuses inline styles.
            h += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"meter\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
            h += "<rect width=\"\(width)\" height=\"8\"></rect></svg><strong>\(c[.reported])</strong></li>"
        }
        return h + "</ol>"
    }

    func ranking(_ ranked: [Evaluation.Ranked]) -> String {
        guard !ranked.isEmpty else { return "<p>\(word("no_data"))</p>" }
        var h = "<div class=\"scroll\"><table class=\"list figures-table ranking\"><thead><tr><th scope=\"col\">\(word("rank"))</th>"
        h += "<th scope=\"col\">\(word("change"))</th><th scope=\"col\">\(word("unit"))</th><th scope=\"col\">\(word("score"))</th>"
        h += "<th scope=\"col\">\(word("indicator_on_time_close_rate"))</th><th scope=\"col\">\(word("indicator_close_rate"))</th>"
        h += "<th scope=\"col\">\(word("indicator_assigned"))</th></tr></thead><tbody>"
        let units = services.context.current.units
        for r in ranked.prefix(30) {
            let change: String
            switch r.change {
            case .some(let n) where n > 0: change = "<span class=\"up\">▲\(n)</span>"
            case .some(let n) where n < 0: change = "<span class=\"down\">▼\(-n)</span>"
            case .some: change = "–"
            case .none: change = ""
            }
            func pct(_ i: Indicator) -> String { i.value(r.counts, perspective: .unit).map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
            h += "<tr><td>\(r.rank.map(String.init) ?? "")</td><td>\(change)</td>"
            h += "<td><a href=\"\(esc(cases([("unit", r.unit)])))\">\(esc(units[r.unit]?.name ?? r.unit))</a></td>"
            h += "<td>\(String(format: "%.2f", r.score))</td><td>\(pct(.onTimeCloseRate))</td><td>\(pct(.closeRate))</td>"
            h += "<td>\(r.counts[.assigned])</td></tr>"
        }
        return h + "</tbody></table></div>"
    }

    func exports() -> String {
        let q = carried()
        var h = "<ul class=\"exports\">"
        for (path, key) in [("overview", "export_overview"), ("units", "export_units"), ("areas", "export_areas"), ("ranking", "export_ranking"),
                            ("trend", "export_trend")] {
            h += "<li><a href=\"/cockpit/export/\(path)?\(esc(q))&amp;format=csv\" download>\(word(key))</a></li>"
        }
        h += "<li><a href=\"/cockpit/report?\(esc(q))\">\(word("print_report"))</a></li>"
        return h + "</ul>"
    }
}
