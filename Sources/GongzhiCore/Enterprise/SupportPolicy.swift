import Foundation

/// One condition of a support policy, as data: the enterprise's industry or street among listed
/// values, or a figure the enterprise declares (employees, new hires, investment in fen) within
/// bounds. Kept this small on purpose: a district writes its policies without a programmer, and
/// every condition can be shown to the applicant as one line.
public struct PolicyCondition: Sendable, Codable, Hashable {
    /// `industry`, `street`, or the name of a declared figure (`new_hires`).
    public var field: String
    /// For `industry` and `street`: the accepted values.
    public var values: [String]?
    public var min: Int64?
    public var max: Int64?

    enum CodingKeys: String, CodingKey { case field, values = "in", min, max }

    public init(field: String, values: [String]? = nil, min: Int64? = nil, max: Int64? = nil) {
        self.field = field
        self.values = values
        self.min = min
        self.max = max
    }

    /// The registry's own fields; every other field is a declared figure.
    public static let attributes: Set<String> = ["industry", "street"]

    public var isAttribute: Bool { Self.attributes.contains(field) }

    /// Whether the enterprise and its declared figures meet the condition.
    public func holds(for e: Enterprise, figures: [String: Int64]) -> Bool {
        switch field {
        case "industry": return values?.contains(e.industry) ?? false
        case "street": return values?.contains(e.street) ?? false
        default:
            guard let v = figures[field] else { return false }
            return v >= (min ?? .min) && v <= (max ?? .max)
        }
    }
}

/// How much a policy pays: a fixed sum, an amount per unit of a figure (per new hire), or a
/// share of a figure in basis points (10 % of the investment), each optionally capped. Results
/// round down to the fen: rounding up would pay more than the rule allows.
public struct AmountRule: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable { case fixed, perUnit = "per_unit", share }

    public var kind: Kind
    public var fen: Int64?
    public var figure: String?
    public var fenPerUnit: Int64?
    public var basisPoints: Int64?
    public var capFen: Int64?

    enum CodingKeys: String, CodingKey {
        case kind, fen, figure, fenPerUnit = "fen_per_unit", basisPoints = "basis_points", capFen = "cap_fen"
    }

    public init(kind: Kind, fen: Int64? = nil, figure: String? = nil, fenPerUnit: Int64? = nil, basisPoints: Int64? = nil,
                capFen: Int64? = nil) {
        self.kind = kind
        self.fen = fen
        self.figure = figure
        self.fenPerUnit = fenPerUnit
        self.basisPoints = basisPoints
        self.capFen = capFen
    }

    /// The amount for these figures in fen; nil when it leaves the range a payment may have and
    /// no cap brings it back.
    public func amount(figures: [String: Int64]) -> Int64? {
        let raw: Int64?
        switch kind {
        case .fixed: raw = fen
        case .perUnit: raw = Fen.product(figures[figure ?? ""] ?? 0, fenPerUnit ?? 0)
        case .share:
            // Split so the product cannot overflow: ⌊v × bp / 10000⌋ = ⌊v / 10000⌋ × bp + ⌊(v mod 10000) × bp / 10000⌋.
            let v = figures[figure ?? ""] ?? 0, bp = basisPoints ?? 0
            raw = Fen.product(v / 10_000, bp).flatMap { whole in
                let part = (v % 10_000) * bp / 10_000
                return whole <= Fen.max - part ? whole + part : nil
            }
        }
        guard let cap = capFen else { return raw }
        return raw.map { Swift.min($0, cap) } ?? cap
    }
}

/// A support policy (惠企政策) of a department: who qualifies (conditions), how much it pays
/// (amount rule), when enterprises may apply (open period) and, optionally, its budget, which
/// approvals may not exceed.
public struct SupportPolicy: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    /// The department that reviews and approves applications.
    public var department: String
    public var opens: PlanDay
    public var closes: PlanDay
    public var conditions: [PolicyCondition]
    public var amount: AmountRule
    public var budgetFen: Int64?
    public var createdAt: Date
    public var createdBy: String

    public init(code: String, name: String, department: String, opens: PlanDay, closes: PlanDay, conditions: [PolicyCondition],
                amount: AmountRule, budgetFen: Int64?, createdAt: Date, createdBy: String) {
        self.code = code
        self.name = name
        self.department = department
        self.opens = opens
        self.closes = closes
        self.conditions = conditions
        self.amount = amount
        self.budgetFen = budgetFen
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// The figures an application must declare: those the conditions and the amount rule read.
    public var figures: [String] {
        Set(conditions.filter { !$0.isAttribute }.map(\.field) + [amount.figure].compactMap { $0 }).sorted()
    }

    /// The largest total a budget may have: 1,000 亿元.
    public static let maxBudget: Int64 = 10_000_000_000_000
}
