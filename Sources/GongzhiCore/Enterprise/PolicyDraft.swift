import Foundation

/// A policy as a department submits it (JSON), checked field by field: a refusal names the exact
/// field (`conditions[1].min`, `amount.fen_per_unit`), so a clerk can fix the one mistake.
public struct PolicyDraft: Sendable, Codable {
    public var code: String?
    public var name: String?
    public var department: String?
    public var opens: String?
    public var closes: String?
    public var conditions: [PolicyCondition]?
    public var amount: AmountRule?
    public var budgetFen: Int64?

    enum CodingKeys: String, CodingKey { case code, name, department, opens, closes, conditions, amount, budgetFen = "budget_fen" }

    public init(code: String?, name: String?, department: String?, opens: String?, closes: String?, conditions: [PolicyCondition]?,
                amount: AmountRule?, budgetFen: Int64? = nil) {
        self.code = code
        self.name = name
        self.department = department
        self.opens = opens
        self.closes = closes
        self.conditions = conditions
        self.amount = amount
        self.budgetFen = budgetFen
    }

    public func validated(units: OrgDirectory, catalogue: EnterpriseCatalogue, by actor: String,
                          at now: Date) throws(EnterpriseError) -> SupportPolicy {
        let code = try EnterpriseError.text(self.code, field: "code", max: 32)
        guard Self.isCode(code) else {
            throw .bad("code", "code takes capitals, digits and hyphens, starting with a capital or digit (QQ-2026-01)")
        }
        let name = try EnterpriseError.text(self.name, field: "name", max: 100)
        let department = try EnterpriseError.text(self.department, field: "department", max: 20)
        guard units[department]?.kind == .department else {
            throw .bad("department", "department must be the code of one of the district's departments (330105-RSJ…)", code: "unknown_value")
        }
        let opens = try Self.day(self.opens, field: "opens"), closes = try Self.day(self.closes, field: "closes")
        guard opens <= closes else { throw .bad("closes", "closes is before opens") }
        guard closes - opens <= 3 * 366 else { throw .bad("closes", "a policy is open for at most three years") }
        let conditions = self.conditions ?? []
        guard conditions.count <= 20 else { throw .bad("conditions", "at most 20 conditions a policy") }
        for (i, c) in conditions.enumerated() { try Self.check(c, field: "conditions[\(i)]", units: units, catalogue: catalogue) }
        guard let amount else { throw .bad("amount", "amount is required", code: "required") }
        try Self.check(amount)
        if let b = budgetFen, !(1...SupportPolicy.maxBudget).contains(b) {
            throw .bad("budget_fen", "budget_fen must be 1–\(SupportPolicy.maxBudget) fen")
        }
        return SupportPolicy(code: code, name: name, department: department, opens: opens, closes: closes, conditions: conditions,
                             amount: amount, budgetFen: budgetFen, createdAt: now, createdBy: actor)
    }

    /// A policy's code: 1–32 capitals, digits and hyphens, not starting with a hyphen (QQ-2026-01).
    public static func isCode(_ s: String) -> Bool {
        guard (1...32).contains(s.unicodeScalars.count), let first = s.unicodeScalars.first, first != "-" else { return false }
        return s.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// A declared figure's name: lower-case ASCII, digits and underscores, so it reads the same
    /// in JSON, in a form field and in a CSV header.
    public static func isFigure(_ s: String) -> Bool {
        guard (1...32).contains(s.count), let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func day(_ text: String?, field: String) throws(EnterpriseError) -> PlanDay {
        guard let text else { throw .bad(field, "\(field) is required", code: "required") }
        guard let d = PlanDays.parse(text) else { throw .bad(field, "\(field) must be a date as YYYY-MM-DD") }
        return d
    }

    static func check(_ c: PolicyCondition, field: String, units: OrgDirectory, catalogue: EnterpriseCatalogue) throws(EnterpriseError) {
        if c.isAttribute {
            guard c.min == nil, c.max == nil else { throw .bad("\(field).min", "\(c.field) is matched with in, not min or max") }
            guard let values = c.values, !values.isEmpty, values.count <= 100 else {
                throw .bad("\(field).in", "\(field).in must list 1–100 accepted values", code: "required")
            }
            for v in values {
                let known = c.field == "industry" ? catalogue.industry(v) != nil : units[v]?.kind == .street
                guard known else { throw .bad("\(field).in", "\(field).in: '\(v.prefix(40))' is not a known \(c.field)", code: "unknown_value") }
            }
            return
        }
        guard isFigure(c.field) else {
            throw .bad("\(field).field", "\(field).field must be industry, street or a figure name such as new_hires")
        }
        guard c.values == nil else { throw .bad("\(field).in", "a figure is bounded with min and max, not in") }
        guard c.min != nil || c.max != nil else { throw .bad("\(field).min", "a figure's condition needs min, max or both", code: "required") }
        if let lo = c.min, let hi = c.max, lo > hi { throw .bad("\(field).max", "\(field).max is below its min") }
    }

    static func check(_ a: AmountRule) throws(EnterpriseError) {
        func amount(_ v: Int64?, _ name: String, required: Bool = true) throws(EnterpriseError) {
            guard let v else {
                if required { throw .bad("amount.\(name)", "amount.\(name) is required for a \(a.kind.rawValue) amount", code: "required") }
                return
            }
            guard (1...Fen.max).contains(v) else { throw .bad("amount.\(name)", "amount.\(name) must be 1–\(Fen.max) fen") }
        }
        func unused(_ v: (any Sendable)?, _ name: String) throws(EnterpriseError) {
            guard v == nil else { throw .bad("amount.\(name)", "a \(a.kind.rawValue) amount takes no \(name)", code: "unknown_field") }
        }
        switch a.kind {
        case .fixed:
            try amount(a.fen, "fen")
            try unused(a.figure, "figure")
            try unused(a.fenPerUnit, "fen_per_unit")
            try unused(a.basisPoints, "basis_points")
            try unused(a.capFen, "cap_fen")
        case .perUnit, .share:
            guard let f = a.figure, isFigure(f) else {
                throw .bad("amount.figure", "amount.figure must name a figure such as new_hires", code: a.figure == nil ? "required" : "invalid")
            }
            try unused(a.fen, "fen")
            if a.kind == .perUnit {
                try amount(a.fenPerUnit, "fen_per_unit")
                try unused(a.basisPoints, "basis_points")
            } else {
                guard let bp = a.basisPoints else { throw .bad("amount.basis_points", "amount.basis_points is required", code: "required") }
                guard (1...10_000).contains(bp) else { throw .bad("amount.basis_points", "amount.basis_points must be 1–10000 (0.01 %–100 %)") }
                try unused(a.fenPerUnit, "fen_per_unit")
            }
            try amount(a.capFen, "cap_fen", required: false)
        }
    }
}
