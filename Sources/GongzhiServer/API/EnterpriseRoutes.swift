import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// `/api/v1/enterprises…`: the enterprise registry (亲清在线), its commissioners and their visit
/// log. Scoped inside the store's queries: a street's staff see its enterprises, a commissioner
/// the ones they serve; anything else is 404. The contact person is masked unless
/// `reveal=contact` with a reason (logged first).
struct EnterpriseController {
    let enterprises: any EnterpriseStore
    let accounts: any AccountStore
    let cases: Live<CaseContext>
    let catalogue: EnterpriseCatalogue
    let clock: any TimeSource

    struct RegisterBody: Decodable {
        var credit_code: String?
        var name: String?
        var address: String?
        var street: String?
        var industry: String?
        var contact_name: String?
        var contact_phone: String?
    }

    struct CommissionersBody: Decodable { var commissioners: [String]? }

    struct VisitBody: Decodable {
        var day: String?
        var note: String?
        var difficulties: [String]?
    }

    var routes: RouteCollection<AppRequestContext> {
        let r = RouteCollection(context: AppRequestContext.self)
        r.get("enterprises") { request, context in try await list(request.uri.queryParameters, by: try context.caller()) }
        r.post("enterprises") { request, context in try await register(request, by: try context.caller()) }
        r.get("enterprises/{code}") { request, context in
            try await show(try Self.code(context), request.uri.queryParameters, by: try context.caller())
        }
        r.put("enterprises/{code}/commissioners") { request, context in
            try await assign(try Self.code(context), request, by: try context.caller())
        }
        r.get("enterprises/{code}/visits") { request, context in
            try await visits(try Self.code(context), request.uri.queryParameters, by: try context.caller())
        }
        r.post("enterprises/{code}/visits") { request, context in try await addVisit(try Self.code(context), request, by: try context.caller()) }
        r.get("enterprise-service") { _, context in
            _ = try context.caller()
            return JSONBody.response(CatalogueDTO(catalogue, route: route))
        }
        return r
    }

    /// The path's code, normalised as `CreditCode` normalises it; one that cannot be a code is 404.
    static func code(_ context: AppRequestContext) throws -> String {
        guard let text = context.parameters.get("code"), let code = try? CreditCode(text) else {
            throw APIError(.notFound, code: "not_found", message: "no such enterprise: the path takes an 18-character credit code")
        }
        return code.value
    }

    func viewer(_ p: Principal) throws -> EnterpriseViewer {
        guard EnterpriseAccess.reads(p.role) else { throw EnterpriseError.forbidden("a \(p.role.rawValue) may not read the enterprise registry") }
        return EnterpriseViewer(scope: Scope.of(unit: p.unit, in: cases.current.units), principal: p.id)
    }

    func list(_ params: Parameters, by p: Principal) async throws -> Response {
        let viewer = try viewer(p), q = try query(params, by: p), format = try StatsFormat.parse(params)
        let items = try await enterprises.enterprises(q, for: viewer).map { EnterpriseDTO($0.masked, catalogue: catalogue, names: name) }
        struct Page: Encodable { var items: [EnterpriseDTO]; var next_after: String? }
        let csv = [["credit_code", "name", "address", "street", "industry", "contact_name", "contact_phone", "commissioners", "registered_at"]]
            + items.map {
                [$0.credit_code, $0.name, $0.address, $0.street_name ?? $0.street, $0.industry_name ?? $0.industry, $0.contact_name ?? "",
                 $0.contact_phone ?? "", $0.commissioners.joined(separator: " "), $0.registered_at]
            }
        return try format.respond(Page(items: items, next_after: items.count == q.limit ? items.last?.credit_code : nil), name: "enterprises",
                                  csv: csv)
    }

    /// The list's filters from the query string (the API's and the page's).
    func query(_ params: Parameters, by p: Principal) throws -> EnterpriseQuery {
        var q = EnterpriseQuery()
        if let street = try CentreBodies.code(params.get("street"), field: "street") { q.streets = [street] }
        if let industry = params.get("industry"), !industry.isEmpty {
            guard catalogue.industry(industry) != nil else {
                throw EnterpriseError.bad("industry", "industry must be a GB/T 4754 section", code: "unknown_value")
            }
            q.industry = industry
        }
        if let mine = params.get("mine") {
            guard mine == "true" || mine == "false" else { throw EnterpriseError.bad("mine", "mine must be true or false", code: "wrong_type") }
            if mine == "true" { q.commissioner = p.id }
        }
        if let name = params.get("name") {
            do { q.name = try TextRule.optional(name, field: "name", max: 100) } catch { throw EnterpriseError.invalid(error) }
        }
        if let after = params.get("after") {
            do { q.after = try CreditCode(after).value } catch { throw EnterpriseError.bad("after", "after must be a credit code") }
        }
        if let text = params.get("limit") {
            guard let n = Int(text), (1...200).contains(n) else { throw EnterpriseError.bad("limit", "limit must be 1–200", code: "wrong_type") }
            q.limit = n
        }
        return q
    }

