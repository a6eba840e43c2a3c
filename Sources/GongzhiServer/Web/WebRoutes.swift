import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The staff web pages: log in, list the cases in scope, open one, act on it. Sessions are
/// HttpOnly, SameSite=Lax cookies (Secure behind TLS), new at every login; every form that
/// changes something carries the session's CSRF token. The API never accepts these cookies.
struct WebRoutes {
    let services: GongzhiServices
    let pages: Pages

    static let sessionCookie = "gz_session"
    static let loginCSRFCookie = "gz_login_csrf"

    func register(on router: Router<AppRequestContext>) {
        let css = pages.stylesheet
        router.get("/static/app.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: css)))
        }
        router.get("/") { request, _ in Pages.redirect(try await session(request) == nil ? "/login" : "/cases") }
        router.get("/login") { request, _ in loginPage(secure: Self.isSecure(request)) }
        router.post("/login") { request, context in try await login(request, from: context.remoteIP) }
        router.post("/logout") { request, _ in try await logout(request) }
        router.get("/cases") { request, _ in try await page(request) { try await casesPage(request, $0) } }
        router.get("/cases/{id}") { request, context in
            try await page(request) { try await casePage(Int64(context.parameters.get("id") ?? "") ?? 0, $0, error: nil) }
        }
        router.post("/cases/{id}/{action}") { request, context in
            try await page(request) { try await act(request, id: Int64(context.parameters.get("id") ?? "") ?? 0, action: context.parameters.get("action") ?? "", $0) }
        }
    }

    // MARK: Sessions

    struct WebSession { var token: String; var session: AuthSession }

    func session(_ request: Request) async throws -> WebSession? {
        guard let token = FormData.cookies(request)[Self.sessionCookie], token.hasPrefix("gzt_"),
              let s = try await services.accounts.session(token: token, at: services.clock.now()), s.kind == .web else { return nil }
        return WebSession(token: token, session: s)
    }

    /// Runs a page for a logged-in user; others go to the login page. Errors become pages.
    func page(_ request: Request, _ body: (WebSession) async throws -> Response) async throws -> Response {
        guard let s = try await session(request) else { return Pages.redirect("/login") }
        do { return try await body(s) } catch let e as APIError {
            return pages.render("error", base(s, title: "\(e.status.code)").merging(["status": "\(e.status.code) \(e.status.reasonPhrase)", "message": e.message]) { $1 }, status: e.status)
        } catch let e as StoreError {
            return pages.render("error", base(s, title: "404").merging(["status": "404", "message": e.description]) { $1 }, status: .notFound)
        }
    }

