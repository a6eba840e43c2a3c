import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// `/api/v1/policies…`, `/api/v1/policy-applications…` and the ledger: support policies
/// (惠企政策), enterprises' applications through their commissioners, the department's review
/// and the finance bureau's payments, in integer fen. Scoped inside the store's queries.
struct PolicyController {
    let policies: any PolicyStore
    let cases: Live<CaseContext>
    let catalogue: EnterpriseCatalogue
    let clock: any TimeSource

    struct ApplyBody: Decodable {
        var credit_code: String?
        var figures: [String: WholeNumber]?
        var note: String?
    }

    struct StepBody: Decodable {
        var step: String?
        var eligible: Bool?
        var amount_fen: WholeNumber?
        var reference: String?
        var note: String?
    }

    var routes: RouteCollection<AppRequestContext> {
        let r = RouteCollection(context: AppRequestContext.self)
        r.get("policies") { _, context in try await list(by: try context.caller()) }
        r.post("policies") { request, context in
            let p = try await define(try await JSONBody.decode(PolicyDraft.self, from: request), by: try context.caller())
            return JSONBody.response(PolicyDTO(PolicySummary(policy: p, applications: 0, approvedFen: 0, paidFen: 0), names: name), status: .created)
        }
        r.get("policies/{code}") { _, context in
            JSONBody.response(PolicyDTO(try await policy(try Self.code(context), by: try context.caller()), names: name))
        }
        r.post("policies/{code}/applications") { request, context in
            let body = try await JSONBody.decode(ApplyBody.self, from: request)
            let app = try await apply(try Self.code(context), body, by: try context.caller())
            return JSONBody.response(ApplicationDTO(app), status: .created)
        }
        r.get("policy-applications") { request, context in try await applications(request.uri.queryParameters, by: try context.caller()) }
        r.get("policy-applications/{id}") { _, context in
            JSONBody.response(ApplicationDTO(try await application(try Self.id(context), by: try context.caller())))
        }
        r.post("policy-applications/{id}/steps") { request, context in
            let body = try await JSONBody.decode(StepBody.self, from: request)
            return JSONBody.response(ApplicationDTO(try await advance(try Self.id(context), body, by: try context.caller())))
        }
        r.get("policy-payments") { request, context in try await payments(request.uri.queryParameters, by: try context.caller()) }
        r.get("policy-totals") { request, context in
            let p = try context.caller()
            return JSONBody.response(TotalsDTO(try await totals(try query(request.uri.queryParameters), by: p), names: name))
        }
        return r
    }

    static func code(_ context: AppRequestContext) throws -> String {
        guard let code = context.parameters.get("code"), PolicyDraft.isCode(code) else {
            throw APIError(.notFound, code: "not_found", message: "no such policy")
        }
        return code
    }

