import Foundation
import GongzhiCore
import Testing

/// Support policies' pure rules: yuan typed into fen without floating point, amount rules that
/// round down and never overflow, a policy checked field by field, an application held to the
/// policy's period, figures and conditions, and the review's steps by the right people in order.
@Suite struct PolicyTests {
    static let units = try! OrgDirectory([
        OrgUnit(code: "330105", name: "区指挥中心", kind: .district, parentCode: nil, departmentType: "command", areaCode: "330105"),
        OrgUnit(code: "330105003", name: "小河街道办事处", kind: .street, parentCode: "330105", departmentType: "street", areaCode: "330105003"),
        OrgUnit(code: "330105-RSJ", name: "人社局", kind: .department, parentCode: "330105", departmentType: "renshe", areaCode: nil),
        OrgUnit(code: "330105-CZJ", name: "财政局", kind: .department, parentCode: "330105", departmentType: "caizheng", areaCode: nil),
    ])
    static let catalogue = EnterpriseCatalogue(industries: [.init(code: "C", name: "制造业"), .init(code: "I", name: "信息")],
                                               difficulties: [.init(code: "labour", name: "用工难", category: "93011")])
    static let now = Timestamp.parse("2026-11-23T09:00:00+08:00")!
    static let enterprise = Enterprise(code: "91330105MA2GL8KQ40", name: "某机械有限公司", address: "小河路", street: "330105003", industry: "C",
                                       contactName: nil, contactPhone: nil, commissioners: ["user:xiaohe"], registeredAt: now,
                                       registeredBy: "user:clerk")

    /// 稳岗: manufacturing in 小河, at least 10 employees; 1,000 元 per new hire, at most 50,000 元.
    func draft(conditions: [PolicyCondition]? = [PolicyCondition(field: "industry", values: ["C"]),
                                                 PolicyCondition(field: "employees", min: 10)],
               amount: AmountRule? = AmountRule(kind: .perUnit, figure: "new_hires", fenPerUnit: 100_000, capFen: 5_000_000),
               opens: String? = "2026-01-01", closes: String? = "2026-12-31", budget: Int64? = 10_000_000) -> PolicyDraft {
        PolicyDraft(code: "QQ-2026-01", name: "稳岗扩岗补贴", department: "330105-RSJ", opens: opens, closes: closes, conditions: conditions,
                    amount: amount, budgetFen: budget)
    }

    func policy(_ d: PolicyDraft? = nil) throws -> SupportPolicy {
        try (d ?? draft()).validated(units: Self.units, catalogue: Self.catalogue, by: "user:rsj-lead", at: Self.now)
    }

