import Foundation
import GongzhiCore
import GongzhiStore

/// Support policies and their payouts on either backend: `policies`, `policy_applications` (one
/// row per application, its status and amounts kept beside its steps for the lists),
/// `policy_steps` (the review as events) and `policy_payments` (the ledger: one payment per
/// application and per reference, both enforced by unique keys as well as by the machine).
public struct SQLPolicyStore: PolicyStore {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    public static func ddl(integer: String, text: String, serial: String) -> [String] {
        [
            "CREATE TABLE policies (code \(text) PRIMARY KEY, name TEXT NOT NULL, department \(text) NOT NULL, opens \(integer) NOT NULL, "
                + "closes \(integer) NOT NULL, conditions TEXT NOT NULL, amount TEXT NOT NULL, budget_fen \(integer), "
                + "created_at \(integer) NOT NULL, created_by TEXT NOT NULL)",
            "CREATE TABLE policy_applications (id \(serial), policy \(text) NOT NULL, enterprise \(text) NOT NULL, street \(text) NOT NULL, "
                + "figures TEXT NOT NULL, entitlement_fen \(integer) NOT NULL, status \(text) NOT NULL, approved_fen \(integer), "
                + "paid_fen \(integer), submitted_at \(integer) NOT NULL, submitted_by TEXT NOT NULL)",
            "CREATE INDEX policy_applications_by_policy ON policy_applications(policy, enterprise)",
            "CREATE INDEX policy_applications_by_enterprise ON policy_applications(enterprise)",
            "CREATE TABLE policy_steps (id \(serial), application \(integer) NOT NULL, kind \(text) NOT NULL, actor TEXT NOT NULL, "
                + "at \(integer) NOT NULL, eligible \(integer), amount_fen \(integer), reference TEXT, note TEXT NOT NULL)",
            "CREATE INDEX policy_steps_by_application ON policy_steps(application, id)",
            "CREATE TABLE policy_payments (id \(serial), application \(integer) NOT NULL UNIQUE, policy \(text) NOT NULL, "
                + "enterprise \(text) NOT NULL, street \(text) NOT NULL, amount_fen \(integer) NOT NULL, reference \(text) NOT NULL UNIQUE, "
                + "day \(integer) NOT NULL, month \(text) NOT NULL, paid_at \(integer) NOT NULL, paid_by TEXT NOT NULL, "
                + "approved_by TEXT NOT NULL, checked_by TEXT NOT NULL)",
            "CREATE INDEX policy_payments_by_day ON policy_payments(day, id)",
        ]
    }

    /// The viewer's part of the ledger, on the columns `policy_applications` and
    /// `policy_payments` share: their streets, the enterprises they serve, their department's policies.
    static func visible(_ viewer: PolicyViewer) -> (clause: String, args: [SQLValue]) {
        guard !viewer.seesAll else { return ("1 = 1", []) }
        var parts = ["enterprise IN (SELECT code FROM enterprise_commissioners WHERE commissioner = ?)"]
        var args: [SQLValue] = [.text(viewer.principal)]
        let areas = viewer.scope.areas.sorted(), units = viewer.scope.units.sorted()
        if !areas.isEmpty {
            parts.append("street IN (\(FilterSQL.marks(areas.count)))")
            args += areas.map(SQLValue.text)
        }
        if !units.isEmpty {
            parts.append("policy IN (SELECT code FROM policies WHERE department IN (\(FilterSQL.marks(units.count))))")
            args += units.map(SQLValue.text)
        }
        return ("(" + parts.joined(separator: " OR ") + ")", args)
    }

    static func policy(_ row: SQLRow) throws -> SupportPolicy {
        SupportPolicy(code: try row.decode("code"), name: try row.decode("name"), department: try row.decode("department"),
                      opens: try row.decode("opens"), closes: try row.decode("closes"),
                      conditions: try SQLCentreStore.decode([PolicyCondition].self, try row.decode("conditions")),
                      amount: try SQLCentreStore.decode(AmountRule.self, try row.decode("amount")), budgetFen: try row.decode("budget_fen"),
                      createdAt: Timestamp.date(millis: try row.decode("created_at")), createdBy: try row.decode("created_by"))
    }

