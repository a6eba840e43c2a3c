import Foundation
import GongzhiCore
@testable import GongzhiServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
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

    func fixture() async throws -> ServerFixture {
        let f = try await ServerFixture()
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

    @Test func loginSetsAFreshHttpOnlyLaxCookieAndEndsAPlantedOne() async throws {
        let f = try await fixture()
        try await f.test { client in
            var browser = Browser(client: client.as(nil))
            browser.cookies["gz_session"] = "gzt_planted_by_an_attacker"
            let page = try await browser.send(.get, "/login")
            let csrf = try #require(Browser.csrf(in: page.body))
            let r = try await browser.send(.post, "/login", form: ["csrf": csrf, "username": "xiaohe", "password": "correct horse"],
                                           headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(r.status == .seeOther && r.headers[.location] == "/cases")
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

    @Test func loginNeedsItsFormToken() async throws {
        let f = try await fixture()
        try await f.test { client in
            var browser = Browser(client: client.as(nil))
            let r = try await browser.send(.post, "/login", form: ["username": "xiaohe", "password": "correct horse"])
            #expect(r.status == .forbidden && browser.cookies["gz_session"] == nil)
            #expect(try await browser.login("xiaohe", "wrong password") == .unauthorized)
        }
    }

    @Test func aXiaoheWorkerDoesNotSeeAMishixiangCaseInTheUI() async throws {
        let f = try await fixture()
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

    @Test func actionsNeedTheSessionsCSRFToken() async throws {
        let f = try await fixture()
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

    @Test func theAPIIgnoresSessionCookies() async throws {
        let f = try await fixture()
        try await f.test { client in
            var browser = Browser(client: client.as(nil))
            let login = try await browser.login("dispatcher", "correct horse")
            #expect(login == .seeOther)
            let api = try await browser.send(.get, "/api/v1/cases")
            #expect(api.status == .unauthorized)
        }
    }
}
