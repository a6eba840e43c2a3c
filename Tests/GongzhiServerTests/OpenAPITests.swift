import Foundation
@testable import GongzhiServer
import Hummingbird
import HummingbirdTesting
import GongzhiTestSupport
import Testing

@Suite struct OpenAPITests {
    /// Every routed operation is documented and every documented operation is routed.
    @Test(arguments: Backend.all) func documentMatchesTheRouter(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        // The staff pages (a session cookie, a login form) are not part of the document; the
        // public pages and everything else are.
        let pages: Set<String> = ["GET /login", "POST /login", "POST /logout", "GET /home", "GET /cases", "GET /cases/{id}",
                                  "POST /cases/{id}/{action}",
                                  "GET /console", "GET /worklist", "GET /patrol", "POST /patrol/report", "GET /cockpit", "GET /cockpit/report",
                                  "GET /cockpit/export/{table}", "GET /cockpit/events", "GET /audit",
                                  "GET /plans", "GET /plans/{id}", "GET /plans/{id}/map", "GET /plans/{id}/briefing",
                                  "GET /plans/{id}/export/{table}",
                                  "GET /plans/{id}/projects/{project}", "POST /plans/{id}/projects/{project}/blockers", "GET /plans/{id}/edit",
                                  "POST /plans/{id}/edit", "POST /plans/{id}/reports", "POST /plans/{id}/projects/{project}/milestones",
                                  "GET /centre", "POST /centre/disputes", "POST /centre/petitions", "GET /centre/disputes",
                                  "GET /centre/disputes/{id}", "POST /centre/disputes/{id}/{step}", "GET /centre/petitions",
                                  "GET /centre/petitions/{id}", "POST /centre/petitions/{id}/{step}", "GET /centre/campaigns",
                                  "POST /centre/campaigns", "GET /centre/campaigns/{id}", "POST /centre/campaigns/{id}/items",
                                  "GET /enterprises", "POST /enterprises", "GET /enterprises/{code}", "POST /enterprises/{code}/visits",
                                  "POST /enterprises/{code}/commissioners", "POST /enterprises/{code}/difficulties", "GET /policies",
                                  "GET /policies/{code}",
                                  "POST /policies/{code}/applications", "GET /policy-applications/{id}", "POST /policy-applications/{id}/steps",
                                  "GET /key-population", "POST /key-population", "GET /key-population/{id}", "POST /key-population/{id}/reveal",
                                  "POST /key-population/{id}/steps", "GET /joint-cases/{id}", "POST /joint-cases/{id}", "GET /whatif",
                                  "POST /whatif", "GET /inspection-rounds", "POST /inspection-rounds", "GET /inspection-rounds/{id}",
                                  "POST /inspection-rounds/{id}"]
        let routed = Set(try await buildRouter(f.services).routes.map { "\($0.method.rawValue.uppercased()) \($0.path.description)" }).subtracting(pages)
        let doc = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data()) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let methods = ["get", "put", "post", "delete", "patch", "head", "options"]
        let documented = Set(paths.flatMap { path, ops in ops.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
        #expect(routed == documented, "routed but undocumented: \(routed.subtracting(documented)); documented but not routed: \(documented.subtracting(routed))")
        #expect(routed.count >= 9)
    }

    @Test(arguments: Backend.all) func servedAtItsAddress(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let r = try await client.get("/openapi.json")
            #expect(r.status == .ok)
            #expect((r["info"] as? [String: Any])?["title"] as? String == "Gongzhi API")
        }
    }
}