    static let summaryColumns = "p.*, (SELECT COUNT(*) FROM policy_applications a WHERE a.policy = p.code) AS applications, "
        + "(SELECT CAST(COALESCE(SUM(a.approved_fen), 0) AS BIGINT) FROM policy_applications a WHERE a.policy = p.code) AS approved, "
        + "(SELECT CAST(COALESCE(SUM(a.paid_fen), 0) AS BIGINT) FROM policy_applications a WHERE a.policy = p.code) AS paid"

    static func summary(_ row: SQLRow) throws -> PolicySummary {
        PolicySummary(policy: try policy(row), applications: Int(try row.decode("applications", as: Int64.self)),
                      approvedFen: try row.decode("approved"), paidFen: try row.decode("paid"))
    }

    static func findPolicy(_ s: any SQLSession, _ code: String) throws -> PolicySummary? {
        try s.first("SELECT \(summaryColumns) FROM policies p WHERE p.code = ?", code).map(summary)
    }

    public func define(_ p: SupportPolicy) async throws -> SupportPolicy {
        try await db.write { s in
            if try s.first("SELECT code FROM policies WHERE code = ?", p.code) != nil {
                throw EnterpriseError.conflict("a policy with code \(p.code) already exists")
            }
            try s.execute("INSERT INTO policies (code, name, department, opens, closes, conditions, amount, budget_fen, created_at, created_by) "
                          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", p.code, p.name, p.department, p.opens, p.closes,
                          try SQLCentreStore.json(p.conditions), try SQLCentreStore.json(p.amount), p.budgetFen,
                          Timestamp.millis(p.createdAt), p.createdBy)
            try AuditLog.append(s, at: p.createdAt, actor: p.createdBy, action: "policy_defined",
                                detail: ["code": p.code, "department": p.department])
            return p
        }
    }

    public func policy(_ code: String) async throws -> PolicySummary? { try await db.read { try Self.findPolicy($0, code) } }

    public func policies() async throws -> [PolicySummary] {
        try await db.read { try $0.query("SELECT \(Self.summaryColumns) FROM policies p ORDER BY p.opens DESC, p.code").map(Self.summary) }
    }

    static func find(_ s: any SQLSession, _ id: Int64, _ viewer: PolicyViewer) throws -> PolicyApplication? {
        let (clause, args) = visible(viewer)
        guard let row = try s.query("SELECT * FROM policy_applications WHERE id = ? AND \(clause)", [.int(id)] + args).first else { return nil }
        return try withSteps(s, [try application(row)]).first
    }

    static func application(_ row: SQLRow) throws -> PolicyApplication {
        PolicyApplication(id: try row.decode("id"), policy: try row.decode("policy"), enterprise: try row.decode("enterprise"),
                          street: try row.decode("street"), figures: try SQLCentreStore.decode([String: Int64].self, try row.decode("figures")),
                          entitlementFen: try row.decode("entitlement_fen"),
                          status: PolicyApplicationStatus(rawValue: try row.decode("status")) ?? .submitted, steps: [])
    }

    static func withSteps(_ s: any SQLSession, _ list: [PolicyApplication]) throws -> [PolicyApplication] {
        guard !list.isEmpty else { return [] }
        var steps: [Int64: [PolicyStep]] = [:]
        let rows = try s.query("SELECT * FROM policy_steps WHERE application IN (\(FilterSQL.marks(list.count))) ORDER BY id",
                               list.map { .int($0.id) })
        for row in rows {
            let eligible: Int64? = try row.decode("eligible")
            let step = PolicyStep(kind: PolicyStep.Kind(rawValue: try row.decode("kind")) ?? .submit, actor: try row.decode("actor"),
                                  at: Timestamp.date(millis: try row.decode("at")), eligible: eligible.map { $0 != 0 },
                                  amountFen: try row.decode("amount_fen"), reference: try row.decode("reference"), note: try row.decode("note"))
            steps[try row.decode("application"), default: []].append(step)
        }
        return list.map { a in
            var a = a
            a.steps = steps[a.id] ?? []
            return a
        }
    }

