import Foundation
@testable import GongzhiCore
import Testing

/// Pacing, forecasts, lights and late reports of a plan's indicators, on figures worked out by
/// hand: 回迁 from 4,000 to 10,000 households between 1 July and 31 December 2020 (184 days).
@Suite struct PlanPacingTests {
    static func day(_ text: String) -> PlanDay { PlanDays.parse(text)! }

    static let moveBack = PlanIndicator(id: "move-back", name: "回迁", unitOfMeasure: "户", baseline: 4_000, target: 10_000,
                                        start: day("2020-07-01"), deadline: day("2020-12-31"))

    static func report(_ month: String, _ value: Double, submitted: String) -> ProgressReport {
        let first = day(month + "-01")
        return ProgressReport(month: first, asOf: Period.containing(first, kind: .month).last, value: value,
                              submitted: day(submitted), unit: "330105-HQB")
    }

    static let reports = [
        report("2020-07", 5_000, submitted: "2020-08-03"),
        report("2020-08", 5_600, submitted: "2020-09-04"),
        report("2020-09", 6_500, submitted: "2020-10-03"),
        report("2020-10", 8_600, submitted: "2020-11-03"),
    ]

    @Test func datesParseOnlyWhenReal() {
        #expect(PlanDays.text(Self.day("2020-10-31")) == "2020-10-31")
        #expect(PlanDays.parse("2020-02-30") == nil && PlanDays.parse("2021-02-29") == nil && PlanDays.parse("2020-2-03") == nil)
        #expect(PlanDays.parse("2024-02-29") != nil && PlanDays.parse("") == nil && PlanDays.parse("2020-10-31x") == nil)
        #expect(PlanDays.of(Timestamp.parse("2020-10-31T23:30:00+08:00")!) == Self.day("2020-10-31"))
        #expect(PlanDays.of(Timestamp.parse("2020-10-31T16:30:00Z")!) == Self.day("2020-11-01"))
        #expect(PlanDays.of(Timestamp.parse("1969-12-31T12:00:00Z")!) == -1)
    }

    @Test func linearPaceExpectsTheDaysElapsed() {
        let ind = Self.moveBack
        // 92 of 184 days by 30 September: half the distance, 7,000 households.
        let p = Pacing.pace(ind, reports: [], at: Self.day("2020-09-30"))
        #expect(p.expected == 0.5 && p.expectedValue == 7_000)
        #expect(p.actual == nil && p.light == .none && p.forecast == nil)
        #expect(Pacing.pace(ind, reports: [], at: Self.day("2020-06-30")).expected == 0)
        #expect(Pacing.pace(ind, reports: [], at: Self.day("2020-12-31")).expected == 1)
        #expect(Pacing.pace(ind, reports: [], at: Self.day("2020-07-01")).expected == 1.0 / 184)
    }

    /// Green within 10 % of the pace, amber from 10 % to 30 % behind, green again after a good
    /// month, and then shown as recovered.
    @Test func lightsFollowTheShortfallAndARecoveryIsShown() {
        let ind = Self.moveBack
        // July's 5,000: 1,000 of 6,000 (16.7 %) against 31/184 (16.8 %) by 31 July, the day it
        // was measured: 1.1 % behind, green (against 3 August's 34/184 it would be 9.8 %).
        let aug = Pacing.pace(ind, reports: Self.reports, at: Self.day("2020-08-03"))
        #expect(aug.actual == 5_000 && abs(aug.behind! - (1 - (1_000.0 / 6_000) / (31.0 / 184))) < 1e-12)
        #expect(aug.light == .green && !aug.recovered)
        // September's 6,500: 2,500 of 6,000 against half by 30 September: 16.7 % behind, amber.
        let oct = Pacing.pace(ind, reports: Self.reports, at: Self.day("2020-10-03"))
        #expect(oct.actual == 6_500 && abs(oct.behind! - 1.0 / 6) < 1e-12 && oct.light == .amber)
        #expect(oct.expected == 95.0 / 184)
        // October's 8,600: 4,600 of 6,000 (76.7 %) against 123/184 (66.8 %): ahead, green, recovered.
        let nov = Pacing.pace(ind, reports: Self.reports, at: Self.day("2020-11-03"))
        #expect(nov.behind == 0 && nov.light == .green && nov.recovered)
        // Far behind: red.
        let red = Pacing.pace(ind, reports: [Self.report("2020-09", 5_000, submitted: "2020-10-02")], at: Self.day("2020-10-02"))
        #expect(red.light == .red)
    }

