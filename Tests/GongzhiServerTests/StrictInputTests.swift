import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// What an outside tester found the API too lenient about: bodies not declared JSON, UTF-16,
/// error messages naming the wrong type or limit, and methods answered 404 on routes that exist.
@Suite struct StrictInputTests {
    static let report = #"{"source":"resident","description":"路灯不亮"}"#

    @Test(arguments: Backend.all) func aBodyMustBeDeclaredJSONInUTF8(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            for type in ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", ""] {
                let r = try await client.call(.post, "/api/v1/reports", body: Self.report, headers: [.contentType: type])
                #expect(r.status == .unsupportedMediaType && r.errorCode == "unsupported_media_type", "\(type)")
            }
            #expect(try await f.eventCount() == 0)
            for type in ["application/json", "Application/JSON; charset=UTF-8", "application/merge-patch+json"] {
                let r = try await client.call(.post, "/api/v1/reports", body: Self.report, headers: [.contentType: type])
                #expect(r.status == .created || r.status == .ok, "\(type)")
            }
            // UTF-16 declared as JSON: not UTF-8, so not JSON.
            var utf16 = Data([0xFF, 0xFE])
            for unit in Self.report.utf16 { utf16.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
            let sent = try await client.raw.execute(uri: "/api/v1/reports", method: .post,
                                                    headers: [.contentType: "application/json", .authorization: "Bearer \(f.adminKey)"],
                                                    body: ByteBuffer(bytes: utf16)) { $0.status }
            #expect(sent == .badRequest)
            // An action without a body needs no type.
            let id = try await client.newCase()
            #expect(try await client.call(.post, "/api/v1/cases/\(id)/register", body: nil).status == .ok)
        }
    }

    @Test func errorsNameTheRightTypeAndLimit() async throws {
        let f = try await ServerFixture()
        try await f.test { client in
            let r = try await client.post("/api/v1/reports", #"{"source":"resident","description":"x","location":[1,2]}"#)
            #expect(r.status == .badRequest && r.errorField == "location")
            #expect((r.error?["message"] as? String)?.hasSuffix("must be an object") == true)
            let list = try await client.post("/api/v1/reports", #"{"source":"resident","description":"x","media_urls":{"a":1}}"#)
            #expect((list.error?["message"] as? String)?.hasSuffix("must be an array") == true)
            // A form over the pages' limit names that limit, not the API's.
            let form = try await client.raw.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                    body: ByteBuffer(string: "a=" + String(repeating: "x", count: 100_000))) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(form.0 == .contentTooLarge && form.1.contains("64 KiB"))
        }
    }

    @Test func aMethodARouteDoesNotServeIs405WithAllow() async throws {
        let f = try await ServerFixture()
        try await f.test { client in
            for method in [HTTPRequest.Method.trace, .put, .delete, .patch] {
                let r = try await client.call(method, "/api/v1/cases")
                #expect(r.status == .methodNotAllowed && r.errorCode == "method_not_allowed", "\(method)")
                #expect(r.headers[.allow] == "GET", "\(method)")
            }
            let one = try await client.call(.trace, "/api/v1/cases/12")
            #expect(one.status == .methodNotAllowed && one.headers[.allow]?.contains("GET") == true)
            #expect(try await client.call(.get, "/api/v1/cases/12/register").status == .methodNotAllowed)
            // A path no route has stays 404.
            #expect(try await client.call(.trace, "/api/v1/nothing").status == .notFound)
            #expect(try await client.call(.get, "/api/v1/cases/12/unknown-action/x").status == .notFound)
        }
    }
}
