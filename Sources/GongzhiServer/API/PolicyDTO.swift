import Foundation
import GongzhiCore
import GongzhiStore

/// A policy as the API shows it: its rule as data, and what it has approved and paid so far.
struct PolicyDTO: Encodable {
    var code: String
    var name: String
    var department: String
    var department_name: String?
    var opens: String
    var closes: String
    var conditions: [PolicyCondition]
    var amount: AmountRule
    var figures: [String]
    var budget_fen: Int64?
    var applications: Int
    var approved_fen: Int64
    var paid_fen: Int64
    var created_at: String
    var created_by: String

    init(_ s: PolicySummary, names: (String) -> String?) {
        let p = s.policy
        code = p.code
        name = p.name
        department = p.department
        department_name = names(p.department)
        opens = PlanDays.text(p.opens)
        closes = PlanDays.text(p.closes)
        conditions = p.conditions
        amount = p.amount
        figures = p.figures
        budget_fen = p.budgetFen
        applications = s.applications
        approved_fen = s.approvedFen
        paid_fen = s.paidFen
        created_at = Timestamp.rfc3339(p.createdAt)
        created_by = p.createdBy
    }
}

struct StepDTO: Encodable {
    var step: String
    var actor: String
    var at: String
    var eligible: Bool?
    var amount_fen: Int64?
    var reference: String?
    var note: String

    init(_ s: PolicyStep) {
        step = s.kind.rawValue
        actor = s.actor
        at = Timestamp.rfc3339(s.at)
        eligible = s.eligible
        amount_fen = s.amountFen
        reference = s.reference
        note = s.note
    }
}

struct ApplicationDTO: Encodable {
    var id: Int64
    var policy: String
    var credit_code: String
    var street: String
    var figures: [String: Int64]
    var entitlement_fen: Int64
    var approved_fen: Int64?
    var paid_fen: Int64?
    var status: String
    var steps: [StepDTO]

    init(_ a: PolicyApplication) {
        id = a.id
        policy = a.policy
        credit_code = a.enterprise
        street = a.street
        figures = a.figures
        entitlement_fen = a.entitlementFen
        approved_fen = a.approvedFen
        paid_fen = a.paidFen
        status = a.status.rawValue
        steps = a.steps.map(StepDTO.init)
    }
}

/// One payment of the ledger with its approval chain, in fen and in yuan as the bureau writes it.
struct PaymentDTO: Encodable {
    var id: Int64
    var reference: String
    var day: String
    var policy: String
    var credit_code: String
    var enterprise_name: String
    var street: String
    var street_name: String?
    var amount_fen: Int64
    var amount_yuan: String
    var application: Int64
    var checked_by: String
    var approved_by: String
    var paid_by: String
    var paid_at: String

    init(_ p: PolicyPayment, names: (String) -> String?) {
        id = p.id
        reference = p.reference
        day = PlanDays.text(p.day)
        policy = p.policy
        credit_code = p.enterprise
        enterprise_name = p.enterpriseName
        street = p.street
        street_name = names(p.street)
        amount_fen = p.amountFen
        amount_yuan = Fen.yuan(p.amountFen)
        application = p.application
        checked_by = p.checkedBy
        approved_by = p.approvedBy
        paid_by = p.paidBy
        paid_at = Timestamp.rfc3339(p.paidAt)
    }
}

struct TotalsDTO: Encodable {
    struct Row: Encodable {
        var key: String
        var name: String?
        var payments: Int
        var fen: Int64
        var yuan: String
    }

    var by_policy: [Row]
    var by_street: [Row]
    var by_month: [Row]
    var payments: Int
    var fen: Int64
    var yuan: String

    init(_ t: PolicyTotals, names: (String) -> String?) {
        func rows(_ list: [PolicyTotals.Row], named: Bool) -> [Row] {
            list.map { Row(key: $0.key, name: named ? names($0.key) : nil, payments: $0.payments, fen: $0.fen, yuan: Fen.yuan($0.fen)) }
        }
        by_policy = rows(t.byPolicy, named: false)
        by_street = rows(t.byStreet, named: true)
        by_month = rows(t.byMonth, named: false)
        payments = t.payments
        fen = t.fen
        yuan = Fen.yuan(t.fen)
    }
}
