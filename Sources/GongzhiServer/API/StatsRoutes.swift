import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird
import NIOCore

/// `/api/v1/stats/*`: the cockpit's and the evaluation's figures, scoped like cases. Each
/// answers JSON, or CSV with `format=csv` (UTF-8 with a byte-order mark, so Excel in China
/// opens it cleanly; `encoding=gb18030` for older tools).
struct StatsRoutes {
    let services: GongzhiServices
    let evaluation: Evaluation

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/stats/overview") { request, context in try await overview(request, by: try context.caller()) }
        router.get("/api/v1/stats/units") { request, context in try await units(request, by: try context.caller()) }
        router.get("/api/v1/stats/areas") { request, context in try await areas(request, by: try context.caller()) }
        router.get("/api/v1/stats/trend") { request, context in try await trend(request, by: try context.caller()) }
        router.get("/api/v1/stats/ranking") { request, context in try await ranking(request, by: try context.caller()) }
    }

    private func parse(_ request: Request, _ principal: Principal) throws -> (StatsParams, StatsFormat) {
        guard AccessPolicy.readsCases(principal.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(principal.role.rawValue) may not read statistics")
        }
        let params = request.uri.queryParameters
        let format = try StatsFormat.parse(params)
        return (try StatsParams.parse(params, services: services, principal: principal, now: services.clock.now()), format)
    }

    func overview(_ request: Request, by principal: Principal) async throws -> Response {
        let (p, format) = try parse(request, principal)
        let now = services.clock.now()
        let o = try await evaluation.overview(p.query, period: p.period, now: now)
        let dto = StatsDTO.Overview(o, params: p)
        return try format.respond(dto, name: "overview", csv: dto.csv)
    }

    func units(_ request: Request, by principal: Principal) async throws -> Response {
        let (p, format) = try parse(request, principal)
        let rows = try await evaluation.breakdown(p.query, period: p.period, by: .unit, now: services.clock.now())
        let items = rows.map { StatsDTO.Breakdown($0, name: services.context.current.units[$0.key]?.name ?? $0.key, level: "unit", params: p) }
            .sorted { ($0.score, $1.code) > ($1.score, $0.code) }
        let dto = StatsDTO.Breakdowns(period: StatsDTO.PeriodDTO(p.period), items: items)
        return try format.respond(dto, name: "units", csv: dto.csv)
    }

    func areas(_ request: Request, by principal: Principal) async throws -> Response {
        let (p, format) = try parse(request, principal)
        let levelText = request.uri.queryParameters.get("level") ?? "street"
        guard let level = [StatsDimension.street, .community, .grid].first(where: { $0.rawValue == levelText }) else {
            throw APIError(.unprocessableContent, code: "unknown_value", message: "level must be street, community or grid", field: "level")
        }
        let rows = try await evaluation.breakdown(p.query, period: p.period, by: level, now: services.clock.now())
        let items = rows.map { StatsDTO.Breakdown($0, name: services.areaName($0.key) ?? $0.key, level: level.rawValue, params: p) }
        let dto = StatsDTO.Breakdowns(period: StatsDTO.PeriodDTO(p.period), items: items)
        return try format.respond(dto, name: "areas-\(level.rawValue)", csv: dto.csv)
    }

    func trend(_ request: Request, by principal: Principal) async throws -> Response {
        var (p, format) = try parse(request, principal)
        let params = request.uri.queryParameters
        // Without a period, the last 30 days up to today.
        if params.get("from") == nil, params.get("to") == nil, params.get("period") == nil {
            let today = Period.day(of: services.clock.now())
            p.period = Period(kind: .range, first: today - 29, last: today)
        }
        let days = try await evaluation.trend(p.query, period: p.period)
        let dto = StatsDTO.Trend(period: StatsDTO.PeriodDTO(p.period), days: days.map(StatsDTO.TrendDay.init))
        return try format.respond(dto, name: "trend", csv: dto.csv)
    }

    func ranking(_ request: Request, by principal: Principal) async throws -> Response {
        let (p, format) = try parse(request, principal)
        let ranked = try await evaluation.ranking(p.query, period: p.period, now: services.clock.now())
        let units = services.context.current.units
        let dto = StatsDTO.Ranking(period: StatsDTO.PeriodDTO(p.period), previous_period: StatsDTO.PeriodDTO(p.period.previous),
                                   scheme: StatsDTO.SchemeDTO(id: evaluation.scheme.id, name: evaluation.scheme.name),
                                   units: ranked.map { StatsDTO.RankedUnit($0, name: units[$0.unit]?.name ?? $0.unit, params: p) })
        return try format.respond(dto, name: "ranking", csv: dto.csv)
    }
}

/// JSON or CSV, and the CSV's encoding.
enum StatsFormat {
    case json
    case csv(gb18030: Bool)

    static func parse(_ params: Parameters) throws -> StatsFormat {
        switch params.get("format") ?? "json" {
        case "json": return .json
        case "csv":
            switch params.get("encoding") ?? "utf-8" {
            case "utf-8": return .csv(gb18030: false)
            case "gb18030": return .csv(gb18030: true)
            default:
                throw APIError(.unprocessableContent, code: "unknown_value", message: "encoding must be utf-8 or gb18030", field: "encoding")
            }
        default:
            throw APIError(.unprocessableContent, code: "unknown_value", message: "format must be json or csv", field: "format")
        }
    }

    func respond(_ value: some Encodable, name: String, csv: @autoclosure () -> [[String]]) throws -> Response {
        switch self {
        case .json:
            return JSONBody.response(value)
        case .csv(let gb18030):
            let text = CSV.write(csv())
            let bytes: [UInt8]
            if gb18030 {
                bytes = try TextDecoding.gb18030(text)
            } else {
                bytes = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
            }
            let charset = gb18030 ? "gb18030" : "utf-8"
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=\(charset)",
                                                   .contentDisposition: "attachment; filename=\"gongzhi-\(name).csv\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
