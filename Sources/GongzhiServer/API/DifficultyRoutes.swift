import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// `/api/v1/enterprises/{code}/difficulties`: an enterprise's difficulty (六难) raised by its
/// commissioner as a case. The case takes the one data flow every report takes (a `Report` of
/// source `enterprise`, intake, routing), so the routing rules of the difficulty's category
/// send it to the answering department with its deadline; the enterprise follows it, and gives
/// its own verdict once it is closed, on the public status page with the tracking code.
struct DifficultyController {
    let enterprises: any EnterpriseStore
    let cases: any CaseStore
    let intake: Intake
    let context: Live<CaseContext>
    let catalogue: EnterpriseCatalogue

    struct RaiseBody: Decodable {
        var difficulty: String?
        var description: String?
        /// Makes a retry find the case already raised instead of raising a second.
        var key: String?
    }

    var routes: RouteCollection<AppRequestContext> {
        let r = RouteCollection(context: AppRequestContext.self)
        r.get("enterprises/{code}/difficulties") { _, context in
            struct Page: Encodable { var items: [DifficultyCaseDTO] }
            let code = try EnterpriseController.code(context)
            return JSONBody.response(Page(items: try await raised(code, by: try context.caller()).map(dto)))
        }
        r.post("enterprises/{code}/difficulties") { request, context in
            let body = try await JSONBody.decode(RaiseBody.self, from: request)
            let (record, repeated) = try await raise(try EnterpriseController.code(context), body, by: try context.caller())
            return JSONBody.response(dto(record), status: repeated ? .ok : .created)
        }
        return r
    }

    func viewer(_ p: Principal) throws -> EnterpriseViewer {
        guard EnterpriseAccess.reads(p.role) else { throw EnterpriseError.forbidden("a \(p.role.rawValue) may not read the enterprise registry") }
        return EnterpriseViewer(scope: Scope.of(unit: p.unit, in: context.current.units), principal: p.id)
    }

    /// Where a difficulty's case goes under the rules in force: the department and the deadline.
    func route(_ d: EnterpriseCatalogue.Difficulty) -> RouteMatch? { d.route(in: context.current) }

    /// The case raised for a difficulty, and whether this key raised it before.
    func raise(_ code: String, _ body: RaiseBody, by p: Principal) async throws -> (CaseRecord, Bool) {
        guard let e = try await enterprises.enterprise(code, for: try viewer(p)) else { throw StoreError.notFound("enterprise \(code)") }
        guard EnterpriseAccess.logsVisits(p, on: e) else {
            throw EnterpriseError.forbidden("an enterprise's difficulties are raised by its commissioners")
        }
        guard let name = body.difficulty else { throw EnterpriseError.bad("difficulty", "difficulty is required", code: "required") }
        guard let d = catalogue.difficulty(name) else {
            let known = catalogue.difficulties.map(\.code).joined(separator: ", ")
            throw EnterpriseError.bad("difficulty", "difficulty must be one of \(known)", code: "unknown_value")
        }
        var externalID: String?
        if let key = body.key {
            let text = "\(e.code)/\(key)"
            guard !key.isEmpty, text.utf8.count <= ReportLimits.externalIDMax, TextRule.forbidden(in: key, shape: .line) == nil else {
                throw EnterpriseError.bad("key", "key must be one line, non-empty, at most \(ReportLimits.externalIDMax - 19) bytes")
            }
            externalID = text
        }
        let draft = ReportDraft(source: ReportSource.enterprise.rawValue, category: d.category, description: body.description,
                                address: "\(e.name)（\(e.address)）", reporterName: e.contactName, reporterPhone: e.contactPhone,
                                externalID: externalID, attributes: [ReportAttribute(code: "credit_code", values: [e.code]),
                                                                     ReportAttribute(code: "difficulty", values: [d.code])])
        let outcome = try await intake.submit(draft, actor: p.actor)
        guard let id = outcome.caseID, let record = try await cases.find(id: id) else { throw IntakeError.storage("the difficulty has no case") }
        return (record, outcome.repeated)
    }

    /// The cases raised for the enterprise, newest first (at most 200).
    func raised(_ code: String, by p: Principal) async throws -> [CaseRecord] {
        var records: [CaseRecord] = []
        for id in try await enterprises.difficultyCases(of: code, limit: 200, for: try viewer(p)) {
            if let r = try await cases.find(id: id) { records.append(r) }
        }
        return records
    }

    func dto(_ r: CaseRecord) -> DifficultyCaseDTO {
        let code = r.report.attributes?.first { $0.code == "difficulty" }?.values.first
        return DifficultyCaseDTO(case_id: r.id, tracking_code: r.trackingCode, difficulty: code,
                                 difficulty_name: code.flatMap(catalogue.difficulty)?.name, category: r.category, status: r.status.rawValue,
                                 unit: r.unit, unit_name: r.unit.flatMap { context.current.units[$0]?.name },
                                 due_at: r.dueAt.map(Timestamp.rfc3339), satisfaction: r.satisfaction?.rawValue,
                                 created_at: Timestamp.rfc3339(r.createdAt), closed_at: r.closedAt.map(Timestamp.rfc3339))
    }
}

/// A difficulty's case as the enterprise's page and API show it: what was raised, where it is,
/// by when, and the enterprise's own verdict once closed.
struct DifficultyCaseDTO: Encodable {
    var case_id: Int64
    var tracking_code: String
    var difficulty: String?
    var difficulty_name: String?
    var category: String?
    var status: String
    var unit: String?
    var unit_name: String?
    var due_at: String?
    var satisfaction: String?
    var created_at: String
    var closed_at: String?
}
