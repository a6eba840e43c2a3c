import Foundation
import GongzhiCore
@testable import GongzhiServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import GongzhiTestSupport
import Testing

/// The staff pages: sessions, CSRF, escaping and scope, through the router as a browser would.
@Suite struct WebPageTests {
    struct Browser {
        let client: Client
        var cookies: [String: String] = [:]

        mutating func send(_ method: HTTPRequest.Method, _ uri: String, form: [String: String]? = nil, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
            var h = headers
            if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
            var body: ByteBuffer? = nil
            if let form {
                h[.contentType] = "application/x-www-form-urlencoded"
                var c = URLComponents()
                c.queryItems = form.map { URLQueryItem(name: $0.key, value: $0.value) }
                body = ByteBuffer(string: c.percentEncodedQuery ?? "")
            }
            let result = try await client.raw.execute(uri: uri, method: method, headers: h, body: body) { r in
                (r.status, r.headers, String(buffer: r.body))
            }
            for set in result.1[values: .setCookie] {
                let first = set.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                if first.count == 2 { if first[1].isEmpty { cookies[first[0]] = nil } else { cookies[first[0]] = first[1] } }
            }
            return result
        }

        static func csrf(in html: String) -> String? {
            guard let r = html.range(of: #"name="csrf" value="[a-z0-9]+""#, options: .regularExpression) else { return nil }
            return String(html[r].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }

        mutating func login(_ username: String, _ password: String) async throws -> HTTPResponse.Status {
            let page = try await send(.get, "/login")
            return try await send(.post, "/login", form: ["csrf": Self.csrf(in: page.body) ?? "", "username": username, "password": password]).status
        }
    }

    func fixture(_ backend: Backend) async throws -> ServerFixture {
        let f = try await ServerFixture(backend)
        for (name, role, unit) in [("xiaohe", Role.handler, "330105003"), ("mishixiang", .handler, "330105001"), ("dispatcher", .dispatcher, "330105")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse", by: "t", at: ServerFixture.start)
        }
        return f
    }

    /// A case in 米市巷 dispatched there, with a description that tries to inject markup.
    func mishixiangCase(_ client: Client) async throws -> Int {
        let r = try await client.post("/api/v1/reports", #"{"source":"hotline","description":"<script>alert(1)</script> 垃圾","location":{"lat":30.291384,"lon":120.146347}}"#)
        let id = try #require(r["id"] as? Int)
        _ = try await client.post("/api/v1/cases/\(id)/register")
        _ = try await client.post("/api/v1/cases/\(id)/dispatch", #"{"unit":"330105001"}"#)
        return id
    }

    @Test(arguments: Backend.all) func loginSetsAFreshHttpOnlyLaxCookieAndEndsAPlantedOne(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var browser = Browser(client: client.as(nil))
            browser.cookies["gz_session"] = "gzt_planted_by_an_attacker"
            let page = try await browser.send(.get, "/login")
            let csrf = try #require(Browser.csrf(in: page.body))
            let r = try await browser.send(.post, "/login", form: ["csrf": csrf, "username": "xiaohe", "password": "correct horse"],
                                           headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(r.status == .seeOther && r.headers[.location] == "/worklist")  // a handler lands in the worklist
            let set = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("gz_session=") })
            #expect(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Secure"))
            let token = try #require(browser.cookies["gz_session"])
            #expect(token != "gzt_planted_by_an_attacker" && token.hasPrefix("gzt_"))
            // A second login gives yet another session and ends the first.
            var other = browser
            #expect(try await other.login("xiaohe", "correct horse") == .seeOther)
            #expect(other.cookies["gz_session"] != token)
            #expect(try await browser.send(.get, "/cases").status == .seeOther)  // the old session is gone
        }
    }

    @Test(arguments: Backend.all) func loginNeedsItsFormToken(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var browser = Browser(client: client.as(nil))
            let r = try await browser.send(.post, "/login", form: ["username": "xiaohe", "password": "correct horse"])
            #expect(r.status == .forbidden && browser.cookies["gz_session"] == nil)
            // A token from another form (the cookie says one thing, the form another) is refused too.
            let page = try await browser.send(.get, "/login")
            let csrf = try #require(Browser.csrf(in: page.body))
            let mismatched = try await browser.send(.post, "/login", form: ["csrf": String(csrf.reversed()), "username": "xiaohe", "password": "correct horse"])
            #expect(mismatched.status == .forbidden && browser.cookies["gz_session"] == nil)
            #expect(try await browser.login("xiaohe", "wrong password") == .unauthorized)
        }
    }

