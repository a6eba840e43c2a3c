import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// The merchants of 云共治, a merchant's confirmation through its notice, the self-correction
/// figures, and the outbox of messages to merchants.
struct CoGovernanceController {
    let registry: any RegistryStore
    let coGovernance: any CoGovernanceStore
    let outbox: any OutboxStore
    let atlas: Live<Atlas>
    let cases: Live<CaseContext>
    let clock: any TimeSource

    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("merchants") { _, context in try await merchants(try context.caller()) }
        routes.post("merchants") { request, context in try await saveMerchant(request, by: try context.caller()) }
        routes.post("notices/{token}/confirm") { request, context in try await confirm(request, token: context.parameters.get("token") ?? "") }
        routes.get("stats/self-correction") { request, context in try await stats(request.uri.queryParameters, by: try context.caller()) }
        routes.get("outbox") { request, context in try await messages(request.uri.queryParameters, by: try context.caller()) }
        return routes
    }

    struct MerchantDTO: Encodable {
        var id: String
        var name: String
        /// Masked like a reporter.
        var contact_name: String?
        var contact_phone: String?
        var address: String?
        var location: CaseDTO.Location
        var street: String?
        var cameras: [String]
    }

    func merchants(_ p: Principal) async throws -> Response {
        guard AccessPolicy.readsCases(p.role) else { throw APIError(.forbidden, code: "forbidden", message: "a \(p.role.rawValue) may not list merchants") }
        let items = try await registry.merchants().map(Self.dto)
        return JSONBody.response(["items": items])
    }

    static func dto(_ m: Merchant) -> MerchantDTO {
        MerchantDTO(id: m.id, name: m.name, contact_name: m.contactName.map(Masking.name), contact_phone: m.contactPhone.map(Masking.phone),
                    address: m.address, location: .init(lat: m.location.lat, lon: m.location.lon), street: m.area?.street, cameras: m.cameras)
    }

    struct MerchantBody: Decodable {
        var id: String?
        var name: String?
        var contact_name: String?
        var contact_phone: String?
        var address: String?
        var location: ReportBody.Location?
        var cameras: [String]?
    }

    /// Registers a merchant or replaces the one with the same id (admin).
    func saveMerchant(_ request: Request, by p: Principal) async throws -> Response {
        guard p.role == .admin else { throw APIError(.forbidden, code: "forbidden", message: "only an admin registers merchants") }
        let b = try await JSONBody.decode(MerchantBody.self, from: request)
        let m = try Registration.merchant(id: b.id, name: b.name, contactName: b.contact_name, contactPhone: b.contact_phone, address: b.address,
                                          location: b.location.map { .init(lat: $0.lat, lon: $0.lon, crs: $0.crs) }, cameras: b.cameras ?? [],
                                          atlas: atlas.current)
        let existed = try await registry.merchants().contains { $0.id == m.id }
        try await registry.saveMerchants([m], by: p.id, at: clock.now())
        return JSONBody.response(Self.dto(m), status: existed ? .ok : .created)
    }

    struct ConfirmBody: Decodable {
        var photo_urls: [String]?
        var note: String?
    }

    /// The merchant's confirmation, with photos, through the link in its notice. The link's
    /// secret is the credential: the merchant has no account. Answers public fields only.
    func confirm(_ request: Request, token: String) async throws -> Response {
        let body = try await JSONBody.decode(ConfirmBody.self, from: request)
        guard token.hasPrefix("gzn_"), token.count <= 64 else { throw CoGovernanceError.unknownNotice }
        let record = try await coGovernance.confirm(noticeToken: token, mediaURLs: body.photo_urls ?? [], note: body.note, at: clock.now(),
                                                    context: cases.current)
        struct Body: Encodable { var tracking_code: String; var status: String; var confirmed: Bool; var recheck_by: String? }
        return JSONBody.response(Body(tracking_code: record.trackingCode, status: record.status.rawValue, confirmed: record.merchantConfirmed,
                                      recheck_by: record.dueAt.map(Timestamp.rfc3339)))
    }

    func stats(_ params: Parameters, by p: Principal) async throws -> Response {
        guard AccessPolicy.readsCases(p.role) else { throw APIError(.forbidden, code: "forbidden", message: "a \(p.role.rawValue) may not read figures") }
        let byText = params.get("by") ?? "scenario"
        guard let by = SelfCorrectionStats.Grouping(rawValue: byText) else {
            throw APIError(.unprocessableContent, code: "unknown_grouping", message: "by must be scenario, street or merchant", field: "by")
        }
        func time(_ name: String) throws -> Date? {
            guard let t = params.get(name), !t.isEmpty else { return nil }
            guard let d = Timestamp.parse(t) else { throw APIError.badRequest("wrong_type", "\(name) must be an RFC 3339 time or a date", field: name) }
            return d
        }
        struct Item: Encodable { var key: String; var name: String?; var notified: Int; var self_corrected: Int; var enforced: Int; var pending: Int; var rate: Double? }
        let context = cases.current
        let items = try await coGovernance.selfCorrectionStats(by: by, since: try time("since"), until: try time("until")).map { s in
            let name: String? = switch by {
            case .scenario: context.coGovernance.scenario(id: s.key)?.name
            case .street: atlas.current.name(of: s.key)
            case .merchant: nil
            }
            return Item(key: s.key, name: name, notified: s.notified, self_corrected: s.selfCorrected, enforced: s.enforced, pending: s.pending, rate: s.rate)
        }
        struct Body: Encodable { var by: String; var items: [Item] }
        return JSONBody.response(Body(by: by.rawValue, items: items))
    }

    /// The messages to merchants and their delivery (admin): never the payload, which holds the
    /// merchant's contact and, until sent, the notice's secret.
    func messages(_ params: Parameters, by p: Principal) async throws -> Response {
        guard p.role == .admin else { throw APIError(.forbidden, code: "forbidden", message: "only an admin reads the outbox") }
        var caseID: Int64? = nil
        if let text = params.get("case_id") {
            guard let id = Int64(text) else { throw APIError.badRequest("wrong_type", "case_id must be an integer", field: "case_id") }
            caseID = id
        }
        struct Item: Encodable {
            var id: Int64; var case_id: Int64; var event_seq: Int; var kind: String; var recipient: String; var status: String
            var attempts: Int; var created_at: String; var last_error: String?
        }
        let items = try await outbox.outbox(caseID: caseID, limit: 500).map {
            Item(id: $0.id, case_id: $0.caseID, event_seq: $0.eventSeq, kind: $0.kind, recipient: $0.recipient, status: $0.status.rawValue,
                 attempts: $0.attempts, created_at: Timestamp.rfc3339($0.createdAt), last_error: $0.lastError)
        }
        return JSONBody.response(["items": items])
    }
}
