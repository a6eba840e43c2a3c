import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Testing

/// The enterprise registry (亲清在线) as the district's staff use it: a street registers its
/// enterprises (credit codes checked), the centre assigns a department's cadre as commissioner,
/// who then sees the enterprise outside their own scope, logs visits and the difficulties raised,
/// and reads the contact person only with a reason, logged.
@Suite struct EnterpriseEndpointTests {
    typealias Browser = WebPageTests.Browser
    static let code = "91330105MA2GL8KQ40"
    static let body = #"{"credit_code":" 91330105ma2gl8kq40 ","name":"杭州拱墅某精密机械有限公司","address":"小河路 88 号","#
        + #""street":"330105003","industry":"C","contact_name":"陈经理","contact_phone":"13912345678"}"#

    @Test(arguments: Backend.all) func aStreetRegistersACommissionerServesAndVisits(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        let xiaohe = try await f.key(.handler, "330105003")
        let mishixiang = try await f.key(.handler, "330105001")
        let auditor = try await f.key(.auditor, "330105")
        _ = try await f.services.accounts.addUser(username: "jxj-chen", displayName: "陈专员", role: .handler, unit: "330105-JXJ",
                                                  password: "correct horse", by: "t", at: ServerFixture.start)
        _ = try await f.services.accounts.addUser(username: "shop", displayName: "店主", role: .merchant, unit: "330105",
                                                  password: "correct horse", by: "t", at: ServerFixture.start)
        try await f.test { client in
            // A street registers its own enterprise; the code is normalised, the contact masked.
            let created = try await client.as(xiaohe).post("/api/v1/enterprises", Self.body)
            #expect(created.status == .created && created["credit_code"] as? String == Self.code)
            #expect(created["contact_phone"] as? String == "139****5678" && created["street_name"] as? String == "小河街道办事处")
            #expect(try await client.as(xiaohe).post("/api/v1/enterprises", Self.body).status == .conflict)
            let typo = try await client.as(xiaohe).post("/api/v1/enterprises", Self.body.replacingOccurrences(of: "kq40", with: "kq41"))
            #expect(typo.status == .unprocessableContent && typo.errorField == "credit_code" && typo.errorCode == "bad_check_character")
            let otherStreet = Self.body.replacingOccurrences(of: "91330105ma2gl8kq40", with: "92330105MA2CGK1N2L")
            let elsewhere = try await client.as(mishixiang).post("/api/v1/enterprises", otherStreet)
            #expect(elsewhere.status == .forbidden)
            // Another street sees nothing of it.
            #expect(try await client.as(mishixiang).get("/api/v1/enterprises/\(Self.code)").status == .notFound)
            #expect((try await client.as(mishixiang).get("/api/v1/enterprises")["items"] as? [Any])?.isEmpty == true)

            // The department's cadre sees it only once assigned.
            let login = try await client.as(nil).post("/api/v1/session", #"{"username":"jxj-chen","password":"correct horse"}"#)
            let chen = try #require(login["token"] as? String)
            #expect(try await client.as(chen).get("/api/v1/enterprises/\(Self.code)").status == .notFound)
            let unknown = try await client.call(.put, "/api/v1/enterprises/\(Self.code)/commissioners", body: #"{"commissioners":["nobody"]}"#)
            #expect(unknown.status == .unprocessableContent && unknown.errorField == "commissioners[0]")
            let merchant = try await client.call(.put, "/api/v1/enterprises/\(Self.code)/commissioners", body: #"{"commissioners":["shop"]}"#)
            #expect(merchant.status == .unprocessableContent && merchant.errorCode == "not_staff")
            #expect(try await client.as(xiaohe).call(.put, "/api/v1/enterprises/\(Self.code)/commissioners",
                                                     body: #"{"commissioners":["jxj-chen"]}"#).status == .forbidden)
            let assigned = try await client.call(.put, "/api/v1/enterprises/\(Self.code)/commissioners", body: #"{"commissioners":["jxj-chen"]}"#)
            #expect(assigned.status == .ok && assigned["commissioners"] as? [String] == ["user:jxj-chen"])
            #expect(try await client.as(chen).get("/api/v1/enterprises/\(Self.code)").status == .ok)
            let mine = try #require(try await client.as(chen).get("/api/v1/enterprises?mine=true")["items"] as? [[String: Any]])
            #expect(mine.map { $0["credit_code"] as? String } == [Self.code])

            // The commissioner logs a visit; the street's staff, who are not commissioners, may not.
            let visit = #"{"day":"2026-11-22","note":"企业反映流动资金紧张","difficulties":["funding","labour"]}"#
            let logged = try await client.as(chen).post("/api/v1/enterprises/\(Self.code)/visits", visit)
            #expect(logged.status == .created && logged["commissioner"] as? String == "user:jxj-chen")
            #expect((logged["difficulties"] as? [[String: Any]])?.first?["department"] as? String == "330105-FGJ")
            #expect(try await client.as(xiaohe).post("/api/v1/enterprises/\(Self.code)/visits", visit).status == .forbidden)
            let future = try await client.as(chen).post("/api/v1/enterprises/\(Self.code)/visits", #"{"day":"2026-12-01","note":"x"}"#)
            #expect(future.status == .unprocessableContent && future.errorField == "day")
            let unknownDifficulty = try await client.as(chen).post("/api/v1/enterprises/\(Self.code)/visits",
                                                                   #"{"day":"2026-11-22","note":"x","difficulties":["weather"]}"#)
            #expect(unknownDifficulty.status == .unprocessableContent && unknownDifficulty.errorField == "difficulties")
            let log = try #require(try await client.as(xiaohe).get("/api/v1/enterprises/\(Self.code)/visits")["items"] as? [[String: Any]])
            #expect(log.count == 1 && log.first?["day"] as? String == "2026-11-22")

            // The contact person: the commissioner with a reason, logged; the street's staff never.
            #expect(try await client.as(chen).get("/api/v1/enterprises/\(Self.code)?reveal=contact").errorField == "reason")
            #expect(try await client.as(xiaohe).get("/api/v1/enterprises/\(Self.code)?reveal=contact&reason=x").status == .forbidden)
            let shown = try await client.as(chen).get("/api/v1/enterprises/\(Self.code)?reveal=contact&reason=%E8%B5%B0%E8%AE%BF")
            #expect(shown["contact_phone"] as? String == "13912345678" && shown["contact_name"] as? String == "陈经理")
            let access = try #require(try await client.as(auditor).get("/api/v1/audit/access")["items"] as? [[String: Any]])
            #expect(access.count == 1 && access.first?["subject"] as? String == "enterprise:\(Self.code)")

            // The exports keep the contact masked, with a BOM for Excel.
            let bytes = try await client.raw.execute(uri: "/api/v1/enterprises?format=csv", method: .get,
                                                     headers: [.authorization: "Bearer \(f.adminKey)"], body: nil) {
                [UInt8]($0.body.readableBytesView)
            }
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let rows = try CSV.rows(String(decoding: bytes.dropFirst(3), as: UTF8.self))
            #expect(rows.count == 2 && rows[1][0] == Self.code && rows[1][6] == "139****5678" && !rows.joined().joined().contains("13912345678"))
            let visitRows = try await client.raw.execute(uri: "/api/v1/enterprises/\(Self.code)/visits?format=csv", method: .get,
                                                         headers: [.authorization: "Bearer \(f.adminKey)"], body: nil) {
                try CSV.rows(String(decoding: [UInt8]($0.body.readableBytesView).dropFirst(3), as: UTF8.self))
            }
            #expect(visitRows.count == 2 && visitRows[1][2] == "融资难 用工难")
        }
    }

    /// The pages as a street's clerk and a commissioner use them: register with a typed code in
    /// lower case, the name escaped; a typo shown on the page with the field; the commissioner's
    /// visit logged through the form; a form without its token refused.
    @Test(arguments: Backend.all) func thePagesRegisterAssignAndLogVisits(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        let users: [(String, Role, String)] = [("xiaohe-clerk", .handler, "330105003"), ("jxj-chen", .handler, "330105-JXJ"),
                                               ("boss", .dispatcher, "330105")]
        for (name, role, unit) in users {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            var clerk = Browser(client: client.as(nil))
            #expect(try await clerk.login("xiaohe-clerk", "correct horse") == .seeOther)
            // A bad filter in the address is its own page with the reason, not a server error.
            let badFilter = try await clerk.send(.get, "/enterprises?industry=Z")
            #expect(badFilter.status == .unprocessableContent && badFilter.body.contains("GB/T 4754"))
            let list = try await clerk.send(.get, "/enterprises")
            #expect(list.status == .ok && list.body.contains("id=\"register-enterprise\""))
            let csrf = try #require(Browser.csrf(in: list.body))
            var form = ["csrf": csrf, "credit_code": "91330105ma2gl8kq41", "name": "<b>某</b>机械", "address": "小河路", "street": "330105003",
                        "industry": "C", "contact_name": "陈经理", "contact_phone": "13912345678"]
            let typo = try await clerk.send(.post, "/enterprises", form: form)
            #expect(typo.status == .unprocessableContent && typo.body.contains("credit_code"))
            form["credit_code"] = "91330105ma2gl8kq40"
            let made = try await clerk.send(.post, "/enterprises", form: form)
            #expect(made.status == .seeOther && made.headers[.location] == "/enterprises/\(Self.code)")
            let page = try await clerk.send(.get, "/enterprises/\(Self.code)")
            #expect(page.status == .ok && page.body.contains("&lt;b&gt;某&lt;/b&gt;机械") && !page.body.contains("<b>某</b>"))
            #expect(page.body.contains("139****5678") && !page.body.contains("13912345678") && !page.body.contains("id=\"log-visit\""))

            var boss = Browser(client: client.as(nil))
            #expect(try await boss.login("boss", "correct horse") == .seeOther)
            let bossPage = try await boss.send(.get, "/enterprises/\(Self.code)")
            let token = try #require(Browser.csrf(in: bossPage.body))
            #expect(try await boss.send(.post, "/enterprises/\(Self.code)/commissioners", form: ["commissioners": "jxj-chen"]).status == .forbidden)
            let assigned = try await boss.send(.post, "/enterprises/\(Self.code)/commissioners", form: ["csrf": token, "commissioners": "jxj-chen"])
            #expect(assigned.status == .seeOther)

            var chen = Browser(client: client.as(nil))
            #expect(try await chen.login("jxj-chen", "correct horse") == .seeOther)
            let mine = try await chen.send(.get, "/enterprises?mine=true")
            #expect(mine.body.contains(Self.code))
            let served = try await chen.send(.get, "/enterprises/\(Self.code)")
            #expect(served.body.contains("id=\"log-visit\""))
            let visitToken = try #require(Browser.csrf(in: served.body))
            let logged = try await chen.send(.post, "/enterprises/\(Self.code)/visits",
                                             form: ["csrf": visitToken, "day": "2026-11-22", "difficulty_funding": "1", "note": "资金<紧张>"])
            #expect(logged.status == .seeOther)
            let after = try await chen.send(.get, "/enterprises/\(Self.code)")
            #expect(after.body.contains("融资难") && after.body.contains("资金&lt;紧张&gt;"))
            let visits = try #require(try await client.get("/api/v1/enterprises/\(Self.code)/visits")["items"] as? [[String: Any]])
            #expect(visits.count == 1 && visits.first?["commissioner"] as? String == "user:jxj-chen")
            // The difficulty raised as a case from the same page: shown with its tracking code and department.
            #expect(after.body.contains("id=\"raise-difficulty\"") && after.body.contains("融资难 → 拱墅区发展和改革局"))
            let raiseToken = try #require(Browser.csrf(in: after.body))
            let empty = try await chen.send(.post, "/enterprises/\(Self.code)/difficulties", form: ["csrf": raiseToken, "difficulty": "funding"])
            #expect(empty.status == .unprocessableContent && empty.body.contains("description"))
            let raised = try await chen.send(.post, "/enterprises/\(Self.code)/difficulties",
                                             form: ["csrf": raiseToken, "difficulty": "funding", "description": "贷款贴息<申请>"])
            #expect(raised.status == .seeOther)
            let listed = try await clerk.send(.get, "/enterprises/\(Self.code)")
            #expect(listed.body.contains("id=\"difficulties\"") && listed.body.contains("href=\"/status/") && listed.body.contains("拱墅区发展和改革局")
                    && !listed.body.contains("id=\"raise-difficulty\""))
        }
    }

    /// A difficulty raised as a case: its category's routing rule sends it to the answering
    /// department with its deadline; a retry with the same key finds the same case; only the
    /// commissioner raises; the enterprise's page lists it; once closed, the enterprise gives its
    /// verdict on the public status page with the tracking code, and the page shows it.
    @Test(arguments: Backend.all) func aDifficultyIsRoutedToItsDepartmentAndJudgedByTheEnterprise(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        let xiaohe = try await f.key(.handler, "330105003"), mishixiang = try await f.key(.handler, "330105001")
        let fgj = try await f.key(.handler, "330105-FGJ")
        _ = try await f.services.accounts.addUser(username: "jxj-chen", displayName: "陈专员", role: .handler, unit: "330105-JXJ",
                                                  password: "correct horse", by: "t", at: ServerFixture.start)
        try await f.test { client in
            #expect(try await client.as(xiaohe).post("/api/v1/enterprises", Self.body).status == .created)
            #expect(try await client.call(.put, "/api/v1/enterprises/\(Self.code)/commissioners",
                                          body: #"{"commissioners":["jxj-chen"]}"#).status == .ok)
            let login = try await client.as(nil).post("/api/v1/session", #"{"username":"jxj-chen","password":"correct horse"}"#)
            let chen = try #require(login["token"] as? String)
            let catalogue = try #require(try await client.get("/api/v1/enterprise-service")["difficulties"] as? [[String: Any]])
            #expect(catalogue.first { $0["code"] as? String == "funding" }?["department"] as? String == "330105-FGJ")

            let path = "/api/v1/enterprises/\(Self.code)/difficulties"
            let body = #"{"difficulty":"funding","description":"流动资金缺口 300 万元，申请贷款贴息","key":"visit-2026-11-22"}"#
            #expect(try await client.as(xiaohe).post(path, body).status == .forbidden)
            #expect(try await client.as(chen).post(path, #"{"difficulty":"weather","description":"x"}"#).errorField == "difficulty")
            #expect(try await client.as(chen).post(path, #"{"difficulty":"funding"}"#).errorField == "description")
            let raised = try await client.as(chen).post(path, body)
            #expect(raised.status == .created && raised["unit"] as? String == "330105-FGJ" && raised["status"] as? String == "dispatched")
            // Five working days from Monday 23 November 09:00: the close of Monday 30 November.
            #expect((raised["due_at"] as? String)?.hasPrefix("2026-11-30") == true && raised["difficulty_name"] as? String == "融资难")
            let again = try await client.as(chen).post(path, body)
            #expect(again.status == .ok && again["case_id"] as? Int == raised["case_id"] as? Int)
            let id = try #require(raised["case_id"] as? Int), code = try #require(raised["tracking_code"] as? String)
            #expect((try await client.as(xiaohe).get(path)["items"] as? [Any])?.count == 1)
            #expect(try await client.as(mishixiang).get(path).status == .notFound)
            let record = try await client.get("/api/v1/cases/\(id)")
            #expect(record["source"] as? String == "enterprise" && (record["category"] as? [String: Any])?["code"] as? String == "93012")

            // The department answers, the centre closes, the enterprise judges.
            #expect(try await client.as(fgj).post("/api/v1/cases/\(id)/handle", #"{"note":"已对接两家银行"}"#).status == .ok)
            for step in ["verify", "close"] {
                #expect(try await client.post("/api/v1/cases/\(id)/\(step)", step == "verify" ? #"{"passed":true}"# : "").status == .ok)
            }
            var enterprise = WebPageTests.Browser(client: client.as(nil))
            let status = try await enterprise.send(.get, "/status/\(code)")
            let csrf = try #require(WebPageTests.Browser.csrf(in: status.body))
            #expect(try await enterprise.send(.post, "/status/\(code)/evaluate", form: ["csrf": csrf, "satisfaction": "satisfied"]).status
                    == .seeOther)
            let listed = try #require(try await client.as(chen).get(path)["items"] as? [[String: Any]])
            #expect(listed.first?["satisfaction"] as? String == "satisfied" && listed.first?["status"] as? String == "closed")
        }
    }

    @Test(arguments: Backend.all) func badBodiesAreNamedByFieldAndWriteNothing(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            let cases: [(String, String, String)] = [
                (#"{"name":"x","address":"y","street":"330105003","industry":"C"}"#, "credit_code", "required"),
                (#"{"credit_code":"91330105MA2GL8KQ4","name":"x","address":"y","street":"330105003","industry":"C"}"#, "credit_code",
                 "wrong_length"),
                (#"{"credit_code":"91330105MA2GL8KQ40","address":"y","street":"330105003","industry":"C"}"#, "name", "required"),
                (#"{"credit_code":"91330105MA2GL8KQ40","name":"x\u0007","address":"y","street":"330105003","industry":"C"}"#, "name",
                 "control_character"),
                (#"{"credit_code":"91330105MA2GL8KQ40","name":"x","address":"y","street":"330105003051","industry":"C"}"#, "street", "invalid"),
                (#"{"credit_code":"91330105MA2GL8KQ40","name":"x","address":"y","street":"330105003","industry":"Z"}"#, "industry", "invalid"),
                (#"{"credit_code":"91330105MA2GL8KQ40","name":"x","address":"y","street":"330105003","industry":"C","contact_phone":"abc"}"#,
                 "contact_phone", "invalid"),
            ]
            for (body, field, code) in cases {
                let r = try await client.post("/api/v1/enterprises", body)
                #expect(r.status == .unprocessableContent && r.errorField == field && r.errorCode == code, "\(body): \(r.json)")
            }
            #expect((try await client.get("/api/v1/enterprises")["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.get("/api/v1/enterprises/not-a-code").status == .notFound)
            #expect(try await client.get("/api/v1/enterprises?industry=Z").errorField == "industry")
            let catalogue = try await client.get("/api/v1/enterprise-service")
            #expect((catalogue["difficulties"] as? [Any])?.count == 6 && (catalogue["industries"] as? [Any])?.count == 20)
        }
    }
}
