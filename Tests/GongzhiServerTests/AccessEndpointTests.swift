import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GRDB
@testable import GongzhiServer
import HummingbirdTesting
import GongzhiTestSupport
import Testing

@Suite struct AccessEndpointTests {
    /// A case at 米市巷街道社区卫生服务中心 (a real 2022 sampling site) dispatched to that street.
    func mishixiangCase(_ client: Client) async throws -> Int {
        let r = try await client.post("/api/v1/reports", #"{"source":"hotline","category":"06010","description":"米市巷垃圾","location":{"lat":30.291384,"lon":120.146347},"reporter":{"name":"张三","phone":"13812345678"}}"#)
        let id = try #require(r["id"] as? Int)
        #expect(((r["area"] as? [String: Any])?["street"] as? [String: Any])?["code"] as? String == "330105001")
        _ = try await client.post("/api/v1/cases/\(id)/register")
        _ = try await client.post("/api/v1/cases/\(id)/dispatch", #"{"unit":"330105001"}"#)
        return id
    }

    @Test(arguments: Backend.all) func everyAPIRouteNeedsCredentials(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let anonymous = client.as(nil)
            for uri in ["/api/v1/cases", "/api/v1/cases/1", "/api/v1/categories", "/api/v1/units", "/api/v1/areas", "/api/v1/locate?lat=30.3&lon=120.15",
                        "/api/v1/calendar?from=2026-01-01&to=2026-01-02", "/api/v1/rules", "/api/v1/me", "/api/v1/audit/log"] {
                let r = try await anonymous.get(uri)
                #expect(r.status == .unauthorized && r.errorCode == "unauthenticated", "\(uri)")
            }
            #expect(try await anonymous.post("/api/v1/reports", #"{"source":"resident","description":"x"}"#).status == .unauthorized)
            #expect(try await client.as("gzk_aaaaaaaaaa_" + String(repeating: "b", count: 52)).get("/api/v1/cases").errorCode == "invalid_credentials")
            #expect(try await client.as("not-a-key").get("/api/v1/cases").status == .unauthorized)
            #expect(try await anonymous.get("/healthz").status == .ok)
            #expect(try await anonymous.get("/openapi.json").status == .ok)
        }
    }

    @Test(arguments: Backend.all) func aXiaoheCommunityWorkerCannotSeeOrActOnAMishixiangCase(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let worker = try await f.key(.handler, "330105003051")
        try await f.test { client in
            let id = try await mishixiangCase(client)
            let me = client.as(worker)
            let list = try await me.get("/api/v1/cases?limit=200")
            #expect((list["items"] as? [Any])?.isEmpty == true)
            let detail = try await me.get("/api/v1/cases/\(id)")
            #expect(detail.status == .notFound && detail.errorCode == "case_not_found")
            let before = try await f.eventCount()
            for action in ["handle", "return", "comment", "escalate"] {
                let r = try await me.post("/api/v1/cases/\(id)/\(action)", #"{"note":"x","reason":"x"}"#)
                #expect(r.status == .notFound, "\(action)")
            }
            #expect(try await f.eventCount() == before)
            // The street's own handler sees it and may handle it.
            let street = client.as(try await f.key(.handler, "330105001"))
            #expect(try await street.get("/api/v1/cases/\(id)").status == .ok)
            #expect(try await street.post("/api/v1/cases/\(id)/handle", #"{"note":"已清理"}"#)["status"] as? String == "handled")
        }
    }

    @Test(arguments: Backend.all) func leadersReadEverythingAndActOnNothing(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let leader = try await f.key(.leader, "330105")
        try await f.test { client in
            let id = try await mishixiangCase(client)
            let me = client.as(leader)
            let detail = try await me.get("/api/v1/cases/\(id)")
            #expect(detail.status == .ok && (detail["allowed_actions"] as? [String]) == [])
            let before = try await f.eventCount()
            let r = try await me.post("/api/v1/cases/\(id)/supervise", #"{"note":"加快"}"#)
            #expect(r.status == .forbidden && r.errorCode == "forbidden")
            #expect(try await f.eventCount() == before)
            #expect(try await me.post("/api/v1/reports", #"{"source":"resident","description":"x"}"#).status == .forbidden)
            #expect(try await me.get("/api/v1/cases/\(id)?reveal=reporter&reason=回访").status == .forbidden)
            #expect(try await me.get("/api/v1/audit/log").status == .forbidden)
        }
    }

    @Test(arguments: Backend.all) func machinesFileReportsButReadNothing(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let camera = try await f.key(.machine, "330105")
        try await f.test { client in
            let me = client.as(camera)
            let r = try await me.post("/api/v1/reports", #"{"source":"camera","category":"09006","description":"占道经营","external_id":"CAM-1"}"#)
            #expect(r.status == .created)
            #expect(try await me.get("/api/v1/cases").status == .forbidden)
            #expect(try await me.get("/api/v1/cases/\(r["id"] as? Int ?? 0)").status == .notFound)
            let history = try await client.get("/api/v1/cases/\(r["id"] as? Int ?? 0)")
            #expect(((history["history"] as? [[String: Any]])?.first?["actor"] as? String)?.hasPrefix("key:") == true)
        }
    }

    @Test(arguments: Backend.all) func revealingTheReporterIsLoggedForAuditors(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let dispatcher = try await f.key(.dispatcher, "330105")
        let auditor = try await f.key(.auditor, "330105")
        try await f.test { client in
            let id = try await mishixiangCase(client)
            let masked = try await client.as(dispatcher).get("/api/v1/cases/\(id)")
            #expect((masked["reporter"] as? [String: Any])?["phone"] as? String == "138****5678")
            // Refused reveals log nothing: no reason, a field that cannot be revealed, a role that may not.
            #expect(try await client.as(dispatcher).get("/api/v1/cases/\(id)?reveal=reporter").errorField == "reason")
            let other = try await client.as(dispatcher).get("/api/v1/cases/\(id)?reveal=description&reason=x")
            #expect(other.status == .unprocessableContent && other.errorField == "reveal" && other.errorCode == "unknown_field")
            let leader = try await f.key(.leader, "330105")
            #expect(try await client.as(leader).get("/api/v1/cases/\(id)?reveal=reporter&reason=x").status == .forbidden)
            #expect(try await f.services.accounts.accessLog(limit: 10).isEmpty)
            let open = try await client.as(dispatcher).get("/api/v1/cases/\(id)?reveal=reporter&reason=%E5%9B%9E%E8%AE%BF")
            #expect((open["reporter"] as? [String: Any])?["phone"] as? String == "13812345678")
            #expect((open["reporter"] as? [String: Any])?["masked"] as? Bool == false)
            let log = try await client.as(auditor).get("/api/v1/audit/access")
            let entry = try #require((log["items"] as? [[String: Any]])?.first)
            #expect(entry["case_id"] as? Int == id && entry["field"] as? String == "reporter" && entry["reason"] as? String == "回访")
            #expect((entry["actor"] as? String)?.hasPrefix("key:") == true)
            #expect(try await client.as(dispatcher).get("/api/v1/audit/access").status == .forbidden)
        }
    }

    @Test(arguments: Backend.all) func sessionLoginTokensAndLockout(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        _ = try await f.services.accounts.addUser(username: "xiaohe", displayName: "小河", role: .handler, unit: "330105003", password: "correct horse", by: "t", at: ServerFixture.start)
        try await f.test { client in
            let anonymous = client.as(nil)
            let ok = try await anonymous.post("/api/v1/session", #"{"username":"xiaohe","password":"correct horse"}"#)
            let token = try #require(ok["token"] as? String)
            let me = try await client.as(token).get("/api/v1/me")
            #expect(me["id"] as? String == "user:xiaohe" && me["unit_name"] as? String == "小河街道办事处")
            #expect(try await anonymous.post("/api/v1/session", #"{"username":"xiaohe"}"#).errorField == "password")
            _ = try await client.as(token).call(.delete, "/api/v1/session")
            #expect(try await client.as(token).get("/api/v1/me").status == .unauthorized)
            for _ in 0..<5 { #expect(try await anonymous.post("/api/v1/session", #"{"username":"xiaohe","password":"guess"}"#).status == .unauthorized) }
            let locked = try await anonymous.post("/api/v1/session", #"{"username":"xiaohe","password":"correct horse"}"#)
            #expect(locked.status == .tooManyRequests && locked.errorCode == "locked")
        }
    }

    /// The tester's logins: a U+0000 in the name broke the audit chain, a 200,000-character
    /// name was written whole. Both are now refused at the door and leave the chain intact.
    @Test(arguments: Backend.all) func loginNamesCannotWriteWhatTheyLikeToTheAuditLog(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let auditor = try await f.key(.auditor, "330105")
        try await f.test { client in
            let anonymous = client.as(nil)
            let nul = try await anonymous.post("/api/v1/session", #"{"username":"ghost\u0000tail","password":"guess"}"#)
            #expect(nul.status == .unprocessableContent && nul.errorCode == "control_character" && nul.errorField == "username")
            let huge = try await anonymous.post("/api/v1/session", #"{"username":"\#(String(repeating: "g", count: 200_000))","password":"guess"}"#)
            #expect(huge.status == .unprocessableContent && huge.errorCode == "too_long" && huge.errorField == "username")
            let odd = try await anonymous.post("/api/v1/session", #"{"username":"ghost tail!","password":"guess"}"#)
            #expect(odd.status == .unauthorized)
            let log = try await client.as(auditor).get("/api/v1/audit/log")
            let items = try #require(log["items"] as? [[String: Any]])
            #expect(!items.contains { ($0["actor"] as? String)?.contains("ghost") == true })
            #expect(items.contains { $0["actor"] as? String == "anonymous" && $0["action"] as? String == "login.failed" })
        }
        #expect(try await f.db.sql.read { try AuditLog.verify($0) } == nil)
    }

    /// A handler in scope of a case (the street sees cases located in it) that its unit does not
    /// hold may read and comment on it, but not handle, return or escalate it.
    @Test(arguments: Backend.all) func aHandlerActsOnlyOnCasesItsUnitHolds(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let street = try await f.key(.handler, "330105001")
        try await f.test { client in
            let id = try await mishixiangCase(client)
            _ = try await client.post("/api/v1/cases/\(id)/redispatch", #"{"unit":"330105-CGJ","reason":"城管职责"}"#)
            let me = client.as(street)
            let detail = try await me.get("/api/v1/cases/\(id)")
            #expect(detail.status == .ok && (detail["allowed_actions"] as? [String]) == ["comment"])
            let before = try await f.eventCount()
            for action in ["handle", "return", "escalate"] {
                let r = try await me.post("/api/v1/cases/\(id)/\(action)", #"{"note":"x","reason":"x"}"#)
                #expect(r.status == .forbidden && (r.error?["message"] as? String)?.contains("only the unit holding the case") == true, "\(action)")
            }
            #expect(try await f.eventCount() == before)
            #expect(try await me.post("/api/v1/cases/\(id)/comment", #"{"note":"我街道已知悉"}"#).status == .ok)
        }
    }

    /// Supervisors urge, grid workers verify on site, merchants read no cases.
    @Test(arguments: Backend.all) func supervisorGridWorkerAndMerchantRoles(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let supervisor = try await f.key(.supervisor, "330105")
        let grid = try await f.key(.gridWorker, "330105001")
        let merchant = try await f.key(.merchant, "330105001")
        try await f.test { client in
            let id = try await mishixiangCase(client)
            #expect(try await client.as(supervisor).post("/api/v1/cases/\(id)/supervise", #"{"note":"请加快"}"#)["supervision_count"] as? Int == 1)
            let refused = try await client.as(supervisor).post("/api/v1/cases/\(id)/handle", #"{"note":"x"}"#)
            #expect(refused.status == .forbidden)
            #expect(try await client.as(grid).post("/api/v1/reports", #"{"source":"grid_worker","description":"井盖缺失","location":{"lat":30.291384,"lon":120.146347}}"#).status == .created)
            #expect(try await client.as(grid).post("/api/v1/cases/\(id)/verify", #"{"passed":true}"#).status == .conflict)  // not handled yet
            _ = try await client.post("/api/v1/cases/\(id)/handle", #"{"note":"已清理"}"#)
            #expect((try await client.as(grid).get("/api/v1/cases/\(id)")["allowed_actions"] as? [String]) == ["verify", "comment"])
            #expect(try await client.as(grid).post("/api/v1/cases/\(id)/verify", #"{"passed":true,"note":"现场已清理"}"#)["status"] as? String == "verified")
            #expect(try await client.as(grid).post("/api/v1/cases/\(id)/close").status == .forbidden)
            #expect(try await client.as(merchant).get("/api/v1/cases").status == .forbidden)
            #expect(try await client.as(merchant).get("/api/v1/cases/\(id)").status == .notFound)
            #expect(try await client.as(merchant).post("/api/v1/reports", #"{"source":"resident","description":"x"}"#).status == .forbidden)
        }
    }

    /// Escalated to the top of the org tree, a case is moved on by the command centre's
    /// re-dispatch (协调派遣); escalation is no longer offered where there is no parent.
    @Test(arguments: Backend.all) func aCaseEscalatedToTheTopIsRedispatched(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let dispatcher = try await f.key(.dispatcher, "330105")
        try await f.test { client in
            let id = try await mishixiangCase(client)
            let up = try await client.post("/api/v1/cases/\(id)/escalate", #"{"reason":"街道无法协调"}"#)
            #expect((up["unit"] as? [String: Any])?["code"] as? String == "330105")
            let me = client.as(dispatcher)
            let offered = try #require(try await me.get("/api/v1/cases/\(id)")["allowed_actions"] as? [String])
            #expect(offered == ["redispatch", "comment", "supervise", "postpone", "merge"])
            let stuck = try await me.post("/api/v1/cases/\(id)/escalate", #"{"reason":"x"}"#)
            #expect(stuck.status == .conflict && stuck.errorCode == "no_parent_unit")
            f.clock.advance(by: 600)
            let moved = try await me.post("/api/v1/cases/\(id)/redispatch", #"{"unit":"330105-CGJ","reason":"区级协调：城管牵头","deadline_hours":24}"#)
            #expect(moved.status == .ok && moved["status"] as? String == "dispatched")
            #expect((moved["unit"] as? [String: Any])?["code"] as? String == "330105-CGJ")
            #expect(moved["due_at"] as? String == "2026-11-24T09:10:00.000+08:00")
            let last = try #require((moved["history"] as? [[String: Any]])?.last)
            #expect(last["action"] as? String == "redispatch" && last["from_unit"] as? String == "330105" && last["reason"] as? String == "区级协调：城管牵头")
            let again = try await me.post("/api/v1/cases/\(id)/redispatch", #"{"unit":"330105-CGJ","reason":"x"}"#)
            #expect(again.status == .conflict && again.errorCode == "already_held")
            #expect(try await client.as(try await f.key(.handler, "330105-CGJ")).post("/api/v1/cases/\(id)/handle", #"{"note":"已处置"}"#).status == .ok)
        }
    }

    /// For every role, and cases in every status: each action in `allowed_actions` succeeds when
    /// sent with its arguments, and each one not offered is refused and writes nothing.
    @Test(arguments: [(Role.dispatcher, "330105"), (.handler, "330105001"), (.handler, "330105003"), (.supervisor, "330105"),
                      (.gridWorker, "330105001"), (.leader, "330105"), (.admin, "330105")])
    func offeredActionsAreExactlyThoseThatSucceed(role: Role, unit: String) async throws {
        let f = try await ServerFixture()
        let key = try await f.key(role, unit)
        try await f.test { client in
            // Duplicates are merged into this one.
            let target = try await mishixiangCaseReported(client)
            let body: [String: String] = [
                "dispatch": #"{"unit":"330105001"}"#, "redispatch": #"{"unit":"330105-CGJ","reason":"改派"}"#, "verify": #"{"passed":true}"#,
                "merge": #"{"into":\#(target),"reason":"重复上报"}"#, "recheck": #"{"passed":true}"#, "evaluate": #"{"satisfaction":"satisfied"}"#,
            ]
            // A case in each status, walked by the admin: reported, registered, dispatched, handled, verified, closed, rejected.
            let walks: [[String]] = [[], ["register"], ["register", "dispatch"], ["register", "dispatch", "handle"],
                                     ["register", "dispatch", "handle", "verify"], ["register", "dispatch", "handle", "verify", "close"], ["reject"]]
            for walk in walks {
                for action in CaseAction.commands.map(\.rawValue) {
                    let id = try await mishixiangCaseReported(client)
                    for step in walk { _ = try await client.post("/api/v1/cases/\(id)/\(step)", body[step] ?? #"{"note":"x","reason":"x"}"#) }
                    let detail = try await client.as(key).get("/api/v1/cases/\(id)")
                    let offered = detail.status == .notFound ? [] : try #require(detail["allowed_actions"] as? [String])
                    let before = try await f.eventCount()
                    let r = try await client.as(key).post("/api/v1/cases/\(id)/\(action)", body[action] ?? #"{"note":"x","reason":"x"}"#)
                    if offered.contains(action) {
                        #expect(r.status == .ok, "\(role) \(unit) \(walk.last ?? "reported"): offered \(action) got \(r.status) \(r.json)")
                    } else {
                        #expect([403, 404, 409].contains(r.status.code), "\(role) \(unit) \(walk.last ?? "reported"): \(action) not offered, got \(r.status)")
                        #expect(try await f.eventCount() == before)
                    }
                }
            }
        }
    }

    /// A report at 米市巷 not yet registered.
    func mishixiangCaseReported(_ client: Client) async throws -> Int {
        let r = try await client.post("/api/v1/reports", #"{"source":"hotline","category":"06010","description":"米市巷垃圾","location":{"lat":30.291384,"lon":120.146347}}"#)
        return try #require(r["id"] as? Int)
    }

    @Test(arguments: Backend.all) func oneAddressCannotSprayPasswordsAcrossAccounts(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            // Twenty attempts are answered (wrong password); the 21st and later are throttled.
            for i in 0..<20 {
                let r = try await client.as(nil).post("/api/v1/session", #"{"username":"user\#(i)","password":"guess"}"#)
                #expect(r.status == .unauthorized && r.errorCode == "invalid_credentials", "attempt \(i + 1)")
            }
            for i in 20..<23 {
                let r = try await client.as(nil).post("/api/v1/session", #"{"username":"user\#(i)","password":"guess"}"#)
                #expect(r.status == .tooManyRequests && r.errorCode == "throttled", "attempt \(i + 1)")
            }
            // Throttled attempts are not even tried: no audit entry for them.
            let failed = try await f.db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed'")
            #expect(failed == 20)
        }
    }

    @Test(arguments: Backend.all) func publicTrackingShowsPublicFieldsOnly(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let id = try await mishixiangCase(client)
            let code = try #require(try await client.get("/api/v1/cases/\(id)")["tracking_code"] as? String)
            let r = try await client.as(nil).get("/public/track/\(code.lowercased())")
            #expect(r.status == .ok && r["status"] as? String == "dispatched" && r["street"] as? String == "米市巷街道")
            #expect(r["reporter"] == nil && r["description"] == nil && r["id"] == nil)
            #expect(try await client.as(nil).get("/public/track/GS-0000-0000-0000").status == .notFound)
            #expect(try await client.as(nil).get("/public/track/nonsense").status == .notFound)
        }
    }

    @Test(arguments: Backend.all) func onlyAdminsReloadRules(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let dispatcher = try await f.key(.dispatcher, "330105")
        try await f.test { client in
            let refused = try await client.as(dispatcher).post("/api/v1/rules/reload")
            #expect(refused.status == .forbidden)
            #expect(try await client.get("/api/v1/rules")["count"] as? Int == 0)  // the fixture starts without rules
            let allowed = try await client.post("/api/v1/rules/reload")
            #expect(allowed.status == .ok && allowed["rules"] as? Int == 30)
            // The bundled rules are now in force: a dry run finds them.
            let route = try await client.get("/api/v1/route?lat=30.291384&lon=120.146347&category=06010&source=resident")
            #expect(route["rule_id"] as? String == "environment")
        }
    }
}
