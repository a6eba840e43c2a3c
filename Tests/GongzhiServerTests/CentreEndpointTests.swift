import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiSQL
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Testing

/// The centre through the API and the pages, as the window, a mediator and a leader use it:
/// bad input named by field, parties masked and every reveal logged, the clocks on the ledger and
/// the cockpit as an injected clock runs, exports with a BOM, scope on every read.
@Suite struct CentreEndpointTests {
    typealias Browser = WebPageTests.Browser

    static let petition = #"{"title":"小区加装电梯补贴未发放","content":"申请人反映补贴至今未到位","form":"visit","street":"330105003","#
        + #""petitioners":[{"name":"王小明","phone":"13812345678","id_number":"330105199001011234"}]}"#
    static let dispute = #"{"type":"neighbour","summary":"楼上漏水<script>","channel":"window","street":"330105003","community":"330105003051","#
        + #""parties":[{"name":"张三","phone":"13800000001"},{"name":"李四","role":"respondent"}]}"#

    @Test(arguments: Backend.all) func aPetitionLeftUndecidedIsOverdueOnTheLedgerAndTheCockpit(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        for (name, unit) in [("leader", "330105"), ("mishixiang-leader", "330105001")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: .leader, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            let r = try await client.post("/api/v1/petitions", Self.petition)
            #expect(r.status == .created && r["status"] as? String == "registered" && r["accept_by"] as? String == "2026-12-08")
            let id = try #require(r["id"] as? Int)
            // Masked by default.
            let party = try #require((r["petitioners"] as? [[String: Any]])?.first)
            #expect(party["name"] as? String == "王**" && party["phone"] as? String == "138****5678" && party["id_number"] as? String == "****1234")
            // Sixteen days later, with no decision.
            f.clock.set(Timestamp.parse("2026-12-09T09:00:00+08:00")!)
            let late = try #require(try await client.get("/api/v1/petitions?state=overdue")["items"] as? [[String: Any]])
            #expect(late.map { $0["id"] as? Int } == [id])
            #expect((late.first?["clock"] as? [String: Any])?["state"] as? String == "overdue")
            let overview = try await client.get("/api/v1/centre/overview")
            #expect(overview["overdue_petitions"] as? Int == 1 && overview["undecided_overdue"] as? Int == 1)
            var b = Browser(client: client.as(nil))
            #expect(try await b.login("leader", "correct horse") == .seeOther)
            let ledger = try await b.send(.get, "/centre/petitions?state=overdue")
            #expect(ledger.status == .ok && ledger.body.contains("data-clock=\"overdue\"") && ledger.body.contains("小区加装电梯补贴未发放"))
            let cockpit = try await b.send(.get, "/cockpit")
            #expect(cockpit.status == .ok && cockpit.body.contains("id=\"centre-tiles\""))
            let tile = "<a href=\"/centre/petitions?state=overdue\"><span class=\"label\">逾期未受理</span><span class=\"value\">1</span>"
            #expect(cockpit.body.contains(tile))
            // A street's leader who picks another street in the cockpit sees none of its petitions.
            var other = Browser(client: client.as(nil))
            #expect(try await other.login("mishixiang-leader", "correct horse") == .seeOther)
            let theirs = try await other.send(.get, "/cockpit?street=330105003")
            #expect(theirs.status == .ok && !theirs.body.contains(tile) && theirs.body.contains("id=\"centre-tiles\""))
        }
    }

