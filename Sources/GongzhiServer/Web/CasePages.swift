import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The case list, one case's page, and the forms that act on a case from any page.
extension WebRoutes {
    func registerCasePages(on router: Router<AppRequestContext>) {
        router.get("/cases") { request, _ in try await page(request, roles: Self.caseReaders) { try await casesPage(request, $0, $1) } }
        router.get("/cases/{id}") { request, context in
            try await page(request) { s, lang in
                try await casePage(request, Int64(context.parameters.get("id") ?? "") ?? 0, s, lang, error: nil)
            }
        }
        router.post("/cases/{id}/{action}") { request, context in
            try await page(request) { s, lang in
                try await act(request, id: Int64(context.parameters.get("id") ?? "") ?? 0, action: context.parameters.get("action") ?? "", s, lang)
            }
        }
    }

    static let caseReaders = Set(Role.allCases.filter(AccessPolicy.readsCases))

    func casesPage(_ request: Request, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let p = s.session.principal
        var q = try CaseListQuery.parse(request.uri.queryParameters, categories: services.reference.categories, now: services.clock.now())
        q.scope = services.scope(of: p)
        let page = try await services.store.list(q)
        let view = caseView(lang)
        let status = request.uri.queryParameters.get("status") ?? ""
        var values = base(request, s, lang, title: pages.text("nav_cases", lang))
        values["disputedOnly"] = q.disputed == true
        values["items"] = page.items.map(view.row)
        values["scope"] = q.scope.isAll ? pages.text("whole_district", lang) : view.unitName(p.unit)
        values["statuses"] = CaseStatus.allCases.map {
            ["value": $0.rawValue, "label": pages.texts.status($0, lang), "selected": $0.rawValue == status]
        }
        if let next = page.nextCursor {
            var c = URLComponents()
            c.queryItems = [URLQueryItem(name: "cursor", value: next.token)] + (status.isEmpty ? [] : [URLQueryItem(name: "status", value: status)])
                + (q.disputed == true ? [URLQueryItem(name: "disputed", value: "true")] : [])
            values["next"] = c.percentEncodedQuery ?? ""
        }
        return pages.render("cases", values)
    }

    func casePage(_ request: Request, _ id: Int64, _ s: WebSession, _ lang: Lang, error: String?,
                  status: HTTPResponse.Status = .ok) async throws -> Response {
        let p = s.session.principal
        let scope = services.scope(of: p)
        guard AccessPolicy.readsCases(p.role), let r = try await services.store.find(id: id), scope.contains(r) else {
            throw StoreError.caseNotFound(id)
        }
        async let events = services.store.history(of: id)
        async let reports = services.store.reports(of: id, after: nil, limit: 100)
        let now = services.clock.now()
        let view = caseView(lang, now: now)
        var values = base(request, s, lang, title: pages.text("case", lang) + " \(id)")
        values["case"] = view.row(r)
        let forms = actionForms(r, for: s, scope: scope, lang, back: "/cases/\(id)")
        values["actions_html"] = CardHTML.forms(forms, texts: pages.texts.table(lang))
        values["has_actions"] = !forms.isEmpty
        // A held case can be worked jointly (联合执法): the joint view lists the units' parts.
        values["joint"] = Self.enterpriseRoles.contains(p.role) && (r.status == .dispatched || r.status == .handled)
        values["full_description"] = r.report.description
        values["address"] = r.report.address ?? ""
        values["area"] = [r.area?.street, r.area?.community, r.area?.grid].compactMap { $0 }
            .map { services.areaName($0) ?? $0 }.joined(separator: " · ")
        values["reporter"] = Self.maskedReporter(r.report.reporter) ?? pages.text("anonymous", lang)
        values["category_full"] = r.category.map { "\($0) \(view.categoryName($0))" } ?? pages.text("uncategorised", lang)
        values["map"] = MapView(atlas: services.atlas.current).caseMap(r, label: pages.text("map_of_case", lang))
        let stored = try await reports
        values["reports"] = stored.map { sr -> [String: Any] in
            ["at": WebText.time(sr.receivedAt, lang), "source": pages.texts.source(sr.report.source, lang),
             "reporter": Self.maskedReporter(sr.report.reporter) ?? pages.text("anonymous", lang),
             "description": CaseView.excerpt(sr.report.description, 120)]
        }
        values["report_count"] = r.tally.total
        let history = try await events
        var seen = Set<String>()
        let photos = r.report.mediaURLs + stored.flatMap(\.report.mediaURLs) + history.flatMap { $0.payload.mediaURLs ?? [] }
        let distinct = photos.filter { seen.insert($0).inserted }
        values["photos"] = distinct.prefix(Self.photosShown).map { ["url": $0] }
        if distinct.count > Self.photosShown { values["more_photos"] = distinct.count - Self.photosShown }
        values["history"] = history.map { timelineEntry($0, view, lang) }
        values["datalists"] = datalists()
        if let error { values["error"] = error }
        return pages.render("case", values, status: status)
    }