    func register(_ request: Request, by p: Principal) async throws -> Response {
        let body = try await JSONBody.decode(RegisterBody.self, from: request)
        let saved = try await register(Enterprise.Draft(code: body.credit_code, name: body.name, address: body.address, street: body.street,
                                                        industry: body.industry, contactName: body.contact_name,
                                                        contactPhone: body.contact_phone), by: p)
        return JSONBody.response(EnterpriseDTO(saved.masked, catalogue: catalogue, names: name), status: .created)
    }

    /// A registration from the API or the page: the role, the fields and the street checked, then stored.
    func register(_ draft: Enterprise.Draft, by p: Principal) async throws -> Enterprise {
        guard EnterpriseAccess.registers(p.role) else { throw EnterpriseError.forbidden("a \(p.role.rawValue) may not register enterprises") }
        let e = try draft.validated(units: cases.current.units, catalogue: catalogue, by: p.id, at: clock.now())
        let scope = Scope.of(unit: p.unit, in: cases.current.units)
        guard scope.isAll || scope.areas.contains(e.street) else {
            throw EnterpriseError.forbidden("you may register enterprises of your own streets only")
        }
        return try await enterprises.register(e)
    }

    func show(_ code: String, _ params: Parameters, by p: Principal) async throws -> Response {
        let e = try await enterprise(code, by: p, reveal: params.get("reveal"), reason: params.get("reason"))
        return JSONBody.response(EnterpriseDTO(e, catalogue: catalogue, names: name))
    }

    /// The enterprise as `p` may see it: masked, or with its contact person when `reveal` is
    /// `contact` and `p` may read it, the reason logged first.
    func enterprise(_ code: String, by p: Principal, reveal: String?, reason: String?) async throws -> Enterprise {
        guard let e = try await enterprises.enterprise(code, for: try viewer(p)) else { throw StoreError.notFound("enterprise \(code)") }
        guard let reveal else { return e.masked }
        guard reveal == "contact" else { throw EnterpriseError.bad("reveal", "only contact can be revealed", code: "unknown_field") }
        guard EnterpriseAccess.reveals(p, on: e) else {
            throw EnterpriseError.forbidden("only the enterprise's commissioners and the centre may read its contact person")
        }
        let why: String?
        do { why = try TextRule.optional(reason, field: "reason", max: 200) } catch { throw EnterpriseError.invalid(error) }
        guard let why else { throw EnterpriseError.bad("reason", "say why you need the contact person (reason)", code: "required") }
        try await enterprises.logReveal(of: code, actor: p.id, reason: why, at: clock.now())
        return e
    }

    func assign(_ code: String, _ request: Request, by p: Principal) async throws -> Response {
        let body = try await JSONBody.decode(CommissionersBody.self, from: request)
        let e = try await assign(code, usernames: body.commissioners, by: p)
        return JSONBody.response(EnterpriseDTO(e.masked, catalogue: catalogue, names: name))
    }

    /// Replaces the commissioners with these users: each an active staff user, named by index when not.
    func assign(_ code: String, usernames: [String]?, by p: Principal) async throws -> Enterprise {
        guard EnterpriseAccess.assigns(p.role) else { throw EnterpriseError.forbidden("a \(p.role.rawValue) may not assign commissioners") }
        let viewer = try viewer(p)
        guard let usernames else { throw EnterpriseError.bad("commissioners", "commissioners is required", code: "required") }
        guard usernames.count <= 20 else { throw EnterpriseError.bad("commissioners", "at most 20 commissioners an enterprise") }
        var ids: [String] = []
        for (i, username) in usernames.enumerated() {
            let field = "commissioners[\(i)]"
            guard (1...64).contains(username.count), TextRule.forbidden(in: username, shape: .line) == nil,
                  let user = try await accounts.user(username), !user.disabled else {
                throw EnterpriseError.bad(field, "\(field): no active user named '\(username.prefix(64))'", code: "unknown_user")
            }
            guard ![.merchant, .machine].contains(user.role) else {
                throw EnterpriseError.bad(field, "\(field): a \(user.role.rawValue) cannot serve as a commissioner", code: "not_staff")
            }
            ids.append("user:\(user.username)")
        }
        return try await enterprises.setCommissioners(of: code, to: ids, by: p.id, at: clock.now(), for: viewer)
    }

