import Foundation
import GongzhiCore

/// A what-if over a period: the evaluation as it stands (the statistics, exactly what the
/// ranking shows) beside the evaluation the proposal would have given, found by replaying
/// only the cases the proposal may change (`WhatIfReplay`) and adding the difference. Reads
/// only; outside HTTP, so the API, the page and the command line give the same answer.
public struct WhatIf: Sendable {
    public let evaluation: Evaluation
    public let source: any ReplaySource

    /// Cases created this long before the period are read too: a case reported late in the
    /// previous period is often dispatched and counted (by the day its unit got it) in this one.
    public static let lookbackDays: Int64 = 92

    public init(evaluation: Evaluation, source: any ReplaySource) {
        self.evaluation = evaluation
        self.source = source
    }

    /// A unit's place and counts, as it is and as it would be.
    public struct UnitRow: Sendable {
        public var unit: String
        /// Nil for a unit that has no figures as it is (the proposal gives it cases).
        public var before: ScoringScheme.Ranked?
        public var after: ScoringScheme.Ranked
        public var countsBefore: Counts
        public var countsAfter: Counts
    }

    /// A street's figures as an area (what was reported there), as they are and would be.
    public struct AreaRow: Sendable {
        public var street: String
        public var before: Counts
        public var after: Counts
        public var scoreBefore: Double
        public var scoreAfter: Double
    }

    public struct Report: Sendable {
        public var period: Period
        /// Units by their rank under the proposal (unranked last).
        public var units: [UnitRow]
        /// Streets, those whose score falls most first.
        public var streets: [AreaRow]
        public var districtBefore: Counts
        public var districtAfter: Counts
        public var tally: WhatIfTally
        /// Cases read in the window, and of those the ones whose route, scenario or calendar differ.
        public var considered: Int
        public var mayChange: Int
        public var seconds: Double
    }

    /// Progress: cases replayed so far of those that may change.
    public typealias Progress = @Sendable (_ done: Int, _ of: Int) -> Void

    /// Replays the period's cases matching `q` (its days are set from `period`; its scope and
    /// filters apply as in the statistics) under `proposed` instead of `current`.
    /// `workers` pages are replayed at once: one more than the cores, so one is read while the others replay.
    /// `relocate` places a point in the proposal's area layers (nil: the layers in force).
    public func run(_ q: StatsQuery, period: Period, current: CaseContext, proposed: CaseContext, now: Date, keep: Int = 200,
                    relocate: (@Sendable (GeoPoint) -> AreaPath?)? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount + 1,
                    progress: Progress = { _, _ in }) async throws -> Report {
        let started = ContinuousClock.now
        var q = q
        q.from = period.firstDate
        q.to = period.lastDate
        var filter = ReplayFilter(from: Period.start(of: period.first - Self.lookbackDays), to: Period.start(of: period.last + 1))
        (filter.streets, filter.communities, filter.grids, filter.categories, filter.sources) =
            (q.streets, q.communities, q.grids, q.categories, q.sources)

        // Which cases may come out differently: their route, scenario or calendar differ.
        let probe = WhatIfReplay.Settings(current: current, proposed: proposed, times: .none, now: now, relocate: relocate)
        var known: [WhatIfReplay.RouteKey: WhatIfReplay.Settings.Routes] = [:], targets: Set<String> = []
        var affected: [Int64] = [], considered = 0
        let ids = try await source.ids(filter)
        var after = (ids?.lowerBound ?? 1) - 1
        while let upTo = ids?.upperBound, after < upTo {
            let page = try await source.routingKeys(filter, after: after, upTo: upTo, limit: 10_000)
            guard let last = page.last else { break }
            for k in page {
                let key = WhatIfReplay.RouteKey(category: k.category, source: k.source, area: k.area)
                let seen = known[key]
                let routes = seen ?? probe.routes(category: k.category, area: k.area, source: k.source)
                if seen == nil { known[key] = routes }
                guard probe.mayChange(routes, category: k.category) else { continue }
                if seen == nil { targets.formUnion(Self.targets(k, routes, current: current, proposed: proposed, relocating: relocate != nil)) }
                affected.append(k.id)
            }
            considered += page.count
            after = last.id
        }

        // The new units' own handling times over the period.
        let samples = targets.isEmpty ? [] : try await source.handlingMinutes(units: targets.sorted(), fromDay: q.from, toDay: q.to)
        let settings = WhatIfReplay.Settings(current: current, proposed: proposed, times: HandlingTimes(samples: samples), now: now,
                                             known: known, relocate: relocate)
        let tally = try await replay(affected, settings: settings, counts: q, keep: keep, workers: max(1, workers), progress: progress)

        // As it is: the statistics, as the ranking reads them; as it would be: plus the difference.
        let before = try await evaluation.stats.totals(q, by: .unit).filter { !$0.key.isEmpty }
        var afterCounts = before
        for (unit, delta) in tally.units where !unit.isEmpty { afterCounts[unit, default: Counts()] += delta }
        let joint = try await evaluation.jointCounts(q, now: now)
        let scheme = evaluation.scheme
        let ranksBefore = Dictionary(uniqueKeysWithValues: scheme.rank(before, joint: joint).map { ($0.unit, $0) })
        let ranksAfter = scheme.rank(afterCounts.filter { !$0.value.isZero || before[$0.key] != nil }, joint: joint)
        let rows = ranksAfter.map { r in
            UnitRow(unit: r.unit, before: ranksBefore[r.unit], after: r, countsBefore: before[r.unit] ?? Counts(),
                    countsAfter: afterCounts[r.unit] ?? Counts())
        }
        let districtBefore = try await evaluation.stats.totals(q)
        var districtAfter = districtBefore
        districtAfter += tally.district
        let streetsBefore = try await evaluation.stats.totals(q, by: .street).filter { !$0.key.isEmpty }
        let streets = Set(streetsBefore.keys).union(tally.streets.keys).map { code in
            let b = streetsBefore[code] ?? Counts()
            var a = b
            a += tally.streets[code] ?? Counts()
            return AreaRow(street: code, before: b, after: a, scoreBefore: scheme.score(b, perspective: .area),
                           scoreAfter: scheme.score(a, perspective: .area))
        }.sorted { ($0.scoreAfter - $0.scoreBefore, $0.street) < ($1.scoreAfter - $1.scoreBefore, $1.street) }
        return Report(period: period, units: rows, streets: streets, districtBefore: districtBefore, districtAfter: districtAfter,
                      tally: tally, considered: considered, mayChange: affected.count, seconds: (ContinuousClock.now - started).seconds)
    }

