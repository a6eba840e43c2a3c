import Foundation
import GongzhiCore
import Testing

/// Inspection rounds' pure rules: a plan checked field by field, a sweep held to the round's
/// areas, units and days, and the grid that shows which cells were swept.
@Suite struct InspectionTests {
    static let units = JointTests.units
    static let directory = try! OrgDirectory(units.all + [
        OrgUnit(code: "330105003", name: "小河街道", kind: .street, parentCode: "330105", departmentType: "street", areaCode: "330105003"),
        OrgUnit(code: "330105001", name: "米市巷街道", kind: .street, parentCode: "330105", departmentType: "street", areaCode: "330105001"),
    ])
    static let now = Timestamp.parse("2026-11-23T09:00:00+08:00")!

    func plan(areas: [String]? = ["330105003", "330105001"], units: [String]? = ["330105-CGJ", "330105-ZJJ"], from: String? = "2026-11-23",
              to: String? = "2026-11-29") throws(CentreError) -> InspectionRound {
        var r = try InspectionRound.planned(name: "渣土运输拉网式排查", areas: areas, units: units, from: from, to: to, directory: Self.directory,
                                            by: "user:centre", at: Self.now)
        r.id = 3
        return r
    }

    func field(_ body: () throws(CentreError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let CentreError.invalid(f) {
            return "\(f.field) \(f.code)"
        } catch {
            return "\(error)"
        }
    }

    @Test func aRoundIsPlannedAndSweptWithinItsBounds() throws {
        #expect(field { () throws(CentreError) in _ = try plan(areas: []) } == "areas required")
        #expect(field { () throws(CentreError) in _ = try plan(areas: ["330105999"]) } == "areas[0] unknown_value")
        #expect(field { () throws(CentreError) in _ = try plan(units: ["330105"]) } == "units[0] unknown_value")
        #expect(field { () throws(CentreError) in _ = try plan(units: ["330105-CGJ", "330105-CGJ"]) } == "units invalid")
        #expect(field { () throws(CentreError) in _ = try plan(from: "2026-11-30") } == "to invalid")
        #expect(field { () throws(CentreError) in _ = try plan(from: "2026-10-01", to: "2026-11-01") } == "to invalid")
        let round = try plan()
        func sweep(_ area: String, _ unit: String, _ day: String) throws(CentreError) -> InspectionSweep {
            try InspectionSweep.reported(in: round, area: area, unit: unit, day: day, note: nil, by: "u", at: Self.now)
        }
        #expect(field { () throws(CentreError) in _ = try sweep("330105008", "330105-CGJ", "2026-11-23") } == "area unknown_value")
        #expect(field { () throws(CentreError) in _ = try sweep("330105003", "330105-JJDD", "2026-11-23") } == "unit unknown_value")
        #expect(field { () throws(CentreError) in _ = try sweep("330105003", "330105-CGJ", "2026-11-24") } == "day invalid")
        #expect(field { () throws(CentreError) in _ = try sweep("330105003", "330105-CGJ", "2026-11-22") } == "day invalid")
        var a = try sweep("330105003", "330105-CGJ", "2026-11-23")
        a.cases = [11, 12]
        let grid = InspectionCell.grid(of: round, sweeps: [a, try sweep("330105003", "330105-CGJ", "2026-11-23")])
        #expect(grid.count == 4 && grid[0].sweeps == 2 && grid[0].cases == 2 && grid[0].lastDay == PlanDays.parse("2026-11-23"))
        #expect(grid.dropFirst().allSatisfy { $0.sweeps == 0 && $0.lastDay == nil })
    }
}
