import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import HTTPTypes
import Hummingbird

/// Open311 GeoReport v2 at `/open311/v2/`: discovery, services and their definitions, filing a
/// request through the one intake, the request list, a request, tokens, and mySociety's
/// status-update feed. An adapter only: it turns the form into a `ReportDraft` and cases into
/// the spec's elements; intake locates, classifies, de-duplicates, routes and stores.
struct Open311Controller {
    let intake: Intake
    let store: any Storage
    let accounts: any AccountStore
    let categories: CategoryDirectory
    let context: Live<CaseContext>
    let clock: any TimeSource
    let config: Open311Config
    let keywords: [String: [String]]
    /// Area names (streets), for the public's `address`.
    let areaName: @Sendable (String) -> String?

    static let bodyMax = 64 * 1024
    static let unknownKey = "the api_key is unknown or revoked; keys are issued by the district (see key_service in discovery.xml)"
    static let pageMax = 1_000
    static let windowMaxDays = 90.0
    static let idsMax = 1_000

    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("{resource}") { request, context in
            await answer(context.parameters.get("resource") ?? "") { name, format in try await get(name, request, format) }
        }
        routes.post("{resource}") { request, context in
            await answer(context.parameters.get("resource") ?? "") { name, format in
                guard name == "requests" else { throw Open311Error(.notFound, "only requests.\(format.rawValue) accepts POST") }
                return try await create(request, format)
            }
        }
        routes.get("services/{file}") { request, context in
            await answer(context.parameters.get("file") ?? "") { code, format in try await definition(code, request, format) }
        }
        routes.get("requests/{file}") { request, context in
            await answer(context.parameters.get("file") ?? "") { id, format in try await one(id, request, format) }
        }
        routes.get("tokens/{file}") { request, context in
            await answer(context.parameters.get("file") ?? "") { code, format in try await token(code, request, format) }
        }
        return routes
    }

    /// Splits the format off and turns every failure into the spec's error document, in the
    /// format asked for (XML when the suffix itself is wrong).
    func answer(_ resource: String, _ body: (String, Open311Format) async throws -> Response) async -> Response {
        let name: String, format: Open311Format
        do { (name, format) = try Open311Format.split(resource) } catch { return error.response(.xml) }
        do { return try await body(name, format) } catch let e as Open311Error {
            return e.response(format)
        } catch let e as IntakeError {
            switch e {
            case .busy: return Open311Error(.serviceUnavailable, e.description).response(format)
            case .noAreaData, .storage: return Open311Error(.internalServerError, e.description).response(format)
            case .invalid(let f): return Open311Error.bad("\(Self.fieldName(f.field)): \(f.message)").response(format)
            case .outsideDistrict, .refused: return Open311Error.bad(e.description).response(format)
            }
        } catch {
            return Open311Error(.internalServerError, "the request could not be answered: \(error)").response(format)
        }
    }

    /// Open311's name for a field intake names its own way.
    static func fieldName(_ field: String) -> String {
        switch field {
        case "location.lat": "lat"
        case "location.lon": "long"
        case "address": "address_string"
        case "media_urls[0]", "media_urls": "media_url"
        case "category": "service_code"
        default: field.hasPrefix("reporter.") ? String(field.dropFirst("reporter.".count)) : field
        }
    }

    func get(_ name: String, _ request: Request, _ format: Open311Format) async throws -> Response {
        let query = Open311Form(query: request)
        try checkJurisdiction(query)
        switch name {
        case "discovery": return format.response(discovery(request), root: "discovery")
        case "services": return format.response(.list(root: "services", item: "service", services()), root: "services")
        case "requests": return try await list(query, format)
        case "servicerequestupdates": return try await updates(query, format)
        default: throw Open311Error(.notFound, "there is no resource '\(name)'")
        }
    }

    /// One deployment, one jurisdiction: any other is unknown (404), absent is fine.
    func checkJurisdiction(_ form: Open311Form) throws(Open311Error) {
        if let j = form["jurisdiction_id"], j != config.jurisdictionID {
            throw Open311Error(.notFound, "unknown jurisdiction_id '\(j.prefix(40))'; this endpoint serves \(config.jurisdictionID)")
        }
    }

    // MARK: Discovery and services

    func discovery(_ request: Request) -> Open311Node {
        let host = request.head.authority ?? "localhost"
        let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" ? "https" : "http"
        return .object([
            ("changeset", .text(config.changeset)),
            ("contact", .text(config.contact)),
            ("key_service", .text(config.keyService)),
            ("endpoints", .list(root: "endpoints", item: "endpoint", [.object([
                ("specification", .text("http://wiki.open311.org/GeoReport_v2")),
                ("url", .text("\(scheme)://\(host)/open311/v2")),
                ("changeset", .text(config.changeset)),
                ("type", .text("production")),
                ("formats", .list(root: "formats", item: "format", [.text("text/xml"), .text("application/json")])),
            ])])),
        ])
    }

    func services() -> [Open311Node] {
        var out: [Open311Node] = []
        for c in categories.all where c.kind != .component && config.isPublic(c.code) {
            out.append(.object([
                ("service_code", .text(c.code)),
                ("service_name", .text(c.name)),
                ("description", .text("\(c.majorName)：\(c.name)")),
                ("metadata", .bool(!(config.attributes[c.code] ?? []).isEmpty)),
                ("type", .text("realtime")),
                ("keywords", .text((keywords[c.code] ?? []).joined(separator: ","))),
                ("group", .text(c.majorName)),
            ]))
        }
        let free = config.freeTextService
        out.append(.object([
            ("service_code", .text(free.code)), ("service_name", .text(free.name)), ("description", .text(free.description)),
            ("metadata", .bool(false)), ("type", .text("batch")), ("keywords", .text(free.keywords.joined(separator: ","))),
            ("group", .text(free.group)),
        ]))
        return out
    }

    func definition(_ code: String, _ request: Request, _ format: Open311Format) async throws -> Response {
        try checkJurisdiction(Open311Form(query: request))
        guard code == config.freeTextService.code || (config.isPublic(code) && categories.reportable(code) != nil) else {
            throw Open311Error(.notFound, "there is no service '\(code.prefix(40))'")
        }
        let attributes = (config.attributes[code] ?? []).sorted { $0.order < $1.order }.map { a -> Open311Node in
            .object([
                ("variable", .bool(true)), ("code", .text(a.code)), ("datatype", .text(a.datatype.rawValue)), ("required", .bool(a.required)),
                ("datatype_description", .text(a.datatypeDescription)), ("order", .int(a.order)), ("description", .text(a.description)),
                ("values", .list(root: "values", item: "value",
                                 (a.values ?? []).map { .object([("key", .text($0.key)), ("name", .text($0.name))]) })),
            ])
        }
        let node = Open311Node.object([("service_code", .text(code)), ("attributes", .list(root: "attributes", item: "attribute", attributes))])
        return format.response(node, root: "service_definition")
    }

    // MARK: Reading requests

    /// Who asks: nobody (the public), or a key. A key that may read cases sees the cases in its
    /// scope, of every category; the public sees the public categories only. Nobody sees
    /// personal fields here.
    func reader(_ form: Open311Form) async throws -> (scope: Scope, everyCategory: Bool) {
        guard let key = form["api_key"] else { return (.all, false) }
        guard let p = try await accounts.authenticate(key: key, at: clock.now()) else {
            throw Open311Error(.forbidden, Self.unknownKey)
        }
        guard AccessPolicy.readsCases(p.role) else { return (.all, false) }
        return (Scope.of(unit: p.unit, in: context.current.units), true)
    }

    func visible(_ r: CaseRecord, to reader: (scope: Scope, everyCategory: Bool)) -> Bool {
        reader.everyCategory ? reader.scope.contains(r) : config.isPublic(r.category)
    }

    func unitName(_ code: String) -> String? { context.current.units[code]?.name }

    func list(_ form: Open311Form, _ format: Open311Format) async throws -> Response {
        let who = try await reader(form)
        if let idList = form["service_request_id"] {
            let ids = try idList.split(separator: ",").map { text throws(Open311Error) -> Int64 in
                guard let id = Int64(text.trimmingCharacters(in: .whitespaces)), id > 0 else {
                    throw Open311Error.bad("service_request_id must be a comma-separated list of request ids")
                }
                return id
            }
            guard ids.count <= Self.idsMax else { throw Open311Error.bad("at most \(Self.idsMax) service_request_id values at once") }
            var nodes: [Open311Node] = []
            for id in ids {
                if let r = try await store.find(id: id), visible(r, to: who) { nodes.append(node(r, full: who.everyCategory)) }
            }
            return format.response(.list(root: "service_requests", item: "request", nodes), root: "service_requests")
        }
        var q = CaseQuery()
        q.scope = who.scope
        if let codes = form["service_code"] {
            q.categories = try codes.split(separator: ",").map { raw throws(Open311Error) -> String in
                let code = raw.trimmingCharacters(in: .whitespaces)
                guard categories.reportable(code) != nil, who.everyCategory || config.isPublic(code) else {
                    throw Open311Error.bad("service_code '\(code.prefix(40))' is not a service of this endpoint")
                }
                return code
            }
        } else if !who.everyCategory {
            q.categories = config.publicMajorClasses
        }
        if let statuses = form["status"] {
            var set = Set<CaseStatus>()
            for s in statuses.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
                switch s {
                case "open": set.formUnion(Open311Cases.openStatuses)
                case "closed": set.formUnion(Open311Cases.closedStatuses)
                default: throw Open311Error.bad("status must be open, closed or both (comma-separated), not '\(s.prefix(20))'")
                }
            }
            q.statuses = CaseStatus.allCases.filter(set.contains)
        }
        (q.since, q.until) = try window(form, defaultDays: Self.windowMaxDays)
        let size = try integer(form, "page_size", default: Self.pageMax, in: 1...Self.pageMax)
        let page = try integer(form, "page", default: 1, in: 1...100_000)
        var skip = (page - 1) * size, items: [CaseRecord] = []
        q.sort = .newest
        while items.count < size {
            q.limit = min(CaseQuery.maxLimit, skip > 0 ? skip : size - items.count)
            let got = try await store.list(q)
            if skip > 0 { skip -= got.items.count } else { items += got.items }
            guard let next = got.nextCursor else { break }
            q.cursor = next
        }
        let nodes = items.map { node($0, full: who.everyCategory) }
        return format.response(.list(root: "service_requests", item: "request", nodes), root: "service_requests")
    }

    func node(_ r: CaseRecord, full: Bool, history: [CaseEvent]? = nil) -> Open311Node {
        Open311Cases.node(r, categories: categories, config: config, view: .init(full: full, unitName: unitName, areaName: areaName),
                          history: history)
    }

    /// `start_date`/`end_date`: at most 90 days apart; without them the 90 days (or the span
    /// given) up to now.
    func window(_ form: Open311Form, defaultDays: Double) throws(Open311Error) -> (Date, Date) {
        func date(_ field: String) throws(Open311Error) -> Date? {
            guard let text = form[field] else { return nil }
            guard let d = Timestamp.parse(text) else { throw Open311Error.bad("\(field) must be a W3C date-time such as 2026-11-01T00:00:00+08:00") }
            return d
        }
        let span = defaultDays * 86_400
        let start = try date("start_date"), end = try date("end_date")
        let to = end ?? start.map { $0.addingTimeInterval(span) } ?? clock.now().addingTimeInterval(1)
        let from = start ?? to.addingTimeInterval(-span)
        guard from <= to else { throw Open311Error.bad("start_date is after end_date") }
        guard to.timeIntervalSince(from) <= Self.windowMaxDays * 86_400 else {
            throw Open311Error.bad("start_date and end_date may be at most \(Int(Self.windowMaxDays)) days apart")
        }
        return (from, to)
    }

    func integer(_ form: Open311Form, _ field: String, default value: Int, in range: ClosedRange<Int>) throws(Open311Error) -> Int {
        guard let text = form[field] else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw Open311Error.bad("\(field) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    func one(_ idText: String, _ request: Request, _ format: Open311Format) async throws -> Response {
        let form = Open311Form(query: request)
        try checkJurisdiction(form)
        let who = try await reader(form)
        guard let id = Int64(idText), id > 0, let r = try await store.find(id: id), visible(r, to: who) else {
            throw Open311Error(.notFound, "there is no request '\(idText.prefix(40))'")
        }
        let history = try await store.history(of: id)
        return format.response(.list(root: "service_requests", item: "request", [node(r, full: who.everyCategory, history: history)]),
                               root: "service_requests")
    }

    /// A token is the case's tracking code, handed out for the free-text service.
    func token(_ token: String, _ request: Request, _ format: Open311Format) async throws -> Response {
        try checkJurisdiction(Open311Form(query: request))
        guard token.count <= 64, let r = try await store.find(trackingCode: token) else {
            throw Open311Error(.notFound, "there is no token '\(token.prefix(40))'")
        }
        let node = Open311Node.object([("service_request_id", .int(r.id)), ("token", .text(token))])
        return format.response(.list(root: "service_requests", item: "request", [node]), root: "service_requests")
    }

    /// mySociety's extension: status changes between two times, so FixMyStreet-style clients
    /// follow their reports. The last day when no dates are given. Public: no text anyone typed.
    func updates(_ form: Open311Form, _ format: Open311Format) async throws -> Response {
        let (from, to) = try window(form, defaultDays: 1)
        let changes = try await store.statusChanges(from: from, to: to, majorClasses: config.publicMajorClasses, limit: Self.pageMax)
        let nodes = changes.map { c -> Open311Node in
            let e = c.event
            return .object([
                ("update_id", .text("\(e.caseID)-\(e.seq)")),
                ("service_request_id", .int(e.caseID)),
                ("status", .text(Open311Cases.status(e.to))),
                ("external_status_code", .text(e.to.rawValue)),
                ("updated_datetime", Open311Time.node(e.at)),
                ("description", .text(Open311Cases.notes(e, full: false, unitName: unitName))),
                // Photos can show people: the public feed carries none.
                ("media_url", .text(nil)),
            ])
        }
        return format.response(.list(root: "service_request_updates", item: "request_update", nodes), root: "service_request_updates")
    }
}
