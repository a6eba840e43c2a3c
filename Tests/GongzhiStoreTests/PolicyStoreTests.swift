import Foundation
import GongzhiCore
import GongzhiSQL
import GongzhiStore
import GongzhiTestSupport
import Testing

/// The policy ledger's store on both backends: an application's review written step by step, one
/// payment per approval and per reference (also when two payers race), a budget two approvers
/// cannot overrun together, the ledger's totals equal to its payments, each viewer held to their
/// part, and the ledger's rows never rewritten.
@Suite struct PolicyStoreTests {
    static let t0 = Timestamp.parse("2026-10-20T09:00:00+08:00")!
    static let codes = [("91330105MA2GL8KQ40", "330105003"), ("92330105MA2CGK1N2L", "330105003"), ("52330105MA28F0QP7G", "330105001")]

    struct Setup {
        let f: StoreFixture
        let store: any PolicyStore
        let district: PolicyViewer
        func viewer(_ unit: String, _ id: String) -> PolicyViewer {
            PolicyViewer(scope: Scope.of(unit: unit, in: f.reference.units), principal: id, financeUnit: "330105-CZJ")
        }
        func principal(_ id: String, _ role: Role, _ unit: String) -> Principal { Principal(kind: .user, id: id, role: role, unit: unit) }
        var commissioner: Principal { principal("user:xiaohe", .handler, "330105003") }
        var clerk: Principal { principal("user:rsj-clerk", .handler, "330105-RSJ") }
        var lead: Principal { principal("user:rsj-lead", .leader, "330105-RSJ") }
        var finance: Principal { principal("user:czj", .handler, "330105-CZJ") }
        func as_(_ p: Principal) -> PolicyViewer { viewer(p.unit, p.id) }
    }

    func setup(_ backend: Backend, budget: Int64? = 10_000_000) async throws -> Setup {
        let f = try await StoreFixture(backend)
        let all = EnterpriseViewer(scope: .all, principal: "user:boss")
        for (code, street) in Self.codes {
            _ = try await f.store.enterprises.register(Enterprise(code: code, name: "企业\(code.suffix(4))", address: "拱墅区", street: street,
                                                                  industry: "C", contactName: nil, contactPhone: nil, commissioners: [],
                                                                  registeredAt: Self.t0, registeredBy: "user:clerk"))
            _ = try await f.store.enterprises.setCommissioners(of: code, to: ["user:xiaohe"], by: "user:boss", at: Self.t0, for: all)
        }
        let draft = PolicyDraft(code: "QQ-2026-01", name: "稳岗扩岗补贴", department: "330105-RSJ", opens: "2026-01-01", closes: "2026-12-31",
                                conditions: [PolicyCondition(field: "employees", min: 10)],
                                amount: AmountRule(kind: .perUnit, figure: "new_hires", fenPerUnit: 100_000, capFen: 5_000_000),
                                budgetFen: budget)
        let catalogue = try ReferenceData.enterpriseCatalogue(units: f.reference.units, categories: f.reference.categories)
        let policy = try draft.validated(units: f.reference.units, catalogue: catalogue, by: "user:rsj-lead", at: Self.t0)
        let store = f.store.policies
        _ = try await store.define(policy)
        await #expect(throws: EnterpriseError.self) { try await store.define(policy) }
        return Setup(f: f, store: store, district: PolicyViewer(scope: .all, principal: "user:boss", financeUnit: "330105-CZJ"))
    }

    func submit(_ s: Setup, _ code: String, hires: Int64 = 12, at: Date = t0) async throws -> PolicyApplication {
        try await s.store.submit(policy: "QQ-2026-01", enterprise: code, figures: ["employees": 40, "new_hires": hires], note: "申请",
                                 by: s.commissioner, for: s.as_(s.commissioner), at: at)
    }

    /// Checked and approved: ready to pay.
    func approved(_ s: Setup, _ code: String, fen: Int64, at: Date = t0) async throws -> PolicyApplication {
        let app = try await submit(s, code, at: at)
        _ = try await s.store.advance(app.id, .check(eligible: true, note: "核实"), by: s.clerk, for: s.as_(s.clerk), at: at)
        return try await s.store.advance(app.id, .approve(fen: fen, note: nil), by: s.lead, for: s.as_(s.lead), at: at)
    }

