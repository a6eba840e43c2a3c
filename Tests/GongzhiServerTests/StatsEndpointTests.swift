import Foundation
import GongzhiCore
import GongzhiIntake
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The statistics API and the cockpit on a hand-built day, against figures worked out here.
@Suite struct StatsEndpointTests {
    static let mishixiang = #"{"lat":30.291384,"lon":120.146347}"#

    /// Three cases on 2026-11-23: A in 米市巷, handled on time, closed and judged satisfied; B
    /// (located in 330105008) given to 湖墅, handled an hour late and closed; C in 米市巷, returned by the street, given to city
    /// management, supervised and still open. Returns their ids.
    static func day(_ f: ServerFixture, _ client: Client) async throws -> (a: Int, b: Int, c: Int) {
        func report(_ source: String, _ location: String) async throws -> Int {
            let r = try await client.post("/api/v1/reports", #"{"source":"\#(source)","category":"06010","description":"垃圾","location":\#(location)}"#)
            return try #require(r["id"] as? Int)
        }
        func act(_ id: Int, _ action: String, _ body: String = "{}") async throws {
            let r = try await client.post("/api/v1/cases/\(id)/\(action)", body)
            #expect(r.status == .ok, "\(action): \(r.json)")
        }
        let a = try await report("hotline", mishixiang)
        let b = try await report("grid_worker", #"{"lat":30.3192,"lon":120.1414}"#)
        let c = try await report("hotline", mishixiang)
        for id in [a, b, c] { try await act(id, "register") }
        try await act(a, "dispatch", #"{"unit":"330105001","deadline_hours":2}"#)
        try await act(b, "dispatch", #"{"unit":"330105002","deadline_hours":1}"#)
        try await act(c, "dispatch", #"{"unit":"330105001","deadline_hours":2}"#)
        f.clock.advance(by: 3_600)  // 10:00
        try await act(a, "handle", #"{"note":"已清理"}"#)
        try await act(c, "return", #"{"reason":"应由城管处置"}"#)
        try await act(c, "dispatch", #"{"unit":"330105-CGJ","deadline_hours":4}"#)
        try await act(c, "supervise", #"{"note":"请加快"}"#)
        f.clock.advance(by: 3_600)  // 11:00: B's deadline (10:00) has passed
        try await act(b, "handle", #"{"note":"已清理"}"#)
        for id in [a, b] {
            try await act(id, "verify", #"{"passed":true}"#)
            try await act(id, "close")
        }
        try await act(a, "evaluate", #"{"satisfaction":"satisfied"}"#)
        return (a, b, c)
    }

    static let period = "period=day&date=2026-11-23"

    @Test(arguments: Backend.all) func theDayAddsUp(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            _ = try await Self.day(f, client)
            let o = try await client.get("/api/v1/stats/overview?\(Self.period)")
            #expect(o.status == .ok)
            #expect((o["intake"] as? [String: Any])?["total"] as? Int == 3)
            #expect(((o["intake"] as? [String: Any])?["by_source"] as? [String: Int])?["hotline"] == 2)
            #expect(o["open"] as? Int == 1 && o["overdue"] as? Int == 0)
            let i = try #require(o["indicators"] as? [String: Any])
            #expect(i["close_rate"] as? Double == 0.6667 && i["on_time_close_rate"] as? Double == 0.3333)
            #expect(i["disposal_rate"] as? Double == 0.6667 && i["on_time_disposal_rate"] as? Double == 0.3333)
            #expect(i["satisfaction_rate"] as? Double == 1 && i["returned"] as? Double == 1 && i["supervised"] as? Double == 1)
            // A: 09:00 → 10:00, B: 09:00 → 11:00, both in office hours: 1.5 hours on average.
            #expect(i["average_handling_hours"] as? Double == 1.5)
            #expect((o["cases"] as? [String: String])?["closed"]?.contains("status=closed") == true)

            let units = try #require(try await client.get("/api/v1/stats/units?\(Self.period)")["items"] as? [[String: Any]])
            let byCode = Dictionary(uniqueKeysWithValues: units.map { ($0["code"] as! String, $0) })
            // 米市巷: all on time and judged satisfied, 100; 湖墅: closed late, 20 + 10 (no verdict);
            // city management: a supervised case not yet handled, only the verdict's 10.
            #expect(byCode["330105001"]?["score"] as? Double == 100)
            #expect(byCode["330105002"]?["score"] as? Double == 30)
            #expect(byCode["330105-CGJ"]?["score"] as? Double == 10)
            #expect((byCode["330105001"]?["indicators"] as? [String: Any])?["returned"] as? Double == 1)

            let ranking = try await client.get("/api/v1/stats/ranking?\(Self.period)")
            let ranked = try #require(ranking["units"] as? [[String: Any]])
            #expect(ranked.map { $0["unit"] as? String } == ["330105001", "330105002", "330105-CGJ"])
            #expect(ranked.map { $0["rank"] as? Int } == [1, 2, 3])
            #expect((ranking["previous_period"] as? [String: String])?["from"] == "2026-11-22")

            let streets = try #require(try await client.get("/api/v1/stats/areas?\(Self.period)&level=street")["items"] as? [[String: Any]])
            #expect(streets.map { $0["code"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["330105001", "330105008"])
            #expect(streets.first { $0["code"] as? String == "330105001" }?["open"] as? Int == 1)

            let trend = try #require(try await client.get("/api/v1/stats/trend?from=2026-11-22&to=2026-11-24")["days"] as? [[String: Any]])
            #expect(trend.map { $0["reported"] as? Int } == [0, 3, 0] && trend.map { $0["closed"] as? Int } == [0, 2, 0])
        }
    }

    @Test(arguments: Backend.all) func aStreetSeesOnlyItsStreet(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let hushu = try await f.key(.handler, "330105002")
        try await f.test { client in
            _ = try await Self.day(f, client)
            let o = try await client.as(hushu).get("/api/v1/stats/overview?\(Self.period)")
            #expect((o["intake"] as? [String: Any])?["total"] as? Int == 1 && o["open"] as? Int == 0)
            let units = try #require(try await client.as(hushu).get("/api/v1/stats/ranking?\(Self.period)")["units"] as? [[String: Any]])
            #expect(units.map { $0["unit"] as? String } == ["330105002"])
            // Asking for another street's figures gives nothing of it.
            let other = try await client.as(hushu).get("/api/v1/stats/overview?\(Self.period)&street=330105001")
            #expect((other["intake"] as? [String: Any])?["total"] as? Int == 0)
            let merchant = try await f.key(.merchant, "330105")
            #expect(try await client.as(merchant).get("/api/v1/stats/overview").status == .forbidden)
        }
    }

    @Test func badQueriesNameTheField() async throws {
        let f = try await ServerFixture()
        try await f.test { client in
            for (query, status, field) in [("date=2026-13-01", 400, "date"), ("from=26-11-01", 400, "from"), ("street=999", 422, "street"),
                                           ("from=2026-11-24&to=2026-11-23", 422, "from"), ("period=decade", 422, "period"),
                                           ("from=2020-01-01&to=2026-01-01", 422, "to"), ("period=month&from=2026-11-01", 422, "period"),
                                           ("format=xml", 422, "format"), ("format=csv&encoding=big5", 422, "encoding"),
                                           ("category=99999", 422, "category"), ("source=fax", 422, "source"), ("unit=nobody", 422, "unit")] {
                let r = try await client.get("/api/v1/stats/overview?\(query)")
                #expect(r.status.code == status && r.errorField == field, "\(query): \(r.status) \(r.json)")
            }
            #expect(try await client.get("/api/v1/stats/areas?level=planet").errorField == "level")
            let id = try await client.newCase()
            for step in ["register", "dispatch"] { _ = try await client.post("/api/v1/cases/\(id)/\(step)", #"{"unit":"330105002"}"#) }
            let r = try await client.post("/api/v1/cases/\(id)/handle", #"{"note":"x"}"#)
            #expect(r.status == .ok)
            _ = try await client.post("/api/v1/cases/\(id)/verify", #"{"passed":true}"#)
            _ = try await client.post("/api/v1/cases/\(id)/close")
            let bad = try await client.post("/api/v1/cases/\(id)/evaluate", #"{"satisfaction":"great"}"#)
            #expect(bad.status == .unprocessableContent && bad.errorField == "satisfaction")
            let missing = try await client.post("/api/v1/cases/\(id)/evaluate", "{}")
            #expect(missing.status == .unprocessableContent && missing.errorField == "satisfaction")
        }
    }

    @Test func csvOpensInExcelAndOlderTools() async throws {
        let f = try await ServerFixture()
        try await f.test { client in
            _ = try await Self.day(f, client)
            let bytes = try await client.raw.execute(uri: "/api/v1/stats/ranking?\(Self.period)&format=csv", method: .get,
                                                     headers: [.authorization: "Bearer \(f.adminKey)"], body: nil) { r in
                (r.headers[.contentType], [UInt8](r.body.readableBytesView))
            }
            #expect(bytes.0 == "text/csv; charset=utf-8")
            #expect(Array(bytes.1.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let text = String(decoding: bytes.1.dropFirst(3), as: UTF8.self)
            let rows = try CSV.rows(text)
            #expect(rows.count == 4 && rows[1].contains("米市巷街道办事处") && rows[1][5] == "100.00")
            let gb = try await client.raw.execute(uri: "/api/v1/stats/ranking?\(Self.period)&format=csv&encoding=gb18030", method: .get,
                                                  headers: [.authorization: "Bearer \(f.adminKey)"], body: nil) { Data(buffer: $0.body) }
            #expect(try TextDecoding.decode(gb, as: .gb18030).text == text)
        }
    }

    @Test(arguments: Backend.all) func theCockpitShowsTheDayAndDrillsDown(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        for (name, role, unit) in [("leader", Role.leader, "330105"), ("hushu", .handler, "330105002")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            _ = try await Self.day(f, client)
            var leader = WebPageTests.Browser(client: client.as(nil))
            #expect(try await leader.login("leader", "correct horse") == .seeOther)
            let page = try await leader.send(.get, "/cockpit?\(Self.period)&color=overdue")
            #expect(page.status == .ok)
            #expect(page.body.contains("data-tile=\"cockpit_open\"") && page.body.contains("<svg") && page.body.contains("class=\"trend\""))
            #expect(page.body.contains("/cockpit?") && page.body.contains("street=330105001"))
            #expect(page.body.contains("米市巷街道办事处") && page.body.contains("100.00"))
            let street = try await leader.send(.get, "/cockpit?\(Self.period)&street=330105001")
            #expect(street.status == .ok && street.body.contains("› <span>米市巷街道</span>"))
            #expect(try await leader.send(.get, "/cockpit?color=rainbow").status == .badRequest)
            let csv = try await leader.send(.get, "/cockpit/export/units?\(Self.period)&format=csv")
            #expect(csv.status == .ok && csv.body.hasPrefix("\u{FEFF}code,"))
            let report = try await leader.send(.get, "/cockpit/report?\(Self.period)")
            #expect(report.status == .ok && report.body.contains("结案数 / (应结案数 − 缓办数)"))
            #expect(report.body.contains("联合任务（其中超期）"))  // the default scheme counts joint parts: a column for them
            var hushu = WebPageTests.Browser(client: client.as(nil))
            #expect(try await hushu.login("hushu", "correct horse") == .seeOther)
            #expect(try await hushu.send(.get, "/cockpit").status == .forbidden)
        }
    }

    /// A new case reaches an open cockpit's stream within a second; a page reconnecting with an
    /// older `Last-Event-ID` hears at once.
    @Test func theStreamTellsOpenCockpits() async throws {
        let f = try await ServerFixture()
        _ = try await f.services.accounts.addUser(username: "leader", displayName: "l", role: .leader, unit: "330105", password: "correct horse",
                                                  by: "t", at: ServerFixture.start)
        try await f.test { client in
            var leader = WebPageTests.Browser(client: client.as(nil))
            #expect(try await leader.login("leader", "correct horse") == .seeOther)
            // The writes the page last saw: a stream that starts after the case is committed (a
            // loaded machine) still hears of it, as a reconnecting page does.
            let seen: HTTPFields = [HTTPField.Name("Last-Event-ID")!: String(f.services.store.changes.current)]
            let listening = leader
            async let heard = { var b = listening; return try await b.send(.get, "/cockpit/events?events=1", headers: seen) }()
            try await Task.sleep(for: .milliseconds(300))
            _ = try await client.newCase()
            // From the commit to the page: the stream polls every 200 ms; the rest is margin for
            // a loaded machine running the other suites, schemathesis and a browser at the same time.
            let committed = ContinuousClock.now
            let stream = try await heard
            #expect(ContinuousClock.now - committed < .seconds(5))
            #expect(stream.headers[.contentType] == "text/event-stream; charset=utf-8")
            #expect(stream.body.contains("event: changed\ndata: "))
            let again = try await leader.send(.get, "/cockpit/events?events=1", headers: [HTTPField.Name("Last-Event-ID")!: "0"])
            #expect(again.body.contains("event: changed"))
        }
    }
}
