import Foundation
@testable import GongzhiCore
import Testing

/// Role × scope × case × action, every cell, against a specification written out here
/// independently of `AccessPolicy` and `Scope`: subtrees come from the codes' prefixes (Gongshu
/// codes nest: 330105 ⊃ 330105003 ⊃ 330105003051, departments 330105-XXX).
@Suite struct AccessPolicyTests {
    static let units = try! OrgDirectory([
        OrgUnit(code: "330105", name: "区", kind: .district, parentCode: nil, areaCode: "330105"),
        OrgUnit(code: "330105-CGJ", name: "城管局", kind: .department, parentCode: "330105"),
        OrgUnit(code: "330105003", name: "小河街道", kind: .street, parentCode: "330105", areaCode: "330105003"),
        OrgUnit(code: "330105003051", name: "小河社区", kind: .community, parentCode: "330105003", areaCode: "330105003051"),
        OrgUnit(code: "330105001", name: "米市巷街道", kind: .street, parentCode: "330105", areaCode: "330105001"),
        OrgUnit(code: "330105001051", name: "夹城巷社区", kind: .community, parentCode: "330105001", areaCode: "330105001051"),
    ])

    /// Cases: where they are (street, community) and who holds them.
    static let cases: [(name: String, street: String, community: String?, holder: String?)] = [
        ("xiaohe-community-held", "330105003", "330105003051", "330105003051"),
        ("xiaohe-street-held", "330105003", nil, "330105003"),
        ("xiaohe-at-department", "330105003", nil, "330105-CGJ"),
        ("mishixiang-held", "330105001", "330105001051", "330105001"),
        ("mishixiang-unassigned", "330105001", nil, nil),
    ]

    /// The specification: what each role may do at all.
    static let spec: [Role: Set<CaseAction>] = [
        .admin: Set(CaseAction.commands),
        .dispatcher: [.register, .reject, .dispatch, .escalate, .redispatch, .verify, .recheck, .close, .reopen, .comment, .supervise, .merge,
                      .unmerge, .postpone, .evaluate],
        .handler: [.accept, .return, .escalate, .handle, .comment],
        .supervisor: [.supervise, .comment],
        .gridWorker: [.verify, .recheck, .comment],
        .leader: [], .merchant: [], .auditor: [], .machine: [],
    ]

    static func subtree(_ unit: String) -> [String] { units.all.map(\.code).filter { $0.hasPrefix(unit) } }

    static func visible(_ role: Role, _ unit: String, _ c: (name: String, street: String, community: String?, holder: String?)) -> Bool {
        guard role != .machine, role != .merchant else { return false }
        if unit == "330105" { return true }
        let mine = subtree(unit)
        if let h = c.holder, mine.contains(h) { return true }
        return mine.contains(c.street) || c.community.map(mine.contains) == true
    }

    static func record(_ c: (name: String, street: String, community: String?, holder: String?)) -> CaseRecord {
        var report = Report(source: .hotline, category: "06010", description: c.name)
        report.area = AreaPath(district: "330105", street: c.street, community: c.community)
        var r = CaseRecord(id: 1, trackingCode: "GS-TEST-0000-0001", report: report, createdAt: Date(timeIntervalSince1970: 0))
        r.unit = c.holder
        r.status = c.holder == nil ? .registered : .dispatched
        return r
    }

    static let cells: [(Role, String)] = Role.allCases.flatMap { role in units.all.map { (role, $0.code) } }

    @Test(arguments: cells)
    func everyActionOnEveryCase(role: Role, unit: String) {
        let principal = Principal(kind: .user, id: "user:t", role: role, unit: unit)
        let scope = Scope.of(unit: unit, in: Self.units)
        for c in Self.cases {
            let record = Self.record(c)
            let seen = Self.visible(role, unit, c)
            if AccessPolicy.readsCases(role) { #expect(scope.contains(record) == seen, "\(role) \(unit) \(c.name)") }
            for action in CaseAction.commands {
                var expected: AccessPolicy.Decision
                if !seen {
                    expected = .hidden
                } else if !(Self.spec[role] ?? []).contains(action) {
                    expected = .forbidden("a \(role.rawValue) may not \(action.rawValue) cases")
                } else if role == .handler, [.accept, .return, .handle, .escalate].contains(action),
                          !(c.holder.map(Self.subtree(unit).contains) ?? false) {
                    expected = .forbidden("only the unit holding the case may \(action.rawValue) it")
                } else {
                    expected = .allow
                }
                #expect(AccessPolicy.decide(principal, action, on: record, scope: scope) == expected, "\(role) at \(unit) → \(action) on \(c.name)")
            }
        }
    }

    @Test func scopeOfTheDistrictIsEverythingAndOfAStreetIsItsSubtree() {
        #expect(Scope.of(unit: "330105", in: Self.units).isAll)
        let s = Scope.of(unit: "330105003", in: Self.units)
        #expect(!s.isAll && s.units == ["330105003", "330105003051"] && s.areas == ["330105003", "330105003051"])
        #expect(Scope.of(unit: "unknown", in: Self.units).units.isEmpty)
    }

    @Test func onlyTheRightRolesFileReportsOrRevealOrAudit() {
        #expect(Role.allCases.filter(AccessPolicy.files) == [.admin, .dispatcher, .handler, .gridWorker, .machine])
        #expect(Role.allCases.filter(AccessPolicy.imports) == [.admin, .dispatcher])
        #expect(Role.allCases.filter(AccessPolicy.revealsPersonalData) == [.admin, .dispatcher, .handler])
        #expect(Role.allCases.filter(AccessPolicy.readsAudit) == [.admin, .auditor])
    }
}
