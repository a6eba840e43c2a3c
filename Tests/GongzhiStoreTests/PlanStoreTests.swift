import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

/// Plans stored on both backends: loaded from a file, reported on, corrected by later reports,
/// milestones reached; every change an event of the plan's chain, bad input refused naming the
/// field and leaving nothing behind.
@Suite struct PlanStoreTests {
    static func plan(name: String = "测试计划") -> Data {
        Data("""
        {"id": "t", "name": "\(name)", "start": "2020-07-01", "end": "2020-12-31",
         "stage_durations": [{"type": "industrial", "days": {"preliminary": 60, "transfer": 90, "start": 120, "completion": 540}}],
         "goal_areas": [{"id": "g1", "name": "民生", "tasks": [
            {"id": "t1", "name": "回迁", "lead_unit": "330105-ZJJ", "cooperating_units": ["330105001"], "deadline": "2020-12-31",
             "indicators": [{"id": "move-back", "name": "回迁户数", "unit_of_measure": "户", "baseline": 4000, "target": 10000,
                             "start": "2020-07-01", "deadline": "2020-12-31"}]}]}],
         "projects": [{"id": "a", "name": "甲", "type": "industrial", "lead_unit": "330105-ZJJ", "entered": "2020-07-01",
                       "deadline": "2021-12-31", "target": "start", "actual": {"preliminary": "2020-07-20"}}],
         "reports": [{"indicator": "move-back", "month": "2020-07", "value": 5000, "submitted": "2020-08-03", "unit": "330105-ZJJ"},
                     {"indicator": "move-back", "month": "2020-08", "value": 5600, "submitted": "2020-09-04", "unit": "330105-ZJJ"}]}
        """.utf8)
    }

    static let oct5 = Timestamp.parse("2020-10-05T10:00:00+08:00")!
    static func day(_ text: String) -> PlanDay { PlanDays.parse(text)! }