    static func isSecure(_ request: Request) -> Bool { request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" }

    static func cookie(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> String {
        var c = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if secure { c += "; Secure" }
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        return c
    }

    func loginPage(secure: Bool, error: String? = nil, username: String = "", status: HTTPResponse.Status = .ok) -> Response {
        let csrf = Credentials.random(32)
        var values: [String: Any] = ["title": "登录", "csrf": csrf, "username": username]
        if let error { values["error"] = error }
        return pages.render("login", values, status: status, headers: [.setCookie: Self.cookie(Self.loginCSRFCookie, csrf, secure: secure, maxAge: 3600)])
    }

    func login(_ request: Request, from address: String) async throws -> Response {
        let form = try await FormData.parse(request)
        let secure = Self.isSecure(request)
        guard try await services.accounts.allowAttempt(from: address, at: services.clock.now()) else {
            return loginPage(secure: secure, error: "登录尝试过多，请稍后再试 Too many login attempts from your address.", status: .tooManyRequests)
        }
        let cookies = FormData.cookies(request)
        guard let sent = form["csrf"], let expected = cookies[Self.loginCSRFCookie], !sent.isEmpty, sent == expected else {
            return loginPage(secure: secure, error: "表单已过期，请重试 The form expired; please try again.", status: .forbidden)
        }
        let username = form["username"] ?? ""
        let now = services.clock.now()
        switch try await services.accounts.login(username: username, password: form["password"] ?? "", kind: .web, at: now) {
        case .success(let token, _, _, _):
            // A session id the browser already had is ended, never promoted.
            if let old = cookies[Self.sessionCookie] { try await services.accounts.logout(token: old, at: now) }
            var headers: HTTPFields = [.location: "/cases"]
            headers.append(HTTPField(name: .setCookie, value: Self.cookie(Self.sessionCookie, token, secure: secure)))
            headers.append(HTTPField(name: .setCookie, value: Self.cookie(Self.loginCSRFCookie, "", secure: secure, maxAge: 0)))
            return Response(status: .seeOther, headers: headers)
        case .invalid:
            return loginPage(secure: secure, error: "用户名或密码错误 Wrong username or password.", username: username, status: .unauthorized)
        case .locked(let until):
            return loginPage(secure: secure, error: "登录失败次数过多，请于 \(Timestamp.rfc3339(until)) 后再试 Too many failed logins.", username: username, status: .tooManyRequests)
        }
    }

    func logout(_ request: Request) async throws -> Response {
        if let s = try await session(request) {
            let form = try await FormData.parse(request)
            guard Self.csrfMatches(form, s) else { return Pages.redirect("/cases") }
            try await services.accounts.logout(token: s.token, at: services.clock.now())
        }
        return Pages.redirect("/login", headers: [.setCookie: Self.cookie(Self.sessionCookie, "", secure: Self.isSecure(request), maxAge: 0)])
    }

    static func csrfMatches(_ form: [String: String], _ s: WebSession) -> Bool {
        guard let sent = form["csrf"], let expected = s.session.csrf, !sent.isEmpty else { return false }
        return Credentials.constantTimeEquals(sent, expected)
    }

    // MARK: Pages

    func base(_ s: WebSession, title: String) -> [String: Any] {
        let p = s.session.principal
        return ["title": title, "user": ["name": p.id, "role": p.role.rawValue, "unit": services.context.current.units[p.unit]?.name ?? p.unit, "csrf": s.session.csrf ?? ""]]
    }

    func casesPage(_ request: Request, _ s: WebSession) async throws -> Response {
        let p = s.session.principal
        guard AccessPolicy.readsCases(p.role) else { throw APIError(.forbidden, code: "forbidden", message: "a \(p.role.rawValue) may not read cases") }
        var q = try CaseListQuery.parse(request.uri.queryParameters, categories: services.reference.categories, now: services.clock.now())
        q.scope = services.scope(of: p)
        let page = try await services.store.list(q)
        let now = services.clock.now()
        let items: [[String: Any]] = page.items.map { r in
            ["id": r.id, "status": r.status.rawValue, "category": r.category.flatMap { services.reference.categories.reportable($0)?.name } ?? "",
             "street": r.area?.street.flatMap(services.areaName) ?? "", "unit": r.unit.flatMap { services.context.current.units[$0]?.name } ?? "",
             "due": r.dueAt.map(Timestamp.rfc3339) ?? "", "overdue": r.status == .dispatched && (r.dueAt.map { $0 < now } ?? false),
             "description": String(r.report.description.prefix(80)), "disputed": r.disputed]
        }
        let status = request.uri.queryParameters.get("status") ?? ""
        var values = base(s, title: "案件")
        values["disputedOnly"] = q.disputed == true
        values["items"] = items
        values["scope"] = services.scope(of: p).isAll ? "全区 whole district" : (services.context.current.units[p.unit]?.name ?? p.unit)
        values["statuses"] = CaseStatus.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == status] }
        if let next = page.nextCursor {
            var c = URLComponents()
            c.queryItems = [URLQueryItem(name: "cursor", value: next.token)] + (status.isEmpty ? [] : [URLQueryItem(name: "status", value: status)])
                + (q.disputed == true ? [URLQueryItem(name: "disputed", value: "true")] : [])
            values["next"] = c.percentEncodedQuery ?? ""
        }
        return pages.render("cases", values)
    }