    @Test(arguments: Backend.all) func anApplicationIsReviewedAndPaidOnce(backend: Backend) async throws {
        let s = try await setup(backend)
        let app = try await submit(s, Self.codes[0].0)
        #expect(app.id > 0 && app.entitlementFen == 1_200_000)
        // One open application an enterprise and policy.
        await #expect(throws: EnterpriseError.self) { try await submit(s, Self.codes[0].0) }
        // The third enterprise's commissioner is not this one: another principal is refused.
        let stranger = s.principal("user:gongchen", .handler, "330105001")
        await #expect(throws: EnterpriseError.self) {
            try await s.store.submit(policy: "QQ-2026-01", enterprise: Self.codes[2].0, figures: ["employees": 40, "new_hires": 1], note: nil,
                                     by: stranger, for: s.as_(stranger), at: Self.t0)
        }
        _ = try await s.store.advance(app.id, .check(eligible: true, note: "核实"), by: s.clerk, for: s.as_(s.clerk), at: Self.t0)
        let ok = try await s.store.advance(app.id, .approve(fen: 1_000_000, note: "核定"), by: s.lead, for: s.as_(s.lead), at: Self.t0)
        #expect(ok.status == .approved)
        let paid = try await s.store.advance(app.id, .pay(fen: 1_000_000, reference: "CZ-2026-0001"), by: s.finance, for: s.as_(s.finance),
                                             at: Self.t0)
        #expect(paid.status == .paid)
        await #expect(throws: EnterpriseError.self) {
            try await s.store.advance(app.id, .pay(fen: 1, reference: "CZ-2026-0002"), by: s.finance, for: s.as_(s.finance), at: Self.t0)
        }
        // The same payment order cannot pay a second approval.
        let second = try await approved(s, Self.codes[1].0, fen: 500_000)
        await #expect(throws: EnterpriseError.self) {
            try await s.store.advance(second.id, .pay(fen: 500_000, reference: "CZ-2026-0001"), by: s.finance, for: s.as_(s.finance),
                                      at: Self.t0)
        }
        #expect(try await s.store.application(second.id, for: s.district)?.status == .approved)
        let read = try await s.store.application(app.id, for: s.district)
        #expect(read?.steps.map(\.kind) == [.submit, .check, .approve, .pay] && read?.steps[1].eligible == true)
        #expect(read?.paidFen == 1_000_000 && read?.steps.last?.reference == "CZ-2026-0001")
        let ledger = try await s.store.payments(PolicyLedgerQuery(), for: s.district)
        #expect(ledger.count == 1 && ledger[0].checkedBy == "user:rsj-clerk" && ledger[0].approvedBy == "user:rsj-lead"
                && ledger[0].paidBy == "user:czj" && ledger[0].enterpriseName == "企业KQ40")
        // After a refusal the enterprise may apply again.
        _ = try await s.store.advance(second.id, .pay(fen: 1, reference: "CZ-2026-0003"), by: s.finance, for: s.as_(s.finance), at: Self.t0)
        let third = try await submit(s, Self.codes[2].0)
        _ = try await s.store.advance(third.id, .reject(note: "材料不全"), by: s.clerk, for: s.as_(s.clerk), at: Self.t0)
        #expect(try await submit(s, Self.codes[2].0).id > third.id)
        // The ledger's rows are never rewritten.
        await #expect(throws: (any Error).self) { try await s.f.db.sql.write { try $0.execute("UPDATE policy_payments SET amount_fen = 1", []) } }
        await #expect(throws: (any Error).self) { try await s.f.db.sql.write { try $0.execute("DELETE FROM policy_steps", []) } }
    }

    @Test(arguments: Backend.all) func racingPayersAndApproversCannotOverrun(backend: Backend) async throws {
        let s = try await setup(backend, budget: 1_500_000)
        let app = try await approved(s, Self.codes[0].0, fen: 1_000_000)
        let store = s.store, finance = s.finance, viewer = s.as_(s.finance)
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<6 {
                group.addTask {
                    (try? await store.advance(app.id, .pay(fen: 1_000_000, reference: "CZ-RACE-\(i)"), by: finance, for: viewer, at: Self.t0)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try await s.f.db.count("SELECT COUNT(*) FROM policy_payments") == 1)
        // Two eligible applications whose approvals together exceed what the budget has left.
        var ids: [Int64] = []
        for code in [Self.codes[1].0, Self.codes[2].0] {
            let a = try await submit(s, code)
            _ = try await s.store.advance(a.id, .check(eligible: true, note: "核实"), by: s.clerk, for: s.as_(s.clerk), at: Self.t0)
            ids.append(a.id)
        }
        let lead = s.lead, leadViewer = s.as_(s.lead)
        let approvals = await withTaskGroup(of: Bool.self) { group in
            for id in ids {
                group.addTask { (try? await store.advance(id, .approve(fen: 400_000, note: nil), by: lead, for: leadViewer, at: Self.t0)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(approvals.filter { $0 }.count == 1)
        #expect(try await s.store.policy("QQ-2026-01")?.approvedFen == 1_400_000)
    }

    @Test(arguments: Backend.all) func totalsEqualThePaymentsAndViewersSeeTheirPart(backend: Backend) async throws {
        let s = try await setup(backend, budget: nil)
        // Payments in two months and two streets, odd fen amounts included.
        let amounts: [(Int, Int64, String)] = [(0, 1_000_001, "2026-10-20T09:00:00+08:00"), (1, 333_333, "2026-10-31T23:59:00+08:00"),
                                               (2, 99, "2026-11-01T00:01:00+08:00")]
        for (i, fen, when) in amounts {
            let at = Timestamp.parse(when)!
            let a = try await approved(s, Self.codes[i].0, fen: fen, at: at)
            _ = try await s.store.advance(a.id, .pay(fen: fen, reference: "CZ-\(i)"), by: s.finance, for: s.as_(s.finance), at: at)
        }
        let totals = try await s.store.totals(PolicyLedgerQuery(), for: s.district)
        let sum = try await s.store.payments(PolicyLedgerQuery(), for: s.district).reduce(Int64(0)) { $0 + $1.amountFen }
        #expect(totals.fen == sum && sum == 1_333_433 && totals.payments == 3)
        for rows in [totals.byPolicy, totals.byStreet, totals.byMonth] { #expect(rows.reduce(Int64(0)) { $0 + $1.fen } == sum) }
        #expect(totals.byMonth.map(\.key) == ["2026-10", "2026-11"] && totals.byMonth.map(\.fen) == [1_333_334, 99])
        #expect(totals.byStreet.map(\.key) == ["330105001", "330105003"])
        var november = PolicyLedgerQuery()
        november.from = PlanDays.parse("2026-11-01")
        #expect(try await s.store.payments(november, for: s.district).map(\.amountFen) == [99])

        // Each viewer's part: the finance bureau and the department all of it, a street its own.
        let xiaohe = s.viewer("330105003", "user:xiaohe-clerk"), gongchen = s.viewer("330105001", "user:gongchen")
        let other = s.viewer("330105-JXJ", "user:jxj")
        #expect(try await s.store.totals(PolicyLedgerQuery(), for: s.as_(s.finance)).fen == sum)
        #expect(try await s.store.totals(PolicyLedgerQuery(), for: s.as_(s.clerk)).fen == sum)
        #expect(try await s.store.totals(PolicyLedgerQuery(), for: xiaohe).fen == 1_333_334)
        #expect(try await s.store.payments(PolicyLedgerQuery(), for: gongchen).map(\.amountFen) == [99])
        #expect(try await s.store.applications(PolicyLedgerQuery(), for: other).isEmpty)
        let nothing = PolicyTotals(byPolicy: [], byStreet: [], byMonth: [], payments: 0, fen: 0)
        #expect(try await s.store.totals(PolicyLedgerQuery(), for: other) == nothing)
        let first = try await s.store.applications(PolicyLedgerQuery(), for: s.district)[0]
        #expect(try await s.store.application(first.id, for: gongchen) == nil)
        // The commissioner sees the enterprises they serve, wherever those are.
        #expect(try await s.store.applications(PolicyLedgerQuery(), for: s.as_(s.commissioner)).count == 3)
    }
}
