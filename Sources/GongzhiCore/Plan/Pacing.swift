import Foundation

/// A unit's report of an indicator's value for a month (the total to date, or the level). A
/// correction is a later report for the same month: the history keeps both, the pacing takes
/// the one submitted last by the day it is evaluated at.
public struct ProgressReport: Sendable, Hashable, Codable {
    /// The month reported on: its first day.
    public var month: PlanDay
    /// The day the value refers to (usually the month's last day, or earlier for an early report).
    public var asOf: PlanDay
    public var value: Double
    /// The day it reached the system.
    public var submitted: PlanDay
    public var unit: String

    public init(month: PlanDay, asOf: PlanDay, value: Double, submitted: PlanDay, unit: String) {
        self.month = Period.containing(month, kind: .month).first
        self.asOf = asOf
        self.value = value
        self.submitted = submitted
        self.unit = unit
    }

    enum CodingKeys: String, CodingKey {
        case month, value, submitted, unit
        case asOf = "as_of"
    }
}

/// The traffic light of an indicator (or a milestone). `none` before anything can be said.
public enum Light: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case none, green, amber, red

    public static func < (a: Light, b: Light) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// When an indicator is amber or red, as data (`plan_rules.json`): the shortfall against the
/// planned pace, as a share of the progress expected by now.
public struct PacingRules: Sendable, Hashable, Codable {
    /// Behind by at least this share: amber (default 10 %).
    public var amberBehind: Double
    /// Behind by more than this share: red (default 30 %).
    public var redBehind: Double
    /// A milestone with less slack than this (days) is amber.
    public var amberSlackDays: Int
    /// Open blockers (堵点) on a task that turn its light amber, and red.
    public var amberBlockers: Int
    public var redBlockers: Int

    public init(amberBehind: Double = 0.10, redBehind: Double = 0.30, amberSlackDays: Int = 30, amberBlockers: Int = 1,
                redBlockers: Int = 3) {
        self.amberBehind = amberBehind
        self.redBehind = redBehind
        self.amberSlackDays = amberSlackDays
        self.amberBlockers = amberBlockers
        self.redBlockers = redBlockers
    }

    public static let standard = PacingRules()

    public func validate() throws(PlanError) {
        guard amberBehind >= 0, redBehind >= amberBehind, redBehind <= 1 else {
            throw .invalid("plan rules: need 0 ≤ amber_behind ≤ red_behind ≤ 1")
        }
        guard amberSlackDays >= 0, amberBlockers >= 1, redBlockers >= amberBlockers else {
            throw .invalid("plan rules: need amber_slack_days ≥ 0 and 1 ≤ amber_blockers ≤ red_blockers")
        }
    }

    /// The light for a shortfall (0 = on or ahead of pace).
    func light(behind: Double) -> Light {
        behind > redBehind ? .red : behind >= amberBehind ? .amber : .green
    }

    enum CodingKeys: String, CodingKey {
        case amberBehind = "amber_behind"
        case redBehind = "red_behind"
        case amberSlackDays = "amber_slack_days"
        case amberBlockers = "amber_blockers"
        case redBlockers = "red_blockers"
    }
}

/// A month whose report is missing or came late.
public struct ReportGap: Sendable, Hashable {
    public var month: PlanDay
    public var due: PlanDay
    /// Days late, or nil while it is still missing.
    public var daysLate: Int64?
}

/// Where an indicator stands on a day: what was planned by then, what was reported, where the
/// trend of the reports leads by the deadline, and its light.
public struct Pace: Sendable, Hashable {
    public var asOf: PlanDay
    /// Share of the distance planned by `asOf` (0…1).
    public var expected: Double
    /// The value planned by `asOf`.
    public var expectedValue: Double
    /// The latest reported value by `asOf`, and the day it refers to.
    public var actual: Double?
    public var actualAsOf: PlanDay?
    /// Share of the distance covered (nil for a line to hold, or without a report).
    public var progress: Double?
    /// The shortfall against the pace on the day the latest value was measured, as a share of
    /// the progress expected by then (0 when on or ahead).
    public var behind: Double?
    /// The value the reports' trend reaches by the deadline (nil with fewer than two points).
    public var forecast: Double?
    public var light: Light
    /// Green now after being amber or red at an earlier report.
    public var recovered: Bool
    /// The deadline passed with the target not met.
    public var missedDeadline: Bool
    public var gaps: [ReportGap]
}

public enum Pacing {
    /// The indicator's pace on `day`, from the reports submitted by then (a later correction
    /// is not yet known on an earlier day).
    public static func pace(_ indicator: PlanIndicator, reports: [ProgressReport], at day: PlanDay,
                            rules: PacingRules = .standard) -> Pace {
        let known = current(reports, at: day)
        var pace = evaluate(indicator, known: known, at: day, rules: rules)
        // The light at each earlier report, from what was known then: was it ever amber or red?
        if pace.light == .green {
            let earlier = Set(known.map(\.submitted)).filter { $0 < day }
            pace.recovered = earlier.contains { d in
                let then = evaluate(indicator, known: current(reports, at: d), at: d, rules: rules).light
                return then == .amber || then == .red
            }
        }
        pace.gaps = gaps(indicator, reports: reports.filter { $0.submitted <= day }, at: day)
        return pace
    }

