import Foundation
@testable import GongzhiCore
import Testing

@Suite struct RoutingTableTests {
    static let units = try! OrgDirectory([
        OrgUnit(code: "330105", name: "District", kind: .district, parentCode: nil),
        OrgUnit(code: "330105-CGJ", name: "城管", kind: .department, parentCode: "330105", departmentType: "chengguan"),
        OrgUnit(code: "330105003", name: "小河街道", kind: .street, parentCode: "330105", areaCode: "330105003"),
        OrgUnit(code: "330105009", name: "祥符街道", kind: .street, parentCode: "330105", areaCode: "330105009"),
        OrgUnit(code: "330105003051", name: "社区", kind: .community, parentCode: "330105003", areaCode: "330105003051"),
    ])
    static let categories = CategoryDirectory([
        Category(code: "06010", kind: .matter, majorCode: "06", majorName: "市容环境类", name: "暴露垃圾", defaults: LocalDefaults(deadlineHours: 48, departmentType: "street")),
        Category(code: "06028", kind: .matter, majorCode: "06", majorName: "市容环境类", name: "噪声扰民", defaults: LocalDefaults(deadlineHours: 24, departmentType: "huanbao")),
        Category(code: "01001", kind: .matter, majorCode: "01", majorName: "市政公用设施类", name: "井盖", defaults: LocalDefaults(deadlineHours: 4, departmentType: "chengguan")),
    ])
    static let d = DeadlineSpec(1, .workingDays)

    static let rules: [RoutingRule] = [
        RoutingRule(id: "any", unit: "street", deadline: d),
        RoutingRule(id: "env", category: "06", unit: "street", deadline: d),
        RoutingRule(id: "env-star", category: "06*", area: "330105", unit: "street", deadline: d),
        RoutingRule(id: "rubbish", category: "06010", unit: "330105-CGJ", deadline: d),
        RoutingRule(id: "rubbish-xiaohe", category: "06010", area: "330105003", unit: "street", deadline: d),
        RoutingRule(id: "rubbish-xiaohe-camera", category: "06010", area: "330105003", source: "camera", unit: "community", deadline: d),
        RoutingRule(id: "camera-anything", area: "330105003051", source: "camera", unit: "community", deadline: d),
    ]
    static let table = try! RoutingTable(rules, units: units, categories: categories)

    static let xiaohe = AreaPath(district: "330105", street: "330105003", community: "330105003051", grid: "330105003000007")
    static let xiangfu = AreaPath(district: "330105", street: "330105009", grid: "330105009000001")

    @Test(arguments: [
        ("06010", "xiaohe", ReportSource.camera, "rubbish-xiaohe-camera"),   // exact category, longest prefix, named source
        ("06010", "xiaohe", .hotline, "rubbish-xiaohe"),                      // the source does not match the camera rule
        ("06010", "xiangfu", .camera, "rubbish"),                             // exact category beats any area-specific class rule
        ("06028", "xiaohe", .hotline, "env-star"),                            // class rule with an area prefix beats the bare class rule
        ("06028", "none", .hotline, "env"),                                   // no location: the area rule cannot match
        ("01001", "xiaohe", .camera, "camera-anything"),                      // any category, but a 12-digit area and a source
        ("01001", "xiangfu", .hotline, "any"),
        (nil, "xiaohe", .hotline, "any"),                                     // unclassified
    ] as [(String?, String, ReportSource, String)])
    func mostSpecificWins(category: String?, place: String, source: ReportSource, expected: String) {
        let area = ["xiaohe": Self.xiaohe, "xiangfu": Self.xiangfu][place]
        #expect(Self.table.route(category: category, area: area, source: source, units: Self.units)?.rule.id == expected)
    }

    func route(_ category: String?, _ area: AreaPath?, _ source: ReportSource) -> RouteMatch? {
        Self.table.route(category: category, area: area, source: source, units: Self.units)
    }

    @Test func explanationNamesTheRunnerUp() throws {
        let m = try #require(route("06010", Self.xiaohe, .camera))
        #expect(m.beaten.first?.id == "rubbish-xiaohe")
        #expect(m.explanation.contains("rubbish-xiaohe-camera") && m.explanation.contains("next being rubbish-xiaohe"))
    }

    @Test func streetAndCommunityResolveFromTheLocation() throws {
        #expect(try #require(route("06010", Self.xiaohe, .camera)).unit == "330105003051")
        #expect(try #require(route("06010", Self.xiaohe, .hotline)).unit == "330105003")
        let unplaced = try #require(route("06010", nil, .hotline))
        #expect(unplaced.rule.id == "rubbish" && unplaced.unit == "330105-CGJ")
    }

