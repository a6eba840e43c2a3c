import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Testing

/// The key-population list through the API and the pages, as PIPL's minimum-necessary rule asks:
/// a handler outside the community sees only masked fields and cannot reveal them, the
/// community and the health command reveal them only with a reason (logged first), exports name
/// their reason and are logged, admins read nothing personal, and the community's worklist shows
/// each task's clock.
@Suite struct KeyPopulationEndpointTests {
    static let body = #"{"measure":"risk_area_arrival","name":"张三","id_number":"11010519491231002X","phone":"13912345678","#
        + #""address":"小河路 1 号 3 幢 201","community":"330105003051"}"#

    @Test(arguments: Backend.all) func personalFieldsAreMaskedRevealedWithAReasonAndExportsLogged(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let community = try await f.key(.handler, "330105003051"), neighbour = try await f.key(.handler, "330105003052")
        let street = try await f.key(.handler, "330105003"), command = try await f.key(.handler, "330105-WJJ")
        let auditor = try await f.key(.auditor, "330105"), elsewhere = try await f.key(.handler, "330105001")
        try await f.test { client in
            #expect(try await client.as(neighbour).post("/api/v1/key-population", Self.body).status == .forbidden)
            #expect(try await client.post("/api/v1/key-population", Self.body).status == .forbidden)  // an admin
            let bad = try await client.as(community).post("/api/v1/key-population", Self.body.replacingOccurrences(of: "002X", with: "0021"))
            #expect(bad.status == .unprocessableContent && bad.errorField == "id_number")
            let made = try await client.as(community).post("/api/v1/key-population", Self.body)
            #expect(made.status == .created && made["name"] as? String == "张*" && made["id_number"] as? String == "****002X")
            let id = try #require(made["id"] as? Int)
            #expect((made["tasks"] as? [[String: Any]])?.first?["kind"] as? String == "verify")

            // Masked for everyone whose scope holds it; revealed only to the community and the command.
            let seen = try await client.as(street).get("/api/v1/key-population/\(id)")
            #expect(seen["name"] as? String == "张*" && seen["phone"] as? String == "139****5678" && seen["address"] as? String == "***")
            #expect(try await client.as(street).get("/api/v1/key-population/\(id)?reveal=personal&reason=x").status == .forbidden)
            #expect(try await client.get("/api/v1/key-population/\(id)?reveal=personal&reason=x").status == .forbidden)  // an admin
            #expect(try await client.as(elsewhere).get("/api/v1/key-population/\(id)").status == .notFound)
            #expect(try await client.as(community).get("/api/v1/key-population/\(id)?reveal=personal").errorField == "reason")
            let shown = try await client.as(command).get("/api/v1/key-population/\(id)?reveal=personal&reason=%E6%B5%81%E8%B0%83")
            #expect(shown["name"] as? String == "张三" && shown["id_number"] as? String == "11010519491231002X" && shown["revealed"] as? Bool == true)

            // Steps by the community only.
            let steps = "/api/v1/key-population/\(id)/steps"
            #expect(try await client.as(street).post(steps, #"{"step":"verify","found":true}"#).status == .forbidden)
            #expect(try await client.as(community).post(steps, #"{"step":"verify"}"#).errorField == "found")
            let verified = try await client.as(community).post(steps, #"{"step":"verify","found":true,"note":"已上门"}"#)
            #expect(verified["status"] as? String == "monitoring" && verified["monitor_until"] as? String == "2026-12-06")
            let followed = try await client.as(community).post(steps, #"{"step":"follow_up","day":"2026-11-23","healthy":true,"note":"体温 36.5"}"#)
            #expect((followed["follow_ups"] as? [[String: Any]])?.first?["note"] as? String == "***")
            #expect(try await client.as(community).post(steps, #"{"step":"release"}"#).status == .conflict)

            // An export needs a reason and is logged, masked unless revealed to the entitled.
            #expect(try await client.as(street).get("/api/v1/key-population?format=csv").errorField == "reason")
            let masked = try await client.raw.execute(uri: "/api/v1/key-population?format=csv&reason=%E5%91%A8%E6%8A%A5", method: .get,
                                                      headers: [.authorization: "Bearer \(street)"], body: nil) { String(buffer: $0.body) }
            #expect(masked.contains("张*") && !masked.contains("张三") && !masked.contains("13912345678"))
            let full = try await client.raw.execute(uri: "/api/v1/key-population?format=csv&reveal=personal&reason=%E6%B5%81%E8%B0%83",
                                                    method: .get, headers: [.authorization: "Bearer \(community)"], body: nil) {
                String(buffer: $0.body)
            }
            #expect(full.contains("张三") && full.contains("13912345678"))
            let access = try #require(try await client.as(auditor).get("/api/v1/audit/access?limit=10")["items"] as? [[String: Any]])
            let subjects = access.compactMap { $0["subject"] as? String }
            #expect(subjects.filter { $0 == "key_person:\(id)" }.count == 1)
            #expect(subjects.contains("key_population:export:1 records, 0 revealed"))
            #expect(subjects.contains("key_population:export:1 records, 1 revealed"))
            // The figures count people without naming anyone.
            let figures = try #require(try await client.as(street).get("/api/v1/key-population-figures")["items"] as? [[String: Any]])
            #expect(figures.count == 1 && figures[0]["people"] as? Int == 1 && figures[0]["follow_ups"] as? Int == 1)
        }
    }

    @Test(arguments: Backend.all) func theCommunityWorksTheListOnItsPages(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        for (name, role, unit) in [("dahulu", Role.handler, "330105003051"), ("xiaohe", .handler, "330105003")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            var sq = WebPageTests.Browser(client: client.as(nil))
            #expect(try await sq.login("dahulu", "correct horse") == .seeOther)
            let list = try await sq.send(.get, "/key-population")
            #expect(list.status == .ok && list.body.contains("id=\"register-key-person\""))
            let token = try #require(WebPageTests.Browser.csrf(in: list.body))
            let made = try await sq.send(.post, "/key-population", form: ["csrf": token, "measure": "risk_area_arrival", "community": "330105003051",
                                                                          "name": "<b>李</b>四", "address": "大浒路 9 号", "phone": "13900000000"])
            let location = try #require(made.headers[.location])
            #expect(made.status == .seeOther && location.hasPrefix("/key-population/"))
            // Two hours and a minute later the verification is overdue: escalated to the street.
            f.clock.advance(by: 2 * 3_600 + 60)
            var street = WebPageTests.Browser(client: client.as(nil))
            #expect(try await street.login("xiaohe", "correct horse") == .seeOther)
            let streetList = try await street.send(.get, "/key-population")
            #expect(streetList.body.contains("data-level=\"street\"") && streetList.body.contains("&lt;*") && !streetList.body.contains("李"))
            #expect(!streetList.body.contains("id=\"register-key-person\""))
            let page = try await sq.send(.get, location)
            #expect(page.body.contains("id=\"reveal-key-person\"") && page.body.contains("id=\"verify-key-person\""))
            #expect(!page.body.contains("大浒路 9 号"))
            let revealToken = try #require(WebPageTests.Browser.csrf(in: page.body))
            #expect(try await sq.send(.post, "\(location)/reveal", form: ["csrf": revealToken]).status == .unprocessableContent)
            let revealed = try await sq.send(.post, "\(location)/reveal", form: ["csrf": revealToken, "reason": "上门核查"])
            #expect(revealed.status == .ok && revealed.body.contains("大浒路 9 号") && revealed.body.contains("&lt;b&gt;李&lt;/b&gt;四"))
            let verified = try await sq.send(.post, "\(location)/steps", form: ["csrf": revealToken, "step": "verify", "found": "true"])
            #expect(verified.status == .seeOther)
            #expect(try await sq.send(.get, location).body.contains("id=\"follow-up-key-person\""))
        }
    }
}
