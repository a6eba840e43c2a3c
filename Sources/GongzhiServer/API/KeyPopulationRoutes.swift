import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// `/api/v1/key-population…`: the key-population list (重点人群动态清单). Records are read
/// masked by everyone whose scope holds them; the personal fields are revealed only to the
/// responsible community's staff and the health command, with a reason written to the access
/// log first; every export names its reason and is logged too, masked or not.
struct KeyPopulationController {
    let list: any KeyPopulationStore
    let context: Live<CaseContext>
    let rules: KeyPopulationRules
    let clock: any TimeSource
    let names: @Sendable (String) -> String?

    struct RegisterBody: Decodable {
        var measure: String?
        var name: String?
        var id_number: String?
        var phone: String?
        var address: String?
        var community: String?
    }

    struct StepBody: Decodable {
        var step: String?
        var found: Bool?
        var day: String?
        var healthy: Bool?
        var note: String?
    }

    var routes: RouteCollection<AppRequestContext> {
        let r = RouteCollection(context: AppRequestContext.self)
        r.get("key-population") { request, context in try await people(request.uri.queryParameters, by: try context.caller()) }
        r.post("key-population") { request, context in
            let body = try await JSONBody.decode(RegisterBody.self, from: request)
            return JSONBody.response(dto(try await register(body, by: try context.caller()), revealed: false), status: .created)
        }
        r.get("key-population/{id}") { request, context in
            let params = request.uri.queryParameters, p = try context.caller()
            let (person, revealed) = try await person(try Self.id(context), by: p, reveal: params.get("reveal"), reason: params.get("reason"))
            return JSONBody.response(dto(person, revealed: revealed))
        }
        r.post("key-population/{id}/steps") { request, context in
            let body = try await JSONBody.decode(StepBody.self, from: request)
            return JSONBody.response(dto(try await step(try Self.id(context), body, by: try context.caller()), revealed: false))
        }
        r.get("key-population-figures") { _, context in
            struct Row: Encodable { var measure: String; var street: String; var street_name: String?; var status: String; var people: Int
                                    var follow_ups: Int }
            struct Figures: Encodable { var items: [Row] }
            let rows = try await list.counts(for: try viewer(try context.caller())).map {
                Row(measure: $0.measure, street: $0.street, street_name: names($0.street), status: $0.status.rawValue, people: $0.people,
                    follow_ups: $0.followUps)
            }
            return JSONBody.response(Figures(items: rows))
        }
        return r
    }

