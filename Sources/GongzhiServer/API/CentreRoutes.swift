import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// `/api/v1/disputes`, `/petitions`, `/campaigns`, `/risks` and `/centre/…`: the dispute and
/// petition centre (矛调中心). Every read and every step is scoped like cases, inside the
/// store's queries; parties are masked unless `reveal=parties` with a reason (logged).
struct CentreController {
    let centre: any CentreStore
    let cases: Live<CaseContext>
    let rules: MediationRules
    let clock: any TimeSource
    let names: @Sendable (String) -> String?

    var context: CentreContext {
        let c = cases.current
        return CentreContext(rules: rules, units: c.units, calendar: c.calendar)
    }

    func scope(_ p: Principal) -> Scope { Scope.of(unit: p.unit, in: cases.current.units) }

    var routes: RouteCollection<AppRequestContext> {
        let r = RouteCollection(context: AppRequestContext.self)
        r.get("disputes") { request, context in try await disputes(request.uri.queryParameters, by: try context.caller()) }
        r.post("disputes") { request, context in try await registerDispute(request, by: try context.caller()) }
        r.get("disputes/{id}") { request, context in
            try await dispute(try Self.id(context), request.uri.queryParameters, by: try context.caller())
        }
        for step in ["sessions", "escalate", "extend", "outcome", "honoured"] {
            r.post("disputes/{id}/\(step)") { request, context in
                try await disputeStep(step, try Self.id(context), request, by: try context.caller())
            }
        }
        r.get("petitions") { request, context in try await petitions(request.uri.queryParameters, by: try context.caller()) }
        r.post("petitions") { request, context in try await registerPetition(request, by: try context.caller()) }
        r.get("petitions/{id}") { request, context in
            try await petition(try Self.id(context), request.uri.queryParameters, by: try context.caller())
        }
        for step in ["decision", "extend", "answer", "review", "review-answer", "close"] {
            r.post("petitions/{id}/\(step)") { request, context in
                try await petitionStep(step, try Self.id(context), request, by: try context.caller())
            }
        }
        r.get("campaigns") { _, context in try await campaigns(by: try context.caller()) }
        r.post("campaigns") { request, context in try await createCampaign(request, by: try context.caller()) }
        r.get("campaigns/{id}") { request, context in
            try await campaign(try Self.id(context), request.uri.queryParameters, by: try context.caller())
        }
        r.post("campaigns/{id}/items") { request, context in try await addItems(try Self.id(context), request, by: try context.caller()) }
        r.get("risks") { _, context in try await risks(by: try context.caller()) }
        r.post("risks") { request, context in try await addRisk(request, by: try context.caller()) }
        r.get("centre/overview") { request, context in try await overview(request.uri.queryParameters, by: try context.caller()) }
        return r
    }

