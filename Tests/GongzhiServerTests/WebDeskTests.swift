import Foundation
import GongzhiCore
import GongzhiStore
import GongzhiSQL
@testable import GongzhiServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import GongzhiTestSupport
import Testing

/// The pages for each person in the loop, through the router as a browser would: where each
/// role lands, the console's queue, the worklist's order and figures, the patrol page, the public
/// report and status pages, the merchant's notice, and the language switch.
@Suite struct WebDeskTests {
    typealias Browser = WebPageTests.Browser

    static let users: [(String, Role, String)] = [
        ("dispatcher", .dispatcher, "330105"), ("mishixiang", .handler, "330105001"), ("shangtang", .handler, "330105008"),
        ("grid", .gridWorker, "330105008"), ("leader", .leader, "330105"), ("auditor", .auditor, "330105"),
    ]

    func fixture(_ backend: Backend, bundledRules: Bool = true) async throws -> ServerFixture {
        let reference = try ReferenceData.bundled()
        let f = try await ServerFixture(backend, bundledRules: bundledRules,
                                        intakeRules: try ReferenceData.intakeRules(categories: reference.categories))
        for (name, role, unit) in Self.users {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        return f
    }

    func login(_ client: Client, _ name: String) async throws -> Browser {
        var b = Browser(client: client.as(nil))
        #expect(try await b.login(name, "correct horse") == .seeOther)
        return b
    }

    @Test(arguments: Backend.all) func eachRoleLandsOnItsOwnPage(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            for (name, landing) in [("dispatcher", "/console"), ("mishixiang", "/worklist"), ("grid", "/patrol"), ("leader", "/cockpit"),
                                    ("auditor", "/audit")] {
                var b = Browser(client: client.as(nil))
                let page = try await b.send(.get, "/login")
                let r = try await b.send(.post, "/login",
                                         form: ["csrf": Browser.csrf(in: page.body) ?? "", "username": name, "password": "correct horse"])
                #expect(r.headers[.location] == landing, "\(name)")
                #expect(try await b.send(.get, landing).status == .ok, "\(name)")
                #expect(try await b.send(.get, "/home").headers[.location] == landing)
            }
            // A page for another role is refused, in words, and changes nothing.
            var handler = try await login(client, "mishixiang")
            let console = try await handler.send(.get, "/console")
            #expect(console.status == .forbidden && console.body.contains("处置单位"))
            var stranger = Browser(client: client.as(nil))
            #expect(try await stranger.send(.get, "/console").headers[.location] == "/login")
        }
    }