    func visits(_ code: String, _ params: Parameters, by p: Principal) async throws -> Response {
        let format = try StatsFormat.parse(params)
        let items = try await enterprises.visits(of: code, for: try viewer(p)).map { VisitDTO($0, catalogue: catalogue, route: route) }
        struct Page: Encodable { var items: [VisitDTO] }
        let csv = [["day", "commissioner", "difficulties", "note"]]
            + items.map { [$0.day, $0.commissioner, $0.difficulties.map { $0.name ?? $0.code }.joined(separator: " "), $0.note] }
        return try format.respond(Page(items: items), name: "visits-\(code)", csv: csv)
    }

    func addVisit(_ code: String, _ request: Request, by p: Principal) async throws -> Response {
        let saved = try await logVisit(code, try await JSONBody.decode(VisitBody.self, from: request), by: p)
        return JSONBody.response(VisitDTO(saved, catalogue: catalogue, route: route), status: .created)
    }

    /// A visit from the API or the page, logged by `p` (a commissioner of the enterprise).
    func logVisit(_ code: String, _ body: VisitBody, by p: Principal) async throws -> EnterpriseVisit {
        let viewer = try viewer(p)
        let visit = try EnterpriseVisit.validated(code: code, commissioner: p.id, day: body.day, note: body.note, difficulties: body.difficulties,
                                                  catalogue: catalogue, at: clock.now())
        return try await enterprises.addVisit(visit, by: p, for: viewer)
    }

    func name(_ code: String) -> String? { cases.current.units[code]?.name }

    /// Where a difficulty's case goes under the routing rules in force.
    func route(_ d: EnterpriseCatalogue.Difficulty) -> RouteMatch? { d.route(in: cases.current) }
}

/// The catalogue with each difficulty's department and deadline as the routing rules give them.
struct CatalogueDTO: Encodable {
    struct Raised: Encodable { var code: String; var name: String; var category: String; var department: String?; var deadline: DeadlineSpec? }
    var industries: [EnterpriseCatalogue.Industry]
    var difficulties: [Raised]
    var finance_unit: String

    init(_ c: EnterpriseCatalogue, route: (EnterpriseCatalogue.Difficulty) -> RouteMatch?) {
        industries = c.industries
        difficulties = c.difficulties.map { d in
            let m = route(d)
            return Raised(code: d.code, name: d.name, category: d.category, department: m?.unit, deadline: m?.rule.deadline)
        }
        finance_unit = c.financeUnit
    }
}

/// An enterprise as the API shows it (masked unless revealed by the caller).
struct EnterpriseDTO: Encodable {
    var credit_code: String
    var name: String
    var address: String
    var street: String
    var street_name: String?
    var industry: String
    var industry_name: String?
    var contact_name: String?
    var contact_phone: String?
    var commissioners: [String]
    var registered_at: String
    var registered_by: String

    init(_ e: Enterprise, catalogue: EnterpriseCatalogue, names: (String) -> String?) {
        credit_code = e.code
        name = e.name
        address = e.address
        street = e.street
        street_name = names(e.street)
        industry = e.industry
        industry_name = catalogue.industry(e.industry)?.name
        contact_name = e.contactName
        contact_phone = e.contactPhone
        commissioners = e.commissioners
        registered_at = Timestamp.rfc3339(e.registeredAt)
        registered_by = e.registeredBy
    }
}

struct VisitDTO: Encodable {
    struct Raised: Encodable { var code: String; var name: String?; var department: String? }
    var id: Int64
    var credit_code: String
    var commissioner: String
    var day: String
    var note: String
    var difficulties: [Raised]
    var recorded_at: String

    init(_ v: EnterpriseVisit, catalogue: EnterpriseCatalogue, route: (EnterpriseCatalogue.Difficulty) -> RouteMatch?) {
        id = v.id
        credit_code = v.code
        commissioner = v.commissioner
        day = PlanDays.text(v.day)
        note = v.note
        difficulties = v.difficulties.map { code in
            let d = catalogue.difficulty(code)
            return Raised(code: code, name: d?.name, department: d.flatMap(route)?.unit)
        }
        recorded_at = Timestamp.rfc3339(v.recordedAt)
    }
}