    static func id(_ context: AppRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.notFound, code: "not_found", message: "no such record")
        }
        return id
    }

    func readable(_ p: Principal) throws {
        guard CentreAccess.reads(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not read the centre's records") }
    }

    // MARK: Lists

    static func query(_ params: Parameters) throws -> MatterQuery {
        var q = MatterQuery()
        if let s = params.get("state") {
            guard let state = MatterQuery.State(rawValue: s) else {
                throw CentreError.bad("state", "state must be one of \(MatterQuery.State.allCases.map(\.rawValue).joined(separator: ", "))",
                                      code: "unknown_value")
            }
            q.state = state
        }
        q.street = try CentreBodies.code(params.get("street"), field: "street")
        q.unit = try CentreBodies.code(params.get("unit"), field: "unit")
        if let c = params.get("collective") {
            guard c == "true" || c == "false" else { throw CentreError.bad("collective", "collective must be true or false", code: "wrong_type") }
            q.collective = c == "true"
        }
        if let b = params.get("before") {
            guard let id = Int64(b) else { throw CentreError.bad("before", "before must be an id", code: "wrong_type") }
            q.before = id
        }
        if let l = params.get("limit") {
            guard let n = Int(l), (1...500).contains(n) else { throw CentreError.bad("limit", "limit must be 1–500", code: "out_of_range") }
            q.limit = n
        }
        return q
    }

    func disputes(_ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        let format = try StatsFormat.parse(params), now = clock.now(), q = try Self.query(params)
        let items = try await centre.disputes(q, scope: scope(p), at: now)
        let dtos = items.map { CentreDTO.Dispute($0, rules: rules, names: names, now: now) }
        struct Body: Encodable { var items: [CentreDTO.Dispute]; var next_before: Int64? }
        let next = items.count == q.limit ? items.last?.id : nil
        return try format.respond(Body(items: dtos, next_before: next), name: "disputes", csv: CentreCSV.disputes(dtos))
    }

    func petitions(_ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        let format = try StatsFormat.parse(params), now = clock.now(), q = try Self.query(params)
        let items = try await centre.petitions(q, scope: scope(p), at: now)
        let dtos = items.map { CentreDTO.Petition($0, names: names, now: now) }
        struct Body: Encodable { var items: [CentreDTO.Petition]; var next_before: Int64? }
        let next = items.count == q.limit ? items.last?.id : nil
        return try format.respond(Body(items: dtos, next_before: next), name: "petitions", csv: CentreCSV.petitions(dtos))
    }

    // MARK: One record

    /// `reveal=parties` with a `reason`: for roles that read personal data, logged first.
    func reveal(_ params: Parameters, kind: String, id: Int64, by p: Principal) async throws -> Bool {
        guard let field = params.get("reveal") else { return false }
        guard field == "parties" else { throw CentreError.bad("reveal", "only parties can be revealed", code: "unknown_field") }
        guard AccessPolicy.revealsPersonalData(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not read personal fields") }
        guard let reason = params.get("reason")?.trimmingCharacters(in: .whitespaces), !reason.isEmpty, reason.count <= 200,
              TextRule.forbidden(in: reason, shape: .line) == nil else {
            throw CentreError.bad("reason", "say why you need the parties' details (reason, at most 200 characters)", code: "required")
        }
        try await centre.logReveal(of: id, kind: kind, actor: p.id, reason: reason, at: clock.now())
        return true
    }

    func dispute(_ id: Int64, _ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        guard let d = try await centre.dispute(id, scope: scope(p)) else { throw StoreError.notFound("dispute \(id)") }
        let reveal = try await reveal(params, kind: Dispute.kind, id: id, by: p)
        return JSONBody.response(CentreDTO.Dispute(d, rules: rules, names: names, now: clock.now(), reveal: reveal,
                                                   history: try await centre.history(of: id)))
    }

    func petition(_ id: Int64, _ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        guard let x = try await centre.petition(id, scope: scope(p)) else { throw StoreError.notFound("petition \(id)") }
        let reveal = try await reveal(params, kind: Petition.kind, id: id, by: p)
        return JSONBody.response(CentreDTO.Petition(x, names: names, now: clock.now(), reveal: reveal, history: try await centre.history(of: id)))
    }

    // MARK: Registration and steps

    func registerDispute(_ request: Request, by p: Principal) async throws -> Response {
        let d = try await register(try await JSONBody.decode(CentreBodies.Dispute.self, from: request), by: p)
        return JSONBody.response(CentreDTO.Dispute(d, rules: rules, names: names, now: clock.now()), status: .created)
    }

    func registerPetition(_ request: Request, by p: Principal) async throws -> Response {
        let x = try await register(try await JSONBody.decode(CentreBodies.Petition.self, from: request), by: p)
        return JSONBody.response(CentreDTO.Petition(x, names: names, now: clock.now()), status: .created)
    }

    /// A dispute as the API or the window's form sends it: the role, the body and its areas checked, then stored.
    func register(_ body: CentreBodies.Dispute, by p: Principal) async throws -> Dispute {
        guard CentreAccess.registersDisputes(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not register disputes") }
        return try await centre.registerDispute(try CentreBodies.dispute(body, areas: areaCheck), by: p, context: context, at: clock.now())
    }

    func register(_ body: CentreBodies.Petition, by p: Principal) async throws -> Petition {
        guard CentreAccess.registersPetitions(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not register petitions") }
        return try await centre.registerPetition(try CentreBodies.petition(body, areas: areaCheck), by: p, scope: scope(p), context: context,
                                                 at: clock.now())
    }

    /// Street and community codes must name the district's areas, the community inside the street.
    var areaCheck: CentreBodies.AreaCheck {
        let units = cases.current.units
        return { street, community in
            if let street, units.unit(forArea: street) == nil, names(street) == nil {
                throw CentreError.bad("street", "unknown street '\(street)'", code: "unknown_value")
            }
            if let community {
                guard community.count == 12, let u = units.unit(forArea: community) else {
                    throw CentreError.bad("community", "unknown community '\(community)'", code: "unknown_value")
                }
                if let street, !community.hasPrefix(street) {
                    throw CentreError.bad("community", "community \(community) is not in street \(street) (\(u.name))")
                }
            }
        }
    }

    func disputeStep(_ step: String, _ id: Int64, _ request: Request, by p: Principal) async throws -> Response {
        let d = try await act(step, onDispute: id, try await JSONBody.decode(CentreBodies.DisputeStep.self, from: request), by: p)
        return JSONBody.response(CentreDTO.Dispute(d, rules: rules, names: names, now: clock.now()))
    }

    func petitionStep(_ step: String, _ id: Int64, _ request: Request, by p: Principal) async throws -> Response {
        let x = try await act(step, onPetition: id, try await JSONBody.decode(CentreBodies.PetitionStep.self, from: request), by: p)
        return JSONBody.response(CentreDTO.Petition(x, names: names, now: clock.now()))
    }

    /// A step as the API or a page's form sends it, taken in the caller's scope.
    func act(_ step: String, onDispute id: Int64, _ body: CentreBodies.DisputeStep, by p: Principal) async throws -> Dispute {
        try await centre.act(onDispute: id, try CentreBodies.disputeCommand(step, body), by: p, scope: scope(p), context: context,
                             at: clock.now())
    }

    func act(_ step: String, onPetition id: Int64, _ body: CentreBodies.PetitionStep, by p: Principal) async throws -> Petition {
        try await centre.act(onPetition: id, try CentreBodies.petitionCommand(step, body), by: p, scope: scope(p), context: context,
                             at: clock.now())
    }

    // MARK: Campaigns and risks

    func campaigns(by p: Principal) async throws -> Response {
        try readable(p)
        struct Body: Encodable { var items: [CentreDTO.Campaign] }
        let items = try await centre.campaigns().map {
            CentreDTO.Campaign(id: $0.id, name: $0.name, start: PlanDays.text($0.start), end: PlanDays.text($0.end))
        }
        return JSONBody.response(Body(items: items))
    }

    func createCampaign(_ request: Request, by p: Principal) async throws -> Response {
        let body = try await JSONBody.decode(CentreBodies.NewCampaign.self, from: request)
        let start = try CentreBodies.day(body.start, field: "start"), end = try CentreBodies.day(body.end, field: "end")
        let c = try await centre.createCampaign(name: body.name ?? "", start: start, end: end, by: p, at: clock.now())
        return JSONBody.response(board(c, [:], now: clock.now()), status: .created)
    }

    func campaign(_ id: Int64, _ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        let format = try StatsFormat.parse(params)
        guard let (c, petitions) = try await centre.campaign(id, scope: scope(p)) else { throw StoreError.notFound("campaign \(id)") }
        let dto = board(c, petitions, now: clock.now())
        return try format.respond(dto, name: "campaign-\(id)", csv: CentreCSV.campaign(dto))
    }

    func board(_ c: Campaign, _ petitions: [Int64: CampaignEntry], now: Date) -> CentreDTO.Campaign {
        let today = PlanDays.of(now)
        let items = c.items.map { i in
            let cleared = CampaignBoard.cleared(i, petitions)
            return CentreDTO.CampaignItem(petition: i.petition, title: petitions[i.petition]?.title, leader: i.leader, unit: i.unit,
                                          unit_name: names(i.unit), target: PlanDays.text(i.target),
                                          status: petitions[i.petition]?.status.rawValue, cleared: cleared, late: !cleared && today > i.target)
        }
        let total = CampaignBoard.tally(c, petitions: petitions, at: now) { _ in "" }.first ?? CampaignTally(key: "")
        return CentreDTO.Campaign(id: c.id, name: c.name, start: PlanDays.text(c.start), end: PlanDays.text(c.end), items: items,
                                  by_leader: CampaignBoard.tally(c, petitions: petitions, at: now) { $0.leader }.map { .init($0, name: nil) },
                                  by_unit: CampaignBoard.tally(c, petitions: petitions, at: now) { $0.unit }.map { .init($0, name: names($0.key)) },
                                  total: total.total, cleared: total.cleared, rate: (total.rate * 10_000).rounded() / 10_000)
    }

    func addItems(_ id: Int64, _ request: Request, by p: Principal) async throws -> Response {
        let items: [Campaign.Item]
        if request.headers[.contentType]?.lowercased().hasPrefix("text/csv") == true {
            let data = try await JSONBody.collect(request, maxBytes: 4 * 1024 * 1024)
            items = try CentreBodies.items(csv: try TextDecoding.text(data), units: cases.current.units)
        } else {
            items = try CentreBodies.items(try await JSONBody.decode(CentreBodies.Items.self, from: request))
        }
        let c = try await centre.addItems(items, to: id, by: p, scope: scope(p), at: clock.now())
        guard let (scoped, petitions) = try await centre.campaign(c.id, scope: scope(p)) else { throw StoreError.notFound("campaign \(id)") }
        return JSONBody.response(board(scoped, petitions, now: clock.now()), status: .created)
    }

    func risks(by p: Principal) async throws -> Response {
        try readable(p)
        struct Body: Encodable { var items: [CentreDTO.Risk] }
        return JSONBody.response(Body(items: try await centre.risks(scope: scope(p)).map { .init($0, names: names) }))
    }

    func addRisk(_ request: Request, by p: Principal) async throws -> Response {
        let entry = try CentreBodies.risk(try await JSONBody.decode(CentreBodies.Risk.self, from: request), areas: areaCheck)
        return JSONBody.response(CentreDTO.Risk(try await centre.addRisk(entry, by: p, at: clock.now()), names: names), status: .created)
    }

    // MARK: Figures

    /// Open and overdue matters, and the share of disputes agreed at each level by street and
    /// month over `from`–`to` (default: this month).
    func overview(_ params: Parameters, by p: Principal) async throws -> Response {
        try readable(p)
        let now = clock.now()
        let month = Period.containing(PlanDays.of(now), kind: .month)
        let from = try params.get("from").map { try CentreBodies.day($0, field: "from") } ?? month.first
        let to = try params.get("to").map { try CentreBodies.day($0, field: "to") } ?? PlanDays.of(now)
        guard to >= from, to - from <= 3_660 else {
            throw CentreError.bad("to", "to must be on or after from, within ten years", code: "out_of_range")
        }
        let counts = try await centre.counts(scope: scope(p), at: now)
        let shares = try await centre.levelShares(scope: scope(p), from: from, to: to)
        return JSONBody.response(CentreFigures.overview(counts, shares, from: from, to: to, names: names))
    }
}
