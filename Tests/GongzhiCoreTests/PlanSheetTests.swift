import Foundation
@testable import GongzhiCore
import Testing

/// A plan's tasks and indicators from the district's spreadsheet: merged by name (ids and so
/// reports kept), new ones added, bad rows named with their line and column, the rest taken.
@Suite struct PlanSheetTests {
    static let units = ["区卫健局": "U1", "区市场监管局": "U2"]
    static func unit(_ text: String) -> String? { units[text] ?? (units.values.contains(text) ? text : nil) }

    static func plan() throws -> [String: Any] {
        let json = Data(PlanDocumentTests.json.utf8)
        return try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    }

    @Test func rowsMergeByNameAndBadRowsAreNamed() throws {
        var plan = try Self.plan()
        let sheet = """
        目标领域,任务,牵头单位,配合单位,完成时限,指标,计量单位,目标值,基数,方向,口径
        民生,回迁,U1,区市场监管局,2020/12/31,回迁户数,户,"10,500",4000,提高,累计
        民生,回迁,U1,,2020年12月31日,5年以上过渡户清零,户,0,320,,时点
        民生,新任务,区市场监管局,区卫健局、U1,2021-06-30,,,,,,
        疫情防控,冷链抽检,区市场监管局,,2020-12-31,抽检批次,批次,1500,0,,
        民生,坏行,区教育局,,2020-13-01,某指标,,很多,,横向,
        ,,,,,,,,,,
        """
        let outcome = try PlanSheet.merge(sheet, into: &plan, unit: Self.unit)
        #expect(outcome.rows == 5 && outcome.taken == 4 && outcome.added == 2 && outcome.updated == 2)
        #expect(Set(outcome.errors.map(\.field)) == ["lead_unit", "deadline", "unit_of_measure", "target", "direction"])
        #expect(outcome.errors.allSatisfy { $0.line == 6 })
        let document = try JSONDecoder().decode(PlanDocument.self, from: try JSONSerialization.data(withJSONObject: plan))
        try document.validate(knownUnit: { ["U1", "U2"].contains($0) })
        let areas = document.goalAreas
        #expect(areas.map(\.name) == ["民生", "疫情防控"])
        let moveBack = try #require(document.indicators.first { $0.indicator.id == "move-back" })
        // The indicator kept its id (its reports stay), its target changed, the sheet's rows are the district's own.
        #expect(moveBack.indicator.target == 10_500 && moveBack.stated)
        let t1 = try #require(areas[0].tasks.first { $0.id == "t1" })
        #expect(t1.cooperatingUnits == [] && t1.indicators.count == 2)
        let newIndicator = t1.indicators[1].indicator
        #expect(newIndicator.direction == .decrease && newIndicator.accumulation == .pointInTime && newIndicator.id == "t1-i2")
        let added = try #require(areas[0].tasks.first { $0.name == "新任务" })
        #expect(added.leadUnit == "U2" && added.cooperatingUnits == ["U1"] && added.indicators.isEmpty)
        #expect(areas[1].id == "ga2" && areas[1].tasks[0].indicators[0].indicator.start == PlanDays.parse("2020-07-01"))
    }

    @Test func aSheetCopiedFromASpreadsheetIsTabSeparated() throws {
        var plan = try Self.plan()
        let outcome = try PlanSheet.merge("任务\t目标领域\t牵头单位\t完成时限\n回迁\t民生\tU2\t2020-11-30\n", into: &plan, unit: Self.unit)
        #expect(outcome.taken == 1 && outcome.errors.isEmpty)
        let document = try JSONDecoder().decode(PlanDocument.self, from: try JSONSerialization.data(withJSONObject: plan))
        #expect(document.goalAreas[0].tasks[0].leadUnit == "U2" && document.goalAreas[0].tasks[0].deadline == PlanDays.parse("2020-11-30"))
    }

    @Test func aSheetWithoutTheColumnsSaysWhich() throws {
        var plan = try Self.plan()
        let outcome = try PlanSheet.merge("名称,时间\n甲,2020-01-01\n", into: &plan, unit: Self.unit)
        #expect(outcome.taken == 0 && outcome.errors.map(\.field) == ["goal_area", "task", "lead_unit", "deadline"])
        var again = try Self.plan()
        #expect(try PlanSheet.merge("", into: &again, unit: Self.unit).taken == 0)
        let control = try PlanSheet.merge("目标领域,任务,牵头单位,完成时限\n民生,回\u{0}迁,U1,2020-12-31\n", into: &again, unit: Self.unit)
        #expect(control.taken == 0 && control.errors.first?.field == "task")
    }
}
