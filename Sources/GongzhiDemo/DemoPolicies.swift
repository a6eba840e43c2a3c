import Foundation
import GongzhiCore
import GongzhiStore

/// Loads the demo's support policies once, through the policy store and its review machine:
/// three invented policies of 人社局 and 商务局, and applications by the demo enterprises at each
/// stage (paid in two different months, approved and waiting for the finance bureau, submitted,
/// refused), so the ledger and its totals have something to show. Requires `DemoEnterprises`.
public struct DemoPolicies {
    let store: any PolicyStore
    let units: OrgDirectory
    let catalogue: EnterpriseCatalogue

    public init(store: any PolicyStore, units: OrgDirectory, catalogue: EnterpriseCatalogue) {
        self.store = store
        self.units = units
        self.catalogue = catalogue
    }

    /// The demo's reviewers and payer: demo users of the departments (`gongzhi serve` creates them).
    static let clerk = Principal(kind: .user, id: "user:demo-rsj", role: .handler, unit: "330105-RSJ")
    static let leader = Principal(kind: .user, id: "user:demo-rsj-leader", role: .leader, unit: "330105-RSJ")
    static let finance = Principal(kind: .user, id: "user:demo-czj", role: .handler, unit: "330105-CZJ")

    func drafts(year: String, opens: String, closes: String) -> [PolicyDraft] {
        [
            PolicyDraft(code: "QQ-\(year)-01", name: "稳岗扩岗补贴", department: "330105-RSJ", opens: opens, closes: closes,
                        conditions: [PolicyCondition(field: "employees", min: 10)],
                        amount: AmountRule(kind: .perUnit, figure: "new_hires", fenPerUnit: 100_000, capFen: 5_000_000), budgetFen: 2_000_000_000),
            PolicyDraft(code: "QQ-\(year)-02", name: "以工代训补贴", department: "330105-RSJ", opens: opens, closes: closes, conditions: [],
                        amount: AmountRule(kind: .perUnit, figure: "trainees", fenPerUnit: 50_000, capFen: 3_000_000), budgetFen: 500_000_000),
            PolicyDraft(code: "QQ-\(year)-03", name: "商贸流通企业物流补贴", department: "330105-SWJ", opens: opens, closes: closes,
                        conditions: [PolicyCondition(field: "industry", values: ["F", "G"])],
                        amount: AmountRule(kind: .fixed, fen: 2_000_000), budgetFen: nil),
        ]
    }

    /// (enterprise, policy number, figures, commissioner, days ago, how far the review went).
    enum Stage { case submitted, approved, paid, rejected }
    static let applications: [(String, Int, [String: Int64], String, Double, Stage)] = [
        ("91330105MA27WLN3X6", 1, ["employees": 86, "new_hires": 20], "user:demo-xiaohe", 40, .paid),
        ("91330105MA2CD1JT49", 1, ["employees": 35, "new_hires": 8], "user:demo-xiaohe", 10, .paid),
        ("91330105MA28P0K659", 1, ["employees": 24, "new_hires": 3], "user:demo-mishixiang", 6, .approved),
        ("91330105MA2H3QR2U5", 2, ["trainees": 30], "user:demo-mishixiang", 3, .submitted),
        ("91330105MA2B0L7D8U", 1, ["employees": 12, "new_hires": 2], "user:demo-mishixiang", 8, .rejected),
        ("92330105MA2GX4Y15F", 3, [:], "user:demo-xiaohe", 2, .submitted),
    ]

    /// Adds the demo unless a policy exists; returns the policies added.
    @discardableResult
    public func loadIfEmpty(now: Date) async throws -> Int {
        guard try await store.policies().isEmpty else { return 0 }
        let day = 86_400.0, today = PlanDays.of(now)
        let year = String(PlanDays.text(today).prefix(4))
        var codes: [String] = []
        for d in drafts(year: year, opens: PlanDays.text(today - 365), closes: PlanDays.text(today + 180)) {
            let p = try d.validated(units: units, catalogue: catalogue, by: Self.leader.id, at: now.addingTimeInterval(-60 * day))
            codes.append(try await store.define(p).code)
        }
        let desk = PolicyViewer(scope: .all, principal: "system:demo", financeUnit: catalogue.financeUnit)
        for (i, (enterprise, n, figures, commissioner, daysAgo, stage)) in Self.applications.enumerated() {
            let at = now.addingTimeInterval(-daysAgo * day)
            let applicant = Principal(kind: .user, id: commissioner, role: .handler, unit: ReferenceData.districtCode)
            let app = try await store.submit(policy: codes[n - 1], enterprise: enterprise, figures: figures, note: "企业申报，专员代办",
                                             by: applicant, for: desk, at: at)
            func step(_ c: PolicyCommand, by p: Principal, after hours: Double) async throws {
                let scope = Scope.of(unit: p.unit, in: units)
                let viewer = PolicyViewer(scope: scope, principal: p.id, financeUnit: catalogue.financeUnit)
                _ = try await store.advance(app.id, c, by: p, for: viewer, at: at.addingTimeInterval(hours * 3_600))
            }
            switch stage {
            case .submitted: continue
            case .rejected: try await step(.reject(note: "新招人员未缴纳社会保险，不符合条件"), by: Self.clerk, after: 20)
            case .approved, .paid:
                try await step(.check(eligible: true, note: "社保参保人数与新招人员名单已核实"), by: Self.clerk, after: 20)
                try await step(.approve(fen: app.entitlementFen, note: "按标准核定"), by: Self.leader, after: 44)
                if stage == .paid {
                    try await step(.pay(fen: app.entitlementFen, reference: "CZ-\(year)-\(String(format: "%04d", i + 1))"), by: Self.finance,
                                   after: 68)
                }
            }
        }
        return codes.count
    }
}
