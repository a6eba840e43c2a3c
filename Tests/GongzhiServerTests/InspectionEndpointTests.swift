import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Testing

/// A round through the API: the centre plans it, a unit of the round records a sweep whose
/// findings become cases (routed by the rules, carrying the round), a unit outside it is refused
/// and a bad finding writes nothing; the grid shows the swept cell.
@Suite struct InspectionEndpointTests {
    @Test(arguments: Backend.all) func aRoundsFindingsBecomeCases(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        let cgj = try await f.key(.handler, "330105-CGJ"), jjdd = try await f.key(.handler, "330105-JJDD")
        let dispatcher = try await f.key(.dispatcher, "330105")
        try await f.test { client in
            let plan = #"{"name":"渣土运输拉网式排查","areas":["330105001","330105003"],"units":["330105-CGJ","330105-ZJJ"],"#
                + #""from":"2026-11-23","to":"2026-11-29"}"#
            #expect(try await client.as(cgj).post("/api/v1/inspection-rounds", plan).status == .forbidden)
            let unknownArea = plan.replacingOccurrences(of: "330105003", with: "330105999")
            let bad = try await client.as(dispatcher).post("/api/v1/inspection-rounds", unknownArea)
            #expect(bad.status == .unprocessableContent && bad.errorField == "areas[1]")
            let made = try await client.as(dispatcher).post("/api/v1/inspection-rounds", plan)
            let id = try #require(made["id"] as? Int)
            let path = "/api/v1/inspection-rounds/\(id)/sweeps"
            let sweep = #"{"area":"330105001","unit":"330105-CGJ","day":"2026-11-23","note":"沿线巡查","#
                + #""findings":[{"description":"渣土车未密闭，沿路抛洒","category":"08001","location":{"lat":30.291384,"lon":120.146347}}]}"#
            #expect(try await client.as(jjdd).post(path, sweep).status == .forbidden)
            let refused = try await client.as(cgj).post(path, sweep.replacingOccurrences(of: "渣土车未密闭，沿路抛洒", with: ""))
            #expect(refused.status == .unprocessableContent && refused.errorField == "findings[0].description")
            let recorded = try await client.as(cgj).post(path, sweep)
            let cases = try #require(recorded["cases"] as? [Int])
            #expect(recorded.status == .created && cases.count == 1)
            let found = try await client.get("/api/v1/cases/\(cases[0])")
            #expect(found["source"] as? String == "grid_worker" && (found["address"] as? String)?.hasPrefix("渣土运输拉网式排查") == true)
            let round = try await client.as(cgj).get("/api/v1/inspection-rounds/\(id)")
            let cells = try #require(round["cells"] as? [[String: Any]])
            #expect(cells.count == 4 && cells.filter { ($0["sweeps"] as? Int ?? 0) > 0 }.count == 1)
            #expect(cells.first { $0["area"] as? String == "330105001" && $0["unit"] as? String == "330105-CGJ" }?["cases"] as? Int == 1)
            #expect(try await client.get("/api/v1/inspection-rounds/999").status == .notFound)
            #expect((try await client.get("/api/v1/inspection-rounds")["items"] as? [Any])?.count == 1)
        }
    }
}
