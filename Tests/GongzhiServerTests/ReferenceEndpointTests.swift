import Foundation
@testable import GongzhiServer
import HummingbirdTesting
import GongzhiTestSupport
import Testing

@Suite struct ReferenceEndpointTests {
    @Test(arguments: Backend.all) func categoriesAreTheFullTree(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let r = try await client.get("/api/v1/categories")
            #expect(r["count"] as? Int == 421)
            let kinds = try #require(r["kinds"] as? [[String: Any]])
            func items(_ kind: String) -> [[String: Any]] {
                let k = kinds.first { $0["kind"] as? String == kind }
                return ((k?["classes"] as? [[String: Any]]) ?? []).flatMap { ($0["items"] as? [[String: Any]]) ?? [] }
            }
            #expect(items("component").count == 153)
            #expect(items("matter").count == 250)
            #expect(items("extension").count == 18)  // disputes, petitions, enterprise requests (the six difficulties), key population…
            #expect(items("matter").allSatisfy { $0["local_defaults"] != nil })
            #expect((r["note"] as? String)?.contains("not part of the standard") == true)
        }
    }

    @Test(arguments: Backend.all) func unitsAndAreas(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let streets = try await client.get("/api/v1/units?kind=street")
            #expect(streets["count"] as? Int == 18)
            let xiaohe = try await client.get("/api/v1/units?parent=330105003")
            #expect(xiaohe["count"] as? Int == 9)
            #expect(try await client.get("/api/v1/units?kind=team").status == .unprocessableContent)
            let areas = try await client.get("/api/v1/areas?level=street&geometry=true")
            let items = try #require(areas["items"] as? [[String: Any]])
            #expect(items.count == 18)
            #expect(items.filter { $0["geometry"] is [String: Any] }.count == 17)
            #expect(items.allSatisfy { $0["approximate"] as? Bool == true })
            let all = try await client.get("/api/v1/areas")
            #expect(all["count"] as? Int == 193)
            #expect((all["items"] as? [[String: Any]])?.allSatisfy { $0["geometry"] == nil } == true)
        }
    }
}
