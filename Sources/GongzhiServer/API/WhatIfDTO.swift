import Foundation
import GongzhiCore
import GongzhiStore

/// A what-if's answer on the wire: the figures as they are and as they would have been, per
/// unit and for the district, the changed cases, and the model's assumptions in words.
struct WhatIfDTO: Encodable {
    struct Figures: Encodable {
        var rank: Int?
        var score: Double?
        var cases_to_handle: Int64
        var handled_late: Int64
        var overdue_open: Int64
        var indicators: [String: Double?]

        init(_ c: Counts, ranked: ScoringScheme.Ranked?, perspective: Indicator.Perspective) {
            rank = ranked?.rank
            score = ranked?.score
            cases_to_handle = c[.assigned]
            handled_late = c[.handledLate]
            overdue_open = c[.overdueOpen]
            indicators = StatsDTO.indicators(c, perspective)
        }
    }

    struct UnitDTO: Encodable {
        var unit: String
        var name: String
        var before: Figures?
        var after: Figures
        /// Places gained under the proposal (positive is better); absent when either is unranked.
        var change: Int?
    }

    struct Side: Encodable {
        var before: Figures
        var after: Figures
    }

    struct StreetDTO: Encodable {
        var street: String
        var name: String
        var before: Figures
        var after: Figures
    }

    struct OutcomeDTO: Encodable {
        var unit: String?
        var unit_name: String?
        var due_at: String?
        var state: String
        var self_corrected: Bool
    }

    struct CaseDTO: Encodable {
        var case_id: Int64
        var tracking_code: String
        var category: String?
        var street: String?
        var before: OutcomeDTO
        var after: OutcomeDTO
        var rule_before: String?
        var rule_after: String?
        var handling_time: String?
    }

    struct Cause: Encodable {
        var cause: String
        var cases: Int
    }

    var period: StatsDTO.PeriodDTO
    var cases_read: Int
    var may_change: Int
    var replayed: Int
    var came_out_differently: Int
    var changed: Int
    var seconds: Double
    var handling_times: [String: Int]
    var causes: [Cause]
    var assumptions: [String]
    var district: Side
    var units: [UnitDTO]
    /// Streets as areas (what was reported there), those whose score falls most first.
    var streets: [StreetDTO]
    var cases: [CaseDTO]

    static let assumptions = [
        "A case goes where the proposal's rules send it; every step of the unit the rules in force send it to is the new unit's.",
        "Deadlines the rules set are recomputed from the proposal's rules on the proposal's calendar; deadlines people set stay.",
        "A unit that keeps a case takes the office time it actually took; a unit that gets it instead takes its own median for the category.",
        "A merchant who corrected after a shortened deadline did not correct in time: the case goes to enforcement then.",
        "Escalations, supervision, comments and verdicts stay as they happened.",
        "Cases created up to \(WhatIf.lookbackDays) days before the period are read for what they count in it.",
    ]

    /// The assumption other boundaries add.
    static func located(_ layer: WhatIfAreas) -> String {
        "Each case's point is located in the proposed \(layer.level.rawValue) areas (\(layer.count)) and routed there; "
            + "the other levels are those in force; a case without a point keeps its area; a point outside them has none there."
    }

    init(_ r: WhatIf.Report, names: (String) -> String?, areas: (String) -> String?, layer: WhatIfAreas? = nil) {
        period = StatsDTO.PeriodDTO(r.period)
        cases_read = r.considered
        may_change = r.mayChange
        replayed = r.tally.cases
        came_out_differently = r.tally.rewritten
        changed = r.tally.changed
        seconds = (r.seconds * 1_000).rounded() / 1_000
        handling_times = Dictionary(uniqueKeysWithValues: r.tally.bases.map { ($0.key.rawValue, $0.value) })
        causes = r.tally.causes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { Cause(cause: $0.key, cases: $0.value) }
        assumptions = Self.assumptions + (layer.map { [Self.located($0)] } ?? [])
        district = Side(before: Figures(r.districtBefore, ranked: nil, perspective: .area),
                        after: Figures(r.districtAfter, ranked: nil, perspective: .area))
        units = r.units.map { u in
            UnitDTO(unit: u.unit, name: names(u.unit) ?? u.unit, before: u.before.map { Figures(u.countsBefore, ranked: $0, perspective: .unit) },
                    after: Figures(u.countsAfter, ranked: u.after, perspective: .unit),
                    change: u.before?.rank.flatMap { b in u.after.rank.map { b - $0 } })
        }
        streets = r.streets.map { a in
            var before = Figures(a.before, ranked: nil, perspective: .area), after = Figures(a.after, ranked: nil, perspective: .area)
            (before.score, after.score) = (a.scoreBefore, a.scoreAfter)
            return StreetDTO(street: a.street, name: areas(a.street) ?? a.street, before: before, after: after)
        }
        func outcome(_ o: WhatIfReplay.Outcome) -> OutcomeDTO {
            OutcomeDTO(unit: o.unit, unit_name: o.unit.flatMap(names), due_at: o.dueAt.map(Timestamp.rfc3339), state: o.state.rawValue,
                       self_corrected: o.selfCorrected)
        }
        cases = r.tally.changes.map { c in
            CaseDTO(case_id: c.caseID, tracking_code: c.trackingCode, category: c.category, street: c.street, before: outcome(c.before),
                    after: outcome(c.after), rule_before: c.ruleBefore, rule_after: c.ruleAfter, handling_time: c.basis?.rawValue)
        }
    }
}
