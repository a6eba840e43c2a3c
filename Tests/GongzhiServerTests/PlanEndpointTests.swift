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

    static func loaded(_ backend: Backend = .sqlite, bundledRules: Bool = false) async throws -> ServerFixture {
        let f = try await ServerFixture(backend, bundledRules: bundledRules)
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

    /// A street raises a blocker on one of its projects: a case routed to the coordinating unit
    /// (发改局) with a deadline, shown on the project and counted in its light; a retry with the
    /// same key finds the same case; overdue, it escalates like any case; closed, it counts no more.
    @Test(arguments: Backend.all) func aBlockerIsACaseThatCountsWhileOpen(backend: Backend) async throws {
        let f = try await Self.loaded(backend, bundledRules: true)
        let street = try await f.key(.handler, "330105008")
        let fgj = try await f.key(.handler, "330105-FGJ")
        try await f.test { client in
            let mine = try #require(try await client.as(street).get("/api/v1/projects")["items"] as? [[String: Any]])
            let project = try #require(mine.first?["id"] as? String)
            let before = try await client.get("/api/v1/projects/\(project)")
            let count = try #require(before["open_blockers"] as? Int)
            let body = #"{"project":"\#(project)","category":"95001","description":"两户征迁未签约，影响出让","key":"w48-1"}"#
            let raised = try await client.as(street).post("/api/v1/plans/\(Self.plan)/blockers", body)
            #expect(raised.status == .created, "\(raised.json)")
            #expect(raised["unit"] as? String == "330105-FGJ" && raised["status"] as? String == "dispatched" && raised["due_at"] is String)
            let id = try #require(raised["case_id"] as? Int)
            let again = try await client.as(street).post("/api/v1/plans/\(Self.plan)/blockers", body)
            #expect(again.status == .ok && again["case_id"] as? Int == id)

            let shown = try await client.get("/api/v1/projects/\(project)")
            #expect(shown["open_blockers"] as? Int == count + 1)
            let listed = try #require(shown["blockers"] as? [[String: Any]])
            #expect(listed.map { $0["case_id"] as? Int } == [id] && shown["light"] as? String != "green")
            // The coordinating unit has it in its list, like any case sent to it.
            let queue = try #require(try await client.as(fgj).get("/api/v1/cases?status=dispatched")["items"] as? [[String: Any]])
            #expect(queue.contains { $0["id"] as? Int == id })

            // Ten working days pass: overdue, shown so, and the sweep sends it up to the command centre.
            f.clock.advance(by: 20 * 86_400)
            let overdue = try #require(try await client.get("/api/v1/projects/\(project)")["blockers"] as? [[String: Any]])
            #expect(overdue.first?["overdue"] as? Bool == true)
            _ = try await TimerSweep(store: f.services.store).run(now: f.clock.now())
            let late = try #require(try await f.services.store.find(id: Int64(id)))
            #expect(late.escalationCount == 1 && late.unit == "330105")

            // Cleared: handled, verified, closed; the project no longer counts it.
            let centre = try await f.key(.handler, "330105")
            #expect(try await client.as(centre).post("/api/v1/cases/\(id)/handle", #"{"note":"已协调签约"}"#).status == .ok)
            #expect(try await client.post("/api/v1/cases/\(id)/verify", #"{"passed":true}"#).status == .ok)
            #expect(try await client.post("/api/v1/cases/\(id)/close").status == .ok)
            let after = try await client.get("/api/v1/projects/\(project)")
            #expect(after["open_blockers"] as? Int == count && (after["blockers"] as? [Any])?.isEmpty == true)
            // Evaluated on the day it was open, it still counts.
            let day = String(Timestamp.rfc3339(ServerFixture.start).prefix(10))
            #expect(try await client.get("/api/v1/projects/\(project)?as_of=\(day)")["open_blockers"] as? Int == count + 1)

            for (body, field) in [(#"{"description":"x"}"#, "project"), (#"{"project":"nope","description":"x"}"#, "project"),
                                  (#"{"task":"nope","description":"x"}"#, "task"),
                                  (#"{"project":"\#(project)","category":"06001","description":"x"}"#, "category"),
                                  (#"{"project":"\#(project)","description":""}"#, "description"),
                                  (#"{"project":"\#(project)","description":"x","key":""}"#, "key")] {
                let r = try await client.as(street).post("/api/v1/plans/\(Self.plan)/blockers", body)
                #expect(r.status == .unprocessableContent && r.errorField == field, "\(body): \(r.json)")
            }
            let leader = try await f.key(.leader, "330105")
            #expect(try await client.as(leader).post("/api/v1/plans/\(Self.plan)/blockers", body).status == .forbidden)
        }
    }

    /// Project ids are unique within a plan only: two plans with a project p001 keep their
    /// milestones and blockers apart, and `plan=` picks which one is read.
    @Test(arguments: Backend.all) func twoPlansShareAProjectID(backend: Backend) async throws {
        let f = try await Self.loaded(backend, bundledRules: true)
        var object = try #require(try JSONSerialization.jsonObject(with: try DemoPlan.data()) as? [String: Any])
        object["id"] = "second"
        object["name"] = "第二份计划"
        object["reports"] = [Any]()
        object["blockers"] = [Any]()
        _ = try await f.services.store.plans.load(try JSONSerialization.data(withJSONObject: object), actor: "t", at: ServerFixture.start)
        try await f.test { client in
            let reached = try await client.post("/api/v1/plans/second/milestones", #"{"project":"p010","milestone":"completion","day":"2026-11-01"}"#)
            #expect(reached.status == .created && reached["plan"] as? String == "second")
            let raised = try await client.post("/api/v1/plans/second/blockers", #"{"project":"p010","description":"审批未批"}"#)
            #expect(raised.status == .created)
            let second = try await client.get("/api/v1/projects/p010?plan=second")
            let first = try await client.get("/api/v1/projects/p010?plan=\(Self.plan)")
            #expect(second["stage"] as? String == "completion" && first["stage"] as? String != "completion")
            #expect((second["blockers"] as? [Any])?.count == 1 && (first["blockers"] as? [Any])?.isEmpty == true)
            let road = try #require(second["road"] as? String)
            let query = "/api/v1/projects?road=\(road)".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
            let all = try #require(try await client.get(query)["items"] as? [[String: Any]])
            #expect(all.filter { $0["id"] as? String == "p010" }.compactMap { $0["plan"] as? String }.sorted() == [Self.plan, "second"].sorted())
        }
    }
}
