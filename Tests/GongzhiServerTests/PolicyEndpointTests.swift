import Foundation
import GongzhiCore
import GongzhiIntake
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Hummingbird
import Testing

/// Support policies through the API as the district uses them: 人社局's leader writes a policy,
/// a commissioner applies for an enterprise, the bureau's clerk checks and its leader approves,
/// the finance bureau pays once, and the ledger, its totals and the bureau's CSV agree in fen.
@Suite struct PolicyEndpointTests {
    static let code = "91330105MA2GL8KQ40"
    static let policy = #"{"code":"QQ-2026-01","name":"稳岗扩岗补贴","department":"330105-RSJ","opens":"2026-01-01","closes":"2026-12-31","#
        + #""conditions":[{"field":"industry","in":["C"]},{"field":"employees","min":10}],"#
        + #""amount":{"kind":"per_unit","figure":"new_hires","fen_per_unit":100000,"cap_fen":5000000},"budget_fen":420000000}"#
    static let enterprise = #"{"credit_code":"91330105MA2GL8KQ40","name":"杭州拱墅某精密机械有限公司","address":"小河路 88 号","#
        + #""street":"330105003","industry":"C"}"#

    @Test(arguments: Backend.all) func aPolicyIsAppliedForReviewedAndPaidOnce(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let xiaohe = try await f.key(.handler, "330105003"), mishixiang = try await f.key(.handler, "330105001")
        let rsjLead = try await f.key(.leader, "330105-RSJ"), rsjClerk = try await f.key(.handler, "330105-RSJ")
        let jxjLead = try await f.key(.leader, "330105-JXJ"), finance = try await f.key(.handler, "330105-CZJ")
        _ = try await f.services.accounts.addUser(username: "jxj-chen", displayName: "陈专员", role: .handler, unit: "330105-JXJ",
                                                  password: "correct horse", by: "t", at: ServerFixture.start)
        try await f.test { client in
            // A leader writes their own department's policy only.
            #expect(try await client.as(jxjLead).post("/api/v1/policies", Self.policy).status == .forbidden)
            #expect(try await client.as(rsjClerk).post("/api/v1/policies", Self.policy).status == .forbidden)
            let made = try await client.as(rsjLead).post("/api/v1/policies", Self.policy)
            #expect(made.status == .created && made["figures"] as? [String] == ["employees", "new_hires"])
            #expect(try await client.as(rsjLead).post("/api/v1/policies", Self.policy).status == .conflict)

            #expect(try await client.as(xiaohe).post("/api/v1/enterprises", Self.enterprise).status == .created)
            #expect(try await client.call(.put, "/api/v1/enterprises/\(Self.code)/commissioners",
                                          body: #"{"commissioners":["jxj-chen"]}"#).status == .ok)
            let login = try await client.as(nil).post("/api/v1/session", #"{"username":"jxj-chen","password":"correct horse"}"#)
            let chen = try #require(login["token"] as? String)

            // The commissioner applies; the street's own staff do not serve the enterprise.
            let apply = #"{"credit_code":"91330105ma2gl8kq40","figures":{"employees":40,"new_hires":12},"note":"新招 12 人"}"#
            #expect(try await client.as(xiaohe).post("/api/v1/policies/QQ-2026-01/applications", apply).status == .forbidden)
            let unmet = try await client.as(chen).post("/api/v1/policies/QQ-2026-01/applications",
                                                       #"{"credit_code":"91330105MA2GL8KQ40","figures":{"employees":9,"new_hires":1}}"#)
            #expect(unmet.status == .unprocessableContent && unmet.errorField == "figures.employees" && unmet.errorCode == "condition_unmet")
            let filed = try await client.as(chen).post("/api/v1/policies/QQ-2026-01/applications", apply)
            #expect(filed.status == .created && filed["entitlement_fen"] as? Int == 1_200_000 && filed["status"] as? String == "submitted")
            let id = try #require(filed["id"] as? Int)
            #expect(try await client.as(chen).post("/api/v1/policies/QQ-2026-01/applications", apply).status == .conflict)
            #expect(try await client.as(chen).post("/api/v1/policies/QQ-2026-99/applications", apply).status == .notFound)

            // Another street sees nothing of it.
            #expect(try await client.as(mishixiang).get("/api/v1/policy-applications/\(id)").status == .notFound)
            #expect((try await client.as(mishixiang).get("/api/v1/policy-applications")["items"] as? [Any])?.isEmpty == true)

            // The review: the clerk checks, the leader approves, the finance bureau pays once.
            let steps = "/api/v1/policy-applications/\(id)/steps"
            #expect(try await client.as(rsjClerk).post(steps, #"{"step":"approve","amount_fen":1}"#).status == .forbidden)
            #expect(try await client.as(rsjClerk).post(steps, #"{"step":"check"}"#).errorField == "eligible")
            #expect(try await client.as(rsjClerk).post(steps, #"{"step":"sign"}"#).errorCode == "unknown_value")
            #expect(try await client.as(rsjClerk).post(steps, #"{"step":"check","eligible":true,"note":"参保 40 人，核实"}"#).status == .ok)
            let above = try await client.as(rsjLead).post(steps, #"{"step":"approve","amount_fen":1200001}"#)
            #expect(above.status == .unprocessableContent && above.errorCode == "above_entitlement")
            let fraction = try await client.as(rsjLead).post(steps, #"{"step":"approve","amount_fen":1000.5}"#)
            #expect(fraction.status == .badRequest && fraction.errorField == "amount_fen")
            #expect(try await client.as(rsjLead).post(steps, #"{"step":"approve","amount_fen":1000000,"note":"核定"}"#)["status"] as? String
                    == "approved")
            #expect(try await client.as(rsjLead).post(steps, #"{"step":"pay","amount_fen":1000000,"reference":"CZ-1"}"#).status == .forbidden)
            let over = try await client.as(finance).post(steps, #"{"step":"pay","amount_fen":1000001,"reference":"CZ-2026-0001"}"#)
            #expect(over.status == .unprocessableContent && over.errorCode == "above_approved")
            let paid = try await client.as(finance).post(steps, #"{"step":"pay","amount_fen":1000000,"reference":"CZ-2026-0001"}"#)
            #expect(paid["status"] as? String == "paid" && (paid["steps"] as? [Any])?.count == 4)
            #expect(try await client.as(finance).post(steps, #"{"step":"pay","amount_fen":1,"reference":"CZ-2026-0002"}"#).status == .conflict)

            // The ledger, its totals and the finance bureau's export agree.
            let ledger = try #require(try await client.as(finance).get("/api/v1/policy-payments")["items"] as? [[String: Any]])
            #expect(ledger.count == 1 && ledger[0]["amount_yuan"] as? String == "10000.00" && ledger[0]["approved_by"] as? String != nil)
            let totals = try await client.as(finance).get("/api/v1/policy-totals?from=2026-11-01&to=2026-11-30")
            #expect(totals["fen"] as? Int == 1_000_000 && (totals["by_street"] as? [[String: Any]])?.first?["name"] as? String == "小河街道办事处")
            #expect(try await client.as(finance).get("/api/v1/policy-totals?from=2026-12-01")["fen"] as? Int == 0)
            #expect(try await client.as(finance).get("/api/v1/policy-totals?from=2026-12-01&to=2026-11-01").errorField == "to")
            #expect(try await client.as(mishixiang).get("/api/v1/policy-totals")["fen"] as? Int == 0)
            let summary = try await client.as(xiaohe).get("/api/v1/policies/QQ-2026-01")
            #expect(summary["approved_fen"] as? Int == 1_000_000 && summary["paid_fen"] as? Int == 1_000_000)
            for encoding in ["utf-8", "gb18030"] {
                let bytes = try await client.raw.execute(uri: "/api/v1/policy-payments?format=csv&encoding=\(encoding)", method: .get,
                                                         headers: [.authorization: "Bearer \(finance)"], body: nil) {
                    Data(buffer: $0.body)
                }
                let text = encoding == "utf-8" ? String(decoding: bytes.dropFirst(3), as: UTF8.self)
                    : try TextDecoding.decode(bytes, as: .gb18030).text
                let rows = try CSV.rows(text)
                #expect(rows.count == 2 && rows[1][0] == "CZ-2026-0001" && rows[1][6] == "10000.00" && rows[1][7] == "1000000")
                // The approval chain: three different principals checked, approved and paid.
                #expect(rows[1][4] == "杭州拱墅某精密机械有限公司" && Set(rows[1][9...11]).count == 3 && rows[1][9...11].allSatisfy { $0.hasPrefix("key:") })
            }
        }
    }

    /// The pages as the five people of a payout use them: the commissioner applies through the
    /// form, the clerk checks, the leader approves an amount typed in yuan, the finance bureau pays
    /// under a reference; a typo is shown on the page, and the ledger page shows the payment.
    @Test(arguments: Backend.all) func thePagesCarryAPayoutFromApplicationToLedger(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let users: [(String, Role, String)] = [("jxj-chen", .handler, "330105-JXJ"), ("rsj-clerk", .handler, "330105-RSJ"),
                                               ("rsj-lead", .leader, "330105-RSJ"), ("czj", .handler, "330105-CZJ"),
                                               ("hushu", .handler, "330105002")]
        for (name, role, unit) in users {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            #expect(try await client.post("/api/v1/policies", Self.policy.replacingOccurrences(of: "稳岗扩岗补贴", with: "稳岗<补贴>")).status == .created)
            #expect(try await client.post("/api/v1/enterprises", Self.enterprise).status == .created)
            #expect(try await client.call(.put, "/api/v1/enterprises/\(Self.code)/commissioners",
                                          body: #"{"commissioners":["jxj-chen"]}"#).status == .ok)
            func browser(_ name: String) async throws -> WebPageTests.Browser {
                var b = WebPageTests.Browser(client: client.as(nil))
                #expect(try await b.login(name, "correct horse") == .seeOther)
                return b
            }
            var chen = try await browser("jxj-chen")
            let list = try await chen.send(.get, "/policies")
            #expect(list.status == .ok && list.body.contains("稳岗&lt;补贴&gt;") && !list.body.contains("稳岗<补贴>"))
            let policyPage = try await chen.send(.get, "/policies/QQ-2026-01")
            #expect(policyPage.body.contains("id=\"apply-policy\"") && policyPage.body.contains("name=\"figure_new_hires\""))
            var form = ["csrf": try #require(WebPageTests.Browser.csrf(in: policyPage.body)), "credit_code": Self.code,
                        "figure_employees": "40", "figure_new_hires": "12.5"]
            let typo = try await chen.send(.post, "/policies/QQ-2026-01/applications", form: form)
            #expect(typo.status == .unprocessableContent && typo.body.contains("figures.new_hires"))
            form["figure_new_hires"] = "12"
            let filed = try await chen.send(.post, "/policies/QQ-2026-01/applications", form: form)
            let location = try #require(filed.headers[.location])
            #expect(filed.status == .seeOther && location.hasPrefix("/policy-applications/"))
            var hushu = try await browser("hushu")
            #expect(try await hushu.send(.get, location).status == .notFound)

            var clerk = try await browser("rsj-clerk")
            let toCheck = try await clerk.send(.get, location)
            #expect(toCheck.body.contains("id=\"check-application\"") && !toCheck.body.contains("id=\"approve-application\""))
            let checkToken = try #require(WebPageTests.Browser.csrf(in: toCheck.body))
            #expect(try await clerk.send(.post, "\(location)/steps", form: ["csrf": checkToken, "step": "check", "eligible": "true",
                                                                          "note": "核实"]).status == .seeOther)
            var lead = try await browser("rsj-lead")
            let toApprove = try await lead.send(.get, location)
            #expect(toApprove.body.contains("value=\"12000.00\""))
            let approveToken = try #require(WebPageTests.Browser.csrf(in: toApprove.body))
            let tooMuch = try await lead.send(.post, "\(location)/steps", form: ["csrf": approveToken, "step": "approve", "amount": "12000.01"])
            #expect(tooMuch.status == .unprocessableContent && tooMuch.body.contains("amount_fen"))
            let badYuan = try await lead.send(.post, "\(location)/steps", form: ["csrf": approveToken, "step": "approve", "amount": "1.005"])
            #expect(badYuan.status == .unprocessableContent && badYuan.body.contains("amount"))
            #expect(try await lead.send(.post, "\(location)/steps", form: ["csrf": approveToken, "step": "approve",
                                                                         "amount": "１０,０００.５"]).status == .seeOther)
            var czj = try await browser("czj")
            let toPay = try await czj.send(.get, location)
            #expect(toPay.body.contains("id=\"pay-application\"") && toPay.body.contains("value=\"10000.50\""))
            let payToken = try #require(WebPageTests.Browser.csrf(in: toPay.body))
            #expect(try await czj.send(.post, "\(location)/steps", form: ["step": "pay", "amount": "10000.50", "reference": "CZ-1"]).status
                    == .forbidden)
            #expect(try await czj.send(.post, "\(location)/steps", form: ["csrf": payToken, "step": "pay", "amount": "10000.50",
                                                                        "reference": "CZ-2026-0001"]).status == .seeOther)
            let ledger = try await czj.send(.get, "/policies")
            #expect(ledger.body.contains("CZ-2026-0001") && ledger.body.contains("10000.50") && ledger.body.contains("小河街道办事处"))
            let paid = try #require(try await client.get("/api/v1/policy-payments")["items"] as? [[String: Any]])
            #expect(paid.count == 1 && paid[0]["amount_fen"] as? Int == 1_000_050 && paid[0]["paid_by"] as? String == "user:czj")
        }
    }

    /// The new user's walk of issue 14: an enterprise's funding difficulty raised and routed to
    /// 发改局, a subsidy paid, and both found on the district leader's cockpit; a leader of another
    /// street finds neither.
    @Test(arguments: Backend.all) func theCockpitFindsTheDifficultyAndThePayout(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        let xiaohe = try await f.key(.handler, "330105003"), rsjLead = try await f.key(.leader, "330105-RSJ")
        let rsjClerk = try await f.key(.handler, "330105-RSJ"), finance = try await f.key(.handler, "330105-CZJ")
        for (name, role, unit) in [("jxj-chen", Role.handler, "330105-JXJ"), ("leader", .leader, "330105"), ("mi-leader", .leader, "330105001")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            #expect(try await client.as(rsjLead).post("/api/v1/policies", Self.policy).status == .created)
            #expect(try await client.as(xiaohe).post("/api/v1/enterprises", Self.enterprise).status == .created)
            #expect(try await client.call(.put, "/api/v1/enterprises/\(Self.code)/commissioners",
                                          body: #"{"commissioners":["jxj-chen"]}"#).status == .ok)
            let login = try await client.as(nil).post("/api/v1/session", #"{"username":"jxj-chen","password":"correct horse"}"#)
            let chen = try #require(login["token"] as? String)
            let raised = try await client.as(chen).post("/api/v1/enterprises/\(Self.code)/difficulties",
                                                        #"{"difficulty":"funding","description":"流动资金缺口 300 万元"}"#)
            #expect(raised["unit"] as? String == "330105-FGJ")
            let filed = try await client.as(chen).post("/api/v1/policies/QQ-2026-01/applications",
                                                       #"{"credit_code":"91330105MA2GL8KQ40","figures":{"employees":40,"new_hires":12}}"#)
            let steps = "/api/v1/policy-applications/\(try #require(filed["id"] as? Int))/steps"
            #expect(try await client.as(rsjClerk).post(steps, #"{"step":"check","eligible":true,"note":"核实"}"#).status == .ok)
            #expect(try await client.as(rsjLead).post(steps, #"{"step":"approve","amount_fen":1200000}"#).status == .ok)
            #expect(try await client.as(finance).post(steps, #"{"step":"pay","amount_fen":1200000,"reference":"CZ-2026-0009"}"#).status == .ok)

            func tiles(_ user: String) async throws -> [String] {
                var b = WebPageTests.Browser(client: client.as(nil))
                #expect(try await b.login(user, "correct horse") == .seeOther)
                let page = try await b.send(.get, "/cockpit?period=month&date=2026-11-23")
                #expect(page.status == .ok && page.body.contains("id=\"enterprise-tiles\""))
                let section = String(page.body.split(separator: "id=\"enterprise-tiles\"").last ?? "").components(separatedBy: "</ul>")[0]
                return section.components(separatedBy: "class=\"value\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
            }
            #expect(try await tiles("leader") == ["1", "0", "—", "12000.00", "1"])
            #expect(try await tiles("mi-leader") == ["0", "0", "—", "0.00", "0"])
        }
    }

    @Test(arguments: Backend.all) func badPoliciesAreNamedByFieldAndWriteNothing(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            let cases: [(String, String, String, HTTPResponse.Status)] = [
                (Self.policy.replacingOccurrences(of: #""code":"QQ-2026-01","#, with: ""), "code", "required", .unprocessableContent),
                (Self.policy.replacingOccurrences(of: "330105-RSJ", with: "330105003"), "department", "unknown_value", .unprocessableContent),
                (Self.policy.replacingOccurrences(of: #""min":10"#, with: #""min":"ten""#), "conditions[1].min", "wrong_type", .badRequest),
                (Self.policy.replacingOccurrences(of: #""in":["C"]"#, with: #""in":["Z"]"#), "conditions[0].in", "unknown_value",
                 .unprocessableContent),
                (Self.policy.replacingOccurrences(of: "per_unit", with: "per_head"), "amount.kind", "wrong_type", .badRequest),
                (Self.policy.replacingOccurrences(of: #""fen_per_unit":100000,"#, with: ""), "amount.fen_per_unit", "required",
                 .unprocessableContent),
                (Self.policy.replacingOccurrences(of: "420000000", with: "-1"), "budget_fen", "invalid", .unprocessableContent),
                (Self.policy.replacingOccurrences(of: "2026-12-31", with: "2025-12-31"), "closes", "invalid", .unprocessableContent),
                (Self.policy.replacingOccurrences(of: "稳岗扩岗补贴", with: "稳岗\\u0000"), "name", "control_character", .unprocessableContent),
            ]
            for (body, field, code, status) in cases {
                let r = try await client.post("/api/v1/policies", body)
                #expect(r.status == status && r.errorField == field && r.errorCode == code, "\(body): \(r.json)")
            }
            #expect((try await client.get("/api/v1/policies")["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.get("/api/v1/policies/qq").status == .notFound)
            #expect(try await client.get("/api/v1/policy-applications/0").status == .notFound)
            #expect(try await client.get("/api/v1/policy-applications?status=done").errorField == "status")
            #expect(try await client.get("/api/v1/policy-payments?from=2026-02-30").errorField == "from")
        }
    }
}