    /// The console: new reports oldest first with the filters; a registered case shows the unit
    /// the rules choose, the deadline and why; returned cases come first; everything escaped.
    @Test(arguments: Backend.all) func theConsoleRunsTheQueue(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            let first = try #require(try await client.post("/api/v1/reports",
                #"{"source":"hotline","category":"06010","description":"\"><img src=x onerror=alert(1)> 第一","#
                + #""location":{"lat":30.291384,"lon":120.146347}}"#)["id"] as? Int)
            f.clock.advance(by: 60)
            let second = try #require(try await client.post("/api/v1/reports",
                #"{"source":"resident","category":"01026","description":"第二 井盖","location":{"lat":30.342135,"lon":120.142877}}"#)["id"] as? Int)
            var d = try await login(client, "dispatcher")
            let page = try await d.send(.get, "/console")
            let body = page.body
            let a = try #require(body.range(of: "id=\"case-\(first)\"")), b = try #require(body.range(of: "id=\"case-\(second)\""))
            #expect(a.lowerBound < b.lowerBound)  // oldest first
            #expect(!body.contains("<img src=x") && body.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
            #expect(body.contains("action=\"/cases/\(first)/register\"") && body.contains("action=\"/cases/\(first)/merge\""))
            #expect(!body.contains("action=\"/cases/\(first)/comment\""))  // commenting is on the case's page
            // Filters: by channel, by street; a wrong value is a 400 naming it.
            let hotline = try await d.send(.get, "/console?channel=hotline").body
            #expect(hotline.contains("id=\"case-\(first)\"") && !hotline.contains("id=\"case-\(second)\""))
            let shangtang = try await d.send(.get, "/console?street=330105008").body
            #expect(!shangtang.contains("id=\"case-\(first)\"") && shangtang.contains("id=\"case-\(second)\""))
            #expect(try await d.send(.get, "/console?channel=pigeon").status == .badRequest)
            // Register with a category typed in: the case waits for dispatch with the rules' choice.
            let csrf = try #require(Browser.csrf(in: body))
            let registered = try await d.send(.post, "/cases/\(first)/register", form: ["csrf": csrf, "category": "06010", "category_other": "03005",
                                                                                      "back": "/console?channel=hotline"])
            #expect(registered.status == .seeOther && registered.headers[.location] == "/console?channel=hotline")
            let reg = try await client.get("/api/v1/cases/\(first)")
            // 垃圾箱 is not dispatched at once by the rules: it waits for the dispatcher.
            #expect((reg["category"] as? [String: Any])?["code"] as? String == "03005" && reg["status"] as? String == "registered")
            let after = try await d.send(.get, "/console").body
            let card = try #require(after.range(of: "id=\"case-\(first)\"")).upperBound
            let dispatchForm = String(after[card...].prefix(3000))
            #expect(dispatchForm.contains("action=\"/cases/\(first)/dispatch\"") && dispatchForm.contains("name=\"unit\" value=\"330105001\""))
            #expect(dispatchForm.contains("米市巷街道") && dispatchForm.contains("处置期限"))
            // Dispatched, returned: it comes back at the top, with who returned it and why.
            #expect(try await d.send(.post, "/cases/\(first)/dispatch",
                                     form: ["csrf": csrf, "unit": "330105001", "back": "/console"]).status == .seeOther)
            var handler = try await login(client, "mishixiang")
            let hcsrf = try #require(Browser.csrf(in: try await handler.send(.get, "/worklist").body))
            #expect(try await handler.send(.post, "/cases/\(first)/return",
                                           form: ["csrf": hcsrf, "text": "不归我街道", "back": "/worklist"]).status == .seeOther)
            let top = try await d.send(.get, "/console").body
            let attention = try #require(top.range(of: "class=\"attention\""))
            let queue = try #require(top.range(of: "id=\"case-\(second)\""))
            #expect(top.range(of: "id=\"case-\(first)\"")!.lowerBound > attention.lowerBound)
            #expect(top.range(of: "id=\"case-\(first)\"")!.lowerBound < queue.lowerBound && top.contains("不归我街道"))
            // Merge the second into the first, then undo it from the console.
            #expect(try await d.send(.post, "/cases/\(second)/merge",
                                     form: ["csrf": csrf, "into": "\(first)", "text": "同一处", "back": "/console"]).status == .seeOther)
            let merged = try await d.send(.get, "/console").body
            #expect(merged.contains("action=\"/cases/\(second)/unmerge\""))
            #expect(try await d.send(.post, "/cases/\(second)/unmerge",
                                     form: ["csrf": csrf, "text": "不是同一处", "back": "/console"]).status == .seeOther)
            #expect(try await client.get("/api/v1/cases/\(second)")["status"] as? String == "registered")
            // A form sent back to another site goes to the console's own page instead.
            let offsite = try await d.send(.post, "/cases/\(second)/comment", form: ["csrf": csrf, "text": "x", "back": "//evil.example/"])
            #expect(offsite.headers[.location] == "/cases/\(second)")
        }
    }

    /// A hotline call without a category shows the classifier's three suggestions in the console,
    /// with their confidence, to pick from when registering.
    @Test(arguments: Backend.all) func theConsoleOffersTheClassifiersSuggestions(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true, classifier: TrainedClassifier.shared)
        _ = try await f.services.accounts.addUser(username: "dispatcher", displayName: "d", role: .dispatcher, unit: "330105",
                                                  password: "correct horse", by: "t", at: ServerFixture.start)
        try await f.test { client in
            let text = "你好，我要反映湖墅南路和大关路口那个下水道井盖没了，一个大洞，晚上骑电瓶车很危险，麻烦尽快处理"
            let call = #"{"source":"hotline","description":"\#(text)","location":{"lat":30.3192,"lon":120.1414}}"#
            let r = try await client.post("/api/v1/reports", call)
            let id = try #require(r["id"] as? Int)
            let suggestions = try #require((r["classification"] as? [String: Any])?["suggestions"] as? [[String: Any]])
            var d = try await login(client, "dispatcher")
            let body = try await d.send(.get, "/console").body
            let start = try #require(body.range(of: "id=\"case-\(id)\"")).lowerBound
            let card = String(body[start...].prefix(4000))
            for s in suggestions {
                let code = try #require(s["code"] as? String)
                #expect(card.contains("name=\"category\" value=\"\(code)\""), "\(code)")
            }
            #expect(card.components(separatedBy: "智能建议").count - 1 == 3 && card.contains("%"))
        }
    }

    /// The worklist: the unit's cases overdue first, then by time left, and the figures.
    @Test(arguments: Backend.all) func theWorklistPutsOverdueFirstAndCounts(backend: Backend) async throws {
        let f = try await fixture(backend, bundledRules: false)
        try await f.test { client in
            var ids: [Int] = []
            // Three matters at one place (so none joins another), each with its own deadline.
            for (hours, category) in [(48.0, "06010"), (1.0, "03005"), (30.0, "03001")] {
                let body = #"{"source":"hotline","category":"\#(category)","description":"问题","location":{"lat":30.291384,"lon":120.146347}}"#
                let id = try #require(try await client.post("/api/v1/reports", body)["id"] as? Int)
                _ = try await client.post("/api/v1/cases/\(id)/register")
                _ = try await client.post("/api/v1/cases/\(id)/dispatch", #"{"unit":"330105001","deadline_hours":\#(hours)}"#)
                ids.append(id)
            }
            f.clock.advance(by: 2 * 3600)  // the one-hour case is now overdue
            var h = try await login(client, "mishixiang")
            let body = try await h.send(.get, "/worklist").body
            let order = ids.map { body.range(of: "id=\"case-\($0)\"")?.lowerBound }
            let seen = body.matches(of: /id="case-\d+"|剩余[^<]*|超期[^<]*|count-[a-z]+">\d+/).map { String($0.output) }
            #expect(order[1]! < order[2]! && order[2]! < order[0]!, "\(seen)")
            #expect(body.contains("id=\"count-open\">3<") && body.contains("id=\"count-overdue\">1<"))
            #expect(body.contains("id=\"count-today\">0<"))  // the other two are due on later days
            #expect(body.contains("超期 1 小时"))
            #expect(body.contains("action=\"/cases/\(ids[0])/handle\"") && body.contains("action=\"/cases/\(ids[0])/return\""))
            // Accepting (签收) is offered once; the card then says so.
            let csrf = try #require(Browser.csrf(in: body))
            #expect(body.contains("action=\"/cases/\(ids[0])/accept\""))
            #expect(try await h.send(.post, "/cases/\(ids[0])/accept", form: ["csrf": csrf, "back": "/worklist"]).headers[.location] == "/worklist")
            let accepted = try await h.send(.get, "/worklist").body
            #expect(!accepted.contains("action=\"/cases/\(ids[0])/accept\"") && accepted.contains("已签收"))
            #expect(try await client.get("/api/v1/cases/\(ids[0])")["accepted"] as? Bool == true)
            // Another street's handler sees none of them.
            var other = try await login(client, "shangtang")
            let theirs = try await other.send(.get, "/worklist").body
            #expect(!ids.contains { theirs.contains("id=\"case-\($0)\"") } && theirs.contains("id=\"count-open\">0<"))
        }
    }

    /// The grid worker files a finding from the patrol page and verifies a handled case there.
    @Test(arguments: Backend.all) func thePatrolPageFilesAndChecks(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var g = try await login(client, "grid")
            let page = try await g.send(.get, "/patrol")
            #expect(page.body.contains("<svg") && page.body.contains("class=\"map pick\"") && page.body.contains("<optgroup"))
            let csrf = try #require(Browser.csrf(in: page.body))
            let missing = try await g.send(.post, "/patrol/report", form: ["csrf": csrf, "category": "06010", "description": "没有位置"])
            #expect(missing.status == .unprocessableContent && missing.body.contains("没有位置"))  // what was typed is kept
            let filed = try await g.send(.post, "/patrol/report", form: ["csrf": csrf, "category": "06010", "description": "东苑路口暴露垃圾",
                                                                        "lat": "30.342135", "lon": "120.142877", "photo": "https://p.example/1.jpg"])
            let location = try #require(filed.headers[.location])
            let id = try #require(Int(location.replacingOccurrences(of: "/patrol?filed=", with: "")))
            let c = try await client.get("/api/v1/cases/\(id)")
            #expect(c["source"] as? String == "grid_worker" && (c["reporter"] == nil || c["reporter"] is NSNull))
            // Handled by the street, it waits on the worker's page for a check with two buttons.
            _ = try await client.post("/api/v1/cases/\(id)/register")
            _ = try await client.post("/api/v1/cases/\(id)/dispatch", #"{"unit":"330105008"}"#)
            _ = try await client.post("/api/v1/cases/\(id)/handle", #"{"note":"已清理"}"#)
            let checks = try await g.send(.get, "/patrol").body
            #expect(checks.contains("action=\"/cases/\(id)/verify\"") && checks.contains("name=\"passed\" value=\"false\""))
            #expect(try await g.send(.post, "/cases/\(id)/verify",
                                     form: ["csrf": csrf, "passed": "true", "back": "/patrol"]).headers[.location] == "/patrol")
            #expect(try await client.get("/api/v1/cases/\(id)")["status"] as? String == "verified")
        }
    }

    /// The public form files a resident's report under a double-submit token and answers with the
    /// tracking code; the status page shows public fields and the steps in words.
    @Test(arguments: Backend.all) func aResidentReportsAndFollowsIt(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var r = Browser(client: client.as(nil))
            let form = try await r.send(.get, "/")
            #expect(form.status == .ok && form.body.contains("class=\"map pick\"") && form.body.contains("小河街道"))
            let before = try await f.eventCount()
            let report = ["category": "06010", "description": "<script>alert(1)</script> 楼下垃圾", "lat": "30.291384", "lon": "120.146347",
                          "name": "王小明", "phone": "13812345678"]
            #expect(try await r.send(.post, "/report", form: report).status == .forbidden)  // no token
            #expect(try await f.eventCount() == before)
            let csrf = try #require(Browser.csrf(in: form.body))
            let filed = try await r.send(.post, "/report", form: report.merging(["csrf": csrf]) { $1 })
            let location = try #require(filed.headers[.location])
            #expect(filed.status == .seeOther && location.hasPrefix("/status/GS-") && location.hasSuffix("?filed=1"))
            let status = try await r.send(.get, location)
            #expect(status.body.contains("待受理") && !status.body.contains("王") && !status.body.contains("13812345678")
                    && !status.body.contains("alert"))
            let code = String(location.dropFirst("/status/".count).prefix { $0 != "?" })
            let list = try await client.get("/api/v1/cases?source=resident")
            let id = try #require(((list["items"] as? [[String: Any]])?.first)?["id"] as? Int)
            _ = try await client.post("/api/v1/cases/\(id)/register")
            let later = try await r.send(.get, "/status/\(code)").body
            #expect(later.contains("已立案") && later.contains("2026年11月23日"))
            // The look-up box redirects to the page; an unknown code is a 404 page.
            #expect(try await r.send(.get, "/status?code=\(code)").headers[.location] == "/status/\(code)")
            #expect(try await r.send(.get, "/status/GS-0000-0000-0000").status == .notFound)
            // A bad coordinate is refused naming what to fix; the form keeps what was typed.
            let bad = try await r.send(.post, "/report", form: report.merging(["csrf": csrf, "lat": "north"]) { $1 })
            #expect(bad.status == .unprocessableContent && bad.body.contains("纬度") && bad.body.contains("&lt;script&gt;"))
            // The text rule at the pages' door: a control character is refused and nothing is written;
            // a textarea's CR LF is kept as a line break.
            let count = try await f.eventCount()
            let escape = try await r.send(.post, "/report", form: report.merging(["csrf": csrf, "description": "垃圾\u{1B}[2J"]) { $1 })
            #expect(escape.status == .unprocessableContent && escape.body.contains("description holds a control character"))
            let nul = try await r.send(.post, "/report", form: report.merging(["csrf": csrf, "name": "王\u{0}"]) { $1 })
            #expect(nul.status == .unprocessableContent && nul.body.contains("name"))
            #expect(try await f.eventCount() == count)
            let lines = try await r.send(.post, "/report", form: report.merging(["csrf": csrf, "description": "一楼\r\n二楼"]) { $1 })
            #expect(lines.status == .seeOther)
            let newest = try await f.db.sql.read { try $0.scalar("SELECT description FROM reports ORDER BY id DESC LIMIT 1", as: String.self) }
            #expect(newest == "一楼\n二楼")
        }
    }

    /// The merchant's notice: what, where, the time left, a confirmation with a photo link; a
    /// wrong or expired link shows nothing of the case.
    @Test(arguments: Backend.all) func aMerchantConfirmsOnTheNoticePage(backend: Backend) async throws {
        let f = try await fixture(backend)
        let machine = try await f.key(.machine, "330105")
        try await f.test { client in
            _ = try await client.post("/api/v1/cameras", IntakeEndpointTests.camera)
            _ = try await client.post("/api/v1/merchants", IntakeEndpointTests.merchant)
            let r = try await client.as(machine).post("/api/v1/camera/events", IntakeEndpointTests.events(0..<1, at: f.clock.now()))
            let id = try #require((r["results"] as? [[String: Any]])?.first?["case_id"] as? Int)
            let message = try #require(try await f.services.store.outbox(caseID: Int64(id), limit: 5).first)
            let notice = try JSONDecoder().decode(MerchantNotice.self, from: Data(message.payload.utf8))
            let path = try #require(notice.pagePath)
            var m = Browser(client: client.as(nil))
            let page = try await m.send(.get, path)
            #expect(page.status == .ok && page.body.contains("东苑便利店") && page.body.contains("剩余") && page.body.contains("<svg"))
            #expect(page.body.contains("data-due-ms=") && !page.body.contains("13900001111") && !page.body.contains("周"))
            let csrf = try #require(Browser.csrf(in: page.body))
            let noPhoto = try await m.send(.post, path, form: ["csrf": csrf, "photo": ""])
            #expect(noPhoto.status == .unprocessableContent)
            let notURL = try await m.send(.post, path, form: ["csrf": csrf, "photo": "javascript:alert(1)"])
            #expect(notURL.status == .unprocessableContent)
            #expect(try await m.send(.post, path, form: ["csrf": csrf, "photo": "https://m.example/after.jpg"]).status == .seeOther)
            let done = try await m.send(.get, path).body
            #expect(done.contains("已收到您的整改确认") && !done.contains("name=\"photo\""))
            #expect(try await client.get("/api/v1/cases/\(id)")["merchant_confirmed"] as? Bool == true)
            #expect(try await m.send(.get, "/notice/gzn_not_a_real_one").status == .notFound)
            f.clock.advance(by: 30 * 86_400)
            let expired = try await m.send(.get, path)
            #expect(expired.status == .gone && !expired.body.contains("东苑便利店"))
        }
    }

    @Test(arguments: Backend.all) func theLanguageSwitchIsACookie(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var d = try await login(client, "dispatcher")
            let zh = try await d.send(.get, "/console")
            #expect(zh.body.contains("<html lang=\"zh-CN\">") && zh.body.contains("href=\"/lang/en?back=/console\""))
            let to = try await d.send(.get, "/lang/en?back=/console")
            #expect(to.headers[.location] == "/console" && d.cookies["gz_lang"] == "en")
            let en = try await d.send(.get, "/console").body
            #expect(en.contains("<html lang=\"en\">") && en.contains("Command centre") && en.contains("New reports") && !en.contains("指挥中心</h1>"))
            #expect(try await d.send(.get, "/lang/zh?back=//evil.example/").headers[.location] == "/")
            #expect(try await d.send(.get, "/lang/zh?back=/cases").headers[.location] == "/cases" && d.cookies["gz_lang"] == "zh")
        }
    }

    /// The case page: the map of its street with the point, the reports, the timeline in words.
    @Test(arguments: Backend.all) func theCasePageShowsTheWholeCaseInWords(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            let id = try #require(try await client.post("/api/v1/reports",
                #"{"source":"hotline","category":"06010","description":"楼下垃圾","location":{"lat":30.291384,"lon":120.146347},"#
                + #""media_urls":["https://p.example/a.jpg"],"reporter":{"name":"王小明","phone":"13812345678"}}"#)["id"] as? Int)
            _ = try await client.post("/api/v1/cases/\(id)/register")
            _ = try await client.post("/api/v1/cases/\(id)/dispatch", #"{"unit":"330105001","deadline_hours":4}"#)
            var d = try await login(client, "dispatcher")
            let body = try await d.send(.get, "/cases/\(id)").body
            #expect(body.contains("<svg") && body.contains("class=\"point\"") && body.contains("data-code=\"330105001\""))
            #expect(body.contains("06010 ") && body.contains("12345 热线") && body.contains("王*") && !body.contains("13812345678"))
            #expect(body.contains("href=\"https://p.example/a.jpg\"") && body.contains("rel=\"noopener noreferrer\""))
            #expect(body.contains("派遣") && body.contains("→ <span class=\"status\">处置中</span>") && body.contains("剩余 "))
            #expect(!body.contains("2026-11-23T") && !body.contains(">dispatched<"))
            _ = try await d.send(.get, "/lang/en?back=/")
            let en = try await d.send(.get, "/cases/\(id)").body
            #expect(en.contains("12345 hotline") && en.contains("With a unit") && en.contains(" left") && en.contains("23 Nov 2026"))
        }
    }
}

