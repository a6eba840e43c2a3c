import Foundation
@testable import GongzhiCore
import Testing

/// A plan file read, checked and evaluated: lights roll up to tasks and goal areas, blockers
/// count, and a broken file is refused with what is wrong.
@Suite struct PlanDocumentTests {
    static let json = """
    {"id": "p", "name": "测试计划", "start": "2020-07-01", "end": "2020-12-31",
     "stage_durations": [{"type": "industrial", "days": {"preliminary": 60, "transfer": 90, "start": 120, "completion": 540}}],
     "goal_areas": [{"id": "g1", "name": "民生", "tasks": [
        {"id": "t1", "name": "回迁", "lead_unit": "U1", "cooperating_units": ["U2"], "deadline": "2020-12-31", "stated": true,
         "indicators": [{"id": "move-back", "name": "回迁户数", "unit_of_measure": "户", "baseline": 4000, "target": 10000,
                         "start": "2020-07-01", "deadline": "2020-12-31", "stated": true}]},
        {"id": "t2", "name": "四路沿线", "lead_unit": "U1", "deadline": "2021-12-31", "project_group": "roads"}]}],
     "project_groups": [{"id": "roads", "name": "四路沿线项目"}],
     "projects": [
        {"id": "a", "name": "甲", "group": "roads", "type": "industrial", "lead_unit": "U2", "location": {"point": [120.14, 30.32]},
         "entered": "2020-07-01", "deadline": "2021-12-31", "target": "start", "actual": {"preliminary": "2020-07-20", "transfer": "2020-08-20"}},
        {"id": "b", "name": "乙", "group": "roads", "type": "industrial", "lead_unit": "U2",
         "location": {"line": [[120.14, 30.32], [120.15, 30.33]]},
         "entered": "2020-07-01", "deadline": "2021-12-31", "target": "start", "planned": {"transfer": "2020-11-15"},
         "actual": {"preliminary": "2020-08-01"}}],
     "portfolio_targets": [{"id": "two-thirds", "name": "年内2/3开工或出让", "group": "roads", "milestones": ["transfer", "start"],
                            "share": 0.6666666666666666, "by": "2020-12-31", "stated": true}],
     "reports": [{"indicator": "move-back", "month": "2020-09", "as_of": "2020-09-30", "value": 7000, "submitted": "2020-10-03", "unit": "U1"}],
     "blockers": [{"project": "b", "title": "征迁户未签约", "raised": "2020-09-10", "unit": "U2"}]}
    """

    static func plan(_ text: String = json) throws -> PlanDocument {
        try JSONDecoder().decode(PlanDocument.self, from: Data(text.utf8))
    }

    static let units: Set<String> = ["U1", "U2"]

    @Test func aPlanFileIsReadAndChecked() throws {
        let plan = try Self.plan()
        try plan.validate(knownUnit: Self.units.contains)
        #expect(plan.goalAreas[0].tasks[0].cooperatingUnits == ["U2"] && plan.indicators.count == 1)
        #expect(plan.projects[0].location == .point(GeoPoint(lat: 30.32, lon: 120.14)))
        #expect(plan.projects[1].location?.points.count == 2 && plan.projects[1].planned[.transfer] == PlanDays.parse("2020-11-15"))
        #expect(plan.reports[0].report.month == PlanDays.parse("2020-09-01") && plan.reports[0].report.value == 7_000)
        #expect(plan.rules == .standard)
        #expect(throws: PlanError.invalid("task t1: unknown unit 'U1'")) { try plan.validate(knownUnit: { $0 == "U2" }) }
    }