    @Test(arguments: Backend.all) func aXiaoheWorkerDoesNotSeeAMishixiangCaseInTheUI(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            let id = try await mishixiangCase(client)
            var xiaohe = Browser(client: client.as(nil))
            #expect(try await xiaohe.login("xiaohe", "correct horse") == .seeOther)
            let list = try await xiaohe.send(.get, "/cases")
            #expect(list.status == .ok && !list.body.contains("href=\"/cases/\(id)\""))
            #expect(try await xiaohe.send(.get, "/cases/\(id)").status == .notFound)
            let before = try await f.eventCount()
            let csrf = try #require(Browser.csrf(in: list.body))
            #expect(try await xiaohe.send(.post, "/cases/\(id)/handle", form: ["csrf": csrf, "text": "x"]).status == .notFound)
            #expect(try await f.eventCount() == before)

            var mishixiang = Browser(client: client.as(nil))
            #expect(try await mishixiang.login("mishixiang", "correct horse") == .seeOther)
            let mine = try await mishixiang.send(.get, "/cases")
            #expect(mine.body.contains("href=\"/cases/\(id)\""))
            let page = try await mishixiang.send(.get, "/cases/\(id)")
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.body.contains("<script>alert(1)"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.body.contains("action=\"/cases/\(id)/handle\""))
            #expect(!page.body.contains("action=\"/cases/\(id)/close\""))  // a handler may not close
        }
    }

