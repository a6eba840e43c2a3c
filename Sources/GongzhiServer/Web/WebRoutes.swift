import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The web pages: the public report form and status page, the merchant's notice, and the staff
/// pages each role lands on. Sessions are HttpOnly, SameSite=Lax cookies (Secure behind TLS), new
/// at every login; every form that changes something carries a CSRF token. The API never
/// accepts these cookies.
struct WebRoutes {
    let services: GongzhiServices
    let pages: Pages

    static let sessionCookie = "gz_session"
    static let loginCSRFCookie = "gz_login_csrf"

    func register(on router: Router<AppRequestContext>) {
        for (name, type) in [("app.css", "text/css"), ("app.js", "text/javascript")] {
            let bytes = pages.statics[name] ?? Data()
            router.get("/static/\(name)") { _, _ in
                Response(status: .ok, headers: [.contentType: "\(type); charset=utf-8", .cacheControl: "max-age=3600"],
                         body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        router.get("/lang/{code}") { request, context in language(request, context.parameters.get("code") ?? "") }
        router.get("/login") { request, _ in loginPage(request) }
        router.post("/login") { request, context in try await login(request, from: context.remoteIP) }
        router.post("/logout") { request, _ in try await logout(request) }
        router.get("/home") { request, _ in try await page(request) { s, _ in Pages.redirect(Self.landing(s.session.principal.role)) } }
        registerCasePages(on: router)
        registerDeskPages(on: router)
        registerPublicPages(on: router)
        registerPlanPages(on: router)
        registerCentrePages(on: router)
        registerEnterprisePages(on: router)
        registerPolicyPages(on: router)
        registerKeyPopulationPages(on: router)
        registerJointPages(on: router)
        registerWhatIfPages(on: router)
        registerInspectionPages(on: router)
    }

    /// Where each role starts: the page for its part of the loop.
    static func landing(_ role: Role) -> String {
        switch role {
        case .admin, .dispatcher: "/console"
        case .handler: "/worklist"
        case .gridWorker: "/patrol"
        case .leader, .supervisor: "/cockpit"
        case .auditor: "/audit"
        case .merchant, .machine: "/cases"
        }
    }

    /// A local path to come back to; anything else (another site, `//host`) goes home.
    static func localPath(_ text: String?, or fallback: String = "/home") -> String {
        guard let t = text, t.hasPrefix("/"), !t.hasPrefix("//"), !t.contains("\\"), t.count <= 500,
              !t.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return fallback }
        return t
    }

    /// The language switch: a cookie for a year, then back to the page it was pressed on.
    func language(_ request: Request, _ code: String) -> Response {
        let lang = Lang(rawValue: code) ?? .zh
        let back = Self.localPath(request.uri.queryParameters.get("back"), or: "/")
        var c = "\(Lang.cookie)=\(lang.rawValue); Path=/; SameSite=Lax; Max-Age=31536000"
        if Self.isSecure(request) { c += "; Secure" }
        return Pages.redirect(back, headers: [.setCookie: c])
    }

    // MARK: Sessions

    struct WebSession { var token: String; var session: AuthSession }

    func session(_ request: Request) async throws -> WebSession? {
        guard let token = FormData.cookies(request)[Self.sessionCookie], token.hasPrefix("gzt_"),
              let s = try await services.accounts.session(token: token, at: services.clock.now()), s.kind == .web else { return nil }
        return WebSession(token: token, session: s)
    }

    static func isSecure(_ request: Request) -> Bool { request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" }

    static func cookie(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> String {
        var c = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if secure { c += "; Secure" }
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        return c
    }

    func loginPage(_ request: Request, error: String? = nil, username: String = "", status: HTTPResponse.Status = .ok) -> Response {
        let lang = Lang.of(request)
        let csrf = Credentials.random(32)
        var values = publicBase(request, lang, title: pages.text("login_title", lang))
        values["csrf"] = csrf
        values["username"] = username
        if let error { values["error"] = error }
        return pages.render("login", values, status: status,
                            headers: [.setCookie: Self.cookie(Self.loginCSRFCookie, csrf, secure: Self.isSecure(request), maxAge: 3600)])
    }

    func login(_ request: Request, from address: String) async throws -> Response {
        let form = try await FormData.parse(request)
        let lang = Lang.of(request)
        guard try await services.accounts.allowAttempt(from: address, at: services.clock.now()) else {
            return loginPage(request, error: pages.text("login_too_many", lang), status: .tooManyRequests)
        }
        let cookies = FormData.cookies(request)
        guard let sent = form["csrf"], let expected = cookies[Self.loginCSRFCookie], !sent.isEmpty, sent == expected else {
            return loginPage(request, error: pages.text("form_expired", lang), status: .forbidden)
        }
        let username = form["username"] ?? ""
        let now = services.clock.now()
        let secure = Self.isSecure(request)
        switch try await services.accounts.login(username: username, password: form["password"] ?? "", kind: .web, at: now) {
        case .success(let token, _, _, _):
            // A session id the browser already had is ended, never promoted.
            if let old = cookies[Self.sessionCookie] { try await services.accounts.logout(token: old, at: now) }
            let landing = try await services.accounts.session(token: token, at: now).map { Self.landing($0.principal.role) } ?? "/home"
            var headers: HTTPFields = [.location: landing]
            headers.append(HTTPField(name: .setCookie, value: Self.cookie(Self.sessionCookie, token, secure: secure)))
            headers.append(HTTPField(name: .setCookie, value: Self.cookie(Self.loginCSRFCookie, "", secure: secure, maxAge: 0)))
            return Response(status: .seeOther, headers: headers)
        case .invalid:
            return loginPage(request, error: pages.text("login_wrong", lang), username: username, status: .unauthorized)
        case .locked(let until):
            let message = pages.text("login_locked", lang) + " " + WebText.time(until, lang)
            return loginPage(request, error: message, username: username, status: .tooManyRequests)
        }
    }

    func logout(_ request: Request) async throws -> Response {
        if let s = try await session(request) {
            let form = try await FormData.parse(request)
            guard Self.csrfMatches(form, s) else { return Pages.redirect("/home") }
            try await services.accounts.logout(token: s.token, at: services.clock.now())
        }
        return Pages.redirect("/login", headers: [.setCookie: Self.cookie(Self.sessionCookie, "", secure: Self.isSecure(request), maxAge: 0)])
    }

    static func csrfMatches(_ form: [String: String], _ s: WebSession) -> Bool {
        guard let sent = form["csrf"], let expected = s.session.csrf, !sent.isEmpty else { return false }
        return Credentials.constantTimeEquals(sent, expected)
    }
}
