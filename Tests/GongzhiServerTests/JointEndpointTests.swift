import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Testing

/// A muck-truck site as a joint case (联合执法) through the API: 住建 holds the case and splits it
/// among 城管, 生态环境 and 交警; each partner sees the whole joint case and the others' notes but
/// acts on its own part only; the case waits while a part is pending; 城管 finishes late, 交警
/// returns its part, 住建 closes the rest with a reason and can then report the case handled;
/// the figures count parts per unit, and the evaluation's ranking charges the late one.
@Suite struct JointEndpointTests {
    @Test(arguments: Backend.all) func aMuckTruckSiteIsWorkedJointly(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let zjj = try await f.key(.handler, "330105-ZJJ"), cgj = try await f.key(.handler, "330105-CGJ")
        let sthj = try await f.key(.handler, "330105-STHJ"), jjdd = try await f.key(.handler, "330105-JJDD")
        let street = try await f.key(.handler, "330105001"), leader = try await f.key(.leader, "330105")
        try await f.test { client in
            let report = #"{"source":"hotline","description":"工地渣土车带泥上路，扬尘大","location":{"lat":30.291384,"lon":120.146347}}"#
            let r = try await client.post("/api/v1/reports", report)
            let id = try #require(r["id"] as? Int)
            _ = try await client.post("/api/v1/cases/\(id)/register")
            #expect(try await client.post("/api/v1/cases/\(id)/dispatch", #"{"unit":"330105-ZJJ"}"#).status == .ok)
            let path = "/api/v1/joint-cases/\(id)"
            let split = #"{"step":"split","units":[{"unit":"330105-ZJJ","deadline":{"amount":2,"unit":"working_days"}},"#
                + #"{"unit":"330105-CGJ","deadline":{"amount":4,"unit":"natural_hours"}},"#
                + #"{"unit":"330105-STHJ","deadline":{"amount":1,"unit":"working_days"}},"#
                + #"{"unit":"330105-JJDD","deadline":{"amount":1,"unit":"working_days"}}]}"#
            #expect(try await client.as(cgj).post(path, split).status == .notFound)  // not yet a partner: the case is not theirs to see
            #expect(try await client.as(zjj).post(path, split.replacingOccurrences(of: "natural_hours", with: "fortnights")).status == .badRequest)
            let made = try await client.as(zjj).post(path, split)
            #expect(made.status == .ok && made["pending"] as? Int == 4)
            let parts = try #require(made["parts"] as? [[String: Any]])
            func part(_ unit: String) -> Int { parts.first { $0["unit"] as? String == unit }?["id"] as? Int ?? 0 }

            // A partner sees the joint case (not the case itself) and acts on its own part only.
            #expect(try await client.as(cgj).get("/api/v1/cases/\(id)").status == .notFound)
            #expect((try await client.as(cgj).get(path)["parts"] as? [Any])?.count == 4)
            #expect(try await client.as(cgj).post(path, #"{"step":"complete","task":\#(part("330105-STHJ")),"note":"x"}"#).status == .forbidden)
            #expect(try await client.as(cgj).post(path, #"{"step":"close_rest","reason":"x"}"#).status == .forbidden)
            let dust = #"{"step":"complete","task":\#(part("330105-STHJ")),"note":"工地已覆盖防尘网，PM10 复测达标","#
                + #""evidence":["https://example.gov.cn/sthj/1.jpg"]}"#
            #expect(try await client.as(sthj).post(path, dust).status == .ok)
            let seenByTraffic = try #require(try await client.as(jjdd).get(path)["parts"] as? [[String: Any]])
            #expect(seenByTraffic.contains { ($0["note"] as? String)?.contains("防尘网") == true })
            #expect(try await client.as(street).get(path)["pending"] as? Int == 3)  // the street sees the case by its area

            // The case waits for every part.
            let early = try await client.as(zjj).post("/api/v1/cases/\(id)/handle", #"{"note":"已处置"}"#)
            #expect(early.status == .conflict && early.errorCode == "joint_parts_pending")
            #expect(try await client.as(jjdd).post(path, #"{"step":"give_back","task":\#(part("330105-JJDD")),"reason":"渣土车营运属城管审批"}"#)
                .status == .ok)
            f.clock.advance(by: 5 * 3_600)
            let late = try await client.as(cgj).post(path, #"{"step":"complete","task":\#(part("330105-CGJ")),"note":"路面已冲洗，沿线巡查"}"#)
            #expect((late["parts"] as? [[String: Any]])?.first { $0["unit"] as? String == "330105-CGJ" }?["late"] as? Bool == true)
            #expect(try await client.as(zjj).post(path, #"{"step":"complete","task":\#(part("330105-ZJJ")),"note":"责令工地整改，冲洗设施到位"}"#)
                .status == .ok)
            #expect(try await client.as(zjj).post("/api/v1/cases/\(id)/handle", #"{"note":"已处置"}"#).status == .conflict)
            let closed = try await client.as(zjj).post(path, #"{"step":"close_rest","reason":"交警部分由城管一并处理"}"#)
            #expect(closed["pending"] as? Int == 0)
            #expect(try await client.as(zjj).post("/api/v1/cases/\(id)/handle", #"{"note":"四部门联合处置完毕"}"#).status == .ok)

            // Each unit's worklist, and the parts counted per unit.
            let mine = try #require(try await client.as(cgj).get("/api/v1/joint-tasks?status=all")["items"] as? [[String: Any]])
            #expect(mine.count == 1 && mine[0]["lead_unit"] as? String == "330105-ZJJ" && mine[0]["tracking_code"] as? String != nil)
            #expect((try await client.as(cgj).get("/api/v1/joint-tasks")["items"] as? [Any])?.isEmpty == true)
            let figures = try #require(try await client.as(leader).get("/api/v1/joint-figures")["items"] as? [[String: Any]])
            func row(_ unit: String) -> [String: Any] { figures.first { $0["unit"] as? String == unit } ?? [:] }
            #expect(figures.count == 4 && row("330105-CGJ")["late"] as? Int == 1 && row("330105-STHJ")["done_on_time"] as? Int == 1)
            #expect(row("330105-JJDD")["closed"] as? Int == 1 && row("330105-JJDD")["returned"] as? Int == 0)
            #expect((try await client.as(cgj).get("/api/v1/joint-figures")["items"] as? [Any])?.count == 1)
            #expect(try await client.get("/api/v1/joint-figures?from=2026-13-01").errorField == "from")

            // The evaluation charges 城管 0.2 for its late part (the default scheme), and no one else:
            // 城管 holds no case, so all its rate items are full.
            let ranking = try #require(try await client.as(leader).get("/api/v1/stats/ranking")["units"] as? [[String: Any]])
            func ranked(_ unit: String) -> [String: Any] { ranking.first { $0["unit"] as? String == unit } ?? [:] }
            #expect((ranked("330105-CGJ")["joint"] as? [String: Any])?["late"] as? Int == 1)
            #expect(ranked("330105-CGJ")["score"] as? Double == 99.8 && ranked("330105-STHJ")["score"] as? Double == 100)
            #expect((ranked("330105-ZJJ")["joint"] as? [String: Any])?["done_on_time"] as? Int == 1)
            let csv = try await client.raw.execute(uri: "/api/v1/stats/ranking?format=csv", method: .get,
                                                   headers: [.authorization: "Bearer \(leader)"], body: nil) {
                String(decoding: $0.body.readableBytesView, as: UTF8.self)
            }
            #expect(csv.contains("联合任务超期数 joint late") && csv.contains("99.80"))
        }
    }

    /// The joint page as the lead and a partner use it: split with the form, the partner's note
    /// escaped for everyone, a form without its token refused, and the case page linking to it.
    @Test(arguments: Backend.all) func theJointPageSplitsAndCollectsNotes(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        for (name, role, unit) in [("zjj", Role.handler, "330105-ZJJ"), ("cgj", .handler, "330105-CGJ"), ("hushu", .handler, "330105002")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            let report = #"{"source":"hotline","description":"工地扬尘","location":{"lat":30.291384,"lon":120.146347}}"#
            let r = try await client.post("/api/v1/reports", report)
            let id = try #require(r["id"] as? Int)
            _ = try await client.post("/api/v1/cases/\(id)/register")
            _ = try await client.post("/api/v1/cases/\(id)/dispatch", #"{"unit":"330105-ZJJ"}"#)
            var zjj = WebPageTests.Browser(client: client.as(nil))
            #expect(try await zjj.login("zjj", "correct horse") == .seeOther)
            #expect(try await zjj.send(.get, "/cases/\(id)").body.contains("href=\"/joint-cases/\(id)\""))
            let page = try await zjj.send(.get, "/joint-cases/\(id)")
            #expect(page.status == .ok && page.body.contains("id=\"split-case\""))
            let token = try #require(WebPageTests.Browser.csrf(in: page.body))
            let tokenless = try await zjj.send(.post, "/joint-cases/\(id)", form: ["step": "split", "unit_330105-CGJ": "1", "days": "1"])
            #expect(tokenless.status == .forbidden)
            let split = try await zjj.send(.post, "/joint-cases/\(id)", form: ["csrf": token, "step": "split", "unit_330105-CGJ": "1",
                                                                               "unit_330105-ZJJ": "1", "days": "2"])
            #expect(split.status == .seeOther)
            var cgj = WebPageTests.Browser(client: client.as(nil))
            #expect(try await cgj.login("cgj", "correct horse") == .seeOther)
            let partner = try await cgj.send(.get, "/joint-cases/\(id)")
            let parts = try #require(try await client.get("/api/v1/joint-cases/\(id)")["parts"] as? [[String: Any]])
            let mine = try #require(parts.first { $0["unit"] as? String == "330105-CGJ" }?["id"] as? Int)
            #expect(partner.body.contains("id=\"complete-part-\(mine)\"") && !partner.body.contains("id=\"split-case\""))
            let partnerToken = try #require(WebPageTests.Browser.csrf(in: partner.body))
            let done = try await cgj.send(.post, "/joint-cases/\(id)", form: ["csrf": partnerToken, "step": "complete", "task": String(mine),
                                                                              "note": "<b>路面已冲洗</b>", "evidence": ""])
            #expect(done.status == .seeOther)
            let after = try await zjj.send(.get, "/joint-cases/\(id)")
            #expect(after.body.contains("&lt;b&gt;路面已冲洗&lt;/b&gt;") && !after.body.contains("<b>路面"))
            var stranger = WebPageTests.Browser(client: client.as(nil))
            #expect(try await stranger.login("hushu", "correct horse") == .seeOther)
            #expect(try await stranger.send(.get, "/joint-cases/\(id)").status == .notFound)
        }
    }
}