    @Test(arguments: Backend.all) func actionsNeedTheSessionsCSRFToken(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            let id = try await mishixiangCase(client)
            var browser = Browser(client: client.as(nil))
            #expect(try await browser.login("mishixiang", "correct horse") == .seeOther)
            let page = try await browser.send(.get, "/cases/\(id)")
            let csrf = try #require(Browser.csrf(in: page.body))
            let before = try await f.eventCount()
            #expect(try await browser.send(.post, "/cases/\(id)/handle", form: ["text": "已清理"]).status == .forbidden)
            #expect(try await browser.send(.post, "/cases/\(id)/handle", form: ["csrf": String(csrf.reversed()), "text": "已清理"]).status == .forbidden)
            #expect(try await f.eventCount() == before)
            let done = try await browser.send(.post, "/cases/\(id)/handle", form: ["csrf": csrf, "text": "已清理"])
            #expect(done.status == .seeOther)
            #expect(try await client.get("/api/v1/cases/\(id)")["status"] as? String == "handled")
            let illegal = try await browser.send(.post, "/cases/\(id)/handle", form: ["csrf": csrf, "text": "again"])
            #expect(illegal.status == .conflict && illegal.body.contains("cannot be handled"))
            // Logging out needs the token too, and ends the session.
            #expect(try await browser.send(.post, "/logout", form: [:]).status == .seeOther)
            #expect(try await browser.send(.get, "/cases").status == .ok)
            #expect(try await browser.send(.post, "/logout", form: ["csrf": csrf]).status == .seeOther)
            #expect(try await browser.send(.get, "/cases").headers[.location] == "/login")
        }
    }

    /// The API takes neither the session cookie nor its token sent as a bearer token: a web
    /// session is for pages only, so the API needs no CSRF defence.
    @Test(arguments: Backend.all) func theAPIRefusesWebSessions(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var browser = Browser(client: client.as(nil))
            let login = try await browser.login("dispatcher", "correct horse")
            #expect(login == .seeOther)
            let token = try #require(browser.cookies["gz_session"])
            #expect(try await browser.send(.get, "/cases").status == .ok)  // the session is good for pages
            let cookieOnly = try await browser.send(.get, "/api/v1/cases")
            #expect(cookieOnly.status == .unauthorized)
            let asBearer = try await client.as(token).get("/api/v1/cases")
            #expect(asBearer.status == .unauthorized && asBearer.errorCode == "invalid_credentials")
            // An API token is accepted, of course.
            let apiLogin = try await client.as(nil).post("/api/v1/session", #"{"username":"dispatcher","password":"correct horse"}"#)
            #expect(try await client.as(apiLogin["token"] as? String).get("/api/v1/cases").status == .ok)
            // And an API token is no web session.
            var other = Browser(client: client.as(nil))
            other.cookies["gz_session"] = apiLogin["token"] as? String
            #expect(try await other.send(.get, "/cases").headers[.location] == "/login")
        }
    }

    /// The buttons on a case page are exactly the caller's `allowed_actions`; each note shows
    /// once; personal fields are masked; a disputed case says so.
    @Test(arguments: Backend.all) func theCasePageOffersWhatTheServerAllows(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            let r = try await client.post("/api/v1/reports", #"{"source":"hotline","description":"米市巷垃圾","location":{"lat":30.291384,"lon":120.146347},"reporter":{"name":"张三丰","phone":"13812345678"}}"#)
            let id = try #require(r["id"] as? Int)
            var dispatcher = Browser(client: client.as(nil))
            #expect(try await dispatcher.login("dispatcher", "correct horse") == .seeOther)
            var mishixiang = Browser(client: client.as(nil))
            #expect(try await mishixiang.login("mishixiang", "correct horse") == .seeOther)
            func buttons(_ browser: inout Browser) async throws -> [String] {
                let body = try await browser.send(.get, "/cases/\(id)").body
                return body.matches(of: /action="\/cases\/\d+\/([a-z]+)"/).map { String($0.output.1) }
            }
            func csrf(_ browser: inout Browser) async throws -> String {
                try #require(Browser.csrf(in: try await browser.send(.get, "/cases/\(id)").body))
            }
            #expect(try await buttons(&dispatcher) == ["register", "reject", "comment", "supervise", "merge"])
            let page = try await dispatcher.send(.get, "/cases/\(id)").body
            #expect(page.contains("张**") && page.contains("138****5678") && !page.contains("13812345678") && !page.contains("张三丰"))
            let token = try await csrf(&dispatcher)
            #expect(try await dispatcher.send(.post, "/cases/\(id)/register", form: ["csrf": token, "text": "核实属实，予以立案"]).status == .seeOther)
            #expect(try await dispatcher.send(.get, "/cases/\(id)").body.components(separatedBy: "核实属实，予以立案").count == 2)  // once
            #expect(try await dispatcher.send(.post, "/cases/\(id)/dispatch", form: ["csrf": token, "unit": "330105001", "text": ""]).status == .seeOther)
            #expect(try await buttons(&mishixiang) == ["accept", "return", "escalate", "handle", "comment"])
            #expect(try await buttons(&dispatcher) == ["escalate", "redispatch", "comment", "supervise", "postpone", "merge"])
            // Returned twice for the same reason: disputed, on the page and in the list.
            let handlerToken = try await csrf(&mishixiang)
            for round in 0..<2 {
                #expect(try await mishixiang.send(.post, "/cases/\(id)/return", form: ["csrf": handlerToken, "text": "不属于本街道"]).status == .seeOther)
                if round == 0 {
                    #expect(try await dispatcher.send(.post, "/cases/\(id)/dispatch", form: ["csrf": token, "unit": "330105001", "text": ""]).status == .seeOther)
                }
            }
            let disputed = try await dispatcher.send(.get, "/cases/\(id)").body
            #expect(disputed.contains("class=\"disputed\">推诿<"))
            #expect(try await dispatcher.send(.get, "/cases?disputed=true").body.contains("href=\"/cases/\(id)\""))
            #expect(try await client.get("/api/v1/cases/\(id)")["disputed"] as? Bool == true)
            // Escalated to the top, the dispatcher is offered re-dispatch and no escalation.
            #expect(try await dispatcher.send(.post, "/cases/\(id)/dispatch", form: ["csrf": token, "unit": "330105001", "text": ""]).status == .seeOther)
            #expect(try await mishixiang.send(.post, "/cases/\(id)/escalate", form: ["csrf": handlerToken, "text": "需区级协调"]).status == .seeOther)
            #expect(try await buttons(&dispatcher) == ["redispatch", "comment", "supervise", "postpone", "merge"])
            #expect(try await buttons(&mishixiang) == ["comment"])  // still in its street, no longer its to handle
            #expect(try await dispatcher.send(.post, "/cases/\(id)/redispatch", form: ["csrf": token, "unit": "330105-CGJ", "text": "区级协调"]).status == .seeOther)
            let after = try await client.get("/api/v1/cases/\(id)")
            #expect((after["unit"] as? [String: Any])?["code"] as? String == "330105-CGJ" && after["disputed"] as? Bool == false)
        }
    }

    /// The resident closes the loop from the status page: one verdict per closing, with the
    /// form's token, a choice of the three, and the public page as the actor.
    @Test(arguments: Backend.all) func theResidentEvaluatesAClosedCaseOnce(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            let id = try await mishixiangCase(client)
            let code = try #require(try await client.get("/api/v1/cases/\(id)")["tracking_code"] as? String)
            var browser = Browser(client: client.as(nil))
            // Open: no form yet, and a verdict is refused by the case machine.
            var page = try await browser.send(.get, "/status/\(code)")
            #expect(page.status == .ok && !page.body.contains("id=\"evaluate\""))
            var csrf = try #require(browser.cookies[WebRoutes.formCSRFCookie])  // the form is not shown yet; its cookie is set
            #expect(try await browser.send(.post, "/status/\(code)/evaluate", form: ["csrf": csrf, "satisfaction": "satisfied"]).status == .conflict)
            for step in ["handle", "verify", "close"] {
                let body = ["handle": #"{"note":"已清理"}"#, "verify": #"{"passed":true}"#][step] ?? ""
                #expect(try await client.post("/api/v1/cases/\(id)/\(step)", body).status == .ok, "\(step)")
            }
            page = try await browser.send(.get, "/status/\(code)")
            #expect(page.body.contains("id=\"evaluate\"") && page.body.contains("value=\"basically_satisfied\""))
            csrf = try #require(Browser.csrf(in: page.body))
            // Without the form's token, or with no choice, or with a made-up one: nothing is recorded.
            #expect(try await browser.send(.post, "/status/\(code)/evaluate", form: ["satisfaction": "satisfied"]).status == .forbidden)
            #expect(try await browser.send(.post, "/status/\(code)/evaluate", form: ["csrf": csrf]).status == .unprocessableContent)
            let odd = try await browser.send(.post, "/status/\(code)/evaluate", form: ["csrf": csrf, "satisfaction": "<b>great</b>"])
            #expect(odd.status == .unprocessableContent && !odd.body.contains("<b>great"))
            #expect(try await browser.send(.post, "/status/NOPE-0000/evaluate", form: ["csrf": csrf, "satisfaction": "satisfied"]).status == .notFound)
            #expect(try await client.get("/api/v1/cases/\(id)")["satisfaction"] == nil)
            let sent = try await browser.send(.post, "/status/\(code.lowercased())/evaluate", form: ["csrf": csrf, "satisfaction": "dissatisfied"])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/status/\(code)")
            let after = try await client.get("/api/v1/cases/\(id)")
            #expect(after["satisfaction"] as? String == "dissatisfied")
            let last = try #require((after["history"] as? [[String: Any]])?.last)
            #expect(last["action"] as? String == "evaluate" && last["actor"] as? String == "public:status")
            page = try await browser.send(.get, "/status/\(code)")
            #expect(!page.body.contains("id=\"evaluate\"") && page.body.contains("id=\"public-verdict\""))
            // A second verdict for the same closing is refused and changes nothing.
            #expect(try await browser.send(.post, "/status/\(code)/evaluate", form: ["csrf": csrf, "satisfaction": "satisfied"]).status == .conflict)
            #expect(try await client.get("/api/v1/cases/\(id)")["satisfaction"] as? String == "dissatisfied")
        }
    }
}
