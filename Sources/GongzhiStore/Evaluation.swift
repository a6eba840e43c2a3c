import Foundation
import GongzhiCore

/// The cockpit's and the evaluation's figures, put together from the statistics store: the
/// overview, units, areas, the trend and the ranking. Outside HTTP, so the API, the pages and
/// the command line give the same figures.
public struct Evaluation: Sendable {
    public let stats: any StatisticsStore
    public let scheme: ScoringScheme
    /// The parts of joint cases, which the scheme may count per unit (nil: none are counted).
    public let joint: (any JointTaskStore)?

    public init(stats: any StatisticsStore, scheme: ScoringScheme, joint: (any JointTaskStore)? = nil) {
        self.stats = stats
        self.scheme = scheme
        self.joint = joint
    }

    /// Each unit's parts of joint cases created in the query's days, as they stand at `now`;
    /// empty when the scheme does not count them.
    public func jointCounts(_ q: StatsQuery, now: Date) async throws -> [String: JointCounts] {
        guard scheme.joint != nil, let joint else { return [:] }
        return JointCounts.byUnit(try await joint.parts(q), now: now)
    }

    public struct Overview: Sendable {
        public var period: Period
        /// The period's cases by channel, and today's.
        public var intake: [ReportSource: Int64]
        public var today: [ReportSource: Int64]
        /// Now: open, overdue, due before midnight, waiting for a unit, with merchants.
        public var open: Int64
        public var overdue: Int64
        public var dueToday: Int
        public var unassigned: Int64
        public var selfCorrecting: Int64
        /// The period's sums (area perspective: everything reported in the filtered area).
        public var counts: Counts
    }

    public func overview(_ q: StatsQuery, period: Period, now: Date) async throws -> Overview {
        var q = q
        q.from = period.firstDate
        q.to = period.lastDate
        let bySource = try await stats.totals(q, by: .source)
        var today = q
        today.from = CaseFacts.day(now)
        today.to = today.from
        let todayBySource = try await stats.totals(today, by: .source, measures: [.reported])
        let live = try await stats.live(q)
        let due = try await stats.dueBetween(q, now: now, until: Timestamp.nextChinaMidnight(after: now))
        func channels(_ sums: [String: Counts]) -> [ReportSource: Int64] {
            var out: [ReportSource: Int64] = [:]
            for (k, c) in sums { if let s = ReportSource(rawValue: k), c[.reported] > 0 { out[s] = c[.reported] } }
            return out
        }
        var counts = Counts()
        for c in bySource.values { counts += c }
        return Overview(period: period, intake: channels(bySource), today: channels(todayBySource), open: live[.open],
                        overdue: live[.openOverdue], dueToday: due, unassigned: live[.openUnassigned],
                        selfCorrecting: live[.selfCorrecting], counts: counts)
    }

    /// One row of a breakdown: the period's sums and what is open now.
    public struct Row: Sendable {
        public var key: String
        public var counts: Counts
        public var live: Counts
        public var score: Double
        /// A unit's parts of joint cases; nil for areas, and when the scheme does not count them.
        public var joint: JointCounts?
    }

    /// The period's figures by `dimension`, with what is open now, highest score first for
    /// units. Units are scored as units (what they answer for, their joint parts included), areas as areas.
    public func breakdown(_ q: StatsQuery, period: Period, by dimension: StatsDimension, now: Date) async throws -> [Row] {
        var q = q
        q.from = period.firstDate
        q.to = period.lastDate
        let sums = try await stats.totals(q, by: dimension)
        let live = dimension == .day ? [:] : try await stats.live(q, by: dimension)
        let perspective: Indicator.Perspective = dimension == .unit ? .unit : .area
        let joint = dimension == .unit ? try await jointCounts(q, now: now) : [:]
        return Set(sums.keys).union(live.keys).union(joint.keys).filter { !$0.isEmpty }.sorted().map { key in
            let c = sums[key] ?? Counts()
            return Row(key: key, counts: c, live: live[key] ?? Counts(), score: scheme.score(c, perspective: perspective, joint: joint[key]),
                       joint: dimension == .unit && scheme.joint != nil ? joint[key] ?? JointCounts() : nil)
        }
    }

    /// One day of the trend.
    public struct Day: Sendable, Hashable {
        public var day: Int64
        public var reported: Int64
        public var handled: Int64
        public var closed: Int64
    }

    /// Reported, handled and closed per day over the period; days with nothing are zeros.
    public func trend(_ q: StatsQuery, period: Period) async throws -> [Day] {
        var q = q
        q.from = period.firstDate
        q.to = period.lastDate
        let sums = try await stats.totals(q, by: .day, measures: [.reported, .handledThatDay, .closedThatDay])
        return (period.first...period.last).map { day in
            let c = sums[String(Period.yyyymmdd(day))] ?? Counts()
            return Day(day: day, reported: c[.reported], handled: c[.handledThatDay], closed: c[.closedThatDay])
        }
    }

    /// One unit's place in the ranking.
    public struct Ranked: Sendable {
        public var unit: String
        public var score: Double
        public var rank: Int?
        public var previousRank: Int?
        public var previousScore: Double?
        public var counts: Counts
        /// The unit's parts of joint cases in the period; nil when the scheme does not count them.
        public var joint: JointCounts?
        /// Places gained since the previous period (positive is better); nil when either is unranked.
        public var change: Int? { rank.flatMap { r in previousRank.map { $0 - r } } }
    }

    /// Units ranked by the scheme over the period, with the previous period's rank. Joint parts
    /// still pending are judged late or not as of `now`.
    public func ranking(_ q: StatsQuery, period: Period, now: Date) async throws -> [Ranked] {
        var this = q, before = q
        this.from = period.firstDate
        this.to = period.lastDate
        before.from = period.previous.firstDate
        before.to = period.previous.lastDate
        let current = try await stats.totals(this, by: .unit).filter { !$0.key.isEmpty }
        let previous = try await stats.totals(before, by: .unit).filter { !$0.key.isEmpty }
        let joint = try await jointCounts(this, now: now), jointBefore = try await jointCounts(before, now: now)
        let earlier = Dictionary(uniqueKeysWithValues: scheme.rank(previous, joint: jointBefore).map { ($0.unit, $0) })
        return scheme.rank(current, joint: joint).map { r in
            Ranked(unit: r.unit, score: r.score, rank: r.rank, previousRank: earlier[r.unit]?.rank, previousScore: earlier[r.unit]?.score,
                   counts: current[r.unit] ?? Counts(), joint: scheme.joint == nil ? nil : joint[r.unit] ?? JointCounts())
        }
    }
}