    static func insert(_ s: any SQLSession, _ step: PolicyStep, of id: Int64) throws {
        try s.execute("INSERT INTO policy_steps (application, kind, actor, at, eligible, amount_fen, reference, note) "
                      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      id, step.kind.rawValue, step.actor, Timestamp.millis(step.at), step.eligible.map { $0 ? 1 : 0 }, step.amountFen,
                      step.reference, step.note)
    }

    public func submit(policy code: String, enterprise: String, figures: [String: Int64]?, note: String?, by principal: Principal,
                       for viewer: PolicyViewer, at now: Date) async throws -> PolicyApplication {
        try await db.write { s in
            try s.lock("enterprise:\(enterprise)")
            guard let policy = try Self.findPolicy(s, code)?.policy else { throw StoreError.notFound("policy \(code)") }
            guard let e = try SQLEnterpriseStore.find(s, enterprise, viewer.enterprises) else {
                throw StoreError.notFound("enterprise \(enterprise)")
            }
            guard PolicyAccess.applies(principal, for: e) else {
                throw EnterpriseError.forbidden("an enterprise applies through its commissioners")
            }
            var app = try PolicyApplication.submitted(to: policy, by: e, figures: figures, note: note, actor: principal.id, at: now)
            let open = try s.query("SELECT id, status FROM policy_applications WHERE policy = ? AND enterprise = ?", code, enterprise)
                .first { PolicyApplicationStatus(rawValue: (try? $0.decode("status")) ?? "")?.isRefused == false }
            if let open {
                let id: Int64 = try open.decode("id")
                throw EnterpriseError.conflict("the enterprise's application \(id) to policy \(code) is still open")
            }
            app.id = try s.insert("INSERT INTO policy_applications (policy, enterprise, street, figures, entitlement_fen, status, submitted_at, "
                                  + "submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", app.policy, app.enterprise, app.street,
                                  try SQLCentreStore.json(app.figures), app.entitlementFen, app.status.rawValue, Timestamp.millis(now),
                                  principal.id)
            for step in app.steps { try Self.insert(s, step, of: app.id) }
            return app
        }
    }

    public func application(_ id: Int64, for viewer: PolicyViewer) async throws -> PolicyApplication? {
        try await db.read { try Self.find($0, id, viewer) }
    }

    static func filter(_ q: PolicyLedgerQuery, _ viewer: PolicyViewer) -> FilterSQL {
        let (clause, args) = visible(viewer)
        var f = FilterSQL(clauses: [clause], args: args)
        if let p = q.policy { f.anyOf("policy", [p]) }
        f.anyOf("street", q.streets)
        if let e = q.enterprise { f.anyOf("enterprise", [e]) }
        if let after = q.after {
            f.clauses.append("id > ?")
            f.args.append(.int(after))
        }
        return f
    }

    public func applications(_ q: PolicyLedgerQuery, for viewer: PolicyViewer) async throws -> [PolicyApplication] {
        try await db.read { s in
            var f = Self.filter(q, viewer)
            if let status = q.status { f.anyOf("status", [status.rawValue]) }
            let sql = "SELECT * FROM policy_applications WHERE " + f.clauses.joined(separator: " AND ") + " ORDER BY id LIMIT ?"
            return try Self.withSteps(s, try s.query(sql, f.args + [.int(Int64(q.limit))]).map(Self.application))
        }
    }