    func field(_ body: () throws(EnterpriseError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let EnterpriseError.invalid(f) {
            return "\(f.field) \(f.code)"
        } catch {
            return "\(error)"
        }
    }

    @Test func yuanBecomeFenWithoutFloatingPoint() throws {
        #expect(try Fen.parse(yuan: "0.1", field: "a") == 10)
        #expect(try Fen.parse(yuan: " 1234.56 ", field: "a") == 123_456)
        #expect(try Fen.parse(yuan: "１２３．５", field: "a") == 12_350)
        #expect(try Fen.parse(yuan: "1,234", field: "a") == 123_400)
        #expect(try Fen.parse(yuan: "1000000000", field: "a") == Fen.max)
        for bad in ["", "-1", "1.234", "1e3", "abc", ".5", "5.", "1.2.3", "0x10", "1 000", "1000000000.01", "9999999999999"] {
            #expect(throws: FieldError.self, "\(bad)") { try Fen.parse(yuan: bad, field: "a") }
        }
        #expect(Fen.yuan(5) == "0.05" && Fen.yuan(-50) == "-0.50" && Fen.yuan(123_456) == "1234.56" && Fen.yuan(0) == "0.00")
        // Sums of fen are exact where sums of yuan as Double are not: 0.1 + 0.2.
        #expect(try Fen.parse(yuan: "0.1", field: "a") + Fen.parse(yuan: "0.2", field: "a") == Fen.parse(yuan: "0.3", field: "a"))
    }

    @Test func amountRulesRoundDownAndNeverOverflow() {
        let perUnit = AmountRule(kind: .perUnit, figure: "new_hires", fenPerUnit: 100_000, capFen: 5_000_000)
        #expect(perUnit.amount(figures: ["new_hires": 12]) == 1_200_000)
        #expect(perUnit.amount(figures: ["new_hires": 60]) == 5_000_000)
        #expect(perUnit.amount(figures: ["new_hires": Int64.max]) == 5_000_000)
        #expect(AmountRule(kind: .perUnit, figure: "n", fenPerUnit: 100_000).amount(figures: ["n": Int64.max / 2]) == nil)
        let share = AmountRule(kind: .share, figure: "investment_fen", basisPoints: 1_000)
        #expect(share.amount(figures: ["investment_fen": 12_345]) == 1_234)
        #expect(share.amount(figures: ["investment_fen": 99_999]) == 9_999)
        #expect(share.amount(figures: ["investment_fen": 10_000_000_000_000]) == nil)
        var capped = share
        capped.capFen = 2_000_000_000
        #expect(capped.amount(figures: ["investment_fen": 10_000_000_000_000]) == 2_000_000_000)
        #expect(AmountRule(kind: .fixed, fen: 300_000).amount(figures: [:]) == 300_000)
    }

    @Test func aPolicyIsCheckedFieldByField() throws {
        let p = try policy()
        #expect(p.figures == ["employees", "new_hires"])
        func check(_ d: PolicyDraft) -> String? { field { () throws(EnterpriseError) in _ = try d.validated(units: Self.units,
                                                                                                        catalogue: Self.catalogue,
                                                                                                        by: "u", at: Self.now) } }
        var d = draft()
        d.code = "qq 1"
        #expect(check(d) == "code invalid")
        d = draft()
        d.department = "330105003"
        #expect(check(d) == "department unknown_value")
        #expect(check(draft(opens: "2026-12-31", closes: "2026-01-01")) == "closes invalid")
        #expect(check(draft(opens: "2026-02-30")) == "opens invalid")
        #expect(check(draft(conditions: [PolicyCondition(field: "industry", values: ["Z"])])) == "conditions[0].in unknown_value")
        #expect(check(draft(conditions: [PolicyCondition(field: "industry", min: 1)])) == "conditions[0].min invalid")
        #expect(check(draft(conditions: [PolicyCondition(field: "Employees", min: 1)])) == "conditions[0].field invalid")
        #expect(check(draft(conditions: [PolicyCondition(field: "employees")])) == "conditions[0].min required")
        #expect(check(draft(conditions: [PolicyCondition(field: "employees", min: 5, max: 1)])) == "conditions[0].max invalid")
        #expect(check(draft(amount: nil)) == "amount required")
        #expect(check(draft(amount: AmountRule(kind: .fixed))) == "amount.fen required")
        #expect(check(draft(amount: AmountRule(kind: .fixed, fen: 0))) == "amount.fen invalid")
        #expect(check(draft(amount: AmountRule(kind: .fixed, fen: 1, figure: "x"))) == "amount.figure unknown_field")
        #expect(check(draft(amount: AmountRule(kind: .share, figure: "x", basisPoints: 10_001))) == "amount.basis_points invalid")
        #expect(check(draft(amount: AmountRule(kind: .perUnit, fenPerUnit: 1))) == "amount.figure required")
        #expect(check(draft(budget: 0)) == "budget_fen invalid")
    }

    func submit(_ p: SupportPolicy, _ figures: [String: Int64]?, at: Date = now) throws(EnterpriseError) -> PolicyApplication {
        try PolicyApplication.submitted(to: p, by: Self.enterprise, figures: figures, note: nil, actor: "user:xiaohe", at: at)
    }

    @Test func anApplicationIsHeldToThePolicy() throws {
        let p = try policy()
        let app = try submit(p, ["employees": 40, "new_hires": 12])
        #expect(app.entitlementFen == 1_200_000 && app.status == .submitted && app.street == "330105003")
        #expect(field { () throws(EnterpriseError) in _ = try submit(p, ["employees": 40]) } == "figures.new_hires required")
        #expect(field { () throws(EnterpriseError) in _ = try submit(p, ["employees": 40, "new_hires": 1, "x": 1]) } == "figures.x unknown_field")
        #expect(field { () throws(EnterpriseError) in _ = try submit(p, ["employees": 9, "new_hires": 1]) } == "figures.employees condition_unmet")
        #expect(field { () throws(EnterpriseError) in _ = try submit(p, ["employees": 10, "new_hires": 0]) } == "figures.new_hires no_amount")
        #expect(field { () throws(EnterpriseError) in _ = try submit(p, ["employees": -1, "new_hires": 1]) } == "figures.employees invalid")
        var other = Self.enterprise
        other.industry = "I"
        #expect(throws: EnterpriseError.self) {
            try PolicyApplication.submitted(to: p, by: other, figures: ["employees": 40, "new_hires": 1], note: nil, actor: "u", at: Self.now)
        }
        // Outside its period (China time: 2027-01-01 00:30 there is 2026-12-31 16:30 UTC).
        let late = Timestamp.parse("2027-01-01T00:30:00+08:00")!
        #expect(throws: EnterpriseError.conflict("policy QQ-2026-01 closed on 2026-12-31")) {
            try submit(p, ["employees": 40, "new_hires": 1], at: late)
        }
        #expect(try submit(p, ["employees": 40, "new_hires": 1], at: Timestamp.parse("2026-12-31T23:59:00+08:00")!).entitlementFen == 100_000)
    }

    func context(_ id: String, _ role: Role, _ unit: String, approved: Int64 = 0) -> PolicyMachine.Context {
        PolicyMachine.Context(principal: Principal(kind: .user, id: id, role: role, unit: unit), scope: Scope.of(unit: unit, in: Self.units),
                              financeUnit: "330105-CZJ", approvedFen: approved, now: Self.now)
    }

    @Test func theReviewTakesItsStepsByTheRightPeopleInOrder() throws {
        let p = try policy()
        var app = try submit(p, ["employees": 40, "new_hires": 12])
        app.id = 7
        let clerk = context("user:rsj-clerk", .handler, "330105-RSJ"), lead = context("user:rsj-lead", .leader, "330105-RSJ")
        let finance = context("user:czj", .handler, "330105-CZJ"), street = context("user:xiaohe", .handler, "330105003")
        func step(_ c: PolicyCommand, _ ctx: PolicyMachine.Context, _ a: PolicyApplication) throws(EnterpriseError) -> PolicyApplication {
            try PolicyMachine.decide(c, on: a, policy: p, context: ctx)
        }
        // Out of order, or by the wrong people.
        #expect(throws: EnterpriseError.self) { try step(.approve(fen: 1, note: nil), lead, app) }
        #expect(throws: EnterpriseError.self) { try step(.check(eligible: true, note: "核"), street, app) }
        #expect(throws: EnterpriseError.self) { try step(.check(eligible: true, note: "核"), finance, app) }
        #expect(field { () throws(EnterpriseError) in _ = try step(.check(eligible: true, note: nil), clerk, app) } == "note required")
        let checked = try step(.check(eligible: true, note: "材料齐全，参保人数核实"), clerk, app)
        #expect(checked.status == .eligible)
        // The checker does not also approve; approval is at most the entitlement and within budget.
        #expect(throws: EnterpriseError.self) { try step(.approve(fen: 1, note: nil), context("user:rsj-clerk", .leader, "330105-RSJ"), checked) }
        #expect(throws: EnterpriseError.self) { try step(.approve(fen: 1, note: nil), clerk, checked) }
        #expect(field { () throws(EnterpriseError) in _ = try step(.approve(fen: 1_200_001, note: nil), lead, checked) }
                == "amount_fen above_entitlement")
        #expect(field { () throws(EnterpriseError) in _ = try step(.approve(fen: 0, note: nil), lead, checked) } == "amount_fen invalid")
        #expect(throws: EnterpriseError.conflict("policy QQ-2026-01's budget has 5000.00 元 left")) {
            try step(.approve(fen: 1_000_000, note: nil), context("user:rsj-lead", .leader, "330105-RSJ", approved: 9_500_000), checked)
        }
        let approved = try step(.approve(fen: 1_000_000, note: "按上限核定"), context("user:rsj-lead", .leader, "330105-RSJ", approved: 9_000_000),
                                checked)
        #expect(approved.status == .approved && approved.approvedFen == 1_000_000)
        #expect(throws: EnterpriseError.self) { try step(.reject(note: "晚了"), clerk, approved) }
        // Paid by the finance bureau only, at most the approval, once.
        #expect(throws: EnterpriseError.self) { try step(.pay(fen: 1, reference: "CZ-2026-0001"), clerk, approved) }
        #expect(field { () throws(EnterpriseError) in _ = try step(.pay(fen: 1_000_001, reference: "CZ-2026-0001"), finance, approved) }
                == "amount_fen above_approved")
        #expect(field { () throws(EnterpriseError) in _ = try step(.pay(fen: 1, reference: "CZ 1"), finance, approved) } == "reference invalid")
        #expect(field { () throws(EnterpriseError) in _ = try step(.pay(fen: 1, reference: nil), finance, approved) } == "reference required")
        let paid = try step(.pay(fen: 1_000_000, reference: "CZ-2026-0001"), finance, approved)
        #expect(paid.status == .paid && paid.paidFen == 1_000_000 && paid.steps.map(\.kind) == [.submit, .check, .approve, .pay])
        #expect(throws: EnterpriseError.conflict("application 7 has been paid: an approval is paid once")) {
            try step(.pay(fen: 1, reference: "CZ-2026-0002"), finance, paid)
        }
        // A refusal needs a reason and ends the review.
        let refused = try step(.reject(note: "参保人数不符"), clerk, app)
        #expect(refused.status == .rejected && refused.status.isRefused)
        #expect(throws: EnterpriseError.self) { try step(.check(eligible: true, note: "再核"), clerk, refused) }
    }

    @Test func whoMayDoWhat() {
        let units = Self.units
        func p(_ role: Role, _ unit: String) -> (Principal, Scope) {
            (Principal(kind: .user, id: "user:x", role: role, unit: unit), Scope.of(unit: unit, in: units))
        }
        let (rsjLead, rsjScope) = p(.leader, "330105-RSJ"), (rsjClerk, _) = p(.handler, "330105-RSJ")
        let (district, all) = p(.leader, "330105"), (czj, czjScope) = p(.handler, "330105-CZJ")
        #expect(PolicyAccess.defines(rsjLead, scope: rsjScope, department: "330105-RSJ"))
        #expect(!PolicyAccess.defines(rsjLead, scope: rsjScope, department: "330105-CZJ"))
        #expect(!PolicyAccess.defines(rsjClerk, scope: rsjScope, department: "330105-RSJ"))
        #expect(PolicyAccess.defines(district, scope: all, department: "330105-RSJ"))
        #expect(PolicyAccess.pays(czj, scope: czjScope, financeUnit: "330105-CZJ"))
        #expect(!PolicyAccess.pays(district, scope: all, financeUnit: "330105-CZJ"))
        #expect(PolicyAccess.applies(Principal(kind: .user, id: "user:xiaohe", role: .handler, unit: "330105003"), for: Self.enterprise))
        #expect(!PolicyAccess.applies(Principal(kind: .user, id: "user:other", role: .dispatcher, unit: "330105"), for: Self.enterprise))
    }
}
