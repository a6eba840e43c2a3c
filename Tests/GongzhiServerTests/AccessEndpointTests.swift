import Foundation
import GongzhiCore
@testable import GongzhiServer
import HummingbirdTesting
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

    @Test func everyAPIRouteNeedsCredentials() async throws {
        try await ServerFixture().test { client in
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

    @Test func aXiaoheCommunityWorkerCannotSeeOrActOnAMishixiangCase() async throws {
        let f = try await ServerFixture()
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

    @Test func leadersReadEverythingAndActOnNothing() async throws {
        let f = try await ServerFixture()
        let leader = try await f.key(.leader, "330105")
        try await f.test { client in
            let id = try await mishixiangCase(client)
            let me = client.as(leader)
            #expect(try await me.get("/api/v1/cases/\(id)").status == .ok)
            let r = try await me.post("/api/v1/cases/\(id)/supervise", #"{"note":"加快"}"#)
            #expect(r.status == .forbidden && r.errorCode == "forbidden")
            #expect(try await me.post("/api/v1/reports", #"{"source":"resident","description":"x"}"#).status == .forbidden)
            #expect(try await me.get("/api/v1/cases/\(id)?reveal=reporter&reason=回访").status == .forbidden)
            #expect(try await me.get("/api/v1/audit/log").status == .forbidden)
        }
    }

    @Test func machinesFileReportsButReadNothing() async throws {
        let f = try await ServerFixture()
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

    @Test func revealingTheReporterIsLoggedForAuditors() async throws {
        let f = try await ServerFixture()
        let dispatcher = try await f.key(.dispatcher, "330105")
        let auditor = try await f.key(.auditor, "330105")
        try await f.test { client in
            let id = try await mishixiangCase(client)
            let masked = try await client.as(dispatcher).get("/api/v1/cases/\(id)")
            #expect((masked["reporter"] as? [String: Any])?["phone"] as? String == "138****5678")
            #expect(try await client.as(dispatcher).get("/api/v1/cases/\(id)?reveal=reporter").errorField == "reason")
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

    @Test func sessionLoginTokensAndLockout() async throws {
        let f = try await ServerFixture()
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

    @Test func oneAddressCannotSprayPasswordsAcrossAccounts() async throws {
        let throttle = LoginThrottle(limit: 3, window: 300)
        let t = ServerFixture.start
        #expect(throttle.allow("10.0.0.1", now: t) && throttle.allow("10.0.0.1", now: t) && throttle.allow("10.0.0.1", now: t))
        #expect(!throttle.allow("10.0.0.1", now: t.addingTimeInterval(10)))
        #expect(throttle.allow("10.0.0.2", now: t.addingTimeInterval(10)))
        #expect(throttle.allow("10.0.0.1", now: t.addingTimeInterval(301)))
        try await ServerFixture().test { client in
            var last = 0
            for i in 0..<25 {
                last = Int(try await client.as(nil).post("/api/v1/session", #"{"username":"user\#(i)","password":"guess"}"#).status.code)
            }
            #expect(last == 429)
        }
    }

    @Test func publicTrackingShowsPublicFieldsOnly() async throws {
        try await ServerFixture().test { client in
            let id = try await mishixiangCase(client)
            let code = try #require(try await client.get("/api/v1/cases/\(id)")["tracking_code"] as? String)
            let r = try await client.as(nil).get("/public/track/\(code.lowercased())")
            #expect(r.status == .ok && r["status"] as? String == "dispatched" && r["street"] as? String == "米市巷街道")
            #expect(r["reporter"] == nil && r["description"] == nil && r["id"] == nil)
            #expect(try await client.as(nil).get("/public/track/GS-0000-0000-0000").status == .notFound)
            #expect(try await client.as(nil).get("/public/track/nonsense").status == .notFound)
        }
    }

    @Test func onlyAdminsReloadRules() async throws {
        let f = try await ServerFixture()
        let dispatcher = try await f.key(.dispatcher, "330105")
        try await f.test { client in
            let refused = try await client.as(dispatcher).post("/api/v1/rules/reload")
            #expect(refused.status == .forbidden)
            let allowed = try await client.post("/api/v1/rules/reload")
            #expect(allowed.status == .ok)
        }
    }
}
