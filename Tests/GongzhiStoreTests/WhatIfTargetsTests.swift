import Foundation
import GongzhiCore
@testable import GongzhiStore
import Testing

/// Which units' handling times a what-if reads: only those that may get a case they did not
/// have (reading every unit's facts for a year was a fifth of a replay of a million cases).
@Suite struct WhatIfTargetsTests {
    static let reference = StoreFixture.bundled
    static let current = CaseContext(units: reference.units, categories: reference.categories, rules: try! StoreFixture.rules(reference),
                                     calendar: StoreFixture.calendar,
                                     coGovernance: try! ReferenceData.bundledScenarios(units: reference.units, categories: reference.categories))

    static func targets(_ p: WhatIfProposal, category: String, relocating: Bool = false) throws -> [String] {
        let proposed = try p.apply(to: current)
        let key = RoutingKey(id: 1, category: category, source: .hotline, area: nil)
        let probe = WhatIfReplay.Settings(current: current, proposed: proposed, times: .none, now: StoreFixture.t0)
        let routes = probe.routes(category: key.category, area: key.area, source: key.source)
        return WhatIf.targets(key, routes, current: current, proposed: proposed, relocating: relocating)
    }

    @Test func handlingTimesAreReadOnlyForUnitsThatMayGetACase() throws {
        let manhole = "01001"
        let before = Self.current.rules.route(category: manhole, area: nil, source: .hotline, units: Self.current.units)?.unit
        #expect(before == "330105-CGJ")
        // Other office hours: every unit keeps its cases and takes its own time.
        var hours = WhatIfProposal()
        hours.officeHours = try #require(WorkingCalendar.OfficeHours(parsing: "09:00-12:00,13:30-17:00"))
        #expect(try Self.targets(hours, category: manhole).isEmpty)
        // The rule moved: the unit that gets its cases.
        var moved = WhatIfProposal()
        moved.ruleChanges = [.init(rule: "manhole-water", unit: "330105-ZJJ")]
        #expect(try Self.targets(moved, category: manhole) == ["330105-ZJJ"])
        // A deadline alone moves no case.
        var halved = WhatIfProposal()
        halved.ruleChanges = [.init(rule: "manhole-water", deadline: DeadlineSpec(2, .naturalHours))]
        #expect(try Self.targets(halved, category: manhole).isEmpty)
        // Other boundaries: a case's unit is known once its point is located, so any unit may get it.
        #expect(try Self.targets(hours, category: manhole, relocating: true).count == Self.reference.units.all.count)
        // A merchant's deadline shortened: the scenario's enforcement unit may get the case.
        let scenario = try #require(Self.current.coGovernance.scenarios.first)
        var merchant = WhatIfProposal()
        merchant.scenarioChanges = [.init(scenario: scenario.id, merchantMinutes: scenario.merchantMinutes / 2)]
        let category = try #require(scenario.categories.first)
        #expect(try Self.targets(merchant, category: category).contains(scenario.enforcementUnit))
        #expect(try Self.targets(hours, category: category).isEmpty)
    }
}
