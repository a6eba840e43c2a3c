import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiSQL
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Testing

/// The what-if through the API and its page, on both backends: three open manholes (rule
/// `manhole-water`: 城管, 4 natural hours) handled after 3 hours. The rules in force reproduce the
/// ranking exactly; halving the deadline makes all three late; moving the rule to 住建 moves them;
/// the replay writes nothing; scope, roles and bad proposals are answered as the API's rules say.
@Suite struct WhatIfEndpointTests {
    static let day = "2026-11-23"

    /// Three manhole cases, auto-dispatched to 城管 at 09:00 and handled at 12:00.
    static func cases(_ f: ServerFixture, _ client: Client) async throws -> [Int] {
        var ids: [Int] = []
        for n in 0..<3 {
            let report = #"{"source":"hotline","category":"01001","description":"井盖缺失 \#(n)","location":{"lat":30.291384,"lon":120.146347}}"#
            let id = try #require(try await client.post("/api/v1/reports", report)["id"] as? Int)
            #expect(try await client.post("/api/v1/cases/\(id)/register").status == .ok)
            ids.append(id)
        }
        f.clock.advance(by: 3 * 3_600)
        for id in ids { #expect(try await client.post("/api/v1/cases/\(id)/handle", #"{"note":"已盖好"}"#).status == .ok) }
        return ids
    }

    /// What cannot change under a read: row counts, the chains' heads and the audit log.
    static func state(_ f: ServerFixture) async throws -> [String] {
        var out: [String] = []
        for table in ["cases", "case_events", "case_facts", "stats_daily", "audit_log", "reports"] {
            out.append("\(table)=\(try await f.db.count("SELECT COUNT(*) FROM \(table)"))")
        }
        out.append(try await ChainAnchor.take(f.db.sql, at: ServerFixture.start).digest)
        out.append(contentsOf: try await f.db.sql.query("SELECT action FROM audit_log", []).map { $0["action"] as String })
        return out
    }

    @Test(arguments: Backend.all) func theRulesInForceReproduceTheRankingAndAHalvedDeadlineMakesThemLate(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        let leader = try await f.key(.leader, "330105")
        try await f.test { client in
            let ids = try await Self.cases(f, client)
            _ = try await client.as(leader).get("/api/v1/stats/ranking")  // the key's first use is audited: not the what-if's doing
            let before = try await Self.state(f)
            let period = #""from":"\#(Self.day)","to":"\#(Self.day)""#

            // Nothing proposed: every unit's rank and score as the ranking shows them, before and after.
            let same = try await client.as(leader).post("/api/v1/whatif", "{\(period)}")
            #expect(same.status == .ok && same["changed"] as? Int == 0)
            let ranking = try #require(try await client.as(leader).get("/api/v1/stats/ranking?from=\(Self.day)&to=\(Self.day)")["units"]
                as? [[String: Any]])
            let units = try #require(same["units"] as? [[String: Any]])
            #expect(units.count == ranking.count && !units.isEmpty)
            for r in ranking {
                let u = try #require(units.first { $0["unit"] as? String == r["unit"] as? String })
                let b = u["before"] as? [String: Any], a = u["after"] as? [String: Any]
                #expect(b?["score"] as? Double == r["score"] as? Double && a?["score"] as? Double == r["score"] as? Double)
                #expect(b?["rank"] as? Int == r["rank"] as? Int && a?["rank"] as? Int == r["rank"] as? Int)
            }

            // Halved to 2 hours: handled after 3, all three late.
            let halved = try await client.as(leader).post("/api/v1/whatif",
                #"{\#(period),"changes":[{"rule":"manhole-water","deadline":{"amount":2,"unit":"natural_hours"}}]}"#)
            #expect(halved.status == .ok && halved["changed"] as? Int == 3)
            let cgj = try #require((halved["units"] as? [[String: Any]])?.first { $0["unit"] as? String == "330105-CGJ" })
            #expect((cgj["before"] as? [String: Any])?["handled_late"] as? Int == 0)
            #expect((cgj["after"] as? [String: Any])?["handled_late"] as? Int == 3)
            let scoreBefore = try #require((cgj["before"] as? [String: Any])?["score"] as? Double)
            #expect(try #require((cgj["after"] as? [String: Any])?["score"] as? Double) < scoreBefore)
            let changed = try #require(halved["cases"] as? [[String: Any]])
            #expect(Set(changed.compactMap { $0["case_id"] as? Int }) == Set(ids))
            #expect(changed.allSatisfy { ($0["before"] as? [String: Any])?["state"] as? String == "on_time"
                && ($0["after"] as? [String: Any])?["state"] as? String == "late" && $0["rule_after"] as? String == "manhole-water" })
            #expect((halved["causes"] as? [[String: Any]])?.first?["cause"] as? String == "manhole-water → manhole-water")
            // The street where the manholes are falls behind as an area: first in the list, three more late.
            let street = try #require((halved["streets"] as? [[String: Any]])?.first)
            #expect(street["street"] as? String == "330105001" && street["name"] as? String == "米市巷街道")
            #expect((street["before"] as? [String: Any])?["handled_late"] as? Int == 0)
            #expect((street["after"] as? [String: Any])?["handled_late"] as? Int == 3)

            // Moved to 住建, which has handled no such case: its own time is all there is, and it says so.
            let moved = try await client.as(leader).post("/api/v1/whatif", #"{\#(period),"changes":[{"rule":"manhole-water","unit":"330105-ZJJ"}]}"#)
            #expect(moved["changed"] as? Int == 3 && (moved["handling_times"] as? [String: Any])?["own_time"] as? Int == 3)
            let zjj = (moved["units"] as? [[String: Any]])?.first { $0["unit"] as? String == "330105-ZJJ" }
            #expect((zjj?["after"] as? [String: Any])?["cases_to_handle"] as? Int == 3 && zjj?["before"] == nil)

            // Nothing was written by any of it.
            let after = try await Self.state(f)
            #expect(after == before, "\(before) → \(after)")
        }
    }