    static func id(_ context: AppRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.notFound, code: "not_found", message: "no such application")
        }
        return id
    }

    func viewer(_ p: Principal) throws -> PolicyViewer {
        guard EnterpriseAccess.reads(p.role) else { throw EnterpriseError.forbidden("a \(p.role.rawValue) may not read support policies") }
        return PolicyViewer(scope: Scope.of(unit: p.unit, in: cases.current.units), principal: p.id, financeUnit: catalogue.financeUnit)
    }

    func list(by p: Principal) async throws -> Response {
        _ = try viewer(p)
        struct Page: Encodable { var items: [PolicyDTO] }
        return JSONBody.response(Page(items: try await policies.policies().map { PolicyDTO($0, names: name) }))
    }

    /// A policy from the API (a page would take the same draft): checked, then stored.
    func define(_ draft: PolicyDraft, by p: Principal) async throws -> SupportPolicy {
        let viewer = try viewer(p)
        let policy = try draft.validated(units: cases.current.units, catalogue: catalogue, by: p.id, at: clock.now())
        guard PolicyAccess.defines(p, scope: viewer.scope, department: policy.department) else {
            throw EnterpriseError.forbidden("policies of \(policy.department) are written by its leaders")
        }
        return try await policies.define(policy)
    }

    func policy(_ code: String, by p: Principal) async throws -> PolicySummary {
        _ = try viewer(p)
        guard let s = try await policies.policy(code) else { throw StoreError.notFound("policy \(code)") }
        return s
    }

    /// An application from the API or the page, by the enterprise's commissioner.
    func apply(_ code: String, _ body: ApplyBody, by p: Principal) async throws -> PolicyApplication {
        let viewer = try viewer(p)
        guard let text = body.credit_code else { throw EnterpriseError.bad("credit_code", "credit_code is required", code: "required") }
        let enterprise: String
        do { enterprise = try CreditCode(text).value } catch { throw EnterpriseError.invalid(error) }
        return try await policies.submit(policy: code, enterprise: enterprise, figures: body.figures?.mapValues(\.value), note: body.note,
                                         by: p, for: viewer, at: clock.now())
    }

    func application(_ id: Int64, by p: Principal) async throws -> PolicyApplication {
        guard let app = try await policies.application(id, for: try viewer(p)) else { throw StoreError.notFound("application \(id)") }
        return app
    }

    /// A review step from the API or the page.
    func advance(_ id: Int64, _ body: StepBody, by p: Principal) async throws -> PolicyApplication {
        let viewer = try viewer(p)
        let command: PolicyCommand
        switch body.step {
        case "check":
            guard let eligible = body.eligible else { throw EnterpriseError.bad("eligible", "eligible is required for a check", code: "required") }
            command = .check(eligible: eligible, note: body.note)
        case "approve": command = .approve(fen: body.amount_fen?.value, note: body.note)
        case "reject": command = .reject(note: body.note)
        case "pay": command = .pay(fen: body.amount_fen?.value, reference: body.reference)
        case nil: throw EnterpriseError.bad("step", "step is required", code: "required")
        default: throw EnterpriseError.bad("step", "step must be check, approve, reject or pay", code: "unknown_value")
        }
        return try await policies.advance(id, command, by: p, for: viewer, at: clock.now())
    }

    /// The filters of the applications' list, the ledger and its totals.
    func query(_ params: Parameters) throws -> PolicyLedgerQuery {
        var q = PolicyLedgerQuery()
        if let code = params.get("policy"), !code.isEmpty {
            guard PolicyDraft.isCode(code) else { throw EnterpriseError.bad("policy", "policy must be a policy's code") }
            q.policy = code
        }
        if let street = try CentreBodies.code(params.get("street"), field: "street") { q.streets = [street] }
        if let text = params.get("credit_code"), !text.isEmpty {
            do { q.enterprise = try CreditCode(text).value } catch { throw EnterpriseError.invalid(error) }
        }
        if let text = params.get("status"), !text.isEmpty {
            guard let status = PolicyApplicationStatus(rawValue: text) else {
                let known = PolicyApplicationStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw EnterpriseError.bad("status", "status must be one of \(known)", code: "unknown_value")
            }
            q.status = status
        }
        for (key, keyPath) in [("from", \PolicyLedgerQuery.from), ("to", \PolicyLedgerQuery.to)] {
            guard let text = params.get(key), !text.isEmpty else { continue }
            guard let day = PlanDays.parse(text) else { throw EnterpriseError.bad(key, "\(key) must be a date as YYYY-MM-DD") }
            q[keyPath: keyPath] = day
        }
        if let from = q.from, let to = q.to, from > to { throw EnterpriseError.bad("to", "to is before from") }
        let page = try CentreBodies.paging(params, maxLimit: 1_000)
        q.after = page.after
        q.limit = page.limit ?? q.limit
        return q
    }

    func applications(_ params: Parameters, by p: Principal) async throws -> Response {
        let viewer = try viewer(p), q = try query(params), format = try StatsFormat.parse(params)
        let items = try await policies.applications(q, for: viewer).map(ApplicationDTO.init)
        struct Page: Encodable { var items: [ApplicationDTO]; var next_after: Int64? }
        let csv = [["id", "policy", "credit_code", "street", "status", "entitlement_yuan", "approved_yuan", "paid_yuan", "submitted_at"]]
            + items.map {
                [String($0.id), $0.policy, $0.credit_code, name($0.street) ?? $0.street, $0.status, Fen.yuan($0.entitlement_fen),
                 $0.approved_fen.map(Fen.yuan) ?? "", $0.paid_fen.map(Fen.yuan) ?? "", $0.steps.first?.at ?? ""]
            }
        return try format.respond(Page(items: items, next_after: items.count == q.limit ? items.last?.id : nil), name: "policy-applications",
                                  csv: csv)
    }

    func payments(_ q: PolicyLedgerQuery, by p: Principal) async throws -> [PolicyPayment] {
        try await policies.payments(q, for: try viewer(p))
    }

    /// The ledger, and the finance bureau's export of it (`format=csv`, `encoding=gb18030`).
    func payments(_ params: Parameters, by p: Principal) async throws -> Response {
        let q = try query(params), format = try StatsFormat.parse(params)
        let items = try await payments(q, by: p).map { PaymentDTO($0, names: name) }
        struct Page: Encodable { var items: [PaymentDTO]; var next_after: Int64? }
        let csv = [["reference", "day", "policy", "credit_code", "enterprise", "street", "amount_yuan", "amount_fen", "application",
                    "checked_by", "approved_by", "paid_by"]]
            + items.map {
                [$0.reference, $0.day, $0.policy, $0.credit_code, $0.enterprise_name, $0.street_name ?? $0.street, $0.amount_yuan,
                 String($0.amount_fen), String($0.application), $0.checked_by, $0.approved_by, $0.paid_by]
            }
        return try format.respond(Page(items: items, next_after: items.count == q.limit ? items.last?.id : nil), name: "policy-payments",
                                  csv: csv)
    }

    func totals(_ q: PolicyLedgerQuery, by p: Principal) async throws -> PolicyTotals { try await policies.totals(q, for: try viewer(p)) }

    func name(_ code: String) -> String? { cases.current.units[code]?.name }
}