    func casePage(_ id: Int64, _ s: WebSession, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let p = s.session.principal
        let scope = services.scope(of: p)
        guard AccessPolicy.readsCases(p.role), let r = try await services.store.find(id: id), scope.contains(r) else { throw StoreError.caseNotFound(id) }
        let history = try await services.store.history(of: id)
        let units = services.context.current.units
        var values = base(s, title: "案件 \(id)")
        values["id"] = r.id
        values["tracking_code"] = r.trackingCode
        values["status"] = r.status.rawValue
        values["category"] = r.category.map { "\($0) \(services.reference.categories.reportable($0)?.name ?? "")" } ?? ""
        values["description"] = r.report.description
        values["address"] = r.report.address ?? ""
        let areaCodes: [String] = [r.area?.street, r.area?.grid].compactMap { $0 }
        values["area"] = areaCodes.map { services.areaName($0) ?? $0 }.joined(separator: " · ")
        if let reporter = r.report.reporter {
            values["reporter"] = [reporter.name.map(Masking.name), reporter.phone.map(Masking.phone)].compactMap { $0 }.joined(separator: " ")
        } else {
            values["reporter"] = "匿名 anonymous"
        }
        values["unit"] = r.unit.map { units[$0]?.name ?? $0 } ?? ""
        values["due"] = r.dueAt.map(Timestamp.rfc3339) ?? ""
        values["disputed"] = r.disputed
        let allowed = AccessPolicy.offeredActions(p, on: r, scope: scope, at: services.clock.now(), context: services.context.current)
        values["actions"] = allowed.map { a -> [String: Any] in
            ["id": r.id, "action": a.rawValue, "csrf": s.session.csrf ?? "", "needsUnit": a == .dispatch || a == .redispatch,
             "needsPassed": a == .verify || a == .recheck, "needsInto": a == .merge]
        }
        values["history"] = history.map { e -> [String: Any] in
            let note = e.payload.note == e.payload.reason ? nil : e.payload.note
            let parts: [String?] = [e.payload.unit.map { "→ \(units[$0]?.name ?? $0)" }, e.payload.reason, note,
                                    e.payload.disputed == true ? "推诿 disputed" : nil]
            let detail = parts.compactMap { $0 }.joined(separator: " · ")
            return ["at": Timestamp.rfc3339(e.at), "action": e.action.rawValue, "actor": e.actor.id, "detail": detail, "hash": e.hash, "short": String(e.hash.prefix(12))]
        }
        if let error { values["error"] = error }
        return pages.render("case", values, status: status)
    }

    func act(_ request: Request, id: Int64, action actionText: String, _ s: WebSession) async throws -> Response {
        let form = try await FormData.parse(request)
        guard Self.csrfMatches(form, s) else {
            throw APIError(.forbidden, code: "csrf", message: "the form's security token is missing or wrong; reload the page and try again")
        }
        guard let action = CaseAction(rawValue: actionText), !CaseAction.systemOnly.contains(action) else { throw StoreError.caseNotFound(id) }
        let text = form["text"]?.trimmingCharacters(in: .whitespaces)
        let passed = action == .verify ? form["passed"] == "true" : nil
        // The form has one text box: it is the reason where the action asks why, else the note.
        let isReason = Self.reasonActions.contains(action) || passed == false
        let command = CaseCommand(action, unit: form["unit"], reason: isReason ? text : nil, note: isReason ? nil : text, passed: passed,
                                  otherCase: form["into"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) })
        let p = s.session.principal
        let scope = services.scope(of: p)
        do {
            _ = try await services.store.perform(command, on: id, actor: p.actor, at: services.clock.now()) { current in
                try AccessPolicy.decide(p, action, on: current, scope: scope).enforce(caseID: id)
            }
        } catch let e as CaseError {
            return try await casePage(id, s, error: e.description, status: e.isConflict ? .conflict : .unprocessableContent)
        }
        return Pages.redirect("/cases/\(id)")
    }
}

extension WebRoutes {
    /// Actions whose text says why (a reason) rather than what was done (a note).
    static let reasonActions: Set<CaseAction> = [.reject, .return, .escalate, .redispatch, .reopen, .merge, .unmerge]
}

extension CaseError {
    var isConflict: Bool { if case .invalid = self { return false } else { return true } }
}
