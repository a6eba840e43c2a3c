import Foundation
import GongzhiCore
import GongzhiIntake
@testable import GongzhiServer
@testable import GongzhiSQL
import GongzhiStore
import HummingbirdTesting
import GongzhiTestSupport
import Testing

/// The camera loop as a new user would try it, over HTTP: register a camera and a merchant,
/// stream detections at it, watch one case collect them, stream `cleared` and watch it close.
@Suite struct IntakeEndpointTests {
    static let camera = #"{"id":"CAM-ST-001","name":"上塘东苑路口","location":{"lat":30.342135,"lon":120.142877},"categories":["09005","09006"]}"#
    static let merchant = #"{"id":"M-001","name":"东苑便利店","contact_name":"周老板","contact_phone":"13900001111","location":{"lat":30.34215,"lon":120.1429},"cameras":["CAM-ST-001"]}"#

    func fixture(_ backend: Backend, commit: GroupCommitter.Settings = .init()) async throws -> ServerFixture {
        let reference = try ReferenceData.bundled()
        return try await ServerFixture(backend, bundledRules: true, intakeRules: try ReferenceData.intakeRules(categories: reference.categories), commit: commit)
    }

    static func events(_ range: Range<Int>, state: String = "present", at: Date) -> String {
        let items = range.map { i in
            #"{"event_id":"e\#(i)","camera_id":"CAM-ST-001","category":"09005","confidence":0.93,"detected_at":"\#(Timestamp.rfc3339(at.addingTimeInterval(Double(i) - 2000)))","state":"\#(state)","snapshot_url":"https://cityeye.example/s/\#(i).jpg"}"#
        }
        return #"{"events":[\#(items.joined(separator: ","))]}"#
    }

