/// The replayed cases added up: how each unit's counts (and the district's) would differ, and
/// the cases whose outcome changes. Figures as they are come from the statistics; this holds
/// only the difference, so replaying the rules in force adds nothing and reproduces them.
/// Tallies of disjoint cases merge, so pages of cases can be replayed side by side.
public struct WhatIfTally: Sendable {
    /// After less before, per unit, of the unit facts the query counts.
    public var units: [String: Counts] = [:]
    /// After less before of the intake and unit facts the query counts (the district's figures),
    /// and the same by street (the streets' figures as areas: what was reported there).
    public var district = Counts()
    public var streets: [String: Counts] = [:]
    /// Cases replayed; of those counted by the query, the ones whose facts differ and the ones
    /// whose unit or timeliness changes.
    public var cases = 0
    public var rewritten = 0
    public var changed = 0
    /// How the rewritten histories' handling times were found.
    public var bases: [HandlingTimes.Basis: Int] = [:]
    /// Changed outcomes per cause (`rule before → rule after`).
    public var causes: [String: Int] = [:]
    /// The first `keep` changed cases by id.
    public private(set) var changes: [WhatIfReplay.Change] = []
    public let keep: Int

    public init(keep: Int) { self.keep = max(0, keep) }

    /// Adds a replayed case (in ascending id order within one tally); `counts` says which facts
    /// the query counts (period, filters, scope).
    public mutating func add(_ r: WhatIfReplay.Result, counts: (FactKey) -> Bool) {
        cases += 1
        guard r.before != r.after else { return }
        // A case read for the lookback whose figures fall outside the query's days is no answer's concern.
        guard (r.before + r.after).contains(where: { ($0.key.kind == .unit || $0.key.kind == .intake) && counts($0.key) }) else { return }
        rewritten += 1
        if let b = r.basis { bases[b, default: 0] += 1 }
        for (facts, sign) in [(r.before, Int64(-1)), (r.after, 1)] {
            for f in facts where counts(f.key) {
                guard f.key.kind == .unit || f.key.kind == .intake else { continue }
                for i in district.values.indices { district.values[i] += sign * f.counts.values[i] }
                if !f.key.street.isEmpty {
                    var c = streets[f.key.street] ?? Counts()
                    for i in c.values.indices { c.values[i] += sign * f.counts.values[i] }
                    streets[f.key.street] = c
                }
                if f.key.kind == .unit {
                    var c = units[f.key.unit] ?? Counts()
                    for i in c.values.indices { c.values[i] += sign * f.counts.values[i] }
                    units[f.key.unit] = c
                }
            }
        }
        guard let change = r.change else { return }
        changed += 1
        causes["\(change.ruleBefore ?? "—") → \(change.ruleAfter ?? "—")", default: 0] += 1
        if changes.count < keep { changes.append(change) }
    }

    /// Adds another tally of different cases.
    public mutating func merge(_ o: WhatIfTally) {
        for (u, c) in o.units { units[u, default: Counts()] += c }
        district += o.district
        for (s, c) in o.streets { streets[s, default: Counts()] += c }
        cases += o.cases
        rewritten += o.rewritten
        changed += o.changed
        for (b, n) in o.bases { bases[b, default: 0] += n }
        for (k, n) in o.causes { causes[k, default: 0] += n }
        // Both lists are in id order: merge them and keep the first `keep`.
        var merged: [WhatIfReplay.Change] = [], i = 0, j = 0
        merged.reserveCapacity(min(keep, changes.count + o.changes.count))
        while merged.count < keep, i < changes.count || j < o.changes.count {
            if j == o.changes.count || (i < changes.count && changes[i].caseID < o.changes[j].caseID) {
                merged.append(changes[i])
                i += 1
            } else {
                merged.append(o.changes[j])
                j += 1
            }
        }
        changes = merged
    }
}