    /// For each month, the report submitted last by `day`; in month order.
    static func current(_ reports: [ProgressReport], at day: PlanDay) -> [ProgressReport] {
        var byMonth: [PlanDay: ProgressReport] = [:]
        for r in reports where r.submitted <= day {
            if let seen = byMonth[r.month], seen.submitted > r.submitted { continue }
            byMonth[r.month] = r
        }
        return byMonth.values.sorted { ($0.asOf, $0.month) < ($1.asOf, $1.month) }
    }

    static func evaluate(_ ind: PlanIndicator, known: [ProgressReport], at day: PlanDay, rules: PacingRules) -> Pace {
        let expected = ind.curve.expected(at: day, start: ind.start, deadline: ind.deadline)
        let expectedValue = ind.baseline + (ind.target - ind.baseline) * expected
        let last = known.last(where: { $0.asOf <= day })
        var pace = Pace(asOf: day, expected: expected, expectedValue: expectedValue, actual: last?.value, actualAsOf: last?.asOf,
                        progress: last.flatMap { ind.fraction($0.value) }, behind: nil,
                        forecast: forecast(ind, known.filter { $0.asOf <= day }), light: .none, recovered: false,
                        missedDeadline: false, gaps: [])
        guard let value = last?.value else {
            // Nothing reported: past the deadline that is a miss; before it, nothing to say.
            if day > ind.deadline { pace.missedDeadline = true; pace.light = .red }
            return pace
        }
        if ind.holdsALine {
            let over = ind.direction == .decrease ? value - ind.target : ind.target - value
            pace.behind = max(0, over / max(abs(ind.target), .ulpOfOne))
        } else if let progress = pace.progress, let measured = last?.asOf {
            // Judged against the pace on the day the value was measured: a month's figure
            // arrives days after the month, and that lag is not a shortfall.
            let then = ind.curve.expected(at: measured, start: ind.start, deadline: ind.deadline)
            pace.behind = then > 0 ? max(0, (then - progress) / then) : 0
        }
        pace.light = rules.light(behind: pace.behind ?? 0)
        if day > ind.deadline, !ind.meets(value) {
            pace.missedDeadline = true
            pace.light = .red
        }
        return pace
    }

    /// The least-squares line through the reports (and, for a cumulative indicator, the
    /// baseline on the start day), read at the deadline. A level (point in time) follows its
    /// last three reports only: an old level says little about where it is heading. A total
    /// to date never falls, so its forecast is at least the last value in its direction.
    static func forecast(_ ind: PlanIndicator, _ known: [ProgressReport]) -> Double? {
        var points = known.map { (Double($0.asOf), $0.value) }
        if ind.accumulation == .cumulative {
            points.insert((Double(ind.start), ind.baseline), at: 0)
        } else {
            points = Array(points.suffix(3))
        }
        guard points.count >= 2 else { return nil }
        let n = Double(points.count)
        let mx = points.map(\.0).reduce(0, +) / n, my = points.map(\.1).reduce(0, +) / n
        let sxx = points.map { ($0.0 - mx) * ($0.0 - mx) }.reduce(0, +)
        guard sxx > 0 else { return nil }
        let slope = points.map { ($0.0 - mx) * ($0.1 - my) }.reduce(0, +) / sxx
        let value = my + slope * (Double(ind.deadline) - mx)
        guard ind.accumulation == .cumulative, let last = known.last?.value else { return value }
        return ind.direction == .increase ? max(value, last) : min(value, last)
    }

    /// The months from the start's to the last one due by `day` (and not after the deadline's)
    /// whose report is missing, or whose first report came after its due day.
    static func gaps(_ ind: PlanIndicator, reports: [ProgressReport], at day: PlanDay) -> [ReportGap] {
        var gaps: [ReportGap] = []
        for i in 0..<PaceCurve.months(start: ind.start, deadline: ind.deadline) {
            let month = PaceCurve.month(i, from: ind.start)
            let next = PaceCurve.month(i + 1, from: ind.start)
            let due = next.first + Int64(ind.reportDueDay) - 1
            guard due < day else { break }
            let first = reports.filter { $0.month == month.first }.map(\.submitted).min()
            if let first {
                if first > due { gaps.append(ReportGap(month: month.first, due: due, daysLate: first - due)) }
            } else {
                gaps.append(ReportGap(month: month.first, due: due, daysLate: nil))
            }
        }
        return gaps
    }
}