    static func id(_ context: AppRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.notFound, code: "not_found", message: "no such record")
        }
        return id
    }

    func viewer(_ p: Principal) throws -> KeyPopulationViewer {
        guard KeyPopulationAccess.reads(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not read the key-population list") }
        return KeyPopulationViewer(scope: Scope.of(unit: p.unit, in: context.current.units), commandUnit: rules.commandUnit)
    }

    func entitled(_ p: Principal, _ person: KeyPerson) -> Bool {
        KeyPopulationAccess.entitled(p, to: person, rules: rules, units: context.current.units)
    }

    /// A reason for reading personal fields: required, one line, logged before anything is shown.
    static func reason(_ text: String?) throws -> String {
        let why: String?
        do { why = try TextRule.optional(text, field: "reason", max: 200) } catch { throw CentreError.invalid(error) }
        guard let why else { throw CentreError.bad("reason", "say why you need the personal fields (reason)", code: "required") }
        return why
    }

    func register(_ body: RegisterBody, by p: Principal) async throws -> KeyPerson {
        _ = try viewer(p)
        let draft = KeyPersonDraft(measure: body.measure, name: body.name, idNumber: body.id_number, phone: body.phone, address: body.address,
                                   community: body.community)
        let person = try draft.validated(rules: rules, units: context.current.units, by: p.id, at: clock.now())
        guard KeyPopulationAccess.registers(p, community: person.community, rules: rules, units: context.current.units) else {
            throw CentreError.forbidden("people are put on the list by their community's staff or the health command")
        }
        return try await list.register(person)
    }

    /// The record, masked unless `reveal=personal` by an entitled principal with a reason (logged first).
    func person(_ id: Int64, by p: Principal, reveal: String?, reason: String?) async throws -> (KeyPerson, Bool) {
        guard let person = try await list.person(id, for: try viewer(p)) else { throw StoreError.notFound("record \(id)") }
        guard let reveal else { return (person.masked, false) }
        guard reveal == "personal" else { throw CentreError.bad("reveal", "only personal can be revealed", code: "unknown_field") }
        guard entitled(p, person) else {
            throw CentreError.forbidden("only the responsible community's staff and the health command read personal fields")
        }
        let why = try Self.reason(reason)
        try await list.logAccess(actor: p.id, field: "personal", reason: why, subject: "key_person:\(id)", at: clock.now())
        return (person, true)
    }

    func step(_ id: Int64, _ body: StepBody, by p: Principal) async throws -> KeyPerson {
        let command: KeyPersonCommand
        switch body.step {
        case "verify":
            guard let found = body.found else { throw CentreError.bad("found", "found is required for a verification", code: "required") }
            command = .verify(found: found, note: body.note)
        case "follow_up":
            guard let healthy = body.healthy else { throw CentreError.bad("healthy", "healthy is required for a follow-up", code: "required") }
            command = .followUp(day: body.day, healthy: healthy, note: body.note)
        case "release": command = .release(note: body.note)
        case nil: throw CentreError.bad("step", "step is required", code: "required")
        default: throw CentreError.bad("step", "step must be verify, follow_up or release", code: "unknown_value")
        }
        let rules = rules, units = context.current.units, now = clock.now()
        return try await list.apply(id, for: try viewer(p), authorise: { person in
            guard KeyPopulationAccess.entitled(p, to: person, rules: rules, units: units) else {
                throw CentreError.forbidden("only the responsible community's staff and the health command act on a record")
            }
        }, { person in try KeyPersonMachine.apply(command, to: person, rules: rules, by: p.id, at: now) })
    }

    /// The list's filters (the API's and the page's).
    func query(_ params: Parameters) throws -> KeyPopulationQuery {
        var q = KeyPopulationQuery()
        if let street = try CentreBodies.code(params.get("street"), field: "street") { q.streets = [street] }
        if let community = try CentreBodies.code(params.get("community"), field: "community") { q.communities = [community] }
        if let m = params.get("measure"), !m.isEmpty {
            guard rules.measure(m) != nil else {
                throw CentreError.bad("measure", "measure is not one of the list's measures", code: "unknown_value")
            }
            q.measure = m
        }
        if let s = params.get("status"), !s.isEmpty {
            guard let status = KeyPersonStatus(rawValue: s) else { throw CentreError.bad("status", "status is unknown", code: "unknown_value") }
            q.statuses = [status]
        }
        let page = try CentreBodies.paging(params, maxLimit: 1_000)
        q.after = page.after
        q.limit = page.limit ?? q.limit
        return q
    }

    /// The list, masked; as CSV only with a reason, logged. An entitled principal may export the
    /// personal fields of the records they are entitled to (`reveal=personal`); the rest stay masked.
    func people(_ params: Parameters, by p: Principal) async throws -> Response {
        let viewer = try viewer(p), q = try query(params), format = try StatsFormat.parse(params)
        let reveal = params.get("reveal")
        guard reveal == nil || reveal == "personal" else { throw CentreError.bad("reveal", "only personal can be revealed", code: "unknown_field") }
        let found = try await list.people(q, for: viewer)
        var shown: [(entry: KeyPerson, revealed: Bool)] = found.map { (entry: $0.masked, revealed: false) }
        if case .csv = format {
            let why = try Self.reason(params.get("reason"))
            if reveal != nil { shown = found.map { entitled(p, $0) ? (entry: $0, revealed: true) : (entry: $0.masked, revealed: false) } }
            let opened = shown.filter(\.revealed).count
            try await list.logAccess(actor: p.id, field: opened > 0 ? "personal" : "masked", reason: why,
                                     subject: "key_population:export:\(found.count) records, \(opened) revealed", at: clock.now())
        } else if reveal != nil {
            throw CentreError.bad("reveal", "reveal records one by one (GET /api/v1/key-population/{id}) or export them as CSV with a reason")
        }
        let items = shown.map { dto($0.entry, revealed: $0.revealed) }
        struct Page: Encodable { var items: [KeyPersonDTO]; var next_after: Int64? }
        let csv = [["id", "measure", "name", "id_number", "phone", "address", "community", "street", "status", "registered_at", "verified_at",
                    "monitor_until", "ended_at", "follow_ups", "open_tasks", "anonymised_at"]]
            + items.map {
                [String($0.id), $0.measure_name ?? $0.measure, $0.name ?? "", $0.id_number ?? "", $0.phone ?? "", $0.address ?? "",
                 $0.community_name ?? $0.community, $0.street_name ?? $0.street, $0.status, $0.registered_at, $0.verified_at ?? "",
                 $0.monitor_until ?? "", $0.ended_at ?? "", String($0.follow_ups.count),
                 $0.tasks.map { "\($0.kind)@\($0.level)" }.joined(separator: " "), $0.anonymised_at ?? ""]
            }
        return try format.respond(Page(items: items, next_after: items.count == q.limit ? items.last?.id : nil), name: "key-population", csv: csv)
    }

    /// The record as sent: masked here, whatever the caller passed, unless `revealed`.
    func dto(_ p: KeyPerson, revealed: Bool) -> KeyPersonDTO {
        KeyPersonDTO(revealed ? p : p.masked, measure: rules.measure(p.measure)?.name, names: names,
                     tasks: KeyTaskClock.tasks(of: p, rules: rules, now: clock.now()), revealed: revealed)
    }
}