    @Test(arguments: Backend.all) func streamAThousandDetectionsThenClearIt(backend: Backend) async throws {
        let f = try await fixture(backend)
        let machine = try await f.key(.machine, "330105")
        try await f.test { client in
            #expect(try await client.post("/api/v1/cameras", Self.camera).status == .created)
            #expect(try await client.post("/api/v1/cameras", Self.camera).status == .ok)  // replaced
            #expect(try await client.post("/api/v1/merchants", Self.merchant).status == .created)
            var caseID: Int? = nil
            for batch in 0..<4 {
                let r = try await client.as(machine).post("/api/v1/camera/events", Self.events(batch * 250..<(batch + 1) * 250, at: f.clock.now()))
                #expect(r.status == .ok)
                let results = try #require(r["results"] as? [[String: Any]])
                #expect(results.count == 250)
                caseID = caseID ?? results[0]["case_id"] as? Int
                #expect(results.allSatisfy { $0["case_id"] as? Int == caseID })
            }
            let id = try #require(caseID)
            let detail = try await client.get("/api/v1/cases/\(id)")
            #expect((detail["reports"] as? [String: Any])?["total"] as? Int == 1000)
            #expect((detail["reports"] as? [String: Any])?["summary"] as? String == "1000 camera detections")
            #expect(detail["status"] as? String == "self_correcting" && detail["merchant"] as? String == "M-001")
            let actions = (detail["history"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(Array(actions.prefix(4)) == ["report", "register", "dispatch", "notify"] && actions.count < 10)
            // Every detection is listed, a page at a time.
            var listed = 0, after: Int? = nil
            repeat {
                let page = try await client.get("/api/v1/cases/\(id)/reports?limit=300" + (after.map { "&after=\($0)" } ?? ""))
                listed += (page["items"] as? [Any])?.count ?? 0
                after = page["next_after"] as? Int
            } while after != nil
            #expect(listed == 1000)
            // The merchant's contact is masked.
            let merchants = try await client.get("/api/v1/merchants")
            #expect(((merchants["items"] as? [[String: Any]])?.first?["contact_phone"] as? String) == "139****1111")
            // Cleared: closed as self-corrected.
            f.clock.advance(by: 600)
            let cleared = try await client.as(machine).post("/api/v1/camera/events", Self.events(1000..<1001, state: "cleared", at: f.clock.now().addingTimeInterval(1000)))
            let result = try #require((cleared["results"] as? [[String: Any]])?.first)
            #expect(result["status"] as? String == "rechecked" && result["case_status"] as? String == "closed")
            let stats = try await client.get("/api/v1/stats/self-correction?by=scenario")
            let item = try #require((stats["items"] as? [[String: Any]])?.first)
            #expect(item["key"] as? String == "out-of-store" && item["name"] as? String == "出店经营" && item["self_corrected"] as? Int == 1)
            #expect(item["rate"] as? Double == 1)
        }
    }

    /// A merchant confirms through its notice's link without any account; a wrong link is 404.
    @Test(arguments: Backend.all) func aMerchantConfirmsThroughItsNotice(backend: Backend) async throws {
        let f = try await fixture(backend)
        let machine = try await f.key(.machine, "330105")
        try await f.test { client in
            _ = try await client.post("/api/v1/cameras", Self.camera)
            _ = try await client.post("/api/v1/merchants", Self.merchant)
            let r = try await client.as(machine).post("/api/v1/camera/events", Self.events(0..<1, at: f.clock.now()))
            let id = try #require((r["results"] as? [[String: Any]])?.first?["case_id"] as? Int)
            let message = try #require(try await f.services.store.outbox(caseID: Int64(id), limit: 5).first)
            let notice = try JSONDecoder().decode(MerchantNotice.self, from: Data(message.payload.utf8))
            let anonymous = client.as(nil)
            #expect(try await anonymous.post(notice.confirmPath, #"{"photo_urls":[]}"#).errorField == "media_urls")
            let ok = try await anonymous.post(notice.confirmPath, #"{"photo_urls":["https://m.example/after.jpg"],"note":"已收回店内"}"#)
            #expect(ok.status == .ok && ok["confirmed"] as? Bool == true && ok["status"] as? String == "self_correcting")
            #expect(ok["tracking_code"] as? String != nil && ok["merchant"] == nil)
            #expect(try await anonymous.post("/api/v1/notices/gzn_nope/confirm", #"{"photo_urls":["https://m.example/a.jpg"]}"#).errorCode == "unknown_notice")
            // A grid worker's recheck on site decides it.
            let grid = try await f.key(.gridWorker, "330105008")
            let rechecked = try await client.as(grid).post("/api/v1/cases/\(id)/recheck", #"{"passed":true,"note":"现场已整改"}"#)
            #expect(rechecked["status"] as? String == "closed" && rechecked["self_corrected"] as? Bool == true)
            // The outbox lists the message for admins, without its payload.
            let outbox = try await client.get("/api/v1/outbox?case_id=\(id)")
            #expect((outbox["items"] as? [[String: Any]])?.first?["kind"] as? String == "merchant.notice")
            #expect((outbox["items"] as? [[String: Any]])?.first?["payload"] == nil)
        }
    }

    @Test(arguments: Backend.all) func onlyMachinesSendEventsAndOnlyAdminsRegister(backend: Backend) async throws {
        let f = try await fixture(backend)
        let dispatcher = try await f.key(.dispatcher, "330105")
        let merchant = try await f.key(.merchant, "330105")
        try await f.test { client in
            #expect(try await client.as(dispatcher).post("/api/v1/cameras", Self.camera).status == .forbidden)
            #expect(try await client.as(dispatcher).post("/api/v1/merchants", Self.merchant).status == .forbidden)
            #expect(try await client.as(dispatcher).post("/api/v1/camera/events", Self.events(0..<1, at: f.clock.now())).status == .forbidden)
            #expect(try await client.as(merchant).get("/api/v1/cameras").status == .forbidden)
            #expect(try await client.as(nil).post("/api/v1/camera/events", Self.events(0..<1, at: f.clock.now())).status == .unauthorized)
            let outside = try await client.post("/api/v1/cameras", #"{"id":"CAM-X","name":"x","location":{"lat":30.2,"lon":120.0},"categories":["09005"]}"#)
            #expect(outside.status == .unprocessableContent && outside.errorCode == "outside_district")
            let badID = try await client.post("/api/v1/cameras", #"{"id":"CAM X/1","name":"x","location":{"lat":30.34,"lon":120.14},"categories":["09005"]}"#)
            #expect(badID.errorField == "id")
            #expect(try await client.post("/api/v1/camera/events", #"{"events":[]}"#).errorField == "events")
            let many = try await client.post("/api/v1/camera/events", Self.events(0..<1001, at: f.clock.now()))
            #expect(many.status == .unprocessableContent && many.errorCode == "too_many")
            // A malformed event is refused in its result; the rest are taken.
            _ = try await client.post("/api/v1/cameras", Self.camera)
            let mixed = try await client.post("/api/v1/camera/events", #"{"events":[{"event_id":"m1","camera_id":"CAM-ST-001","category":"09005","confidence":"high","detected_at":"2026-11-23T08:59:00+08:00","state":"present"},7,{"event_id":"m2","camera_id":"CAM-ST-001","category":"09005","confidence":0.9,"detected_at":"2026-11-23T08:59:00+08:00","state":"present"}]}"#)
            let results = try #require(mixed["results"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? String } == ["refused", "refused", "opened"])
            #expect((results[0]["error"] as? [String: Any])?["field"] as? String == "confidence")
            #expect((mixed["counts"] as? [String: Int]) == ["refused": 2, "opened": 1])
        }
    }

    /// When the writer's queue is full the answer is 503 with Retry-After, and nothing is taken.
    @Test(arguments: Backend.all) func aFullQueueIs503WithRetryAfter(backend: Backend) async throws {
        let f = try await fixture(backend, commit: .init(maxBatch: 10, linger: .zero, capacity: 3))
        let machine = try await f.key(.machine, "330105")
        try await f.test { client in
            _ = try await client.post("/api/v1/cameras", Self.camera)
            let r = try await client.as(machine).post("/api/v1/camera/events", Self.events(0..<4, at: f.clock.now()))
            #expect(r.status == .serviceUnavailable && r.errorCode == "busy" && r.headers[.retryAfter] == "1")
            #expect(try await f.db.count("SELECT COUNT(*) FROM reports") == 0)
            #expect(try await client.as(machine).post("/api/v1/camera/events", Self.events(0..<3, at: f.clock.now())).status == .ok)
        }
    }

    /// Residents, the hotline and grid workers reporting the same matter near an open case join
    /// it; farther away, or of another category, they open their own.
    @Test(arguments: Backend.all) func reportsOfTheSameMatterNearbyJoin(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            func report(_ source: String, _ lat: Double, _ lon: Double, _ category: String = "06010") async throws -> JSONResponse {
                try await client.post("/api/v1/reports", #"{"source":"\#(source)","category":"\#(category)","description":"垃圾堆积","location":{"lat":\#(lat),"lon":\#(lon)},"reporter":{"name":"李四","phone":"13700000000"}}"#)
            }
            let first = try await report("resident", 30.3192, 120.1414)
            #expect(first.status == .created)
            let id = try #require(first["id"] as? Int)
            let near = try await report("hotline", 30.3193, 120.1415)  // about 14 m away
            #expect(near.status == .ok && near["id"] as? Int == id)
            let grid = try await report("grid_worker", 30.3191, 120.1413)
            #expect(grid["id"] as? Int == id && (grid["reports"] as? [String: Any])?["summary"] as? String == "1 grid worker report + 1 hotline call + 1 resident")
            #expect(try await report("resident", 30.3222, 120.1414).status == .created)  // 330 m away
            #expect(try await report("resident", 30.3192, 120.1414, "06012").status == .created)  // another matter
            f.clock.advance(by: 25 * 3600)  // outside the 24-hour window
            #expect(try await report("resident", 30.3192, 120.1414).status == .created)
            let history = try await client.get("/api/v1/cases/\(id)")["history"] as? [[String: Any]] ?? []
            let joins = history.filter { $0["action"] as? String == "join" }
            #expect(joins.map { $0["report_source"] as? String } == ["hotline", "grid_worker"])
            let reports = try await client.get("/api/v1/cases/\(id)/reports")
            #expect((reports["items"] as? [[String: Any]])?.compactMap { ($0["reporter"] as? [String: Any])?["phone"] as? String } == Array(repeating: "137****0000", count: 3))
        }
    }

    /// A dispatcher merges a duplicate into a case and undoes it; both histories show it and the
    /// reports move with it.
    @Test(arguments: Backend.all) func mergeAndUnmerge(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            let a = try await client.newCase()
            let b = try #require(try await client.post("/api/v1/reports", #"{"source":"resident","category":"06010","description":"同一处垃圾","location":{"lat":30.33,"lon":120.15}}"#)["id"] as? Int)
            _ = try await client.post("/api/v1/cases/\(a)/register")
            let merged = try await client.post("/api/v1/cases/\(b)/merge", #"{"into":\#(a),"reason":"与案件\#(a)为同一问题"}"#)
            #expect(merged["status"] as? String == "merged" && merged["merged_into"] as? Int == a)
            #expect((merged["reports"] as? [String: Any])?["total"] as? Int == 0)
            let target = try await client.get("/api/v1/cases/\(a)")
            #expect((target["reports"] as? [String: Any])?["total"] as? Int == 2)
            #expect((target["history"] as? [[String: Any]])?.last?["action"] as? String == "absorb")
            #expect(try await client.post("/api/v1/cases/\(b)/merge", #"{"into":\#(a),"reason":"x"}"#).status == .conflict)
            #expect(try await client.post("/api/v1/cases/\(a)/merge", #"{"into":\#(a),"reason":"x"}"#).errorField == "into")
            #expect(try await client.post("/api/v1/cases/\(a)/merge", #"{"into":99999,"reason":"x"}"#).errorCode == "unknown_case")
            let undone = try await client.post("/api/v1/cases/\(b)/unmerge", #"{"reason":"并非同一问题"}"#)
            #expect(undone["status"] as? String == "registered" && undone["merged_into"] == nil)
            #expect((undone["reports"] as? [String: Any])?["total"] as? Int == 1)
            #expect((try await client.get("/api/v1/cases/\(a)")["history"] as? [[String: Any]])?.last?["action"] as? String == "release")
            #expect(try await ChainVerifier(db: f.db.sql).verify().isIntact)
        }
    }
}
