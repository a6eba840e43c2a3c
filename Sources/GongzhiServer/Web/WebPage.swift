import Foundation
import GongzhiCore
import GongzhiStore
import HTTPTypes
import Hummingbird

extension WebRoutes {
    /// Runs a page for a logged-in user of one of `roles` (any role when empty); others go to the
    /// login page. Errors become pages in the user's language.
    func page(_ request: Request, roles: Set<Role> = [], _ body: (WebSession, Lang) async throws -> Response) async throws -> Response {
        guard let s = try await session(request) else { return Pages.redirect("/login") }
        let lang = Lang.of(request)
        do {
            let role = s.session.principal.role
            guard roles.isEmpty || roles.contains(role) || role == .admin else {
                throw APIError(.forbidden, code: "forbidden", message: pages.text("page_not_for_role", lang) + " " + pages.texts.role(role, lang))
            }
            return try await body(s, lang)
        } catch let e as APIError {
            return errorPage(request, s, lang, status: e.status, message: e.message)
        } catch let e as StoreError {
            return errorPage(request, s, lang, status: .notFound, message: e.description)
        } catch {
            // A domain's refusal (a bad filter in the address, a step not allowed) as its page.
            guard let api = APIError.from(error), api.status.code < 500 else { throw error }
            return errorPage(request, s, lang, status: api.status, message: api.message)
        }
    }

    func errorPage(_ request: Request, _ s: WebSession?, _ lang: Lang, status: HTTPResponse.Status, message: String) -> Response {
        var values = s.map { base(request, $0, lang, title: "\(status.code)") } ?? publicBase(request, lang, title: "\(status.code)")
        values["status"] = "\(status.code) \(status.reasonPhrase)"
        values["message"] = message
        return pages.render("error", values, status: status)
    }

    /// What every page has: the language, its texts, the switch to the other language.
    func publicBase(_ request: Request, _ lang: Lang, title: String) -> [String: Any] {
        var back = URLComponents()
        back.queryItems = [URLQueryItem(name: "back", value: request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))]
        return ["title": title, "lang": lang.tag, "t": pages.texts.table(lang),
                "switch": ["href": "/lang/\(lang.other.rawValue)?\(back.percentEncodedQuery ?? "")",
                           "label": lang == .zh ? "English" : "中文", "lang": lang.other.tag]]
    }

    /// A staff page: who is logged in, the links for the role, the CSRF token for its forms.
    func base(_ request: Request, _ s: WebSession, _ lang: Lang, title: String) -> [String: Any] {
        let p = s.session.principal
        var values = publicBase(request, lang, title: title)
        values["user"] = ["name": p.id.hasPrefix("user:") ? String(p.id.dropFirst(5)) : p.id, "role": pages.texts.role(p.role, lang),
                          "unit": services.context.current.units[p.unit]?.name ?? p.unit, "csrf": s.session.csrf ?? ""]
        let path = request.uri.path
        values["has_nav"] = !Self.links(for: p.role).isEmpty
        values["nav"] = Self.links(for: p.role).map { href, key in
            ["href": href, "label": pages.text(key, lang), "current": path == href || (href != "/" && path.hasPrefix(href + "/"))]
        }
        values["csrf"] = s.session.csrf ?? ""
        return values
    }

    /// How cases read on this request's pages.
    func caseView(_ lang: Lang, now: Date? = nil) -> CaseView {
        CaseView(services: services, texts: pages.texts, lang: lang, now: now ?? services.clock.now())
    }

    /// The pages a role uses, its landing page first.
    static func links(for role: Role) -> [(String, String)] {
        let all: [String: String] = ["/console": "nav_console", "/worklist": "nav_worklist", "/patrol": "nav_patrol",
                                     "/cockpit": "nav_cockpit", "/audit": "nav_audit", "/cases": "nav_cases",
                                     "/plans": "nav_plans", "/centre": "nav_centre", "/enterprises": "nav_enterprises",
                                     "/policies": "nav_policies", "/key-population": "nav_key_population", "/whatif": "nav_whatif",
                                     "/inspection-rounds": "nav_inspections"]
        let paths: [String] = switch role {
        case .admin: ["/console", "/worklist", "/patrol", "/cockpit", "/whatif", "/plans", "/centre", "/enterprises", "/policies", "/audit",
                      "/cases"]
        case .dispatcher: ["/console", "/cases", "/cockpit", "/whatif", "/plans", "/centre", "/enterprises", "/policies", "/key-population",
                           "/inspection-rounds"]
        case .handler: ["/worklist", "/cases", "/plans", "/centre", "/enterprises", "/policies", "/key-population", "/inspection-rounds"]
        case .gridWorker: ["/patrol", "/cases", "/centre"]
        case .leader, .supervisor: ["/cockpit", "/whatif", "/plans", "/centre", "/enterprises", "/policies", "/key-population", "/cases",
                                    "/inspection-rounds"]
        case .auditor: ["/audit", "/cases"]
        case .merchant, .machine: []
        }
        return paths.map { ($0, all[$0] ?? $0) }
    }

    /// A form post from a staff page: the session's CSRF token must match, or nothing happens.
    func staffForm(_ request: Request, _ s: WebSession, _ lang: Lang, maxBytes: Int = FormData.maxBytes) async throws -> [String: String] {
        let form = try await FormData.parse(request, maxBytes: maxBytes)
        guard Self.csrfMatches(form, s) else { throw APIError(.forbidden, code: "csrf", message: pages.text("form_expired", lang)) }
        return form
    }
}
