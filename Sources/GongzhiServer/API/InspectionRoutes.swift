import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// `/api/v1/inspection-rounds…`: joint inspection rounds (拉网式排查). The centre plans areas ×
/// units × days; each unit records its sweeps, and every finding is raised as a case through
/// intake (a patrol finding, the round and the unit as attributes), where the rules route it and,
/// if it needs several units, the lead splits it as a joint case. The round's grid shows which
/// cells were swept and what they found.
struct InspectionController {
    let inspections: any InspectionStore
    let intake: Intake
    let context: Live<CaseContext>
    let clock: any TimeSource

    struct PlanBody: Decodable {
        var name: String?
        var areas: [String]?
        var units: [String]?
        var from: String?
        var to: String?
    }

    struct Finding: Decodable {
        var description: String?
        var category: String?
        var location: ReportBodyLocation?
    }

    struct ReportBodyLocation: Decodable { var lat: Double?; var lon: Double? }

    struct SweepBody: Decodable {
        var area: String?
        var unit: String?
        var day: String?
        var note: String?
        var findings: [Finding]?
    }

    var routes: RouteCollection<AppRequestContext> {
        let r = RouteCollection(context: AppRequestContext.self)
        r.get("inspection-rounds") { _, context in
            _ = try scope(try context.caller())
            struct Page: Encodable { var items: [RoundDTO] }
            return JSONBody.response(Page(items: try await inspections.rounds(limit: 200).map { RoundDTO($0, cells: nil, sweeps: nil) }))
        }
        r.post("inspection-rounds") { request, context in
            let body = try await JSONBody.decode(PlanBody.self, from: request)
            return JSONBody.response(RoundDTO(try await plan(body, by: try context.caller()), cells: [], sweeps: []), status: .created)
        }
        r.get("inspection-rounds/{id}") { _, context in
            _ = try scope(try context.caller())
            let round = try await round(try Self.id(context))
            let sweeps = try await inspections.sweeps(of: round.id)
            return JSONBody.response(RoundDTO(round, cells: InspectionCell.grid(of: round, sweeps: sweeps), sweeps: sweeps))
        }
        r.post("inspection-rounds/{id}/sweeps") { request, context in
            let body = try await JSONBody.decode(SweepBody.self, from: request)
            let sweep = try await sweep(try Self.id(context), body, by: try context.caller())
            return JSONBody.response(SweepDTO(sweep), status: .created)
        }
        return r
    }

    static func id(_ context: AppRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.notFound, code: "not_found", message: "no such inspection round")
        }
        return id
    }

    func scope(_ p: Principal) throws -> Scope {
        guard AccessPolicy.readsCases(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not read inspection rounds") }
        return Scope.of(unit: p.unit, in: context.current.units)
    }

    func round(_ id: Int64) async throws -> InspectionRound {
        guard let r = try await inspections.round(id) else { throw StoreError.notFound("inspection round \(id)") }
        return r
    }

    /// Rounds are planned by the district: the centre, its leaders, an admin.
    func plan(_ body: PlanBody, by p: Principal) async throws -> InspectionRound {
        guard try scope(p).isAll, [.admin, .dispatcher, .leader].contains(p.role) else {
            throw CentreError.forbidden("inspection rounds are planned by the district's centre and leaders")
        }
        let r = try InspectionRound.planned(name: body.name, areas: body.areas, units: body.units, from: body.from, to: body.to,
                                            directory: context.current.units, by: p.id, at: clock.now())
        return try await inspections.plan(r)
    }

    /// A unit's sweep: its findings raised as cases first (each its own intake transaction), then
    /// the sweep recorded with them. A finding refused by intake refuses the sweep, naming it.
    func sweep(_ id: Int64, _ body: SweepBody, by p: Principal) async throws -> InspectionSweep {
        let scope = try scope(p), round = try await round(id)
        var sweep = try InspectionSweep.reported(in: round, area: body.area, unit: body.unit, day: body.day, note: body.note, by: p.id,
                                                 at: clock.now())
        guard p.role == .admin || ([.handler, .leader, .gridWorker].contains(p.role) && scope.units.contains(sweep.unit)) else {
            throw CentreError.forbidden("a sweep is recorded by the unit that made it")
        }
        let findings = body.findings ?? []
        guard findings.count <= 20 else { throw CentreError.bad("findings", "at most 20 findings a sweep") }
        let place = context.current.units.all.first { $0.areaCode == sweep.area }?.name ?? sweep.area
        for (i, f) in findings.enumerated() {
            let location = f.location.map { ReportDraft.Location(lat: $0.lat, lon: $0.lon) }
            let draft = ReportDraft(source: ReportSource.gridWorker.rawValue, category: f.category, description: f.description, location: location,
                                    address: "\(round.name)：\(place)",
                                    attributes: [ReportAttribute(code: "inspection_round", values: [String(round.id)]),
                                                 ReportAttribute(code: "inspection_unit", values: [sweep.unit])])
            let outcome: IntakeOutcome
            do { outcome = try await intake.submit(draft, actor: p.actor) } catch {
                guard case .invalid(let e) = error else { throw error }
                throw CentreError.bad("findings[\(i)].\(e.field)", "findings[\(i)]: \(e.message)", code: e.code)
            }
            if let caseID = outcome.caseID { sweep.cases.append(caseID) }
        }
        return try await inspections.record(sweep)
    }
}

struct SweepDTO: Encodable {
    var id: Int64
    var area: String
    var unit: String
    var day: String
    var note: String
    var cases: [Int64]
    var by: String

    init(_ s: InspectionSweep) {
        id = s.id
        area = s.area
        unit = s.unit
        day = PlanDays.text(s.day)
        note = s.note
        cases = s.cases
        by = s.by
    }
}

struct RoundDTO: Encodable {
    struct Cell: Encodable { var area: String; var unit: String; var sweeps: Int; var last_day: String?; var cases: Int }
    var id: Int64
    var name: String
    var areas: [String]
    var units: [String]
    var from: String
    var to: String
    var created_by: String
    var cells: [Cell]?
    var sweeps: [SweepDTO]?

    init(_ r: InspectionRound, cells: [InspectionCell]?, sweeps: [InspectionSweep]?) {
        id = r.id
        name = r.name
        areas = r.areas
        units = r.units
        from = PlanDays.text(r.firstDay)
        to = PlanDays.text(r.lastDay)
        created_by = r.createdBy
        self.cells = cells?.map { Cell(area: $0.area, unit: $0.unit, sweeps: $0.sweeps, last_day: $0.lastDay.map(PlanDays.text), cases: $0.cases) }
        self.sweeps = sweeps?.map(SweepDTO.init)
    }
}