    @Test(arguments: Backend.all) func rolesScopeAndBadProposals(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        let handler = try await f.key(.handler, "330105-CGJ"), other = try await f.key(.leader, "330105002")
        let dispatcher = try await f.key(.dispatcher, "330105")
        try await f.test { client in
            _ = try await Self.cases(f, client)
            let halve = #"{"from":"\#(Self.day)","to":"\#(Self.day)","#
                + #""changes":[{"rule":"manhole-water","deadline":{"amount":2,"unit":"natural_hours"}}]}"#
            #expect(try await client.as(handler).post("/api/v1/whatif", halve).status == .forbidden)
            // Another street's leader: the cases lie outside its area and their unit outside its scope.
            let elsewhere = try await client.as(other).post("/api/v1/whatif", halve)
            #expect(elsewhere.status == .ok && elsewhere["changed"] as? Int == 0 && (elsewhere["cases"] as? [Any])?.isEmpty == true)
            #expect(try await client.as(dispatcher).post("/api/v1/whatif", halve)["changed"] as? Int == 3)
            let bad: [(String, HTTPResponse.Status, String)] = [
                (#"{"changes":[{"rule":"no-such-rule","unit":"330105-ZJJ"}]}"#, .unprocessableContent, "changes[0].rule"),
                (#"{"changes":[{"deadline":{"amount":2,"unit":"natural_hours"}}]}"#, .unprocessableContent, "changes[0].rule"),
                (#"{"changes":[{"rule":"manhole-water","deadline":{"amount":0,"unit":"natural_hours"}}]}"#, .unprocessableContent, "changes"),
                (#"{"changes":[{"rule":"manhole-water","deadline":{"amount":2,"unit":"fortnights"}}]}"#, .badRequest, "changes[0].deadline.unit"),
                (#"{"scenarios":[{"scenario":"out-of-store","merchant_minutes":0}]}"#, .unprocessableContent, "scenarios"),
                (#"{"scenarios":[{"scenario":"nowhere","merchant_minutes":10}]}"#, .unprocessableContent, "scenarios[0].scenario"),
                (#"{"holidays":["2026-13-01"]}"#, .badRequest, "holidays[0]"),
                (#"{"office_hours":"25:00-26:00"}"#, .unprocessableContent, "office_hours"),
                (#"{"limit":5000}"#, .unprocessableContent, "limit"),
                (#"{"from":"2025-01-01","to":"2026-11-23"}"#, .unprocessableContent, "to"),
                (#"{"street":["nowhere"]}"#, .unprocessableContent, "street"),
                (#"{"rules":[{"id":"x","unit":"nobody","deadline":{"amount":1,"unit":"natural_hours"}}]}"#, .unprocessableContent, "rules"),
            ]
            for (body, status, field) in bad {
                let r = try await client.as(dispatcher).post("/api/v1/whatif", body)
                #expect(r.status == status && r.errorField == field, "\(body): \(r.status) \(r.errorField ?? "-")")
            }
        }
    }

    /// One street drawn over the whole district, in the request and on the page: the three cases
    /// (in 米市巷) are counted in it; its name is the layer's; a layer at fault is named.
    @Test(arguments: Backend.all) func otherBoundariesMoveTheCasesStreet(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        _ = try await f.services.accounts.addUser(username: "leader", displayName: "区领导", role: .leader, unit: "330105",
                                                  password: "correct horse", by: "t", at: ServerFixture.start)
        let leader = try await f.key(.leader, "330105")
        let layer = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"330105002","name":"湖墅（推演）"},"#
            + #""geometry":{"type":"Polygon","coordinates":[[[120.0,30.2],[120.3,30.2],[120.3,30.45],[120.0,30.45],[120.0,30.2]]]}}]}"#
        try await f.test { client in
            _ = try await Self.cases(f, client)
            let period = #""from":"\#(Self.day)","to":"\#(Self.day)""#
            let plain = try await client.as(leader).post("/api/v1/whatif", "{\(period)}")
            let redrawn = try await client.as(leader).post("/api/v1/whatif", #"{\#(period),"areas":{"level":"street","geojson":\#(layer)}}"#)
            #expect(redrawn.status == .ok, "\(redrawn.json)")
            func street(_ r: JSONResponse, _ code: String) -> [String: Any]? {
                (r["streets"] as? [[String: Any]])?.first { $0["street"] as? String == code }
            }
            func handled(_ row: [String: Any]?, _ side: String) -> Int? { (row?[side] as? [String: Any])?["cases_to_handle"] as? Int }
            let mishi = street(redrawn, "330105001"), hushu = street(redrawn, "330105002")
            #expect(hushu?["name"] as? String == "湖墅（推演）")
            #expect(handled(mishi, "before") == handled(street(plain, "330105001"), "before"))
            #expect(handled(mishi, "after").map { $0 + 3 } == handled(mishi, "before"), "\(String(describing: mishi))")
            #expect(handled(hushu, "after") == handled(hushu, "before").map { $0 + 3 }, "\(String(describing: hushu))")
            #expect((redrawn["assumptions"] as? [String])?.last?.contains("proposed street areas (1)") == true)

            let bad: [(String, String)] = [
                (#"{"level":"district","geojson":\#(layer)}"#, "areas.level"),
                (#"{"level":"block","geojson":\#(layer)}"#, "areas.level"),
                (#"{"level":"street"}"#, "areas.geojson"),
                (#"{"level":"street","geojson":{"type":"Point","coordinates":[120.1,30.3]}}"#, "areas.geojson"),
                (#"{"level":"street","geojson":\#(layer.replacingOccurrences(of: "\"code\"", with: "\"id\""))}"#, "areas.geojson"),
                (#"{"level":"street","geojson":\#(layer),"code_property":""}"#, "areas.code_property"),
            ]
            for (areas, field) in bad {
                let r = try await client.as(leader).post("/api/v1/whatif", #"{"areas":\#(areas)}"#)
                #expect(r.status == .unprocessableContent && r.errorField == field, "\(areas): \(r.status) \(r.errorField ?? "-")")
            }
            let huge = #"{"areas":{"level":"street","geojson":{"type":"FeatureCollection","features":[],"pad":""#
                + String(repeating: "x", count: WhatIfController.bodyMax) + #""}}}"#
            #expect(try await client.as(leader).post("/api/v1/whatif", huge).status == .contentTooLarge)

            var browser = WebPageTests.Browser(client: client.as(nil))
            #expect(try await browser.login("leader", "correct horse") == .seeOther)
            let token = try #require(WebPageTests.Browser.csrf(in: try await browser.send(.get, "/whatif").body))
            let form = ["csrf": token, "from": Self.day, "to": Self.day, "areas_level": "street", "areas_geojson": layer]
            let page = try await browser.send(.post, "/whatif", form: form)
            #expect(page.status == .ok && page.body.contains("湖墅（推演）") && page.body.contains("proposed street areas (1)"))
            var noLevel = form
            noLevel["areas_level"] = ""
            #expect(try await browser.send(.post, "/whatif", form: noLevel).status == .unprocessableContent)
            var notJSON = form
            notJSON["areas_geojson"] = "<b>streets</b>"
            let refused = try await browser.send(.post, "/whatif", form: notJSON)
            #expect(refused.status == .unprocessableContent && refused.body.contains("&lt;b&gt;streets") && !refused.body.contains("<b>streets"))
        }
    }

    /// The page as a leader uses it: the form, a scenario's merchant deadline halved, the two
    /// rankings side by side and the changed cases; what was typed comes back escaped.
    @Test(arguments: Backend.all) func thePageShowsBothRankings(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        _ = try await f.services.accounts.addUser(username: "leader", displayName: "区领导", role: .leader, unit: "330105",
                                                  password: "correct horse", by: "t", at: ServerFixture.start)
        try await f.test { client in
            _ = try await Self.cases(f, client)
            var leader = WebPageTests.Browser(client: client.as(nil))
            #expect(try await leader.login("leader", "correct horse") == .seeOther)
            let page = try await leader.send(.get, "/whatif")
            #expect(page.status == .ok && page.body.contains("id=\"whatif-form\"") && page.body.contains("manhole-water"))
            #expect(page.body.contains(" · 30 min") && !page.body.contains("(Function)"))  // the scenarios' merchant minutes
            let token = try #require(WebPageTests.Browser.csrf(in: page.body))
            let form = ["csrf": token, "from": Self.day, "to": Self.day, "rule": "manhole-water", "deadline_amount": "2",
                        "deadline_unit": "natural_hours"]
            let result = try await leader.send(.post, "/whatif", form: form)
            #expect(result.status == .ok && result.body.contains("id=\"whatif-before\"") && result.body.contains("id=\"whatif-after\""))
            #expect(result.body.contains("class=\"moved\"") && result.body.contains("拱墅区城市管理局"))
            #expect(result.body.components(separatedBy: "href=\"/cases/").count - 1 == 3)
            #expect(result.body.contains("id=\"whatif-streets\"") && result.body.contains("米市巷街道"))
            var typed = form
            typed["office_hours"] = "<script>alert(1)</script>"
            let refused = try await leader.send(.post, "/whatif", form: typed)
            #expect(refused.status == .unprocessableContent && refused.body.contains("&lt;script&gt;") && !refused.body.contains("<script>alert"))
            var stale = form
            stale["csrf"] = "forged"
            #expect(try await leader.send(.post, "/whatif", form: stale).status == .forbidden)
        }
    }

    /// One what-if at a time: a second is turned away until the first leaves.
    @Test func oneAtATime() {
        let gate = WhatIfGate()
        #expect(gate.enter() && !gate.enter())
        gate.leave()
        #expect(gate.enter())
    }
}
