import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// Locate, route dry-runs, the working calendar and the routing rules.
struct DispatchRoutes {
    let services: GongzhiServices

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/locate") { request, _ in try locate(request.uri.queryParameters) }
        router.get("/api/v1/route") { request, _ in try route(request.uri.queryParameters) }
        router.get("/api/v1/calendar") { request, _ in try calendar(request.uri.queryParameters) }
        router.get("/api/v1/rules") { _, _ in rules() }
        router.post("/api/v1/rules/reload") { _, context in
            guard try context.caller().role == .admin else { throw APIError(.forbidden, code: "forbidden", message: "only an admin may reload the rules") }
            return try await reload()
        }
    }

    typealias Named = CaseDTO.Named

    struct LocateDTO: Encodable {
        var path: CaseDTO.Area
        var approximate: Bool
        var location: CaseDTO.Location

        enum CodingKeys: String, CodingKey { case district, street, community, grid, area_version, approximate, location }

        /// The path's levels at the top level of the answer, as the API has always shown them.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(path.district, forKey: .district)
            try c.encodeIfPresent(path.street, forKey: .street)
            try c.encodeIfPresent(path.community, forKey: .community)
            try c.encodeIfPresent(path.grid, forKey: .grid)
            try c.encode(path.version, forKey: .area_version)
            try c.encode(approximate, forKey: .approximate)
            try c.encode(location, forKey: .location)
        }
    }

    func locate(_ params: Parameters) throws -> Response {
        let point = try QueryPoint.parse(params)
        let path = try Self.locate(point, atlas: services.atlas.current)
        return JSONBody.response(describe(path, point))
    }

    func describe(_ path: AreaPath, _ point: GeoPoint) -> LocateDTO {
        let atlas = services.atlas.current
        let found: [(Area.Level, String?)] = [(.street, path.street), (.community, path.community), (.grid, path.grid)]
        let approximate = found.contains { level, code in code != nil && atlas.layers[level]?.approximate == true }
        return LocateDTO(path: CaseDTO.Area(path, services: services), approximate: approximate, location: .init(lat: point.lat, lon: point.lon))
    }

    /// Locates a point; outside the district is a 422 naming the location.
    static func locate(_ point: GeoPoint, atlas: Atlas) throws -> AreaPath { try Normalise.locate(point, atlas: atlas) }

    func route(_ params: Parameters) throws -> Response {
        struct RouteDTO: Encodable {
            var area: LocateDTO
            var category: Named?
            var source: String
            var rule_id: String?
            var why: String
            var unit: Named?
            var auto_dispatch: Bool
            var self_correction: Bool
            var escalate_when_overdue: Bool
            var deadline: String?
            var due_at: String?
            var warn_at: String?
            var beaten_rules: [String]
            struct Skipped: Encodable { var rule_id: String; var why: String }
            /// More specific rules that matched but could not name a unit here.
            var skipped_rules: [Skipped]
        }
        let point = try QueryPoint.parse(params)
        let context = services.context.current
        guard let sourceText = params.get("source") else {
            throw APIError(.unprocessableContent, code: "required", message: "source is required", field: "source")
        }
        guard let source = ReportSource(rawValue: sourceText) else {
            throw APIError(.unprocessableContent, code: "unknown_source", message: "source '\(sourceText)' is not a report source", field: "source")
        }
        let category = params.get("category")
        if let category, context.categories.reportable(category) == nil {
            throw APIError(.unprocessableContent, code: "unknown_category", message: "category '\(category)' does not exist", field: "category")
        }
        let path = try Self.locate(point, atlas: services.atlas.current)
        let now = services.clock.now()
        let match = context.rules.route(category: category, area: path, source: source, units: context.units)
        var record = CaseRecord(id: 0, trackingCode: "", report: Report(source: source, category: category, description: "-", location: point, area: path), createdAt: now)
        record.category = category
        let deadline = match.map { _ in context.deadline(for: record, from: now, overrideHours: nil) }
        let unit = match?.unit
        return JSONBody.response(RouteDTO(
            area: describe(path, point), category: category.map { Named(code: $0, name: context.categories.reportable($0)?.name) },
            source: source.rawValue, rule_id: match?.rule.id,
            why: match?.explanation ?? "no rule matches: the case waits in the dispatcher queue",
            unit: unit.map { Named(code: $0, name: context.units[$0]?.name) }, auto_dispatch: match?.rule.autoDispatch ?? false,
            self_correction: match?.rule.selfCorrection ?? false, escalate_when_overdue: match?.rule.escalateWhenOverdue ?? false,
            deadline: match?.rule.deadline.description, due_at: deadline.map { Timestamp.rfc3339($0.due) },
            warn_at: deadline.map { Timestamp.rfc3339($0.warn) }, beaten_rules: match?.beaten.map(\.id) ?? [],
            skipped_rules: match?.skipped.map { .init(rule_id: $0.ruleID, why: $0.why) } ?? []))
    }

    func calendar(_ params: Parameters) throws -> Response {
        struct DayDTO: Encodable { var date: String; var weekday: Int; var working: Bool; var holiday: String?; var workday_for: String?; var known: Bool }
        struct Body: Encodable { var from: String; var to: String; var office_hours: [String]; var days: [DayDTO] }
        func day(_ name: String) throws -> Int64 {
            guard let text = params.get(name) else { throw APIError(.unprocessableContent, code: "required", message: "\(name) is required (YYYY-MM-DD)", field: name) }
            guard let d = WorkingCalendar.day(text) else { throw APIError.badRequest("wrong_type", "\(name) must be a date YYYY-MM-DD", field: name) }
            return d
        }
        let from = try day("from"), to = try day("to")
        guard from <= to else { throw APIError(.unprocessableContent, code: "out_of_range", message: "from must not be after to", field: "to") }
        guard to - from < 731 else { throw APIError(.unprocessableContent, code: "out_of_range", message: "at most 731 days per request", field: "to") }
        let cal = services.context.current.calendar
        let days = (from...to).map { d in
            let i = cal.info(day: d)
            return DayDTO(date: i.date, weekday: i.weekday, working: i.working, holiday: i.holiday, workday_for: i.workdayFor, known: i.known)
        }
        let hours = cal.officeHours.intervals.map { String(format: "%02d:%02d-%02d:%02d", $0.lowerBound / 60, $0.lowerBound % 60, $0.upperBound / 60, $0.upperBound % 60) }
        return JSONBody.response(Body(from: days.first!.date, to: days.last!.date, office_hours: hours, days: days))
    }

    func rules() -> Response {
        struct Body: Encodable { var count: Int; var rules: [RoutingRule]; var warnings: [String] }
        let table = services.context.current.rules
        return JSONBody.response(Body(count: table.rules.count, rules: table.rules, warnings: services.rulesWarnings()))
    }

    func reload() async throws -> Response {
        struct Body: Encodable { var rules: Int; var area_version: Int64; var warnings: [String] }
        do {
            let r = try await services.reload()
            return JSONBody.response(Body(rules: r.rules, area_version: r.atlasVersion, warnings: services.rulesWarnings()))
        } catch let e as ReferenceError {
            throw APIError(.unprocessableContent, code: "invalid_rules", message: "\(e.description); the previous rules stay in force")
        }
    }
}

/// `lat`, `lon` and optional `crs` from a query string, converted to WGS84.
enum QueryPoint {
    static func parse(_ params: Parameters) throws -> GeoPoint {
        func number(_ name: String) throws -> Double {
            guard let text = params.get(name) else { throw APIError(.unprocessableContent, code: "required", message: "\(name) is required", field: name) }
            guard let v = Double(text), v.isFinite else { throw APIError.badRequest("wrong_type", "\(name) must be a number", field: name) }
            return v
        }
        let lat = try number("lat"), lon = try number("lon")
        return try Normalise.wgs84(lat: lat, lon: lon, crs: params.get("crs"), field: "")
    }
}