    @Test func theForecastIsTheReportsTrendAtTheDeadline() {
        // Least squares through (1 Jul, 4,000), (31 Jul, 5,000), (31 Aug, 5,600), (30 Sep, 6,500),
        // read at 31 December: 8,936.41 (worked out separately).
        let p = Pacing.pace(Self.moveBack, reports: Self.reports, at: Self.day("2020-10-03"))
        #expect(abs(p.forecast! - 8_936.409868) < 1e-4)
        // One report and the baseline make a line; a total never forecasts below its last value.
        let one = Pacing.pace(Self.moveBack, reports: [Self.report("2020-07", 5_000, submitted: "2020-08-01")], at: Self.day("2020-08-01"))
        #expect(abs(one.forecast! - (4_000 + 1_000 * 183.0 / 30)) < 1e-6)
        // (The line through these falls to 3,141 by the deadline.)
        let fell = [Self.report("2020-07", 9_500, submitted: "2020-08-01"), Self.report("2020-08", 4_200, submitted: "2020-09-01"),
                    Self.report("2020-09", 4_100, submitted: "2020-10-01")]
        #expect(Pacing.pace(Self.moveBack, reports: fell, at: Self.day("2020-10-01")).forecast == 4_100)
        // A level follows its last three reports only.
        var rate = Self.moveBack
        rate.accumulation = .pointInTime
        let levels = [Self.report("2020-07", 100, submitted: "2020-08-01"), Self.report("2020-08", 5_000, submitted: "2020-09-01"),
                      Self.report("2020-09", 5_000, submitted: "2020-10-01"), Self.report("2020-10", 5_000, submitted: "2020-11-01")]
        #expect(Pacing.pace(rate, reports: levels, at: Self.day("2020-11-01")).forecast == 5_000)
    }

    /// A correction is a new report for the same month: seen from the day it was submitted,
    /// never before.
    @Test func aCorrectionCountsFromItsOwnDay() {
        let corrected = Self.reports + [Self.report("2020-09", 6_800, submitted: "2020-10-20")]
        #expect(Pacing.pace(Self.moveBack, reports: corrected, at: Self.day("2020-10-10")).actual == 6_500)
        #expect(Pacing.pace(Self.moveBack, reports: corrected, at: Self.day("2020-10-20")).actual == 6_800)
    }

