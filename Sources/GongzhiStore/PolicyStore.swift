import Foundation
import GongzhiCore

/// Who is reading the policy ledger. The district's principals and the finance bureau see all of
/// it; anyone else sees the applications of their streets' enterprises, of the enterprises they
/// serve, and to their department's policies.
public struct PolicyViewer: Sendable {
    public var scope: Scope
    public var principal: String
    /// The finance bureau's unit (`EnterpriseCatalogue.financeUnit`).
    public var financeUnit: String

    public init(scope: Scope, principal: String, financeUnit: String) {
        self.scope = scope
        self.principal = principal
        self.financeUnit = financeUnit
    }

    public var seesAll: Bool { scope.isAll || scope.units.contains(financeUnit) }
    public var enterprises: EnterpriseViewer { EnterpriseViewer(scope: scope, principal: principal) }
}

/// A policy with what it has used so far, over every application (a budget is the district's).
public struct PolicySummary: Sendable {
    public var policy: SupportPolicy
    public var applications: Int
    public var approvedFen: Int64
    public var paidFen: Int64

    public init(policy: SupportPolicy, applications: Int, approvedFen: Int64, paidFen: Int64) {
        self.policy = policy
        self.applications = applications
        self.approvedFen = approvedFen
        self.paidFen = paidFen
    }
}

/// Filters of the applications' list and the payments' ledger. Empty means "any".
public struct PolicyLedgerQuery: Sendable {
    public var policy: String?
    public var streets: [String] = []
    public var enterprise: String?
    public var status: PolicyApplicationStatus?
    /// Payments only: China-time days, both ends included.
    public var from: PlanDay?
    public var to: PlanDay?
    /// The last id of the previous page.
    public var after: Int64?
    public var limit = 100

    public init() {}
}

/// One payment of the ledger, with its approval chain: who checked, who approved, who paid.
public struct PolicyPayment: Sendable, Equatable {
    public var id: Int64
    public var application: Int64
    public var policy: String
    public var enterprise: String
    public var enterpriseName: String
    public var street: String
    public var amountFen: Int64
    public var reference: String
    public var day: PlanDay
    public var paidAt: Date
    public var paidBy: String
    public var approvedBy: String
    public var checkedBy: String

    public init(id: Int64, application: Int64, policy: String, enterprise: String, enterpriseName: String, street: String, amountFen: Int64,
                reference: String, day: PlanDay, paidAt: Date, paidBy: String, approvedBy: String, checkedBy: String) {
        self.id = id
        self.application = application
        self.policy = policy
        self.enterprise = enterprise
        self.enterpriseName = enterpriseName
        self.street = street
        self.amountFen = amountFen
        self.reference = reference
        self.day = day
        self.paidAt = paidAt
        self.paidBy = paidBy
        self.approvedBy = approvedBy
        self.checkedBy = checkedBy
    }
}

/// The ledger's sums, each grouping summing to the same total.
public struct PolicyTotals: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var key: String
        public var payments: Int
        public var fen: Int64

        public init(key: String, payments: Int, fen: Int64) {
            self.key = key
            self.payments = payments
            self.fen = fen
        }
    }

    public var byPolicy: [Row]
    public var byStreet: [Row]
    /// Keyed `2026-11`, China time.
    public var byMonth: [Row]
    public var payments: Int
    public var fen: Int64

    public init(byPolicy: [Row], byStreet: [Row], byMonth: [Row], payments: Int, fen: Int64) {
        self.byPolicy = byPolicy
        self.byStreet = byStreet
        self.byMonth = byMonth
        self.payments = payments
        self.fen = fen
    }
}

/// Support policies, applications and the payment ledger (惠企政策兑现). Each review step runs
/// `PolicyMachine` inside the transaction that writes it, the application locked, so a second
/// payment of one approval, or two approvals past a budget, cannot both commit.
public protocol PolicyStore: Sendable {
    /// Stores a new policy; a code already used is refused (`EnterpriseError.conflict`).
    func define(_ policy: SupportPolicy) async throws -> SupportPolicy
    func policy(_ code: String) async throws -> PolicySummary?
    func policies() async throws -> [PolicySummary]
    /// Files an application of a visible enterprise by `principal` (its commissioner), refused
    /// while another application of the enterprise to the policy is not refused.
    func submit(policy: String, enterprise: String, figures: [String: Int64]?, note: String?, by principal: Principal,
                for viewer: PolicyViewer, at: Date) async throws -> PolicyApplication
    func application(_ id: Int64, for viewer: PolicyViewer) async throws -> PolicyApplication?
    func applications(_ query: PolicyLedgerQuery, for viewer: PolicyViewer) async throws -> [PolicyApplication]
    /// Takes one review step, `PolicyMachine` deciding it with the viewer's scope as the principal's.
    func advance(_ id: Int64, _ command: PolicyCommand, by principal: Principal, for viewer: PolicyViewer,
                 at: Date) async throws -> PolicyApplication
    func payments(_ query: PolicyLedgerQuery, for viewer: PolicyViewer) async throws -> [PolicyPayment]
    func totals(_ query: PolicyLedgerQuery, for viewer: PolicyViewer) async throws -> PolicyTotals
}
