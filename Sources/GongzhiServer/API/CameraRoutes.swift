import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// The camera registry and camera events (城市眼): `GET/POST /api/v1/cameras`,
/// `POST /api/v1/camera/events`. Events go through the one intake; this only decodes them.
struct CameraController {
    let intake: Intake
    let registry: any RegistryStore
    let cameras: Live<[String: Camera]>
    let atlas: Live<Atlas>
    let categories: CategoryDirectory
    let clock: any TimeSource

    /// At most this many events in one request (a camera system's batch).
    static let batchMax = 1_000
    /// 1,000 events with snapshot links fit comfortably.
    static let bodyMax = 2 * 1024 * 1024

    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("cameras") { _, context in try await list(try context.caller()) }
        routes.post("cameras") { request, context in try await save(request, by: try context.caller()) }
        routes.post("camera/events") { request, context in try await events(request, by: try context.caller()) }
        return routes
    }

    struct CameraDTO: Encodable {
        var id: String
        var name: String
        var location: CaseDTO.Location
        var street: String?
        var grid: String?
        var categories: [String]
        var active: Bool
        /// Weak detections dropped, by category.
        var dropped: [String: Int]
    }

    func list(_ p: Principal) async throws -> Response {
        guard p.role != .merchant else { throw APIError(.forbidden, code: "forbidden", message: "a merchant may not list cameras") }
        let drops = Dictionary(grouping: try await registry.drops(), by: \.cameraID)
        let items = try await registry.cameras().map { c in
            CameraDTO(id: c.id, name: c.name, location: .init(lat: c.location.lat, lon: c.location.lon), street: c.area?.street, grid: c.area?.grid,
                      categories: c.categories, active: c.active,
                      dropped: Dictionary((drops[c.id] ?? []).map { ($0.category, $0.count) }, uniquingKeysWith: +))
        }
        return JSONBody.response(["items": items])
    }

    struct CameraBody: Decodable {
        var id: String?
        var name: String?
        var location: ReportBody.Location?
        var categories: [String]?
        var active: Bool?
    }

    /// Registers a camera or replaces the one with the same id (admin).
    func save(_ request: Request, by p: Principal) async throws -> Response {
        guard p.role == .admin else { throw APIError(.forbidden, code: "forbidden", message: "only an admin registers cameras") }
        let body = try await JSONBody.decode(CameraBody.self, from: request)
        let camera = try Registration.camera(id: body.id, name: body.name,
                                             location: body.location.map { .init(lat: $0.lat, lon: $0.lon, crs: $0.crs) },
                                             categories: body.categories ?? [], active: body.active ?? true, atlas: atlas.current, categories: categories)
        let existed = cameras.current[camera.id] != nil
        try await registry.saveCameras([camera], by: p.id, at: clock.now())
        cameras.update { $0[camera.id] = camera }
        let dto = CameraDTO(id: camera.id, name: camera.name, location: .init(lat: camera.location.lat, lon: camera.location.lon),
                            street: camera.area?.street, grid: camera.area?.grid, categories: camera.categories, active: camera.active, dropped: [:])
        return JSONBody.response(dto, status: existed ? .ok : .created)
    }

    struct EventBody: Decodable {
        var event_id: String?
        var camera_id: String?
        var category: String?
        var confidence: Double?
        var detected_at: String?
        var location: ReportBody.Location?
        var snapshot_url: String?
        var state: String?

        var draft: CameraEventDraft {
            CameraEventDraft(eventID: event_id, cameraID: camera_id, category: category, confidence: confidence, detectedAt: detected_at,
                             location: location.map { .init(lat: $0.lat, lon: $0.lon, crs: $0.crs) }, snapshotURL: snapshot_url, state: state)
        }
    }

    struct ResultDTO: Encodable {
        var event_id: String?
        /// opened, joined, rechecked, no_open_case, dropped, or refused.
        var status: String
        var repeated: Bool?
        var case_id: Int64?
        var case_status: String?
        var error: ErrorDTO?
        struct ErrorDTO: Encodable { var code: String; var message: String; var field: String? }
    }

    /// One event, or `{"events": [...]}` of up to 1,000. Each event is checked on its own: a
    /// malformed or refused one is answered with its reason and the rest are taken.
    func events(_ request: Request, by p: Principal) async throws -> Response {
        guard p.role == .machine || p.role == .admin else {
            throw APIError(.forbidden, code: "forbidden", message: "camera events come from machine keys")
        }
        let data = try await JSONBody.collect(request, maxBytes: Self.bodyMax)
        // Strict JSON for the whole body; control characters are each event's own refusal.
        try JSONBody.requireJSON(request)
        try JSONBody.strictlyChecked(data, refusingControls: false)
        // The usual body decodes in one pass; only a body with a malformed event is taken apart
        // event by event, to answer each with its own reason.
        struct Batch: Decodable { var events: [EventBody] }
        if let batch = try? JSONDecoder().decode(Batch.self, from: data), (1...Self.batchMax).contains(batch.events.count) {
            return try await answer(batch.events.map(\.draft), malformed: [:], count: batch.events.count, by: p)
        }
        let raw: [AnyJSON]
        switch try JSONBody.decode(AnyJSON.self, from: data, refusingControls: false) {
        case .object(let o) where o["events"] != nil:
            guard case .array(let list)? = o["events"] else { throw APIError.badRequest("wrong_type", "events must be an array", field: "events") }
            raw = list
        case .object: raw = [try JSONBody.decode(AnyJSON.self, from: data, refusingControls: false)]
        default: throw APIError.badRequest("wrong_type", "the body must be an event or {\"events\": [...]}")
        }
        guard !raw.isEmpty else { throw APIError(.unprocessableContent, code: "required", message: "events is empty", field: "events") }
        guard raw.count <= Self.batchMax else {
            throw APIError(.unprocessableContent, code: "too_many", message: "at most \(Self.batchMax) events per request", field: "events")
        }
        var drafts: [CameraEventDraft] = [], malformed: [Int: ResultDTO] = [:]
        for (i, item) in raw.enumerated() {
            do {
                drafts.append(try JSONBody.decode(EventBody.self, from: try JSONEncoder().encode(item)).draft)
            } catch {
                malformed[i] = Self.refused(item.string("event_id"), error)
            }
        }
        return try await answer(drafts, malformed: malformed, count: raw.count, by: p)
    }

    /// Submits the well-formed events and answers every event in its place.
    func answer(_ drafts: [CameraEventDraft], malformed: [Int: ResultDTO], count: Int, by p: Principal) async throws -> Response {
        var results = [ResultDTO?](repeating: nil, count: count)
        var positions: [Int] = []
        for i in 0..<count {
            if let m = malformed[i] { results[i] = m } else { positions.append(i) }
        }
        let outcomes = try await intake.submit(detections: drafts, actor: p.actor)
        for (j, outcome) in outcomes.enumerated() {
            let i = positions[j], id = drafts[j].eventID
            switch outcome {
            case .success(let o):
                results[i] = ResultDTO(event_id: id, status: o.kind.rawValue, repeated: o.repeated ? true : nil, case_id: o.caseID,
                                       case_status: o.status?.rawValue)
            case .failure(let e):
                results[i] = Self.refused(id, e)
            }
        }
        let all = results.map { $0! }
        var counts: [String: Int] = [:]
        for r in all { counts[r.status, default: 0] += 1 }
        struct Body: Encodable { var results: [ResultDTO]; var counts: [String: Int] }
        return JSONBody.response(Body(results: all, counts: counts))
    }
}

extension CameraController {
    static func refused(_ eventID: String?, _ error: any Error) -> ResultDTO {
        let api = APIError.from(error) ?? APIError(.internalServerError, code: "internal", message: "internal error")
        return ResultDTO(event_id: eventID, status: "refused", error: .init(code: api.code, message: api.message, field: api.field))
    }
}

extension AnyJSON {
    func string(_ key: String) -> String? {
        if case .object(let o) = self, case .string(let s)? = o[key] { return s }
        return nil
    }
}
