import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The pages each role works from: the command centre's console, a unit's worklist, the grid
/// worker's patrol page, the leaders' overview and the auditors' access log.
extension WebRoutes {
    func registerDeskPages(on router: Router<AppRequestContext>) {
        router.get("/console") { request, _ in try await page(request, roles: [.dispatcher]) { try await consolePage(request, $0, $1) } }
        router.get("/worklist") { request, _ in try await page(request, roles: [.handler]) { try await worklistPage(request, $0, $1) } }
        router.get("/patrol") { request, _ in try await page(request, roles: [.gridWorker]) { try await patrolPage(request, $0, $1) } }
        router.post("/patrol/report") { request, _ in try await page(request, roles: [.gridWorker]) { try await patrolReport(request, $0, $1) } }
        registerCockpit(on: router)
        router.get("/audit") { request, _ in try await page(request, roles: [.auditor]) { try await auditPage(request, $0, $1) } }
    }

    /// Cards on the worklist; the figures at the top count them all, and the case list has the rest.
    static let worklistLimit = 50

    /// A unit's open cases, overdue first then by time left, with the figures at the top.
    func worklistPage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let p = s.session.principal
        let scope = services.scope(of: p)
        let now = services.clock.now()
        var held = CaseQuery()
        held.scope = scope
        held.units = scope.isAll ? [] : scope.units.sorted()
        held.statuses = [.dispatched]
        held.limit = Self.worklistLimit
        var list = held
        list.sort = .timeLeft
        var late = held
        late.overdueAt = now
        var today = held
        today.dueBefore = Timestamp.nextChinaMidnight(after: now)
        async let items = services.store.list(list)
        async let open = services.store.count(held)
        async let overdue = services.store.count(late)
        async let dueByTonight = services.store.count(today)
        let view = caseView(lang, now: now)
        var values = base(request, s, lang, title: pages.text("nav_worklist", lang))
        let texts = pages.texts.table(lang)
        let cards = try await items.items.map { r in
            CardHTML.card(r, view, forms: actionForms(r, for: s, scope: scope, lang, back: "/worklist", inList: true), texts: texts)
        }
        values["cards"] = cards.isEmpty ? nil : cards.joined()
        let lateCount = try await overdue
        values["open"] = try await open
        values["overdue"] = lateCount
        values["due_today"] = try await dueByTonight - lateCount
        values["scope"] = view.unitName(p.unit)
        values["refresh"] = Self.queueRefreshSeconds
        return pages.render("worklist", values)
    }

    /// The grid worker's phone page: report a finding on the map of the worker's own area, and
    /// the checks waiting in that area (verifications of handled cases, self-correction rechecks).
    func patrolPage(_ request: Request, _ s: WebSession, _ lang: Lang, error: String? = nil, form: [String: String] = [:],
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let p = s.session.principal
        let scope = services.scope(of: p)
        var q = CaseQuery()
        q.scope = scope
        q.statuses = [.handled, .selfCorrecting]
        q.sort = .oldest
        q.limit = 50
        let checks = try await services.store.list(q)
        let view = caseView(lang)
        var values = base(request, s, lang, title: pages.text("nav_patrol", lang))
        let texts = pages.texts.table(lang)
        let cards = checks.items.map { r in
            CardHTML.card(r, view, forms: actionForms(r, for: s, scope: scope, lang, back: "/patrol", inList: true), texts: texts)
        }
        values["checks"] = cards.isEmpty ? nil : cards.joined()
        let areas = scope.areas.union([p.unit])
        values["map"] = MapView(atlas: services.atlas.current).areaMap(areas, label: pages.text("map_pick", lang))
        values["majors"] = categoryGroups(selected: form["category"])
        values["form"] = form
        if let filed = request.uri.queryParameters.get("filed").flatMap(Int64.init) { values["filed"] = filed }
        if let error { values["error"] = error }
        return pages.render("patrol", values, status: status)
    }

    /// The reportable categories grouped by major class, for a select with option groups.
    func categoryGroups(selected: String?) -> [[String: Any]] {
        let directory = services.context.current.categories
        var order: [String] = []
        var groups: [String: (name: String, items: [[String: Any]])] = [:]
        for c in directory.all where directory.reportable(c.code) != nil {
            if groups[c.majorCode] == nil { order.append(c.majorCode); groups[c.majorCode] = (c.majorName, []) }
            groups[c.majorCode]?.items.append(["code": c.code, "name": c.name, "selected": c.code == selected])
        }
        return order.map { ["code": $0, "name": groups[$0]?.name ?? $0, "items": groups[$0]?.items ?? []] }
    }

    func patrolReport(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        let p = s.session.principal
        let outcome: IntakeOutcome
        do {
            outcome = try await services.intake.submit(try Self.draft(from: form, source: .gridWorker, lang: lang, texts: pages.texts),
                                                       actor: p.actor)
        } catch {
            return try await patrolPage(request, s, lang, error: error.description, form: form, status: Self.status(of: error))
        }
        return Pages.redirect("/patrol?filed=\(outcome.caseID ?? 0)")
    }

    /// A report from a page's form: category, description, `lat`/`lon` typed or set by a tap on
    /// the map, an optional photo link, name and phone.
    static func draft(from form: [String: String], source: ReportSource, lang: Lang, texts: WebText) throws(IntakeError) -> ReportDraft {
        func field(_ name: String) -> String? {
            guard let v = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        var location: ReportDraft.Location? = nil
        if field("lat") != nil || field("lon") != nil {
            guard let lat = field("lat").flatMap(Double.init) else {
                throw .invalid(FieldError(field: "lat", code: "invalid", message: texts("bad_lat", lang)))
            }
            guard let lon = field("lon").flatMap(Double.init) else {
                throw .invalid(FieldError(field: "lon", code: "invalid", message: texts("bad_lon", lang)))
            }
            location = .init(lat: lat, lon: lon)
        }
        guard location != nil || field("address") != nil else {
            throw .invalid(FieldError(field: "lat", code: "required", message: texts("need_location", lang)))
        }
        return ReportDraft(source: source.rawValue, category: field("category"), description: field("description"), location: location,
                           address: field("address"), reporterName: field("name"), reporterPhone: field("phone"),
                           mediaURLs: field("photo").map { [$0] } ?? [])
    }

    /// Who read whose personal data, when and why: the auditors' page.
    func auditPage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let entries = try await services.accounts.accessLog(limit: 200)
        var values = base(request, s, lang, title: pages.text("nav_audit", lang))
        values["entries"] = entries.map { e -> [String: Any] in
            // A dispute's or petition's parties link to the matter, a reporter to the case.
            let (href, label) = e.subject.map { s -> (String, String) in
                let parts = s.split(separator: ":")
                return ("/centre/\(parts.first ?? "")s/\(parts.last ?? "")", s)
            } ?? ("/cases/\(e.caseID)", "\(e.caseID)")
            return ["at": WebText.time(e.at, lang), "actor": e.actor, "href": href, "case": label, "field": e.field, "reason": e.reason]
        }
        return pages.render("audit", values)
    }
}
