import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing

/// The plan API on the demo plan: the whole plan for the district, a street's part for its
/// staff, progress reported and milestones reached as events, bad input named.
@Suite struct PlanEndpointTests {
    static let plan = "gongshu-2020h2"

    static func loaded(_ backend: Backend = .sqlite) async throws -> ServerFixture {
        let f = try await ServerFixture(backend)
        _ = try await f.services.store.plans.load(try DemoPlan.data(), actor: "system:demo", at: ServerFixture.start)
        return f
    }

    @Test(arguments: Backend.all) func theDistrictSeesThePlanOn31October(backend: Backend) async throws {
        let f = try await Self.loaded(backend)
        try await f.test { client in
            let list = try #require(try await client.get("/api/v1/plans")["items"] as? [[String: Any]])
            #expect(list.map { $0["id"] as? String } == [Self.plan])
            let p = try await client.get("/api/v1/plans/\(Self.plan)?as_of=2020-10-31")
            #expect(p.status == .ok && (p["goal_areas"] as? [Any])?.count == 6 && p["as_of"] as? String == "2020-10-31")
            let portfolios = try #require(p["portfolios"] as? [[String: Any]])
            let renovation = try #require(portfolios.first { $0["id"] as? String == "renovation-start" })
            #expect(renovation["projects"] as? Int == 43 && (renovation["reached"] as? Int ?? 0) < 43)
            let lights = try #require(p["lights"] as? [String: Int])
            #expect(lights.values.reduce(0, +) == 25)
            // The four roads' projects that are red on that day, each with a reason in its milestones.
            let red = try #require(try await client.get("/api/v1/projects?plan=\(Self.plan)&as_of=2020-10-31&light=red")["items"] as? [[String: Any]])
            #expect(!red.isEmpty && red.allSatisfy { $0["light"] as? String == "red" })
            let road = try #require(try await client.get("/api/v1/projects?road=莫干山路&as_of=2020-10-31")["items"] as? [[String: Any]])
            #expect(!road.isEmpty && road.allSatisfy { $0["road"] as? String == "莫干山路" })
            let one = try await client.get("/api/v1/projects/p001?as_of=2020-10-31")
            #expect(one.status == .ok && (one["milestones"] as? [Any])?.count == 4)
        }
    }

    /// A street's staff see the tasks their street leads or cooperates on and the projects in
    /// their street; they report for their own street only.
    @Test(arguments: Backend.all) func aStreetSeesAndReportsItsOwnPart(backend: Backend) async throws {
        let f = try await Self.loaded(backend)
        let street = try await f.key(.handler, "330105008")
        try await f.test { client in
            let p = try await client.as(street).get("/api/v1/plans/\(Self.plan)?as_of=2020-10-31")
            let tasks = try #require(p["goal_areas"] as? [[String: Any]]).flatMap { $0["tasks"] as? [[String: Any]] ?? [] }
            #expect(!tasks.isEmpty && tasks.allSatisfy { t in
                t["lead_unit"] as? String == "330105008" || (t["cooperating_units"] as? [String])?.contains("330105008") == true
            })
            let projects = try #require(try await client.as(street).get("/api/v1/projects?as_of=2020-10-31")["items"] as? [[String: Any]])
            #expect(!projects.isEmpty && projects.allSatisfy { $0["street"] as? String == "330105008" || $0["lead_unit"] as? String == "330105008" })
            let elsewhere = try await client.as(street).get("/api/v1/projects/p001")
            #expect(elsewhere.status == .notFound)

            let before = try await f.services.store.plans.plan(Self.plan)?.eventCount ?? 0
            let ok = try await client.as(street).post("/api/v1/plans/\(Self.plan)/reports",
                                                      #"{"indicator":"move-back","month":"2020-10","as_of":"2020-10-31","value":8800}"#)
            #expect(ok.status == .created, "\(ok.json)")
            let stored = try #require(try await f.services.store.plans.plan(Self.plan))
            #expect(stored.eventCount == before + 1 && stored.reports["move-back"]?.last?.unit == "330105008")
            let notOurs = try await client.as(street).post("/api/v1/plans/\(Self.plan)/reports",
                                                           #"{"indicator":"fai-total","month":"2020-10","value":1}"#)
            #expect(notOurs.status == .forbidden && notOurs.errorField == "indicator")
            let leader = try await f.key(.leader, "330105")
            #expect(try await client.as(leader).post("/api/v1/plans/\(Self.plan)/reports", "{}").status == .forbidden)
        }
    }

    @Test func badInputNamesTheField() async throws {
        let f = try await Self.loaded()
        try await f.test { client in
            let path = "/api/v1/plans/\(Self.plan)"
            #expect(try await client.get("\(path)?as_of=2020-13-01").errorField == "as_of")
            #expect(try await client.get("/api/v1/plans/nothing").status == .notFound)
            #expect(try await client.get("/api/v1/projects?stage=groundbreaking").errorField == "stage")
            #expect(try await client.get("/api/v1/projects?light=purple").errorField == "light")
            #expect(try await client.get("/api/v1/projects?plan=nothing").status == .notFound)
            for (body, field) in [(#"{"month":"2020-10","value":1}"#, "indicator"), (#"{"indicator":"move-back","value":1}"#, "month"),
                                  (#"{"indicator":"move-back","month":"2020-13","value":1}"#, "month"),
                                  (#"{"indicator":"move-back","month":"2020-10"}"#, "value"),
                                  (#"{"indicator":"move-back","month":"2020-10","as_of":"2020-09-30","value":1}"#, "as_of"),
                                  (#"{"indicator":"move-back","month":"2019-01","value":1}"#, "month"),
                                  (#"{"indicator":"nothing","month":"2020-10","value":1}"#, "indicator")] {
                let r = try await client.post("\(path)/reports", body)
                #expect(r.status.code >= 400 && r.status.code < 500 && r.errorField == field, "\(body): \(r.status) \(r.json)")
            }
            #expect(try await client.post("\(path)/reports", #"{"indicator":"move-back","month":"2020-10","value":"many"}"#).status == .badRequest)
            for (body, field) in [(#"{"milestone":"start","day":"2020-10-01"}"#, "project"),
                                  (#"{"project":"p001","milestone":"dig","day":"2020-10-01"}"#, "milestone"),
                                  (#"{"project":"p001","milestone":"start","day":"2020-10-32"}"#, "day"),
                                  (#"{"project":"p001","milestone":"start","day":"2099-01-01"}"#, "day"),
                                  (#"{"project":"nope","milestone":"start","day":"2020-10-01"}"#, "project")] {
                let r = try await client.post("\(path)/milestones", body)
                #expect(r.status == .unprocessableContent && r.errorField == field, "\(body): \(r.json)")
            }
            let reached = try await client.post("\(path)/milestones", #"{"project":"p010","milestone":"completion","day":"2026-11-01"}"#)
            #expect(reached.status == .created && reached["stage"] as? String == "completion", "\(reached.json)")
        }
    }
}