    @Test(arguments: Backend.all) func aPlanIsLoadedReportedOnAndCorrected(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let plans = SQLPlanStore(db: f.sql)
        let summary = try await plans.load(Self.plan(), actor: "user:admin", at: Self.oct5)
        #expect(summary.id == "t" && summary.start == Self.day("2020-07-01"))
        #expect(try await plans.plans().map(\.name) == ["测试计划"])
        var stored = try #require(try await plans.plan("t"))
        #expect(stored.eventCount == 3 && stored.reports["move-back"]?.map(\.value) == [5_000, 5_600])
        #expect(stored.reports["move-back"]?.first?.submitted == Self.day("2020-08-03"))

        // September reported on 5 October, then corrected on 8 October.
        try await plans.report(plan: "t", indicator: "move-back", month: Self.day("2020-09-01"), asOf: Self.day("2020-09-30"),
                               value: 6_500, unit: "330105-ZJJ", actor: "user:zjj", at: Self.oct5)
        let oct8 = Self.oct5.addingTimeInterval(3 * 86_400)
        try await plans.report(plan: "t", indicator: "move-back", month: Self.day("2020-09-01"), asOf: Self.day("2020-09-30"),
                               value: 6_800, unit: "330105-ZJJ", actor: "user:zjj", at: oct8)
        stored = try #require(try await plans.plan("t"))
        #expect(stored.reports["move-back"]?.map(\.value) == [5_000, 5_600, 6_500, 6_800])
        #expect(stored.status(at: Self.day("2020-10-06")).indicators["move-back"]?.actual == 6_500)
        #expect(stored.status(at: Self.day("2020-10-08")).indicators["move-back"]?.actual == 6_800)

        // A milestone reached; its light and the history.
        try await plans.reach(plan: "t", project: "a", milestone: .transfer, day: Self.day("2020-09-20"), actor: "user:zjj", at: oct8)
        stored = try #require(try await plans.plan("t"))
        #expect(stored.actuals["a"]?[.transfer] == Self.day("2020-09-20"))
        #expect(stored.status(at: Self.day("2020-10-08")).projects["a"]?.milestones[1].actual == Self.day("2020-09-20"))
        #expect(stored.eventCount == 6)
        let actors = try await f.sql.read { try $0.query("SELECT actor, action FROM plan_events WHERE plan_id = 't' ORDER BY seq") }
        #expect(actors.map { "\($0["actor"] as String) \($0["action"] as String)" } == [
            "user:admin plan_loaded", "user:admin progress_reported", "user:admin progress_reported",
            "user:zjj progress_reported", "user:zjj progress_reported", "user:zjj milestone_reached",
        ])
        #expect(try await plans.verify(plan: "t") == nil)

        // Loading a new version changes the plan, not its history: no report comes in twice.
        _ = try await plans.load(Self.plan(name: "测试计划（修订）"), actor: "user:admin", at: oct8)
        stored = try #require(try await plans.plan("t"))
        #expect(stored.document.name == "测试计划（修订）" && stored.eventCount == 7 && stored.reports["move-back"]?.count == 4)
        #expect(try await plans.verify(plan: "t") == nil)
    }

    @Test(arguments: Backend.all) func badInputIsRefusedNamingTheFieldAndLeavesNothing(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let plans = SQLPlanStore(db: f.sql)
        _ = try await plans.load(Self.plan(), actor: "user:admin", at: Self.oct5)
        func refused(_ field: String, _ body: () async throws -> Void) async {
            do {
                try await body()
                Issue.record("accepted a bad \(field)")
            } catch let e as PlanStoreError {
                if case .invalid(let named, _) = e { #expect(named == field, "\(e)") } else { Issue.record("\(e)") }
            } catch { Issue.record("\(error)") }
        }
        let sep = Self.day("2020-09-01"), sep30 = Self.day("2020-09-30")
        func report(_ indicator: String = "move-back", month: PlanDay = sep, asOf: PlanDay = sep30, value: Double = 1,
                    unit: String = "330105-ZJJ") async throws {
            try await plans.report(plan: "t", indicator: indicator, month: month, asOf: asOf, value: value, unit: unit, actor: "u", at: Self.oct5)
        }
        await refused("indicator") { try await report("nothing") }
        await refused("month") { try await report(month: Self.day("2021-03-01"), asOf: Self.day("2021-03-02")) }
        await refused("month") { try await report(month: Self.day("2020-11-01"), asOf: Self.day("2020-11-02")) }
        await refused("as_of") { try await report(asOf: Self.day("2020-10-01")) }
        await refused("as_of") { try await report(month: Self.day("2020-10-01"), asOf: Self.day("2020-10-20")) }
        await refused("value") { try await report(value: .nan) }
        await refused("value") { try await report(value: .infinity) }
        await refused("unit") { try await report(unit: "nobody") }
        await refused("project") { try await plans.reach(plan: "t", project: "z", milestone: .start, day: sep, actor: "u", at: Self.oct5) }
        // Started before the preliminary work was done (20 July), or in the future.
        await refused("day") {
            try await plans.reach(plan: "t", project: "a", milestone: .start, day: Self.day("2020-07-10"), actor: "u", at: Self.oct5)
        }
        await refused("day") {
            try await plans.reach(plan: "t", project: "a", milestone: .start, day: Self.day("2020-10-06"), actor: "u", at: Self.oct5)
        }
        await #expect(throws: PlanStoreError.unknownPlan("nope")) {
            try await plans.report(plan: "nope", indicator: "move-back", month: sep, asOf: sep30, value: 1, unit: "330105-ZJJ",
                                   actor: "u", at: Self.oct5)
        }
        // Files that cannot be read or do not hold together.
        await #expect(throws: PlanStoreError.self) { _ = try await plans.load(Data("{".utf8), actor: "u", at: Self.oct5) }
        let badUnit = String(decoding: Self.plan(), as: UTF8.self)
            .replacingOccurrences(of: "\"lead_unit\": \"330105-ZJJ\", \"coop", with: "\"lead_unit\": \"X\", \"coop")
        await refused("document") { _ = try await plans.load(Data(badUnit.utf8), actor: "u", at: Self.oct5) }
        #expect(try await plans.plan("t")?.eventCount == 3)
        #expect(try await plans.verify(plan: "t") == nil)
    }

    /// The chain is append-only, and an edited head or event is found.
    @Test(arguments: Backend.all) func theChainResistsEdits(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let plans = SQLPlanStore(db: f.sql)
        _ = try await plans.load(Self.plan(), actor: "user:admin", at: Self.oct5)
        await #expect(throws: (any Error).self) {
            _ = try await f.sql.write { try $0.execute("UPDATE plan_events SET actor = 'someone' WHERE seq = 2", []) }
        }
        await #expect(throws: (any Error).self) { _ = try await f.sql.write { try $0.execute("DELETE FROM plan_events", []) } }
        _ = try await f.sql.write { try $0.execute("UPDATE plan_reports SET value = 9999 WHERE seq = 2", []) }
        #expect(try await plans.verify(plan: "t") == "event #2: its report row differs from the event")
        _ = try await f.sql.write { try $0.execute("UPDATE plan_reports SET value = 5000 WHERE seq = 2", []) }
        #expect(try await plans.verify(plan: "t") == nil)
        _ = try await f.sql.write { try $0.execute("UPDATE plans SET event_count = 2", []) }
        #expect(try await plans.verify(plan: "t") == "the plan's head does not match its last event")
    }
}
