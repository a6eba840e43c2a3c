import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird
import NIOCore

/// The cockpit's routes: the page, its printable evaluation report, its CSV exports (the
/// statistics API's tables under the page's session) and the event stream that tells open
/// cockpits to refresh.
extension WebRoutes {
    static let cockpitRoles: Set<Role> = [.leader, .supervisor, .dispatcher]
    /// At most one change event per this interval and stream, however many writes land: a burst
    /// of camera events redraws a page once.
    static let liveGap: Duration = .seconds(2)
    static let livePoll: Duration = .milliseconds(200)
    static let heartbeat: Duration = .seconds(15)

    func registerCockpit(on router: Router<AppRequestContext>) {
        router.get("/cockpit") { request, _ in try await page(request, roles: Self.cockpitRoles) { try await cockpitPage(request, $0, $1) } }
        router.get("/cockpit/report") { request, _ in
            try await page(request, roles: Self.cockpitRoles) { try await evaluationReport(request, $0, $1) }
        }
        router.get("/cockpit/export/{table}") { request, context in
            let table = context.parameters.get("table") ?? ""
            return try await page(request, roles: Self.cockpitRoles) { s, _ in try await export(table, request, s.session.principal) }
        }
        router.get("/cockpit/events") { request, _ in
            try await page(request, roles: Self.cockpitRoles) { _, _ in events(request) }
        }
    }

    func export(_ table: String, _ request: Request, _ principal: Principal) async throws -> Response {
        let stats = StatsRoutes(services: services, evaluation: services.evaluation)
        switch table {
        case "overview": return try await stats.overview(request, by: principal)
        case "units": return try await stats.units(request, by: principal)
        case "areas": return try await stats.areas(request, by: principal)
        case "trend": return try await stats.trend(request, by: principal)
        case "ranking": return try await stats.ranking(request, by: principal)
        default: throw StoreError.caseNotFound(0)
        }
    }

    /// Server-sent events: `changed` (its id the count of this process's committed writes) when
    /// figures may have changed, at most once per `liveGap`; a comment line as a heartbeat. A
    /// page reconnecting with `Last-Event-ID` older than now hears at once. `events=N` closes
    /// the stream after N events (for clients that would rather poll).
    func events(_ request: Request) -> Response {
        let changes = services.store.changes
        let lastSeen = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { UInt64($0) }
        let limit = request.uri.queryParameters.get("events").flatMap { Int($0) }.map { max(1, $0) } ?? Int.max
        let body = ResponseBody { writer in
            var sent = lastSeen ?? changes.current
            var count = 0
            var lastEvent = ContinuousClock.now - Self.liveGap, lastWrite = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 3000\n: \(changes.current)\n\n"))
            while count < limit, !Task.isCancelled {
                let now = changes.current, clock = ContinuousClock.now
                if now != sent, clock - lastEvent >= Self.liveGap {
                    try await writer.write(ByteBuffer(string: "id: \(now)\nevent: changed\ndata: \(now)\n\n"))
                    sent = now
                    count += 1
                    lastEvent = clock
                    lastWrite = clock
                } else if clock - lastWrite >= Self.heartbeat {
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    lastWrite = clock
                }
                if count < limit { try await Task.sleep(for: Self.livePoll) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }

    /// The printable evaluation report (月度综合评价): the ranking with every unit's indicators,
    /// the district's indicators with their formulas, and the trend. Prints cleanly to PDF.
    func evaluationReport(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let p = try StatsParams.parse(request.uri.queryParameters, services: services, principal: s.session.principal, now: services.clock.now())
        let evaluation = services.evaluation
        let overview = try await evaluation.overview(p.query, period: p.period, now: services.clock.now())
        let ranking = try await evaluation.ranking(p.query, period: p.period, now: services.clock.now())
        let trend = try await evaluation.trend(p.query, period: p.period.days <= 92 ? p.period : Period(kind: .range, first: p.period.last - 91,
                                                                                                       last: p.period.last))
        let html = CockpitHTML(texts: pages.texts.table(lang), lang: lang, params: p, colour: .score, services: services)
        var values = base(request, s, lang, title: pages.text("report_title", lang))
        values["period"] = "\(Period.text(p.period.first)) – \(Period.text(p.period.last))"
        values["scheme"] = evaluation.scheme.name
        values["generated"] = WebText.time(services.clock.now(), lang)
        values["indicators"] = html.indicatorTable(overview.counts)
        values["ranking"] = html.fullRanking(ranking)
        values["trend"] = html.trend(trend)
        return pages.render("evaluation", values)
    }
}

extension CockpitHTML {
    /// Every indicator with its value and formula.
    func indicatorTable(_ c: Counts) -> String {
        var h = "<div class=\"scroll\"><table class=\"list figures-table\"><thead><tr><th scope=\"col\">\(word("indicator"))</th><th scope=\"col\">\(word("value"))</th>"
        h += "<th scope=\"col\">\(word("formula"))</th></tr></thead><tbody>"
        for i in Indicator.allCases {
            let v = i.value(c, perspective: .area)
            let text = v.map { i.isRate ? String(format: "%.1f%%", $0 * 100) : String(format: "%g", ($0 * 100).rounded() / 100) } ?? "—"
            h += "<tr><th scope=\"row\">\(esc(lang == .zh ? i.names.zh : i.names.en))</th><td>\(text)</td><td>\(esc(i.formula))</td></tr>"
        }
        return h + "</tbody></table></div>"
    }

    /// The whole ranking with the indicators the score is made of.
    func fullRanking(_ ranked: [Evaluation.Ranked]) -> String {
        let shown: [Indicator] = [.assigned, .onTimeDisposalRate, .closeRate, .onTimeCloseRate, .reworks, .returned, .overdueOpen,
                                  .satisfactionRate, .averageHandlingHours]
        var h = "<div class=\"scroll\"><table class=\"list figures-table ranking\"><thead><tr><th scope=\"col\">\(word("rank"))</th><th scope=\"col\">\(word("change"))</th>"
        h += "<th scope=\"col\">\(word("unit"))</th><th scope=\"col\">\(word("score"))</th>"
        for i in shown { h += "<th scope=\"col\">\(esc(lang == .zh ? i.names.zh : i.names.en))</th>" }
        let joint = ranked.contains { $0.joint != nil }
        if joint { h += "<th scope=\"col\">\(word("joint_parts_late"))</th>" }
        h += "</tr></thead><tbody>"
        let units = services.context.current.units
        for r in ranked {
            h += "<tr><td>\(r.rank.map(String.init) ?? "—")</td><td>\(r.change.map { $0 > 0 ? "▲\($0)" : $0 < 0 ? "▼\(-$0)" : "–" } ?? "")</td>"
            h += "<td>\(esc(units[r.unit]?.name ?? r.unit))</td><td>\(String(format: "%.2f", r.score))</td>"
            for i in shown {
                let v = i.value(r.counts, perspective: .unit)
                h += "<td>\(v.map { i.isRate ? String(format: "%.1f%%", $0 * 100) : String(format: "%g", ($0 * 10).rounded() / 10) } ?? "—")</td>"
            }
            if joint { h += "<td>\(r.joint.map { "\($0.parts) (\($0.late))" } ?? "")</td>" }
            h += "</tr>"
        }
        return h + "</tbody></table></div>"
    }
}
