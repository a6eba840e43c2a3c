import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// `POST /api/v1/imports`: a dispatcher uploads a spreadsheet of old complaints (the CSV file as
/// the body); every row goes through the one intake, and the answer is the summary with the
/// refused rows. The same file uploaded twice opens nothing new.
struct ImportController {
    let intake: Intake
    let categories: CategoryDirectory
    let atlas: Live<Atlas>
    let clock: any TimeSource

    /// 100,000 rows of a hotline export are about 27 MB.
    static let bodyMax = 64 * 1024 * 1024
    /// The refused rows listed in the answer; the count is always whole.
    static let errorsListed = 1_000

    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("imports") { request, context in try await upload(request, by: try context.caller()) }
        return routes
    }

    struct RowErrorDTO: Encodable { var row: Int; var field: String; var reason: String }

    struct SummaryDTO: Encodable {
        var encoding: String
        var rows: Int
        var opened: Int
        var joined: Int
        var repeated: Int
        var refused: Int
        var derived_ids: Bool
        var seconds: Double
        var errors: [RowErrorDTO]
        var errors_truncated: Bool
    }

    func upload(_ request: Request, by principal: Principal) async throws -> Response {
        guard AccessPolicy.imports(principal.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "only dispatchers import reports")
        }
        let params = request.uri.queryParameters
        var source = ReportSource.hotline
        if let s = params.get("source") {
            guard let v = ReportSource(rawValue: s) else {
                let known = ReportSource.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError(.unprocessableContent, code: "unknown_source", message: "source must be one of \(known)", field: "source")
            }
            source = v
        }
        var encoding: TextDecoding.Encoding? = nil
        if let e = params.get("encoding") {
            guard let v = TextDecoding.Encoding(rawValue: e.lowercased()) else {
                throw APIError(.unprocessableContent, code: "unknown_encoding", message: "encoding must be utf-8 or gb18030", field: "encoding")
            }
            encoding = v
        }
        var mapping = ReportImport.Mapping()
        if let m = params.get("mapping") {
            guard let decoded = try? JSONDecoder().decode([String: String].self, from: Data(m.utf8)) else {
                throw APIError.badRequest("wrong_type", "mapping must be a JSON object of fields to headers, e.g. {\"description\":\"来电内容\"}",
                                          field: "mapping")
            }
            mapping = ReportImport.Mapping(columns: decoded)
        }
        let data = try await JSONBody.collect(request, maxBytes: Self.bodyMax)
        let importer = ReportImport(intake: intake, categories: categories, atlas: atlas.current, clock: clock, defaultSource: source,
                                    mapping: mapping)
        let s: ReportImport.Summary
        do { s = try await importer.run(data, encoding: encoding, actor: principal.actor) } catch let e as ImportError {
            let field: String
            switch e {
            case .mapping: field = "mapping"
            case .encoding: field = "encoding"
            default: field = "body"
            }
            throw APIError(.unprocessableContent, code: "unreadable_file", message: e.description, field: field)
        }
        let errors = s.errors.prefix(Self.errorsListed).map { RowErrorDTO(row: $0.row, field: $0.field, reason: $0.reason) }
        return JSONBody.response(SummaryDTO(encoding: s.encoding.rawValue, rows: s.rows, opened: s.opened, joined: s.joined, repeated: s.repeated,
                                            refused: s.refused, derived_ids: s.derivedIDs, seconds: (s.seconds * 1000).rounded() / 1000,
                                            errors: Array(errors), errors_truncated: s.errors.count > errors.count))
    }
}