    static func maskedReporter(_ reporter: Reporter?) -> String? {
        guard let reporter else { return nil }
        let parts = [reporter.name.map(Masking.name), reporter.phone.map(Masking.phone)].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    func timelineEntry(_ e: CaseEvent, _ view: CaseView, _ lang: Lang) -> [String: Any] {
        let note = e.payload.note == e.payload.reason ? nil : e.payload.note
        var parts: [String?] = [e.payload.unit.map { "→ " + view.unitName($0) }, e.payload.reason, note]
        if let c = e.payload.category { parts.append(pages.text("category", lang) + " " + view.categoryName(c)) }
        if let passed = e.payload.passed { parts.append(pages.text(passed ? "passed" : "failed", lang)) }
        if let n = e.payload.count { parts.append("× \(n)") }
        if e.payload.disputed == true { parts.append(pages.text("disputed", lang)) }
        if let into = e.payload.mergedInto { parts.append(pages.text("merged_into", lang) + " \(into)") }
        if let due = e.payload.dueAt { parts.append(pages.text("due", lang) + " " + WebText.time(Timestamp.date(millis: due), lang)) }
        let actor = e.actor.id.hasPrefix("user:") ? String(e.actor.id.dropFirst(5)) : e.actor.id
        return ["at": WebText.time(e.at, lang), "action": pages.texts.action(e.action, lang), "actor": actor,
                "unit": view.unitName(e.actor.unit), "to": e.from != e.to ? pages.texts.status(e.to, lang) : "",
                "detail": parts.compactMap { $0 }.joined(separator: " · "), "hash": e.hash, "short": String(e.hash.prefix(12))]
    }

    /// One form per action the viewer may take now, each with the fields it needs. Lists show
    /// the actions that move a case along; commenting and supervising stay on the case's page.
    func actionForms(_ r: CaseRecord, for s: WebSession, scope: Scope, _ lang: Lang, back: String,
                     inList: Bool = false) -> [ActionForm] {
        let context = services.context.current, p = s.session.principal
        let allowed = AccessPolicy.offeredActions(p, on: r, scope: scope, at: services.clock.now(), context: context)
            .filter { !inList || !Self.pageOnlyActions.contains($0) }
        return allowed.map { a in
            ActionForm(caseID: r.id, action: a, label: pages.texts.action(a, lang), back: back, csrf: s.session.csrf ?? "",
                       categories: a == .register ? categoryChoices(r, lang) : nil,
                       dispatch: a == .dispatch || a == .redispatch ? dispatchChoice(r, lang) : nil)
        }
    }

    /// The categories a dispatcher picks from when registering: the classifier's suggestions
    /// first, then the present category; any other code by typing it (the page lists them all).
    func categoryChoices(_ r: CaseRecord, _ lang: Lang) -> [ActionForm.Choice] {
        let view = caseView(lang)
        var seen = Set<String>()
        var out: [ActionForm.Choice] = []
        for g in r.report.classification?.suggestions.prefix(3) ?? [] where seen.insert(g.code).inserted {
            out.append(.init(code: g.code, name: view.categoryName(g.code), confidence: "\(Int((g.confidence * 100).rounded()))%",
                             checked: g.code == r.category))
        }
        if let c = r.category, seen.insert(c).inserted { out.append(.init(code: c, name: view.categoryName(c), confidence: nil, checked: true)) }
        return out
    }

    /// What the routing rules would do with the case now: the unit they choose, the deadline and
    /// why that rule won, so the dispatcher confirms or overrides with the reason in view.
    func dispatchChoice(_ r: CaseRecord, _ lang: Lang) -> ActionForm.Dispatch {
        let context = services.context.current
        let now = services.clock.now()
        let match = context.rules.route(category: r.category, area: r.area, source: r.report.source, units: context.units)
        var out = ActionForm.Dispatch(unit: match?.unit ?? "", unitName: nil, due: nil, left: nil,
                                      why: match?.explanation ?? pages.text("no_rule", lang))
        if let unit = match?.unit {
            out.unitName = context.units[unit]?.name ?? unit
            let d = context.deadline(for: r, from: now, overrideHours: nil)
            out.due = WebText.time(d.due, lang)
            out.left = WebText.timeLeft(until: d.due, now: now, lang)
        }
        return out
    }

    func act(_ request: Request, id: Int64, action actionText: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let form = try await staffForm(request, s, lang)
        guard let action = CaseAction(rawValue: actionText), !CaseAction.systemOnly.contains(action) else { throw StoreError.caseNotFound(id) }
        let text = form["text"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        let passed = action == .verify || action == .recheck ? form["passed"] == "true" : nil
        // The form has one text box: it is the reason where the action asks why, else the note.
        let isReason = Self.reasonActions.contains(action) || passed == false
        let typed = form["category_other"]?.trimmingCharacters(in: .whitespaces)
        let category = typed?.isEmpty == false ? typed : form["category"]
        let photos = (form["photos"] ?? "").split(whereSeparator: { $0.isWhitespace }).map(String.init)
        let command = CaseCommand(action, unit: form["unit"].flatMap { $0.isEmpty ? nil : $0 }, reason: isReason ? text : nil,
                                  note: isReason ? nil : text, passed: passed, mediaURLs: photos,
                                  otherCase: form["into"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) },
                                  category: action == .register ? category.flatMap { $0.isEmpty ? nil : $0 } : nil,
                                  satisfaction: form["satisfaction"].flatMap(Satisfaction.init(rawValue:)))
        let p = s.session.principal
        let scope = services.scope(of: p)
        do {
            _ = try await services.store.perform(command, on: id, actor: p.actor, at: services.clock.now()) { current in
                try AccessPolicy.decide(p, action, on: current, scope: scope).enforce(caseID: id)
            }
        } catch let e as CaseError {
            return try await casePage(request, id, s, lang, error: e.description, status: e.isConflict ? .conflict : .unprocessableContent)
        }
        return Pages.redirect(Self.localPath(form["back"], or: "/cases/\(id)"))
    }
}

extension WebRoutes {
    /// Actions whose text says why (a reason) rather than what was done (a note).
    static let reasonActions: Set<CaseAction> = [.reject, .return, .escalate, .redispatch, .reopen, .merge, .unmerge, .postpone]
    /// Photo links listed on a case's page; a camera case can gather hundreds.
    static let photosShown = 8
    /// Actions offered on a case's own page but not in the lists of many cases.
    static let pageOnlyActions: Set<CaseAction> = [.comment, .supervise, .reopen]
}

extension CaseError {
    var isConflict: Bool { if case .invalid = self { return false } else { return true } }
}