    @Test(arguments: Backend.all) func revealsNeedAReasonAndAreLoggedScopeHidesTheRest(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let community = try await f.key(.handler, "330105003051")
        let other = try await f.key(.handler, "330105001")
        let leader = try await f.key(.leader, "330105")
        let auditor = try await f.key(.auditor, "330105")
        try await f.test { client in
            let d = try await client.post("/api/v1/disputes", Self.dispute)
            #expect(d.status == .created && d["level"] as? String == "community" && d["unit"] as? String == "330105003051")
            let id = try #require(d["id"] as? Int)
            #expect(try await client.as(other).get("/api/v1/disputes/\(id)").status == .notFound)
            #expect((try await client.as(other).get("/api/v1/disputes")["items"] as? [Any])?.isEmpty == true)
            let noReason = try await client.as(community).get("/api/v1/disputes/\(id)?reveal=parties")
            #expect(noReason.status == .unprocessableContent && noReason.errorField == "reason")
            #expect(try await client.as(leader).get("/api/v1/disputes/\(id)?reveal=parties&reason=x").status == .forbidden)
            let shown = try await client.as(community).get("/api/v1/disputes/\(id)?reveal=parties&reason=%E5%9B%9E%E8%AE%BF")
            #expect((shown["parties"] as? [[String: Any]])?.first?["phone"] as? String == "13800000001" && shown["parties_masked"] as? Bool == false)
            let log = try #require(try await client.as(auditor).get("/api/v1/audit/access")["items"] as? [[String: Any]])
            #expect(log.count == 1 && log.first?["subject"] as? String == "dispute:\(id)" && log.first?["reason"] as? String == "回访")
            // The community's mediator records a session and reaches an agreement.
            let s = try await client.as(community).post("/api/v1/disputes/\(id)/sessions",
                                                        #"{"day":"2026-11-23","mediator":"赵调解员","present":[0,1],"note":"双方到场"}"#)
            #expect(s.status == .ok && (s["sessions"] as? [Any])?.count == 1)
            let bad = try await client.as(community).post("/api/v1/disputes/\(id)/sessions",
                                                          #"{"day":"2026-11-23","mediator":"赵","present":[5],"note":"x"}"#)
            #expect(bad.status == .unprocessableContent && bad.errorField == "present")
            let done = try await client.as(community).post("/api/v1/disputes/\(id)/outcome", #"{"result":"agreed","agreement":"拱小调〔2026〕3号"}"#)
            #expect(done.status == .ok && done["status"] as? String == "agreed")
            let again = try await client.as(community).post("/api/v1/disputes/\(id)/outcome", #"{"result":"agreed","agreement":"x"}"#)
            #expect(again.status == .conflict && again.errorCode == "not_allowed_now")
            let o = try await client.get("/api/v1/centre/overview?from=2026-11-01&to=2026-11-30")
            let district = try #require(o["district"] as? [String: Any])
            #expect(district["concluded"] as? Int == 1 && district["community_share"] as? Double == 1)
        }
    }

    @Test(arguments: Backend.all) func badInputIsNamedAndLeavesNothingBehind(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let merchant = try await f.key(.merchant, "330105003")
        try await f.test { client in
            for (body, field, code) in [
                (#"{"type":"alien","summary":"x","parties":[{"name":"a"}]}"#, "type", "unknown_value"),
                (#"{"type":"neighbour","parties":[{"name":"a"}]}"#, "summary", "required"),
                (#"{"type":"neighbour","summary":"x","parties":[]}"#, "parties", "required"),
                (#"{"type":"neighbour","summary":"x","parties":[{"name":"a","phone":"call"}]}"#, "parties[0].phone", "invalid"),
                (#"{"type":"neighbour","summary":"x","parties":[{"name":"a","kind":"robot"}]}"#, "parties[0].kind", "invalid"),
                (#"{"type":"neighbour","summary":"x","parties":[{"name":"a"}],"community":"330105001051","street":"330105003"}"#, "community",
                 "invalid"),
                (#"{"type":"neighbour","summary":"x","parties":[{"name":"a"}],"amount_fen":-5}"#, "amount_fen", "out_of_range"),
                (#"{"type":"neighbour","summary":"x","parties":[{"name":"a"}],"risk":"extreme"}"#, "risk", "unknown_value"),
                (#"{"type":"neighbour","summary":"\u0007","parties":[{"name":"a"}]}"#, "summary", "control_character"),
            ] {
                let r = try await client.post("/api/v1/disputes", body)
                #expect(r.status == .unprocessableContent && r.errorField == field && r.errorCode == code, "\(body): \(r.json)")
            }
            #expect(try await client.as(merchant).post("/api/v1/disputes", Self.dispute).status == .forbidden)
            #expect(try await client.post("/api/v1/petitions", #"{"title":"t","content":"c","petitioners":[{"name":"a"}],"repeat_of":99}"#)
                .errorField == "repeat_of")
            #expect(try await client.get("/api/v1/petitions?state=late").errorField == "state")
            #expect(try await client.get("/api/v1/disputes/abc").status == .notFound)
            #expect(try await f.db.count("SELECT COUNT(*) FROM centre_matters") == 0)
            // A petition's one extension, then a second refused; the campaign sheet refused whole on one bad row.
            let p = try #require(try await client.post("/api/v1/petitions", Self.petition)["id"] as? Int)
            #expect(try await client.post("/api/v1/petitions/\(p)/decision", #"{"accept":true,"unit":"330105003","notice":"书面"}"#).status == .ok)
            #expect(try await client.post("/api/v1/petitions/\(p)/extend", #"{"days":30,"reason":"复杂","notice":"电话"}"#).status == .ok)
            let second = try await client.post("/api/v1/petitions/\(p)/extend", #"{"days":1,"reason":"再延","notice":"电话"}"#)
            #expect(second.status == .conflict)
            let created = try await client.post("/api/v1/campaigns", #"{"name":"积案清零","start":"2026-11-01","end":"2026-12-31"}"#)
            let c = try #require(created["id"] as? Int)
            let sheet = "petition,leader,unit,target\n\(p),张书记,330105003,2026-12-31\n999,李书记,330105003,2026-12-31\n"
            let refused = try await client.call(.post, "/api/v1/campaigns/\(c)/items", body: sheet, headers: [.contentType: "text/csv"])
            #expect(refused.status == .unprocessableContent && refused.errorField == "items[1].petition")
            #expect(try await f.db.count("SELECT COUNT(*) FROM centre_campaign_items") == 0)
            let first = sheet.split(separator: "\n").prefix(2).joined(separator: "\n")
            let ok = try await client.call(.post, "/api/v1/campaigns/\(c)/items", body: first, headers: [.contentType: "text/csv"])
            #expect(ok.status == .created && ok["total"] as? Int == 1 && ok["cleared"] as? Int == 0)
            let bytes = try await client.raw.execute(uri: "/api/v1/petitions?format=csv", method: .get,
                                                     headers: [.authorization: "Bearer \(f.adminKey)"], body: nil) {
                [UInt8]($0.body.readableBytesView)
            }
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let rows = try CSV.rows(String(decoding: bytes.dropFirst(3), as: UTF8.self))
            #expect(rows.count == 2 && rows[1][1] == "小区加装电梯补贴未发放" && !rows.joined().joined().contains("13812345678"))
        }
    }

    @Test(arguments: Backend.all) func theWindowRegistersAndTheCommunityResolvesThroughThePages(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        for (name, role, unit) in [("window", Role.dispatcher, "330105"), ("dahulu", .handler, "330105003051")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        try await f.test { client in
            var window = Browser(client: client.as(nil))
            #expect(try await window.login("window", "correct horse") == .seeOther)
            let page = try await window.send(.get, "/centre")
            let csrf = try #require(Browser.csrf(in: page.body))
            let form = ["csrf": csrf, "type": "neighbour", "channel": "window", "place": "330105003051", "risk": "low", "amount_yuan": "1200.5",
                        "summary": "楼上漏水<script>alert(1)</script>", "party_name_0": "张三", "party_kind_0": "person", "party_role_0": "applicant",
                        "party_phone_0": "13800000001", "party_name_1": "李四", "party_kind_1": "person", "party_role_1": "respondent"]
            let bad = try await window.send(.post, "/centre/disputes", form: form.merging(["amount_yuan": "12.345"]) { $1 })
            #expect(bad.status == .unprocessableContent && bad.body.contains("amount_yuan"))
            let posted = try await window.send(.post, "/centre/disputes", form: form)
            let location = try #require(posted.headers[.location])
            #expect(posted.status == .seeOther && location.hasPrefix("/centre/disputes/"))
            let shown = try await window.send(.get, location)
            #expect(shown.body.contains("&lt;script&gt;") && !shown.body.contains("<script>alert") && shown.body.contains("1200.50"))
            #expect(shown.body.contains("张*") && !shown.body.contains("13800000001"))
            var mediator = Browser(client: client.as(nil))
            #expect(try await mediator.login("dahulu", "correct horse") == .seeOther)
            let before = try await mediator.send(.get, "/centre/disputes")
            #expect(before.body.contains("id=\"community-share\">—<"))
            let detail = try await mediator.send(.get, location)
            #expect(detail.body.contains("id=\"step-outcome\""))
            let token = try #require(Browser.csrf(in: detail.body))
            let done = try await mediator.send(.post, location + "/outcome", form: ["csrf": token, "result": "agreed", "agreement": "拱小调〔2026〕3号"])
            #expect(done.status == .seeOther)
            let after = try await mediator.send(.get, "/centre/disputes?state=closed")
            #expect(after.body.contains("id=\"community-share\">100%<"))
            // Without the form token nothing happens.
            let forged = try await mediator.send(.post, location + "/honoured", form: ["honoured": "true"])
            #expect(forged.status == .forbidden)
        }
        #expect(try await SQLCentreStore(db: f.db.sql).verify() == (1, nil))
    }
}
