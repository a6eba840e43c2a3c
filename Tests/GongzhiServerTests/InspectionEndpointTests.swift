import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Testing

/// A round through the API: the centre plans it, a unit of the round records a sweep whose
/// findings become cases (routed by the rules, carrying the round), a unit outside it is refused
/// and a bad finding writes nothing; the grid shows the swept cell.
@Suite struct InspectionEndpointTests {
    @Test(arguments: Backend.all) func aRoundsFindingsBecomeCases(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        let cgj = try await f.key(.handler, "330105-CGJ"), jjdd = try await f.key(.handler, "330105-JJDD")
        let dispatcher = try await f.key(.dispatcher, "330105")
        try await f.test { client in
            let plan = #"{"name":"渣土运输拉网式排查","areas":["330105001","330105003"],"units":["330105-CGJ","330105-ZJJ"],"#
                + #""from":"2026-11-23","to":"2026-11-29"}"#
            #expect(try await client.as(cgj).post("/api/v1/inspection-rounds", plan).status == .forbidden)
            let unknownArea = plan.replacingOccurrences(of: "330105003", with: "330105999")
            let bad = try await client.as(dispatcher).post("/api/v1/inspection-rounds", unknownArea)
            #expect(bad.status == .unprocessableContent && bad.errorField == "areas[1]")
            let made = try await client.as(dispatcher).post("/api/v1/inspection-rounds", plan)
            let id = try #require(made["id"] as? Int)
            let path = "/api/v1/inspection-rounds/\(id)/sweeps"
            let sweep = #"{"area":"330105001","unit":"330105-CGJ","day":"2026-11-23","note":"沿线巡查","#
                + #""findings":[{"description":"渣土车未密闭，沿路抛洒","category":"08001","location":{"lat":30.291384,"lon":120.146347}}]}"#
            #expect(try await client.as(jjdd).post(path, sweep).status == .forbidden)
            let refused = try await client.as(cgj).post(path, sweep.replacingOccurrences(of: "渣土车未密闭，沿路抛洒", with: ""))
            #expect(refused.status == .unprocessableContent && refused.errorField == "findings[0].description")
            let recorded = try await client.as(cgj).post(path, sweep)
            let cases = try #require(recorded["cases"] as? [Int])
            #expect(recorded.status == .created && cases.count == 1)
            let found = try await client.get("/api/v1/cases/\(cases[0])")
            #expect(found["source"] as? String == "grid_worker" && (found["address"] as? String)?.hasPrefix("渣土运输拉网式排查") == true)
            let round = try await client.as(cgj).get("/api/v1/inspection-rounds/\(id)")
            let cells = try #require(round["cells"] as? [[String: Any]])
            #expect(cells.count == 4 && cells.filter { ($0["sweeps"] as? Int ?? 0) > 0 }.count == 1)
            #expect(cells.first { $0["area"] as? String == "330105001" && $0["unit"] as? String == "330105-CGJ" }?["cases"] as? Int == 1)
            #expect(try await client.get("/api/v1/inspection-rounds/999").status == .notFound)
            #expect((try await client.get("/api/v1/inspection-rounds")["items"] as? [Any])?.count == 1)
        }
    }
    /// The pages: the centre plans a round (what it typed comes back escaped), a unit of the
    /// round records a sweep with a finding, and the grid shows the swept cell and its case.
    @Test(arguments: Backend.all) func theRoundsPages(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        for (name, role, unit) in [("centre", Role.dispatcher, "330105"), ("cgj", .handler, "330105-CGJ"), ("jjdd", .handler, "330105-JJDD")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            var centre = WebPageTests.Browser(client: client.as(nil))
            #expect(try await centre.login("centre", "correct horse") == .seeOther)
            let list = try await centre.send(.get, "/inspection-rounds")
            #expect(list.status == .ok && list.body.contains("id=\"plan-round\"") && list.body.contains("href=\"/inspection-rounds\""))
            let token = try #require(WebPageTests.Browser.csrf(in: list.body))
            var plan = ["csrf": token, "name": "<b>渣土</b>排查", "from": "2026-11-23", "to": "2026-11-29", "area_330105001": "1",
                        "area_330105003": "1", "unit_330105-CGJ": "1", "unit_330105-ZJJ": "1"]
            let made = try await centre.send(.post, "/inspection-rounds", form: plan)
            let location = try #require(made.headers[.location])
            #expect(made.status == .seeOther && location.hasPrefix("/inspection-rounds/"))
            plan["unit_330105-CGJ"] = nil
            plan["unit_330105-ZJJ"] = nil
            let noUnits = try await centre.send(.post, "/inspection-rounds", form: plan)
            #expect(noUnits.status == .unprocessableContent && noUnits.body.contains("(units)") && noUnits.body.contains("&lt;b&gt;渣土"))

            var cgj = WebPageTests.Browser(client: client.as(nil))
            #expect(try await cgj.login("cgj", "correct horse") == .seeOther)
            let round = try await cgj.send(.get, location)
            #expect(round.status == .ok && round.body.contains("id=\"inspection-grid\"") && round.body.contains("id=\"record-sweep\""))
            #expect(round.body.contains("&lt;b&gt;渣土&lt;/b&gt;排查") && !round.body.contains("<b>渣土"))
            let cgjToken = try #require(WebPageTests.Browser.csrf(in: round.body))
            var sweep = ["csrf": cgjToken, "area": "330105001", "unit": "330105-CGJ", "day": "2026-11-23", "note": "沿线巡查",
                         "finding": "渣土车未密闭，沿路抛洒", "category": "08001", "lat": "30.291384", "lon": "abc"]
            let badPlace = try await cgj.send(.post, location, form: sweep)
            #expect(badPlace.status == .unprocessableContent && badPlace.body.contains("findings[0]"), "\(badPlace.body.suffix(600))")
            sweep["lon"] = "120.146347"
            #expect(try await cgj.send(.post, location, form: sweep).status == .seeOther)
            let swept = try await cgj.send(.get, location)
            #expect(swept.body.contains("href=\"/cases/") && swept.body.contains("1 × · 2026-11-23") && swept.body.contains("沿线巡查"))
            #expect(swept.body.contains("<th scope=\"row\">米市巷街道</th>"))  // the place, not its office

            // A unit outside the round reads the round but has no form to record a sweep.
            var jjdd = WebPageTests.Browser(client: client.as(nil))
            #expect(try await jjdd.login("jjdd", "correct horse") == .seeOther)
            let other = try await jjdd.send(.get, location)
            #expect(other.status == .ok && !other.body.contains("id=\"record-sweep\"") && !other.body.contains("id=\"plan-round\""))
            #expect(try await jjdd.send(.get, "/inspection-rounds/999").status == .notFound)
        }
    }
}