/// A record as the API shows it: masked unless revealed, with its open tasks and their clocks.
struct KeyPersonDTO: Encodable {
    struct FollowUp: Encodable { var day: String; var healthy: Bool; var note: String; var by: String }
    struct Task: Encodable { var kind: String; var day: String?; var due_at: String; var level: String; var overdue: Bool }
    var id: Int64
    var measure: String
    var measure_name: String?
    var name: String?
    var id_number: String?
    var phone: String?
    var address: String?
    var community: String
    var community_name: String?
    var street: String
    var street_name: String?
    var status: String
    var registered_at: String
    var registered_by: String
    var verified_at: String?
    var monitor_until: String?
    var ended_at: String?
    var anonymised_at: String?
    var revealed: Bool
    var follow_ups: [FollowUp]
    var tasks: [Task]

    init(_ p: KeyPerson, measure: String?, names: (String) -> String?, tasks: [KeyTask], revealed: Bool) {
        id = p.id
        self.measure = p.measure
        measure_name = measure
        name = p.name
        id_number = p.idNumber
        phone = p.phone
        address = p.address
        community = p.community
        community_name = names(p.community)
        street = p.street
        street_name = names(p.street)
        status = p.status.rawValue
        registered_at = Timestamp.rfc3339(p.registeredAt)
        registered_by = p.registeredBy
        verified_at = p.verifiedAt.map(Timestamp.rfc3339)
        monitor_until = p.monitorUntil.map(PlanDays.text)
        ended_at = p.endedAt.map(Timestamp.rfc3339)
        anonymised_at = p.anonymisedAt.map(Timestamp.rfc3339)
        self.revealed = revealed
        // A follow-up's note may say more about the person than the figures need: masked with the rest.
        follow_ups = p.followUps.map {
            FollowUp(day: PlanDays.text($0.day), healthy: $0.healthy, note: revealed || $0.note.isEmpty ? $0.note : "***", by: $0.by)
        }
        self.tasks = tasks.map { Task(kind: $0.kind.rawValue, day: $0.day.map(PlanDays.text), due_at: Timestamp.rfc3339($0.due),
                                      level: $0.level.rawValue, overdue: $0.overdue) }
    }
}
