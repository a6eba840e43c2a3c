import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Testing

/// The work plan's pages through the router as a browser would: the plan and its battle map on
/// a past day, filters checked, a street's part only, a blocker raised from a project's page
/// with the session's token and its text escaped, the CSV export whole.
@Suite struct PlanPageTests {
    typealias Browser = WebPageTests.Browser
    static let plan = "/plans/gongshu-2020h2"

    func fixture(_ backend: Backend) async throws -> ServerFixture {
        let f = try await ServerFixture(backend, bundledRules: true)
        _ = try await f.services.store.plans.load(try DemoPlan.data(), actor: "system:demo", at: ServerFixture.start)
        for (name, role, unit) in [("leader", Role.leader, "330105"), ("shangtang", .handler, "330105008"), ("duban", .supervisor, "330105")] {
            _ = try await f.services.accounts.addUser(username: name, displayName: name, role: role, unit: unit, password: "correct horse",
                                                      by: "t", at: ServerFixture.start)
        }
        return f
    }

    static func count(_ needle: String, in body: String) -> Int { body.components(separatedBy: needle).count - 1 }

    @Test(arguments: Backend.all) func theLeaderReadsThePlanAndTheBattleMap(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var leader = Browser(client: client.as(nil))
            #expect(try await leader.login("leader", "correct horse") == .seeOther)
            let index = try await leader.send(.get, "/plans")
            #expect(index.status == .seeOther && index.headers[.location] == Self.plan)
            let plan = try await leader.send(.get, Self.plan + "?as_of=2020-10-31")
            #expect(plan.status == .ok && Self.count("class=\"goal-area\"", in: plan.body) == 6)
            #expect(plan.body.contains("评估日 2020-10-31") && Self.count("class=\"pace\"", in: plan.body) >= 34)
            let map = try await leader.send(.get, Self.plan + "/map?as_of=2020-10-31")
            #expect(Self.count("class=\"project light-", in: map.body) == 250)
            let road = "莫干山路".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let filtered = try await leader.send(.get, Self.plan + "/map?as_of=2020-10-31&road=\(road)")
            let rows = Self.count("<tr data-light=", in: filtered.body)
            #expect(rows > 0 && rows < 250 && Self.count("<td>莫干山路</td>", in: filtered.body) == rows)
            let red = try await leader.send(.get, Self.plan + "/map?as_of=2020-10-31&light=red")
            #expect(Self.count("<tr data-light=\"red\">", in: red.body) == Self.count("<tr data-light=", in: red.body))
            for bad in ["road=nowhere", "light=purple", "stage=dig", "group=x", "as_of=2020-02-30"] {
                #expect(try await leader.send(.get, Self.plan + "/map?\(bad)").status == .unprocessableContent, "\(bad)")
            }
            let csv = try await leader.send(.get, Self.plan + "/export/projects?as_of=2020-10-31")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8" && csv.body.hasPrefix("\u{FEFF}编号,项目"))
            let table = try CSV.rows(String(csv.body.dropFirst()))
            #expect(table.count == 251 && table.dropFirst().allSatisfy { $0.count == table[0].count })
            let briefing = try await leader.send(.get, Self.plan + "/briefing?as_of=2020-10-31")
            #expect(briefing.status == .ok && briefing.body.contains("data-print"))
            let cockpit = try await leader.send(.get, "/cockpit")
            #expect(cockpit.body.contains("class=\"tile plan-tile\"") && cockpit.body.contains("评估日 2020-12-31"))
            // A leader reads and raises nothing.
            let page = try await leader.send(.get, Self.plan + "/projects/p001")
            #expect(page.status == .ok && !page.body.contains("blocker-form"))
            let csrf = try #require(Browser.csrf(in: page.body))
            let post = try await leader.send(.post, Self.plan + "/projects/p001/blockers", form: ["csrf": csrf, "description": "x"])
            #expect(post.status == .forbidden)
        }
    }

    @Test(arguments: Backend.all) func aStreetRaisesABlockerOnItsOwnProject(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var street = Browser(client: client.as(nil))
            #expect(try await street.login("shangtang", "correct horse") == .seeOther)
            let map = try await street.send(.get, Self.plan + "/map?as_of=2020-10-31")
            let mine = Self.count("<tr data-light=", in: map.body)
            #expect(mine > 0 && mine < 250)
            #expect(try await street.send(.get, Self.plan + "/projects/p001").status == .notFound)
            let r = try #require(map.body.range(of: #"/projects/p[0-9]+"#, options: .regularExpression))
            let project = String(map.body[r])
            let page = try await street.send(.get, Self.plan + project)
            #expect(page.body.contains("blocker-form"))
            let csrf = try #require(Browser.csrf(in: page.body))
            let before = try await f.eventCount()
            let text = "两户未签约 <script>alert(1)</script>"
            let forged = try await street.send(.post, Self.plan + project + "/blockers", form: ["csrf": "forged", "description": text])
            let afterForged = try await f.eventCount()
            #expect(forged.status == .forbidden && afterForged == before)
            let empty = try await street.send(.post, Self.plan + project + "/blockers", form: ["csrf": csrf, "description": " "])
            let afterEmpty = try await f.eventCount()
            #expect(empty.status == .unprocessableContent && afterEmpty == before)
            let raised = try await street.send(.post, Self.plan + project + "/blockers",
                                               form: ["csrf": csrf, "description": text, "category": "95001", "key": "k1"])
            let back = Self.plan + project + "?as_of=2026-11-23"
            #expect(raised.status == .seeOther && raised.headers[.location] == back)
            let again = try await street.send(.post, Self.plan + project + "/blockers",
                                              form: ["csrf": csrf, "description": text, "category": "95001", "key": "k1"])
            #expect(again.status == .seeOther)
            let shown = try await street.send(.get, back)
            #expect(Self.count("href=\"/cases/", in: shown.body) == 1)
            #expect(shown.body.contains("两户未签约 &lt;script&gt;") && !shown.body.contains("<script>alert(1)"))

            // The street reports its move-back figure from the plan's page, and a milestone from the project's.
            let planPage = try await street.send(.get, Self.plan + "?as_of=2020-10-31")
            #expect(planPage.body.contains("name=\"indicator\" value=\"move-back\"") && !planPage.body.contains("value=\"fai-total\""))
            let stored = f.services.store.plans
            let events = try #require(try await stored.plan("gongshu-2020h2")?.eventCount)
            let bad = try await street.send(.post, Self.plan + "/reports",
                                            form: ["csrf": csrf, "indicator": "move-back", "month": "2020-10", "value": "many"])
            #expect(bad.status == .unprocessableContent)
            let notOurs = try await street.send(.post, Self.plan + "/reports",
                                                form: ["csrf": csrf, "indicator": "fai-total", "month": "2020-10", "value": "1"])
            #expect(notOurs.status == .forbidden)
            let reported = try await street.send(.post, Self.plan + "/reports",
                                                 form: ["csrf": csrf, "indicator": "move-back", "month": "2020-10", "value": "8,800"])
            #expect(reported.status == .seeOther && reported.headers[.location] == Self.plan + "?as_of=2026-11-23")
            let plan = try #require(try await stored.plan("gongshu-2020h2"))
            let last = plan.reports["move-back"]?.last
            #expect(plan.eventCount == events + 1 && last?.value == 8_800 && last?.unit == "330105008")
            let reached = try await street.send(.post, Self.plan + project + "/milestones",
                                                form: ["csrf": csrf, "milestone": "completion", "day": "2026-11-20"])
            #expect(reached.status == .seeOther)
            #expect(try await stored.plan("gongshu-2020h2")?.actuals[String(project.dropFirst(10))]?[.completion] == PlanDays.parse("2026-11-20"))
            let future = try await street.send(.post, Self.plan + project + "/milestones",
                                               form: ["csrf": csrf, "milestone": "start", "day": "2099-01-01"])
            #expect(future.status == .unprocessableContent)
        }
    }

    /// A supervisor pastes rows from the district's sheet and changes one task's deadline: each
    /// accepted change is one event of the plan with the supervisor as actor; a bad row is named
    /// and changes nothing; others may not edit.
    @Test(arguments: Backend.all) func aSupervisorEditsThePlan(backend: Backend) async throws {
        let f = try await fixture(backend)
        try await f.test { client in
            var duban = Browser(client: client.as(nil))
            #expect(try await duban.login("duban", "correct horse") == .seeOther)
            let page = try await duban.send(.get, Self.plan + "/edit")
            #expect(page.status == .ok && page.body.contains("name=\"sheet\""))
            let csrf = try #require(Browser.csrf(in: page.body))
            let plans = f.services.store.plans
            let before = try #require(try await plans.plan("gongshu-2020h2"))
            let sheet = "目标领域\t任务\t牵头单位\t完成时限\t指标\t计量单位\t目标值\n"
                + "全面小康成色（民生）\t老年食堂建设\t拱墅区卫生健康局\t2020-12-31\t新建老年食堂\t个\t12\n"
                + "全面小康成色（民生）\t坏行 <b>x</b>\t不存在的局\t2020-12-31\t\t\t\n"
            let pasted = try await duban.send(.post, Self.plan + "/edit", form: ["csrf": csrf, "sheet": sheet])
            #expect(pasted.status == .ok && pasted.body.contains("1/2 ") && pasted.body.contains("line 3, lead_unit"))
            #expect(!pasted.body.contains("<b>x</b>"))
            let after = try #require(try await plans.plan("gongshu-2020h2"))
            #expect(after.eventCount == before.eventCount + 1)
            #expect(after.document.indicators.count == before.document.indicators.count + 1)
            let reportsBefore = before.reports.values.map(\.count).reduce(0, +), reportsAfter = after.reports.values.map(\.count).reduce(0, +)
            #expect(reportsAfter == reportsBefore)
            let task = try #require(after.document.goalAreas.flatMap(\.tasks).first { $0.indicators.isEmpty == false })
            let area = try #require(after.document.goalAreas.first { $0.tasks.contains { $0.id == task.id } })
            let row = ["csrf": csrf, "goal_area": area.name, "task": task.name, "lead_unit": task.leadUnit, "deadline": "2021-03-31",
                       "indicator": task.indicators[0].indicator.name, "unit_of_measure": task.indicators[0].indicator.unitOfMeasure,
                       "target": "\(task.indicators[0].indicator.target)", "baseline": "\(task.indicators[0].indicator.baseline)"]
            #expect(try await duban.send(.post, Self.plan + "/edit", form: row).status == .ok)
            let edited = try #require(try await plans.plan("gongshu-2020h2"))
            #expect(edited.eventCount == after.eventCount + 1)
            let editedTask = edited.document.goalAreas.flatMap(\.tasks).first { $0.id == task.id }
            #expect(editedTask?.deadline == PlanDays.parse("2021-03-31"))
            var bad = row
            bad["deadline"] = "2021-02-30"
            let refused = try await duban.send(.post, Self.plan + "/edit", form: bad)
            let unchanged = try await plans.plan("gongshu-2020h2")?.eventCount
            #expect(refused.status == .unprocessableContent && refused.body.contains("deadline") && unchanged == edited.eventCount)
            #expect(try await plans.verify(plan: "gongshu-2020h2") == nil)

            var leader = Browser(client: client.as(nil))
            #expect(try await leader.login("leader", "correct horse") == .seeOther)
            #expect(try await leader.send(.get, Self.plan + "/edit").status == .forbidden)
        }
    }
}