    /// The units that may get a case they did not have under the proposal: the replay takes
    /// their median handling times, read for them alone (a unit that keeps its case takes its
    /// own time, so other office hours alone need none). Under other boundaries a case's route
    /// is known only once its point is located: every unit the proposal routes to may get it.
    static func targets(_ k: RoutingKey, _ routes: WhatIfReplay.Settings.Routes, current: CaseContext, proposed: CaseContext,
                        relocating: Bool) -> [String] {
        var out: [String] = []
        if relocating {
            out = proposed.units.all.map(\.code)
        } else if let u = routes.after?.unit, u != routes.before?.unit {
            out.append(u)
        }
        if let s = proposed.coGovernance.scenario(for: k.category), s != current.coGovernance.scenario(for: k.category) {
            out.append(s.enforcementUnit)
        }
        return out
    }

    /// Replays the cases a page at a time, `workers` pages at once, and adds them up.
    func replay(_ ids: [Int64], settings: WhatIfReplay.Settings, counts q: StatsQuery, keep: Int, workers: Int,
                progress: Progress) async throws -> WhatIfTally {
        let pageSize = 2_000
        let pages = stride(from: 0, to: ids.count, by: pageSize).map { Array(ids[$0..<min($0 + pageSize, ids.count)]) }
        var total = WhatIfTally(keep: keep), done = 0
        let source = source
        try await withThrowingTaskGroup(of: (Int, WhatIfTally).self) { group in
            var next = 0
            func start() {
                guard next < pages.count else { return }
                let page = pages[next], n = next
                next += 1
                group.addTask {
                    var tally = WhatIfTally(keep: keep)
                    for history in try await source.histories(page) {
                        if let r = WhatIfReplay.replay(history, settings) { tally.add(r, counts: q.counts) }
                    }
                    return (n, tally)
                }
            }
            for _ in 0..<workers { start() }
            while let (n, tally) = try await group.next() {
                total.merge(tally)
                done += pages[n].count
                progress(done, ids.count)
                start()
            }
        }
        return total
    }
}