    public func advance(_ id: Int64, _ command: PolicyCommand, by principal: Principal, for viewer: PolicyViewer,
                        at now: Date) async throws -> PolicyApplication {
        try await db.write { s in
            try s.lock("policy-application:\(id)")
            guard let app = try Self.find(s, id, viewer) else { throw StoreError.notFound("application \(id)") }
            // The policy's lock serialises approvals, so two cannot both fit the budget's last fen.
            try s.lock("policy:\(app.policy)")
            guard let summary = try Self.findPolicy(s, app.policy) else { throw StoreError.notFound("policy \(app.policy)") }
            let context = PolicyMachine.Context(principal: principal, scope: viewer.scope, financeUnit: viewer.financeUnit,
                                                approvedFen: summary.approvedFen, now: now)
            let next = try PolicyMachine.decide(command, on: app, policy: summary.policy, context: context)
            guard let step = next.steps.last else { return next }
            if step.kind == .pay, let ref = step.reference {
                if try s.first("SELECT id FROM policy_payments WHERE reference = ?", ref) != nil {
                    throw EnterpriseError.conflict("payment reference \(ref) is already in the ledger")
                }
                let day = PlanDays.of(now)
                try s.execute("INSERT INTO policy_payments (application, policy, enterprise, street, amount_fen, reference, day, month, paid_at, "
                              + "paid_by, approved_by, checked_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, app.policy,
                              app.enterprise, app.street, step.amountFen, ref, day, String(PlanDays.text(day).prefix(7)),
                              Timestamp.millis(now), principal.id, app.actor(of: .approve) ?? "", app.actor(of: .check) ?? "")
            }
            try s.execute("UPDATE policy_applications SET status = ?, approved_fen = ?, paid_fen = ? WHERE id = ?",
                          next.status.rawValue, next.approvedFen, next.paidFen, id)
            try Self.insert(s, step, of: id)
            return next
        }
    }

    public func payments(_ q: PolicyLedgerQuery, for viewer: PolicyViewer) async throws -> [PolicyPayment] {
        try await db.read { s in
            var f = Self.filter(q, viewer)
            Self.days(q, &f)
            let sql = "SELECT * FROM policy_payments WHERE " + f.clauses.joined(separator: " AND ") + " ORDER BY id LIMIT ?"
            let rows = try s.query(sql, f.args + [.int(Int64(q.limit))])
            // The enterprises' names in one query: the payment row keeps the code, the registry the name.
            var names: [String: String] = [:]
            let codes = Array(Set(try rows.map { try $0.decode("enterprise", as: String.self) }))
            if !codes.isEmpty {
                let sql = "SELECT code, name FROM enterprises WHERE code IN (\(FilterSQL.marks(codes.count)))"
                for row in try s.query(sql, codes.map(SQLValue.text)) {
                    names[try row.decode("code")] = try row.decode("name")
                }
            }
            return try rows.map { row in
                let code: String = try row.decode("enterprise")
                return PolicyPayment(id: try row.decode("id"), application: try row.decode("application"), policy: try row.decode("policy"),
                                     enterprise: code, enterpriseName: names[code] ?? "", street: try row.decode("street"),
                                     amountFen: try row.decode("amount_fen"), reference: try row.decode("reference"), day: try row.decode("day"),
                                     paidAt: Timestamp.date(millis: try row.decode("paid_at")), paidBy: try row.decode("paid_by"),
                                     approvedBy: try row.decode("approved_by"), checkedBy: try row.decode("checked_by"))
            }
        }
    }

    static func days(_ q: PolicyLedgerQuery, _ f: inout FilterSQL) {
        if let from = q.from {
            f.clauses.append("day >= ?")
            f.args.append(.int(from))
        }
        if let to = q.to {
            f.clauses.append("day <= ?")
            f.args.append(.int(to))
        }
    }

    public func totals(_ q: PolicyLedgerQuery, for viewer: PolicyViewer) async throws -> PolicyTotals {
        try await db.read { s in
            var f = Self.filter(q, viewer)
            Self.days(q, &f)
            let where_ = f.clauses.joined(separator: " AND ")
            func rows(_ key: String) throws -> [PolicyTotals.Row] {
                try s.query("SELECT \(key) AS k, COUNT(*) AS n, CAST(SUM(amount_fen) AS BIGINT) AS fen FROM policy_payments WHERE \(where_) "
                            + "GROUP BY \(key) ORDER BY \(key)", f.args).map {
                    PolicyTotals.Row(key: try $0.decode("k"), payments: Int(try $0.decode("n", as: Int64.self)), fen: try $0.decode("fen"))
                }
            }
            let byPolicy = try rows("policy")
            return PolicyTotals(byPolicy: byPolicy, byStreet: try rows("street"), byMonth: try rows("month"),
                                payments: byPolicy.reduce(0) { $0 + $1.payments }, fen: byPolicy.reduce(0) { $0 + $1.fen })
        }
    }
}