    @Test(arguments: [
        (#""deadline": "2020-12-31", "stated": true"#, #""deadline": "2020-12-32", "stated": true"#, "deadline must be a date"),
        (#""month": "2020-09""#, #""month": "2020-13""#, "month must be a month"),
        (#""actual": {"preliminary""#, #""actual": {"groundbreaking""#, "unknown milestone"),
        (#""point": [120.14, 30.32]"#, #""point": [120.14]"#, "a point is [lon, lat]"),
    ])
    func aBrokenFileNamesWhatIsWrong(good: String, bad: String, message: String) throws {
        #expect(Self.json.contains(good))
        do {
            _ = try Self.plan(Self.json.replacingOccurrences(of: good, with: bad))
            Issue.record("accepted \(bad)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func aPlanThatDoesNotHoldTogetherIsRefused() throws {
        var plan = try Self.plan()
        plan.projects[1].id = "a"
        #expect(throws: PlanError.invalid("project id 'a' is used twice")) { try plan.validate(knownUnit: Self.units.contains) }
        plan = try Self.plan()
        plan.projects[0].actual[.start] = PlanDays.parse("2020-08-01")
        #expect(throws: PlanError.invalid("project a: start reached before transfer")) { try plan.validate(knownUnit: Self.units.contains) }
        plan = try Self.plan()
        plan.projects[0].type = "bridge"
        #expect(throws: PlanError.self) { try plan.validate(knownUnit: Self.units.contains) }
        plan = try Self.plan()
        plan.blockers[0].project = "nowhere"
        #expect(throws: PlanError.self) { try plan.validate(knownUnit: Self.units.contains) }
    }

    /// On 3 October: 回迁 at 3,000 of 6,000 against 95/184 (3.2 % behind): green. Of the two
    /// projects one is transferred and the other forecast by 15 November: two of two, green.
    /// The one blocker on 乙 makes it, its task and the goal area amber; three make them red.
    @Test func lightsRollUpAndBlockersCount() throws {
        let plan = try Self.plan()
        let reports = Dictionary(grouping: plan.reports, by: \.indicator).mapValues { $0.map(\.report) }
        let day = PlanDays.parse("2020-10-03")!
        let clear = PlanEvaluation.evaluate(plan, reports: reports, at: day)
        #expect(clear.indicators["move-back"]?.light == .green && clear.tasks["t1"]?.light == .green)
        #expect(clear.portfolios["two-thirds"]?.forecastReached == 2 && clear.portfolios["two-thirds"]?.reached == 1)
        #expect(clear.tasks["t2"]?.light == .green && clear.projects["b"]?.light == .green)
        let one = PlanEvaluation.evaluate(plan, reports: reports, openBlockers: OpenBlockers(projects: ["b": 1]), at: day)
        #expect(one.projects["b"]?.light == .amber && one.tasks["t2"]?.light == .amber && one.tasks["t2"]?.openBlockers == 1)
        #expect(one.goalAreas["g1"] == .amber && one.taskLights == [.green: 1, .amber: 1])
        let three = PlanEvaluation.evaluate(plan, reports: reports, openBlockers: OpenBlockers(projects: ["b": 2, "a": 1]), at: day)
        #expect(three.tasks["t2"]?.light == .red && three.projects["a"]?.light == .amber && three.goalAreas["g1"] == .red)
        // A milestone reached after the day evaluated is not yet known then.
        let early = PlanEvaluation.evaluate(plan, reports: reports, at: PlanDays.parse("2020-08-01")!)
        #expect(early.projects["a"]?.milestones.first { $0.milestone == .transfer }?.actual == nil)
        // Reported since the file: 乙 transferred on 1 October.
        let reached = PlanEvaluation.evaluate(plan, reports: reports, actuals: ["b": [.preliminary: day - 30, .transfer: day - 2]], at: day)
        #expect(reached.portfolios["two-thirds"]?.reached == 2)
    }
}

/// Blockers raised as cases count while they are open, on the project or task their report
/// names, and only for their own plan; the file's blockers count from the day they were raised.
@Suite struct PlanBlockerTests {
    static func blocker(_ id: Int64, plan: String = "p", _ kind: BlockerSubject.Kind, _ subject: String, raised: String,
                        closed: String? = nil, status: CaseStatus = .dispatched) -> CaseRecord {
        var report = Report(source: .project, category: "95002", description: "审批卡在规划许可")
        report.attributes = BlockerSubject(plan: plan, kind: kind, id: subject).attributes
        let created = Date(timeIntervalSince1970: TimeInterval(PlanDays.parse(raised)!) * 86_400)
        var r = CaseRecord(id: id, trackingCode: "T\(id)", report: report, createdAt: created)
        r.status = status
        if let closed {
            r.status = .closed
            r.closedAt = Date(timeIntervalSince1970: TimeInterval(PlanDays.parse(closed)!) * 86_400)
            r.updatedAt = r.closedAt!
        }
        return r
    }

    static func count(_ cases: [CaseRecord], _ plan: PlanDocument, _ day: String) -> OpenBlockers {
        let d = PlanDays.parse(day)!
        return OpenBlockers.count(OpenBlockers.cases(cases, of: plan.id, openOn: d), plan: plan, at: d)
    }

    @Test func openBlockerCasesCountOnTheirSubjectWhileOpen() throws {
        let plan = try PlanDocumentTests.plan()
        let cases = [
            Self.blocker(1, .project, "a", raised: "2020-09-20"),
            Self.blocker(2, .project, "a", raised: "2020-09-01", closed: "2020-09-25"),
            Self.blocker(3, .task, "t1", raised: "2020-09-28"),
            Self.blocker(4, plan: "other", .project, "a", raised: "2020-09-01"),
            Self.blocker(5, .project, "a", raised: "2020-09-02", status: .rejected),
        ]
        // On 24 September: 1 and 2 on 甲 (5 was rejected at once: it left the loop the day it came),
        // the file's blocker on 乙; the task blocker is not raised yet; the other plan's never counts.
        let sept24 = Self.count(cases, plan, "2020-09-24")
        #expect(sept24 == OpenBlockers(projects: ["a": 2, "b": 1]))
        let oct3 = Self.count(cases, plan, "2020-10-03")
        #expect(oct3 == OpenBlockers(projects: ["a": 1, "b": 1], tasks: ["t1": 1]))
        #expect(Self.count(cases, plan, "2020-08-31") == OpenBlockers())
        // A task's own blocker makes it amber although its indicator is on pace.
        let reports = Dictionary(grouping: plan.reports, by: \.indicator).mapValues { $0.map(\.report) }
        let status = PlanEvaluation.evaluate(plan, reports: reports, openBlockers: oct3, at: PlanDays.parse("2020-10-03")!)
        #expect(status.indicators["move-back"]?.light == .green)
        #expect(status.tasks["t1"]?.light == .amber && status.tasks["t1"]?.openBlockers == 1)
        // A category-95 case filed by hand names no subject.
        var plain = cases[0]
        plain.report.attributes = nil
        #expect(BlockerSubject(report: plain.report) == nil && BlockerSubject(report: cases[2].report)?.kind == .task)
    }
}

/// What a unit sees of a plan: its tasks and projects only, and figures from those alone.
@Suite struct PlanScopeTests {
    @Test func aUnitSeesItsOwnTasksAndProjectsOnly() throws {
        let plan = try PlanDocumentTests.plan()
        let u2 = Scope(isAll: false, units: ["U2"], areas: [])
        let seen = plan.scoped(to: u2)
        // U2 cooperates on t1 and leads both projects; t2 (led by U1 alone) is not its own.
        #expect(seen.goalAreas.flatMap(\.tasks).map(\.id) == ["t1"] && seen.projects.map(\.id) == ["a", "b"])
        #expect(plan.mayReport(indicator: "move-back", unit: "U2", scope: u2) && !plan.mayReport(indicator: "move-back", unit: "U1", scope: u2))
        let stranger = Scope(isAll: false, units: ["U9"], areas: ["330105001"])
        let none = plan.scoped(to: stranger)
        #expect(none.goalAreas.isEmpty && none.projects.isEmpty && none.reports.isEmpty && none.blockers.isEmpty)
        #expect(!plan.mayReport(indicator: "move-back", unit: "U9", scope: stranger))
        // A street sees the projects in its area, and the portfolio counts those alone.
        var local = plan
        local.projects[1].street = "330105001"
        let street = local.scoped(to: stranger)
        #expect(street.projects.map(\.id) == ["b"] && street.blockers.count == 1)
        let status = PlanEvaluation.evaluate(street, reports: [:], at: PlanDays.parse("2020-10-03")!)
        #expect(status.portfolios["two-thirds"]?.projects == 1)
        #expect(plan.scoped(to: .all).projects.count == 2)
    }
}