    @Test func lateAndMissingReportsAreFlagged() {
        let late = [Self.report("2020-07", 5_000, submitted: "2020-08-03"), Self.report("2020-08", 5_600, submitted: "2020-09-08")]
        // 6 October: August came 3 days after its due day (5 September); September's (due 5 October) is missing.
        let gaps = Pacing.pace(Self.moveBack, reports: late, at: Self.day("2020-10-06")).gaps
        #expect(gaps == [ReportGap(month: Self.day("2020-08-01"), due: Self.day("2020-09-05"), daysLate: 3),
                         ReportGap(month: Self.day("2020-09-01"), due: Self.day("2020-10-05"), daysLate: nil)])
        // On its due day a report is not yet late; seen on 7 September, August is still missing.
        #expect(Pacing.pace(Self.moveBack, reports: late, at: Self.day("2020-10-05")).gaps.count == 1)
        #expect(Pacing.pace(Self.moveBack, reports: late, at: Self.day("2020-09-07")).gaps
                == [ReportGap(month: Self.day("2020-08-01"), due: Self.day("2020-09-05"), daysLate: nil)])
        #expect(Pacing.pace(Self.moveBack, reports: Self.reports, at: Self.day("2020-11-04")).gaps.isEmpty)
    }

    @Test func aMissedDeadlineIsRed() {
        let short = Self.reports + [Self.report("2020-12", 9_500, submitted: "2021-01-04")]
        let p = Pacing.pace(Self.moveBack, reports: short, at: Self.day("2021-01-10"))
        #expect(p.missedDeadline && p.light == .red)
        let met = Self.reports + [Self.report("2020-12", 10_200, submitted: "2021-01-04")]
        let q = Pacing.pace(Self.moveBack, reports: met, at: Self.day("2021-01-10"))
        #expect(!q.missedDeadline && q.light == .green && q.progress! > 1)
        #expect(Pacing.pace(Self.moveBack, reports: [], at: Self.day("2021-01-01")).light == .red)
    }

    /// Zero growth of household waste: a line to hold, judged by how far the level is over it.
    @Test func aLineToHoldIsJudgedByTheExcess() {
        let waste = PlanIndicator(id: "waste", name: "生活垃圾", unitOfMeasure: "吨/日", direction: .decrease,
                                  accumulation: .pointInTime, baseline: 1_000, target: 1_000,
                                  start: Self.day("2020-07-01"), deadline: Self.day("2020-12-31"))
        func light(_ v: Double) -> Light {
            Pacing.pace(waste, reports: [Self.report("2020-08", v, submitted: "2020-09-01")], at: Self.day("2020-09-02")).light
        }
        #expect(light(980) == .green && light(1_050) == .green && light(1_150) == .amber && light(1_400) == .red)
        #expect(Pacing.pace(waste, reports: [Self.report("2020-08", 980, submitted: "2020-09-01")], at: Self.day("2020-09-02")).progress == nil)
    }

    /// A year-end push: a share per month, even within the month.
    @Test func aMonthlyProfileShapesThePace() throws {
        var ind = Self.moveBack
        ind.curve = .monthly([1, 1, 1, 1, 1, 5])
        try ind.validate()
        #expect(abs(Pacing.pace(ind, reports: [], at: Self.day("2020-09-30")).expected - 0.3) < 1e-12)
        #expect(abs(Pacing.pace(ind, reports: [], at: Self.day("2020-12-16")).expected - (5 + 5 * 16.0 / 31) / 10) < 1e-12)
        ind.curve = .monthly([1, 1, 1, 1, 1])
        #expect(throws: PlanError.invalid("indicator move-back: a monthly profile needs 6 shares, one per month, not 5")) { try ind.validate() }
        ind.curve = .monthly([0, 0, 0, 0, 0, 0])
        #expect(throws: PlanError.self) { try ind.validate() }
        let decoded = try JSONDecoder().decode(PaceCurve.self, from: Data(#"{"monthly":[1,2]}"#.utf8))
        #expect(decoded == .monthly([1, 2]))
        #expect(try JSONDecoder().decode(PaceCurve.self, from: Data(#""linear""#.utf8)) == .linear)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PaceCurve.self, from: Data(#""steep""#.utf8)) }
    }

    @Test func indicatorsAndRulesAreChecked() {
        var ind = Self.moveBack
        ind.target = 3_000
        #expect(throws: PlanError.self) { try ind.validate() }
        ind.direction = .decrease
        #expect(throws: Never.self) { try ind.validate() }
        ind.deadline = ind.start - 1
        #expect(throws: PlanError.self) { try ind.validate() }
        #expect(throws: PlanError.self) { try PacingRules(amberBehind: 0.4, redBehind: 0.3).validate() }
        #expect(throws: Never.self) { try PacingRules.standard.validate() }
    }
}
