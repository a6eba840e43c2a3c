/// How long units actually took to handle cases, in office hours from receiving a case to
/// handling it (the evaluation's `handle_minutes`): the what-if gives a case that a proposal
/// sends to another unit that unit's own median for the category, since the old unit's time
/// says nothing about the new one. Medians, not means: one case left for weeks would otherwise
/// make a whole category look slow.
public struct HandlingTimes: Sendable {
    /// Where a replayed handling time came from, stated beside the figures.
    public enum Basis: String, Sendable, Hashable, CaseIterable, Codable {
        /// The case's own handling time, carried over (its unit is unchanged).
        case carried
        /// The new unit's median for the case's category.
        case unitCategoryMedian = "unit_category_median"
        /// The new unit has handled none of the category in the window: its median over all its cases.
        case unitMedian = "unit_median"
        /// The new unit has handled nothing in the window: the case's own time, as the only figure there is.
        case ownTime = "own_time"
    }

    let byUnitCategory: [String: [String: Double]]
    let byUnit: [String: Double]

    public static let none = HandlingTimes(samples: [])

    /// Medians in office hours from samples of office minutes.
    public init(samples: [(unit: String, category: String, minutes: Int64)]) {
        var perPair: [String: [String: [Int64]]] = [:], perUnit: [String: [Int64]] = [:]
        for s in samples {
            perPair[s.unit, default: [:]][s.category, default: []].append(s.minutes)
            perUnit[s.unit, default: []].append(s.minutes)
        }
        byUnitCategory = perPair.mapValues { $0.mapValues(Self.medianHours) }
        byUnit = perUnit.mapValues(Self.medianHours)
    }

    /// The median of minutes, in hours; the mean of the middle two for an even count.
    static func medianHours(_ minutes: [Int64]) -> Double {
        let sorted = minutes.sorted(), n = sorted.count
        guard n > 0 else { return 0 }
        let middle = n % 2 == 1 ? Double(sorted[n / 2]) : Double(sorted[n / 2 - 1] + sorted[n / 2]) / 2
        return middle / 60
    }

    /// The office hours `unit` would take over a case of `category`, and on what basis; nil
    /// when the unit handled nothing in the window.
    public func hours(unit: String, category: String?) -> (hours: Double, basis: Basis)? {
        if let c = category, let h = byUnitCategory[unit]?[c] { return (h, .unitCategoryMedian) }
        return byUnit[unit].map { ($0, .unitMedian) }
    }
}
