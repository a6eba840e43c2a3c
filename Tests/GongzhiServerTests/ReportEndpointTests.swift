import Foundation
import GongzhiCore
@testable import GongzhiServer
import HummingbirdTesting
import GongzhiTestSupport
import Testing

@Suite struct ReportEndpointTests {
    @Test(arguments: Backend.all) func healthz(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let r = try await client.get("/healthz")
            #expect(r.status == .ok && r["status"] as? String == "ok")
        }
    }

    @Test(arguments: Backend.all) func createsACaseWithMaskedReporter(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            let r = try await client.post("/api/v1/reports", """
                {"source":"hotline","category":"06028","description":"夜间施工噪声扰民","address":"拱墅区小河路","location":{"lat":30.3192,"lon":120.1414,"crs":"wgs84"},
                 "reporter":{"name":"张三丰","phone":"13812345678"},"external_id":"12345-20261123-1","media_urls":["https://x.example/a.jpg"]}
                """)
            #expect(r.status == .created)
            #expect(r["status"] as? String == "reported")
            #expect((r["tracking_code"] as? String).map(TrackingCode.isWellFormed) == true)
            #expect((r["category"] as? [String: Any])?["name"] as? String == "噪声扰民")
            #expect((r["reporter"] as? [String: Any])?["phone"] as? String == "138****5678")
            #expect((r["reporter"] as? [String: Any])?["name"] as? String == "张**")
            #expect(r["created_at"] as? String == "2026-11-23T09:00:00.000+08:00")
            #expect((r["allowed_actions"] as? [String]) == ["register", "reject", "comment", "supervise", "merge"])
        }
    }

    @Test(arguments: Backend.all) func gcj02IsStoredAsWGS84(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let r = try await client.post("/api/v1/reports", #"{"source":"resident","description":"x","location":{"lat":30.3169,"lon":120.1461,"crs":"gcj02"}}"#)
            let loc = try #require(r["location"] as? [String: Any])
            let lat = try #require(loc["lat"] as? Double), lon = try #require(loc["lon"] as? Double)
            #expect(abs(lat - 30.3192) < 0.0001 && abs(lon - 120.1414) < 0.0001)
            #expect(r["location"].flatMap { ($0 as? [String: Any])?["crs"] as? String } == "wgs84")
        }
    }

    @Test(arguments: Backend.all) func resubmittingTheSameExternalIDReturnsTheSameCase(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let body = #"{"source":"camera","category":"09006","description":"占道经营","external_id":"CAM-7-991"}"#
            let a = try await client.post("/api/v1/reports", body)
            let b = try await client.post("/api/v1/reports", body)
            #expect(a.status == .created && b.status == .ok)
            #expect(a["id"] as? Int == b["id"] as? Int)
        }
    }

    /// Each bad input: its status, error code and the field named; nothing is written.
    @Test(arguments: [
        (#"{"source":"camera","description":"x""#, 400, "malformed_json", nil),
        (#"[1,2]"#, 400, "wrong_type", nil),
        (#"{"source":"camera","description":42}"#, 400, "wrong_type", "description"),
        (#"{"source":"camera","description":"x","location":{"lat":"north","lon":1}}"#, 400, "wrong_type", "location.lat"),
        (#"{"source":"camera","description":"x","media_urls":"https://a"}"#, 400, "wrong_type", "media_urls"),
        (#"{"source":"camera","description":null}"#, 422, "required", "description"),
        (#"{"description":"x"}"#, 422, "required", "source"),
        (#"{"source":"fax","description":"x"}"#, 422, "unknown_source", "source"),
        (#"{"source":"camera","description":"x","category":"99999"}"#, 422, "unknown_category", "category"),
        (#"{"source":"camera","description":"x","category":"01001"}"#, 201, nil, nil),
        (#"{"source":"camera","description":"x","location":{"lat":91,"lon":120}}"#, 422, "out_of_range", "location.lat"),
        (#"{"source":"camera","description":"x","location":{"lat":30,"lon":-181}}"#, 422, "out_of_range", "location.lon"),
        (#"{"source":"camera","description":"x","location":{"lat":91,"lon":120,"crs":"gcj02"}}"#, 422, "out_of_range", "location.lat"),
        (#"{"source":"camera","description":"x","location":{"lon":120}}"#, 422, "required", "location.lat"),
        (#"{"source":"camera","description":"x","location":{"lat":30,"lon":120,"crs":"bd09"}}"#, 422, "unknown_crs", "location.crs"),
        (#"{"source":"camera","description":"x","reporter":{"phone":"<script>"}}"#, 422, "invalid", "reporter.phone"),
        // Strict JSON (RFC 8259) and the text rule: what the tester found accepted.
        (#"{"source":"camera","description":"x",}"#, 400, "malformed_json", nil),
        (#"{"source":"camera","description":"x","description":"y"}"#, 400, "duplicate_key", "description"),
        (#"{"source":"camera","description":"ghost\u0000tail"}"#, 422, "control_character", "description"),
        (#"{"source":"camera","description":"x","address":"a\u001bb"}"#, 422, "control_character", "address"),
        (#"{"source":"camera","description":"x","reporter":{"name":"王\u0000芳"}}"#, 422, "control_character", "reporter.name"),
        (#"{"source":"camera","description":"x","address":"一\n二"}"#, 422, "control_character", "address"),
    ] as [(String, Int, String?, String?)])
    func badInput(body: String, status: Int, code: String?, field: String?) async throws {
        let f = try await ServerFixture()
        try await f.test { client in
            let r = try await client.post("/api/v1/reports", body)
            #expect(r.status.code == status)
            #expect(r.errorCode == code)
            #expect(r.errorField == field)
            if status >= 400 {
                #expect(r.error?["message"] as? String != nil)
                #expect(try await f.eventCount() == 0)
            }
        }
    }

    @Test(arguments: Backend.all) func descriptionLengthLimit(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            let ok = try await client.post("/api/v1/reports", #"{"source":"resident","description":"\#(String(repeating: "字", count: 4000))"}"#)
            #expect(ok.status == .created)
            let long = try await client.post("/api/v1/reports", #"{"source":"resident","description":"\#(String(repeating: "字", count: 4001))"}"#)
            #expect(long.status == .unprocessableContent && long.errorCode == "too_long" && long.errorField == "description")
        }
    }

    @Test(arguments: Backend.all) func hugeBodyIs413(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            let r = try await client.post("/api/v1/reports", #"{"source":"resident","description":"\#(String(repeating: "x", count: 300_000))"}"#)
            #expect(r.status == .contentTooLarge && r.errorCode == "body_too_large")
            #expect(try await f.eventCount() == 0)
        }
    }

    @Test(arguments: Backend.all) func unknownRoutesAnswerJSON(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let r = try await client.get("/api/v1/nothing")
            #expect(r.status == .notFound && r.errorCode == "not_found")
        }
    }

    @Test(arguments: Backend.all) func securityHeaders(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let error = try await client.get("/api/v1/cases/999")
            #expect(error.status == .notFound && error.headers[.xContentTypeOptions] == "nosniff")
            #expect(error.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let r = try await client.get("/healthz")
            #expect(r.headers[.xContentTypeOptions] == "nosniff")
            #expect(r.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(r.headers[.contentType] == "application/json; charset=utf-8")
        }
    }
}