/// Texts, times and maps of the pages, without a server.
@Suite struct WebTextTests {
    static let pages = try! { () throws -> (templates: [String: String], texts: WebText) in
        let dir = try Pages.directory()
        var templates: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".mustache") {
            templates[name] = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        }
        return (templates, try WebText(json: Data(contentsOf: dir.appendingPathComponent("strings.json"))))
    }()

    @Test func everyTextATemplateOrTheCodeUsesExistsInBothLanguages() throws {
        var keys = Set<String>()
        for (_, text) in Self.pages.templates { for m in text.matches(of: /\{\{t\.([a-z_0-9]+)\}\}/) { keys.insert(String(m.output.1)) } }
        #expect(keys.count > 50)
        // The keys the Swift side asks for: `text("…"`, `texts("…"`, `word("…"`, `input("…"`, `t["…"]`.
        let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/GongzhiServer/Web")
        var fromCode = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: web.path) where name.hasSuffix(".swift") {
            let code = try String(contentsOf: web.appendingPathComponent(name), encoding: .utf8)
            // The centre's form builders take their texts' keys as `label:`, `legend:` and `button:`.
            for m in code.matches(of: /(?:text|texts|word|input)\("([a-z_0-9]+)"|t\["([a-z_0-9]+)"\]|(?:label|legend|button): "([a-z_0-9]+)"/) {
                keys.insert(String(m.output.1 ?? m.output.2 ?? m.output.3 ?? ""))
                fromCode += 1
            }
        }
        #expect(fromCode > 30)
        let statuses: [String] = CaseStatus.allCases.map { "status_" + $0.rawValue }
        let actions: [String] = CaseAction.allCases.map { "action_" + $0.rawValue }
        let sources: [String] = ReportSource.allCases.map { "source_" + $0.rawValue }
        let roles: [String] = Role.allCases.map { "role_" + $0.rawValue }
        keys.formUnion(statuses)
        keys.formUnion(actions)
        keys.formUnion(sources)
        keys.formUnion(roles)
        keys.formUnion(Satisfaction.allCases.map { "satisfaction_" + $0.rawValue })
        keys.formUnion(WebRoutes.CockpitColour.allCases.map { "colour_" + $0.rawValue })
        keys.formUnion(Period.Kind.allCases.filter { $0 != .range }.map { "period_" + $0.rawValue })  // the picker offers no free range
        keys.formUnion(["street", "community", "grid"].map { "area_" + $0 })
        keys.formUnion(Light.allCases.map { "light_" + $0.rawValue })
        keys.formUnion(Milestone.allCases.map { "milestone_" + $0.rawValue })
        keys.formUnion(ClockState.allCases.map { "clock_" + $0.rawValue })
        keys.formUnion(Dispute.Status.allCases.map { "dispute_status_" + $0.rawValue })
        keys.formUnion(Petition.Status.allCases.map { "petition_status_" + $0.rawValue })
        keys.formUnion(MediationLevel.allCases.map { "level_" + $0.rawValue })
        keys.formUnion(RiskLevel.allCases.map { "risk_" + $0.rawValue })
        keys.formUnion(Dispute.Channel.allCases.map { "channel_" + $0.rawValue })
        keys.formUnion(Party.Kind.allCases.map { "party_kind_" + $0.rawValue } + Party.Role.allCases.map { "party_role_" + $0.rawValue })
        keys.formUnion(Petition.Form.allCases.map { "petition_form_" + $0.rawValue })
        keys.formUnion(Dispute.Referral.allCases.map { "referral_" + $0.rawValue })
        keys.formUnion(MatterQuery.State.allCases.map { "state_" + $0.rawValue })
        keys.formUnion(["registered", "session_held", "escalated", "extended", "agreed", "partial", "referred", "honoured", "not_honoured",
                        "accepted", "declined", "answered", "review_requested", "review_answered", "closed", "repeat_linked",
                        "warned", "overdue"]
            .map { "centre_step_" + $0 })
        keys.formUnion(PolicyApplicationStatus.allCases.map { "policy_status_" + $0.rawValue })
        keys.formUnion(["submit", "check", "approve", "reject", "pay"].map { "policy_step_" + $0 })
        keys.formUnion(KeyPersonStatus.allCases.map { "key_status_" + $0.rawValue })
        keys.formUnion(["verify", "follow_up", "release", "locate"].map { "key_task_" + $0 })
        keys.formUnion(["community", "street", "district"].map { "key_level_" + $0 })
        keys.formUnion(JointTaskStatus.allCases.map { "joint_status_" + $0.rawValue })
        keys.formUnion([DeadlineSpec.Unit.naturalHours, .workingHours, .workingDays].map { "whatif_unit_" + $0.rawValue })
        keys.formUnion(WebRoutes.whatIfLevels.map { "whatif_level_" + $0.rawValue })
        // `word("period_" + kind)` names a prefix, not a key: its keys are the enumerations above.
        let prefixes = keys.filter { $0.hasSuffix("_") }
        #expect(prefixes.isSubset(of: ["colour_", "period_", "area_", "satisfaction_", "status_", "action_", "source_", "role_", "light_",
                                        "milestone_", "clock_", "dispute_status_", "petition_status_", "level_", "risk_", "channel_",
                                        "petition_form_", "centre_step_", "state_", "party_role_", "policy_status_", "policy_step_",
                                        "key_status_", "key_task_", "key_level_", "joint_status_", "whatif_unit_",
                                        "whatif_level_"]), "\(prefixes)")
        keys.subtract(prefixes)
        for key in keys {
            for lang in Lang.allCases { #expect(Self.pages.texts.table(lang)[key] != nil, "\(key) has no \(lang) text") }
        }
        #expect(Self.pages.texts.table(.zh).count == Self.pages.texts.table(.en).count)
    }

    @Test func markupIsEscaped() {
        #expect(Markup.escape(#"<a href="x">&'</a> 中文"#) == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt; 中文")
        // Open311's XML: the same escaping, and control characters XML cannot carry replaced.
        #expect(Markup.xmlText("a\u{0}b<\n") == "a\u{FFFD}b&lt;\n")
    }

    @Test func timesAreWrittenAsPeopleWriteThemInChinaTime() throws {
        let t = try #require(Timestamp.parse("2026-12-01T17:30:00+08:00"))
        #expect(WebText.time(t, .zh) == "2026年12月1日 17:30" && WebText.time(t, .en) == "1 Dec 2026, 17:30")
        // Just after midnight UTC is the morning in China, the same day.
        #expect(WebText.time(try #require(Timestamp.parse("2026-12-31T16:05:00Z")), .zh) == "2027年1月1日 00:05")
        func left(_ seconds: Double, _ lang: Lang) -> String { WebText.timeLeft(until: t.addingTimeInterval(seconds), now: t, lang) }
        let cases: [(Double, Lang, String)] = [
            (3 * 3600 + 1200, .zh, "剩余 3 小时"), (-2 * 86_400 - 60, .zh, "超期 2 天"), (59 * 60, .en, "59 min left"), (3600, .en, "1 hour left"),
            (-47 * 3600, .en, "47 hours overdue"), (0, .zh, "剩余 0 分钟"), (-30, .en, "0 min overdue"), (86_400 * 3, .en, "3 days left"),
        ]
        for (seconds, lang, words) in cases { #expect(left(seconds, lang) == words) }
        #expect(Timestamp.nextChinaMidnight(after: t) == Timestamp.parse("2026-12-02T00:00:00+08:00"))
        let newYear = try #require(Timestamp.parse("2026-12-31T16:00:00Z"))  // midnight in China
        #expect(Timestamp.nextChinaMidnight(after: newYear) == Timestamp.parse("2027-01-02T00:00:00+08:00"))
    }
}