    /// A rule naming the community of a location that has none (the demo has no community
    /// polygons) gives way to the next less specific rule that names a unit, and says so.
    @Test func aRuleThatCannotResolveFallsBackAndSaysWhy() throws {
        let noCommunity = AreaPath(district: "330105", street: "330105003", grid: "330105003000007")
        let m = try #require(route("06010", noCommunity, .camera))
        #expect(m.rule.id == "rubbish-xiaohe" && m.unit == "330105003")
        #expect(m.skipped == [RouteMatch.Skip(ruleID: "rubbish-xiaohe-camera", why: "the location has no community area")])
        #expect(m.explanation.contains("stands in for the more specific rubbish-xiaohe-camera (the location has no community area)"))
        #expect(m.dispatchNote == "auto-dispatched by rule rubbish-xiaohe (in place of rubbish-xiaohe-camera: the location has no community area)")
        // A community code no unit answers for is skipped too.
        let unknown = AreaPath(district: "330105", street: "330105003", community: "330105003999")
        #expect(route("06010", unknown, .camera)?.skipped.first?.why == "no unit answers for community 330105003999")
    }

    @Test func whenNoMatchingRuleResolvesTheDispatcherChooses() throws {
        let only = try RoutingTable([RoutingRule(id: "c", unit: "community", deadline: Self.d)], units: Self.units, categories: Self.categories)
        let m = try #require(only.route(category: "06010", area: Self.xiangfu, source: .hotline, units: Self.units))
        #expect(m.rule.id == "c" && m.unit == nil)
        #expect(m.explanation.contains("no matching rule names a unit here: c (the location has no community area)"))
    }

    @Test func rulesThatCanNeverResolveAreWarnedAbout() {
        #expect(Self.table.warnings(levelsInForce: [.district, .street, .community, .grid]).isEmpty)
        let w = Self.table.warnings(levelsInForce: [.district, .street, .grid])
        #expect(w.count == 2 && w[0].hasPrefix("rule rubbish-xiaohe-camera sends cases to the community") && w[1].hasPrefix("rule camera-anything"))
        #expect(Self.table.warnings(levelsInForce: [.district]).count == 6)
    }

    @Test func noRulesNoMatch() {
        #expect(RoutingTable.empty.route(category: "06010", area: Self.xiaohe, source: .camera, units: Self.units) == nil)
    }

    @Test(arguments: [
        ([RoutingRule(id: "a", category: "06", unit: "street", deadline: d), RoutingRule(id: "b", category: "06*", unit: "330105-CGJ", deadline: d)], "rules a and b tie"),
        ([RoutingRule(id: "a", area: "330105003", source: "camera", unit: "street", deadline: d),
          RoutingRule(id: "b", area: "330105003", source: "camera", unit: "community", deadline: d)], "rules a and b tie"),
        ([RoutingRule(id: "a", unit: "street", deadline: d), RoutingRule(id: "a", category: "06", unit: "street", deadline: d)], "used twice"),
        ([RoutingRule(id: "a", unit: "330105-XXX", deadline: d)], "unit '330105-XXX' does not exist"),
        ([RoutingRule(id: "a", category: "99999", unit: "street", deadline: d)], "category '99999'"),
        ([RoutingRule(id: "a", area: "33a", unit: "street", deadline: d)], "area '33a'"),
        ([RoutingRule(id: "a", source: "fax", unit: "street", deadline: d)], "source 'fax'"),
        ([RoutingRule(id: "a", unit: "street", deadline: d, warningShare: 1)], "warning_share"),
        ([RoutingRule(id: "a", unit: "street", deadline: DeadlineSpec(1.5, .workingDays))], "whole number"),
        ([RoutingRule(id: "a", unit: "street", deadline: DeadlineSpec(0, .naturalHours))], "more than 0"),
    ] as [([RoutingRule], String)])
    func badTablesAreRefusedAtLoad(rules: [RoutingRule], message: String) {
        do {
            _ = try RoutingTable(rules, units: Self.units, categories: Self.categories)
            Issue.record("must be refused: \(message)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func sameSpecificityWithoutOverlapIsFine() throws {
        let ok = [RoutingRule(id: "a", category: "06", area: "330105003", unit: "street", deadline: Self.d),
                  RoutingRule(id: "b", category: "06", area: "330105009", unit: "street", deadline: Self.d)]
        #expect(try RoutingTable(ok, units: Self.units, categories: Self.categories).rules.count == 2)
    }

    @Test func rulesDecodeWithDefaults() throws {
        let json = #"{"id":"x","unit":"street","deadline":{"amount":2,"unit":"working_hours"}}"#
        let r = try JSONDecoder().decode(RoutingRule.self, from: Data(json.utf8))
        #expect(r.category == "*" && r.area == "*" && r.source == "*" && r.warningShare == 0.8 && !r.autoDispatch)
    }
}
