import Foundation

/// A review step asked for: the department's eligibility check (审核), its leader's approval of
/// an amount (审批), a refusal, or the finance bureau's payment (拨付).
public enum PolicyCommand: Sendable, Equatable {
    case check(eligible: Bool, note: String?)
    case approve(fen: Int64?, note: String?)
    case reject(note: String?)
    case pay(fen: Int64?, reference: String?)
}

/// Who may take which step. The department that owns the policy checks and approves; the
/// finance bureau pays. Pure, so it is tested role by role.
public enum PolicyAccess {
    /// Policies are written by admins and by a department's leaders for their own department.
    public static func defines(_ p: Principal, scope: Scope, department: String) -> Bool {
        p.role == .admin || (p.role == .leader && (scope.isAll || scope.units.contains(department)))
    }

    /// Enterprises apply through their commissioners (代办), or an admin on their behalf.
    public static func applies(_ p: Principal, for e: Enterprise) -> Bool { EnterpriseAccess.logsVisits(p, on: e) }

    /// The eligibility check and a refusal: the department's staff.
    public static func checks(_ p: Principal, scope: Scope, policy: SupportPolicy) -> Bool {
        p.role == .admin || ([.handler, .leader].contains(p.role) && scope.units.contains(policy.department))
    }

    /// The approval: the department's leaders, or the district's.
    public static func approves(_ p: Principal, scope: Scope, policy: SupportPolicy) -> Bool {
        p.role == .admin || (p.role == .leader && (scope.isAll || scope.units.contains(policy.department)))
    }

    /// The payment: the finance bureau's staff.
    public static func pays(_ p: Principal, scope: Scope, financeUnit: String) -> Bool {
        p.role == .admin || ([.handler, .leader].contains(p.role) && scope.units.contains(financeUnit))
    }
}

/// The review of an application as a pure function: the next step and the status it leads to,
/// or why it is refused. The store runs it inside the transaction that writes the step, with the
/// policy's approvals so far, so two approvals cannot both fit the last of a budget.
public enum PolicyMachine {
    public struct Context: Sendable {
        public var principal: Principal
        public var scope: Scope
        public var financeUnit: String
        /// The policy's approved amounts so far, other applications included (the budget's use).
        public var approvedFen: Int64
        public var now: Date

        public init(principal: Principal, scope: Scope, financeUnit: String, approvedFen: Int64, now: Date) {
            self.principal = principal
            self.scope = scope
            self.financeUnit = financeUnit
            self.approvedFen = approvedFen
            self.now = now
        }
    }

    public static func decide(_ command: PolicyCommand, on app: PolicyApplication, policy: SupportPolicy,
                              context c: Context) throws(EnterpriseError) -> PolicyApplication {
        let p = c.principal
        var next = app
        switch command {
        case .check(let eligible, let note):
            guard PolicyAccess.checks(p, scope: c.scope, policy: policy) else {
                throw .forbidden("only staff of \(policy.department) check applications to \(policy.code)")
            }
            guard app.status == .submitted else { throw .conflict("application \(app.id) is \(app.status.rawValue), not submitted") }
            let text = try EnterpriseError.text(note, field: "note", max: 1_000, shape: .multiline)
            next.status = eligible ? .eligible : .ineligible
            next.steps.append(PolicyStep(kind: .check, actor: p.id, at: c.now, eligible: eligible, note: text))
        case .approve(let fen, let note):
            guard PolicyAccess.approves(p, scope: c.scope, policy: policy) else {
                throw .forbidden("only leaders of \(policy.department) approve applications to \(policy.code)")
            }
            guard app.status == .eligible else { throw .conflict("application \(app.id) is \(app.status.rawValue), not eligible") }
            guard app.actor(of: .check) != p.id else {
                throw .forbidden("the eligibility check and the approval are by different people (审核 and 审批)")
            }
            guard let fen else { throw .bad("amount_fen", "amount_fen is required", code: "required") }
            guard fen >= 1 else { throw .bad("amount_fen", "amount_fen must be at least 1 fen") }
            guard fen <= app.entitlementFen else {
                throw .bad("amount_fen", "amount_fen \(fen) is above the entitlement of \(app.entitlementFen) fen", code: "above_entitlement")
            }
            if let budget = policy.budgetFen, c.approvedFen > budget - fen {
                throw .conflict("policy \(policy.code)'s budget has \(Fen.yuan(max(0, budget - c.approvedFen))) 元 left")
            }
            let text = try EnterpriseError.optionalText(note, field: "note", max: 1_000, shape: .multiline) ?? ""
            next.status = .approved
            next.steps.append(PolicyStep(kind: .approve, actor: p.id, at: c.now, amountFen: fen, note: text))
        case .reject(let note):
            guard PolicyAccess.checks(p, scope: c.scope, policy: policy) else {
                throw .forbidden("only staff of \(policy.department) refuse applications to \(policy.code)")
            }
            guard [.submitted, .eligible].contains(app.status) else {
                throw .conflict("application \(app.id) is \(app.status.rawValue); only one under review can be refused")
            }
            let text = try EnterpriseError.text(note, field: "note", max: 1_000, shape: .multiline)
            next.status = .rejected
            next.steps.append(PolicyStep(kind: .reject, actor: p.id, at: c.now, note: text))
        case .pay(let fen, let reference):
            guard PolicyAccess.pays(p, scope: c.scope, financeUnit: c.financeUnit) else {
                throw .forbidden("only the finance bureau (\(c.financeUnit)) pays out")
            }
            guard app.status != .paid else { throw .conflict("application \(app.id) has been paid: an approval is paid once") }
            guard app.status == .approved, let approved = app.approvedFen else {
                throw .conflict("application \(app.id) is \(app.status.rawValue), not approved")
            }
            guard app.actor(of: .approve) != p.id else { throw .forbidden("the approver does not also pay") }
            guard let fen else { throw .bad("amount_fen", "amount_fen is required", code: "required") }
            guard fen >= 1 else { throw .bad("amount_fen", "amount_fen must be at least 1 fen") }
            guard fen <= approved else {
                throw .bad("amount_fen", "amount_fen \(fen) is above the approved \(approved) fen", code: "above_approved")
            }
            let ref = try EnterpriseError.text(reference, field: "reference", max: 40)
            guard ref.count >= 4, ref.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                    || "-_/".unicodeScalars.contains($0)) }) else {
                throw .bad("reference", "reference is the payment order's number: 4–40 letters, digits, - _ /")
            }
            next.status = .paid
            next.steps.append(PolicyStep(kind: .pay, actor: p.id, at: c.now, amountFen: fen, reference: ref))
        }
        return next
    }
}
