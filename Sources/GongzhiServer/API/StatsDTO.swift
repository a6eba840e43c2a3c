import Foundation
import GongzhiCore
import GongzhiStore

/// The statistics' JSON bodies and their CSV tables. Every figure comes with the case list's
/// query for the cases behind it (`cases`: append to `/api/v1/cases?` or the `/cases` page).
enum StatsDTO {
    struct PeriodDTO: Encodable {
        var kind: String
        var from: String
        var to: String

        init(_ p: Period) {
            kind = p.kind.rawValue
            from = Period.text(p.first)
            to = Period.text(p.last)
        }
    }

    /// Every indicator, null where it has no value (no cases), rates as fractions to 4 places.
    static func indicators(_ c: Counts, _ perspective: Indicator.Perspective) -> [String: Double?] {
        var out: [String: Double?] = [:]
        for i in Indicator.allCases {
            out[i.rawValue] = i.value(c, perspective: perspective).map { ($0 * 10_000).rounded() / 10_000 }
        }
        return out
    }

    static func counts(_ c: Counts) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: Measure.allCases.map { ($0.rawValue, c[$0]) })
    }

    /// An indicator as a spreadsheet cell: rates as percentages, counts and hours as numbers, empty when none.
    static func cell(_ values: [String: Double?], _ i: Indicator) -> String {
        guard let v = values[i.rawValue] ?? nil else { return "" }
        return i.isRate ? String(format: "%.1f%%", v * 100) : String(format: "%g", v)
    }

    struct Intake: Encodable {
        var total: Int64
        var by_source: [String: Int64]

        init(_ by: [ReportSource: Int64]) {
            total = by.values.reduce(0, +)
            by_source = Dictionary(uniqueKeysWithValues: ReportSource.allCases.map { ($0.rawValue, by[$0] ?? 0) })
        }
    }

    struct Overview: Encodable {
        var period: PeriodDTO
        var intake: Intake
        var today: Intake
        var open: Int64
        var overdue: Int64
        var due_today: Int
        var unassigned: Int64
        var self_correcting: Int64
        var indicators: [String: Double?]
        var counts: [String: Int64]
        var cases: [String: String]

        init(_ o: Evaluation.Overview, params p: StatsParams) {
            period = PeriodDTO(o.period)
            intake = Intake(o.intake)
            today = Intake(o.today)
            open = o.open
            overdue = o.overdue
            due_today = o.dueToday
            unassigned = o.unassigned
            self_correcting = o.selfCorrecting
            indicators = StatsDTO.indicators(o.counts, .area)
            counts = StatsDTO.counts(o.counts)
            let openStatuses = CaseStatus.allCases.filter(\.isOpen).map(\.rawValue).joined(separator: ",")
            cases = ["intake": p.casesQuery(), "open": p.casesQuery([("status", openStatuses)], period: false),
                     "overdue": p.casesQuery([("overdue", "true")], period: false),
                     "closed": p.casesQuery([("status", "closed")])]
        }

        var csv: [[String]] {
            var rows = [["indicator", "名称", "value"]]
            rows.append(["period", "统计周期", "\(period.from)/\(period.to)"])
            rows.append(["intake", "受理数", String(intake.total)])
            for s in ReportSource.allCases { rows.append(["intake." + s.rawValue, "", String(intake.by_source[s.rawValue] ?? 0)]) }
            rows.append(["today", "今日受理", String(today.total)])
            rows.append(["open", "在办", String(open)])
            rows.append(["overdue", "超期", String(overdue)])
            rows.append(["due_today", "今日到期", String(due_today)])
            for i in Indicator.allCases { rows.append([i.rawValue, i.names.zh, StatsDTO.cell(indicators, i)]) }
            return rows
        }
    }

    /// A unit's or an area's figures.
    struct Breakdown: Encodable {
        var code: String
        var name: String
        var level: String
        var score: Double
        var open: Int64
        var overdue: Int64
        var indicators: [String: Double?]
        var counts: [String: Int64]
        /// A unit's parts of joint cases; absent for areas and when the scheme does not count them.
        var joint: JointCountsDTO?
        var cases: String

        init(_ row: Evaluation.Row, name: String, level: String, params p: StatsParams) {
            code = row.key
            self.name = name
            self.level = level
            score = row.score
            open = row.live[.open]
            overdue = row.live[.openOverdue]
            indicators = StatsDTO.indicators(row.counts, level == "unit" ? .unit : .area)
            counts = StatsDTO.counts(row.counts)
            joint = row.joint.map(JointCountsDTO.init)
            cases = p.casesQuery([(level, row.key)])
        }
    }

    struct Breakdowns: Encodable {
        var period: PeriodDTO
        var items: [Breakdown]

        var csv: [[String]] {
            let shown = Indicator.allCases
            var rows = [["code", "名称", "score", "open", "overdue"] + shown.map { "\($0.names.zh) \($0.rawValue)" }]
            for b in items {
                let head: [String] = [b.code, b.name, String(format: "%.2f", b.score), String(b.open), String(b.overdue)]
                rows.append(head + shown.map { StatsDTO.cell(b.indicators, $0) })
            }
            return rows
        }
    }

    struct TrendDay: Encodable {
        var date: String
        var reported: Int64
        var handled: Int64
        var closed: Int64

        init(_ d: Evaluation.Day) {
            date = Period.text(d.day)
            reported = d.reported
            handled = d.handled
            closed = d.closed
        }
    }

    struct Trend: Encodable {
        var period: PeriodDTO
        var days: [TrendDay]

        var csv: [[String]] {
            [["date", "受理 reported", "处置 handled", "结案 closed"]]
                + days.map { [$0.date, String($0.reported), String($0.handled), String($0.closed)] }
        }
    }

    struct SchemeDTO: Encodable {
        var id: String
        var name: String
    }

    struct RankedUnit: Encodable {
        var rank: Int?
        var previous_rank: Int?
        var change: Int?
        var unit: String
        var name: String
        var score: Double
        var previous_score: Double?
        var cases_to_handle: Int64
        var indicators: [String: Double?]
        /// The unit's parts of joint cases; absent when the scheme does not count them.
        var joint: JointCountsDTO?
        var cases: String

        init(_ r: Evaluation.Ranked, name: String, params p: StatsParams) {
            rank = r.rank
            previous_rank = r.previousRank
            change = r.change
            unit = r.unit
            self.name = name
            score = r.score
            previous_score = r.previousScore
            cases_to_handle = r.counts[.assigned]
            indicators = StatsDTO.indicators(r.counts, .unit)
            joint = r.joint.map(JointCountsDTO.init)
            cases = p.casesQuery([("unit", r.unit)])
        }
    }

    struct Ranking: Encodable {
        var period: PeriodDTO
        var previous_period: PeriodDTO
        var scheme: SchemeDTO
        var units: [RankedUnit]

        var csv: [[String]] {
            let shown: [Indicator] = [.onTimeCloseRate, .closeRate, .onTimeDisposalRate, .satisfactionRate, .reworks, .overdueOpen]
            let joint = units.contains { $0.joint != nil }
            var rows = [["排名 rank", "上期 previous", "变化 change", "unit", "名称", "得分 score", "应处置数"] + shown.map { "\($0.names.zh)" }
                        + (joint ? ["联合任务数 joint parts", "联合任务超期数 joint late"] : [])]
            for u in units {
                let rank: String = u.rank.map { String($0) } ?? "", previous: String = u.previous_rank.map { String($0) } ?? ""
                let change: String = u.change.map { String($0) } ?? ""
                let head: [String] = [rank, previous, change, u.unit, u.name, String(format: "%.2f", u.score), String(u.cases_to_handle)]
                let tail = joint ? [String(u.joint?.parts ?? 0), String(u.joint?.late ?? 0)] : []
                rows.append(head + shown.map { StatsDTO.cell(u.indicators, $0) } + tail)
            }
            return rows
        }
    }
}

/// A unit's parts of joint cases (联合执法分任务), as the evaluation counts them.
struct JointCountsDTO: Encodable {
    var parts: Int
    var done: Int
    var done_on_time: Int
    var late: Int
    var returned: Int
    var closed: Int
    var pending: Int
    var on_time_rate: Double?

    init(_ c: JointCounts) {
        parts = c.parts
        done = c.done
        done_on_time = c.doneOnTime
        late = c.late
        returned = c.returned
        closed = c.closed
        pending = c.pending
        on_time_rate = c.onTimeRate
    }
}
