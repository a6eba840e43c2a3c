import Foundation

/// Where an application stands. Only `approved` may be paid, and only once.
public enum PolicyApplicationStatus: String, Sendable, Codable, CaseIterable {
    case submitted, eligible, ineligible, approved, rejected, paid

    /// Whether the enterprise may apply to the same policy again: only after a refusal.
    public var isRefused: Bool { self == .ineligible || self == .rejected }
}

/// One step of an application's review, kept as an event: who checked eligibility, who approved
/// which amount, who paid under which reference. The payment's approval chain is these steps.
public struct PolicyStep: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case submit, check, approve, reject, pay }

    public var kind: Kind
    public var actor: String
    public var at: Date
    /// For `check`: the verdict.
    public var eligible: Bool?
    /// For `approve` and `pay`.
    public var amountFen: Int64?
    /// For `pay`: the payment order's number (支付凭证号), unique in the ledger.
    public var reference: String?
    public var note: String

    public init(kind: Kind, actor: String, at: Date, eligible: Bool? = nil, amountFen: Int64? = nil, reference: String? = nil,
                note: String = "") {
        self.kind = kind
        self.actor = actor
        self.at = at
        self.eligible = eligible
        self.amountFen = amountFen
        self.reference = reference
        self.note = note
    }
}

/// An enterprise's application to a policy: the figures it declared, the amount the rule gives
/// for them (its entitlement), and its review steps.
public struct PolicyApplication: Sendable, Codable, Equatable {
    public var id: Int64
    public var policy: String
    public var enterprise: String
    /// The enterprise's street when it applied: the ledger's totals by street use it.
    public var street: String
    public var figures: [String: Int64]
    public var entitlementFen: Int64
    public var status: PolicyApplicationStatus
    public var steps: [PolicyStep]

    public init(id: Int64, policy: String, enterprise: String, street: String, figures: [String: Int64], entitlementFen: Int64,
                status: PolicyApplicationStatus, steps: [PolicyStep]) {
        self.id = id
        self.policy = policy
        self.enterprise = enterprise
        self.street = street
        self.figures = figures
        self.entitlementFen = entitlementFen
        self.status = status
        self.steps = steps
    }

    public var approvedFen: Int64? { steps.last { $0.kind == .approve }?.amountFen }
    public var paidFen: Int64? { steps.last { $0.kind == .pay }?.amountFen }
    public func actor(of kind: PolicyStep.Kind) -> String? { steps.last { $0.kind == kind }?.actor }

    /// The largest figure an enterprise may declare (10 万亿: investment in fen included).
    public static let maxFigure: Int64 = 10_000_000_000_000

    /// An application as submitted: the policy open on today's date (China time), exactly the
    /// figures the policy reads, every condition met, and an amount above nothing.
    public static func submitted(to policy: SupportPolicy, by e: Enterprise, figures given: [String: Int64]?, note: String?,
                                 actor: String, at now: Date) throws(EnterpriseError) -> PolicyApplication {
        let today = PlanDays.of(now)
        guard today >= policy.opens else { throw .conflict("policy \(policy.code) opens on \(PlanDays.text(policy.opens))") }
        guard today <= policy.closes else { throw .conflict("policy \(policy.code) closed on \(PlanDays.text(policy.closes))") }
        let figures = given ?? [:]
        for name in policy.figures where figures[name] == nil {
            throw .bad("figures.\(name)", "figures.\(name) is required by policy \(policy.code)", code: "required")
        }
        for (name, value) in figures.sorted(by: { $0.key < $1.key }) {
            guard policy.figures.contains(name) else {
                throw .bad("figures.\(name.prefix(40))", "policy \(policy.code) reads no figure '\(name.prefix(40))'", code: "unknown_field")
            }
            guard (0...maxFigure).contains(value) else { throw .bad("figures.\(name)", "figures.\(name) must be 0–\(maxFigure)") }
        }
        for c in policy.conditions where !c.holds(for: e, figures: figures) {
            let field = c.isAttribute ? c.field : "figures.\(c.field)"
            throw .bad(field, "the enterprise does not meet the condition on \(c.field)", code: "condition_unmet")
        }
        guard let fen = policy.amount.amount(figures: figures), fen > 0 else {
            throw .bad("figures.\(policy.amount.figure ?? "")", "these figures give no amount under the policy's rule", code: "no_amount")
        }
        let text = try EnterpriseError.optionalText(note, field: "note", max: 1_000, shape: .multiline) ?? ""
        return PolicyApplication(id: 0, policy: policy.code, enterprise: e.code, street: e.street, figures: figures, entitlementFen: fen,
                                 status: .submitted, steps: [PolicyStep(kind: .submit, actor: actor, at: now, note: text)])
    }
}
