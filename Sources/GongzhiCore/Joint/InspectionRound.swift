import Foundation

/// A joint inspection round (拉网式排查): a plan of areas × units × days in which every unit
/// sweeps every area of the plan. Units record each sweep with what they found; each finding is
/// raised as a case (and split among units there when it needs several), so a round leaves
/// ordinary cases behind and its coverage shows which cells were never swept.
public struct InspectionRound: Sendable, Codable, Equatable {
    public var id: Int64
    public var name: String
    /// Street or community area codes.
    public var areas: [String]
    public var units: [String]
    public var firstDay: PlanDay
    public var lastDay: PlanDay
    public var createdAt: Date
    public var createdBy: String

    public init(id: Int64, name: String, areas: [String], units: [String], firstDay: PlanDay, lastDay: PlanDay, createdAt: Date,
                createdBy: String) {
        self.id = id
        self.name = name
        self.areas = areas
        self.units = units
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// A round as the centre plans it, checked field by field.
    public static func planned(name: String?, areas: [String]?, units: [String]?, from: String?, to: String?, directory: OrgDirectory,
                               by actor: String, at now: Date) throws(CentreError) -> InspectionRound {
        let name = try CentreError.text(name, field: "name", max: 100)
        let areas = areas ?? [], units = units ?? []
        guard (1...60).contains(areas.count), Set(areas).count == areas.count else {
            throw .bad("areas", "areas lists 1–60 street or community codes, each once", code: areas.isEmpty ? "required" : "invalid")
        }
        let places = Set(directory.all.filter { $0.kind == .street || $0.kind == .community }.compactMap(\.areaCode))
        for (i, a) in areas.enumerated() where !places.contains(a) {
            throw .bad("areas[\(i)]", "areas[\(i)] is not a street or community of the district", code: "unknown_value")
        }
        guard (1...20).contains(units.count), Set(units).count == units.count else {
            throw .bad("units", "units lists 1–20 unit codes, each once", code: units.isEmpty ? "required" : "invalid")
        }
        for (i, u) in units.enumerated() where directory[u] == nil || directory[u]?.kind == .district {
            throw .bad("units[\(i)]", "units[\(i)] is not a department, street or community", code: "unknown_value")
        }
        let first = try day(from, field: "from"), last = try day(to, field: "to")
        guard first <= last, last - first <= 92 else { throw .bad("to", "a round runs for 1–93 days from its first") }
        guard last >= PlanDays.of(now) else { throw .bad("to", "a round cannot be planned wholly in the past") }
        return InspectionRound(id: 0, name: name, areas: areas, units: units, firstDay: first, lastDay: last, createdAt: now, createdBy: actor)
    }

    static func day(_ text: String?, field: String) throws(CentreError) -> PlanDay {
        guard let text else { throw .bad(field, "\(field) is required", code: "required") }
        guard let d = PlanDays.parse(text) else { throw .bad(field, "\(field) must be a date as YYYY-MM-DD") }
        return d
    }
}

/// One unit's sweep of one area on one day, and the cases its findings became.
public struct InspectionSweep: Sendable, Codable, Equatable {
    public var id: Int64
    public var round: Int64
    public var area: String
    public var unit: String
    public var day: PlanDay
    public var note: String
    public var cases: [Int64]
    public var by: String
    public var at: Date

    public init(id: Int64, round: Int64, area: String, unit: String, day: PlanDay, note: String, cases: [Int64], by: String, at: Date) {
        self.id = id
        self.round = round
        self.area = area
        self.unit = unit
        self.day = day
        self.note = note
        self.cases = cases
        self.by = by
        self.at = at
    }

    /// A sweep as reported: an area and unit of the round, a day within it and no later than today.
    public static func reported(in round: InspectionRound, area: String?, unit: String?, day: String?, note: String?, by actor: String,
                                at now: Date) throws(CentreError) -> InspectionSweep {
        guard let area, round.areas.contains(area) else { throw .bad("area", "area must be one of the round's areas", code: "unknown_value") }
        guard let unit, round.units.contains(unit) else { throw .bad("unit", "unit must be one of the round's units", code: "unknown_value") }
        let d = try InspectionRound.day(day, field: "day")
        guard d >= round.firstDay, d <= round.lastDay else { throw .bad("day", "day is outside the round") }
        guard d <= PlanDays.of(now) else { throw .bad("day", "day is in the future") }
        let text = try CentreError.optionalText(note, field: "note", max: 1_000, shape: .multiline) ?? ""
        return InspectionSweep(id: 0, round: round.id, area: area, unit: unit, day: d, note: text, cases: [], by: actor, at: now)
    }
}

/// The round's grid: for each area and unit, the sweeps made and the cases found.
public struct InspectionCell: Sendable, Equatable {
    public var area: String
    public var unit: String
    public var sweeps: Int
    public var lastDay: PlanDay?
    public var cases: Int

    public static func grid(of round: InspectionRound, sweeps: [InspectionSweep]) -> [InspectionCell] {
        round.areas.flatMap { area in
            round.units.map { unit in
                let mine = sweeps.filter { $0.area == area && $0.unit == unit }
                return InspectionCell(area: area, unit: unit, sweeps: mine.count, lastDay: mine.map(\.day).max(),
                                      cases: mine.reduce(0) { $0 + $1.cases.count })
            }
        }
    }
}
