import Foundation

/// How a unit's indicators become one score and a rank (综合评价计分): data, not code, so a
/// district changes its 考核细则 by editing a file. The default (`evaluation_scheme.json`) is
/// modelled on Zhejiang cities' 数字城管 rules: 按期结案率 at or above 70 % earns its full 50
/// points, one point less per percentage point below; 结案率 at or above 90 % earns 20; a case
/// sent back after a failed verification costs 0.2, one that failed three times or more 0.5;
/// supervised (督办) cases weigh double; a unit's part of a joint case done late, or still open
/// past its deadline, costs 0.2.
public struct ScoringScheme: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// How many times a supervised case counts in a unit's rates.
    public var supervisedWeight: Double
    public var items: [Item]
    public var deductions: [Deduction]
    /// Units with fewer cases to handle in the period are listed but not ranked.
    public var minimumCases: Int
    /// How a unit's parts of joint cases (联合执法分任务) count; none when the scheme leaves them out.
    public var joint: Joint?

    /// Parts of joint cases: an optional rate item over the parts done on time (`points` above 0;
    /// a unit with no parts earns them all, as an item with no value does), and a deduction per late part.
    public struct Joint: Sendable, Hashable, Codable {
        public var points: Double
        public var fullAt: Double
        public var perPoint: Double
        public var lateEach: Double
        public var note: String?

        public init(points: Double = 0, fullAt: Double = 1, perPoint: Double = 0, lateEach: Double, note: String? = nil) {
            self.points = points
            self.fullAt = fullAt
            self.perPoint = perPoint
            self.lateEach = lateEach
            self.note = note
        }

        enum CodingKeys: String, CodingKey {
            case points, note
            case fullAt = "full_at"
            case perPoint = "per_point"
            case lateEach = "late_each"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            points = try c.decodeIfPresent(Double.self, forKey: .points) ?? 0
            fullAt = try c.decodeIfPresent(Double.self, forKey: .fullAt) ?? 1
            perPoint = try c.decodeIfPresent(Double.self, forKey: .perPoint) ?? 0
            lateEach = try c.decodeIfPresent(Double.self, forKey: .lateEach) ?? 0
            note = try c.decodeIfPresent(String.self, forKey: .note)
        }

        /// Points earned (the rate item) less points lost (late parts), for one unit.
        func points(_ j: JointCounts) -> Double {
            var total = 0.0
            if points > 0 { total += j.onTimeRate.map { ScoringScheme.earned(points, fullAt: fullAt, perPoint: perPoint, rate: $0) } ?? points }
            return total - lateEach * Double(j.late)
        }
    }

    /// Points earned by one rate.
    public struct Item: Sendable, Hashable, Codable {
        public var indicator: Indicator
        public var points: Double
        /// The rate (a fraction) at or above which the item earns all its points.
        public var fullAt: Double
        /// Points lost per percentage point below `fullAt`; never below 0 for the item.
        public var perPoint: Double
        /// What the item earns when the rate has no value (no cases): all its points by default.
        public var whenNoValue: Double?

        enum CodingKeys: String, CodingKey {
            case indicator, points
            case fullAt = "full_at"
            case perPoint = "per_point"
            case whenNoValue = "when_no_value"
        }
    }

    /// Points taken off per counted case.
    public struct Deduction: Sendable, Hashable, Codable {
        public var measure: Measure
        public var each: Double
        public var note: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, name, items, deductions, joint
        case supervisedWeight = "supervised_weight"
        case minimumCases = "minimum_cases"
    }

    /// The scheme's problems, for the loader's error message; empty when it is usable.
    public var problems: [String] {
        var out: [String] = []
        if !(supervisedWeight >= 1 && supervisedWeight <= 10) { out.append("supervised_weight must be between 1 and 10") }
        if items.isEmpty { out.append("items: at least one is needed") }
        for (n, item) in items.enumerated() {
            if !item.indicator.isRate { out.append("items[\(n)].indicator: \(item.indicator.rawValue) is not a rate") }
            if !(item.points > 0 && item.points <= 1_000) { out.append("items[\(n)].points must be more than 0 and at most 1000") }
            if !(item.fullAt > 0 && item.fullAt <= 1) { out.append("items[\(n)].full_at must be a fraction above 0, at most 1") }
            if !(item.perPoint >= 0 && item.perPoint.isFinite) { out.append("items[\(n)].per_point must be 0 or more") }
        }
        for (n, d) in deductions.enumerated() where !(d.each >= 0 && d.each.isFinite) {
            out.append("deductions[\(n)].each must be 0 or more")
        }
        if minimumCases < 0 { out.append("minimum_cases must be 0 or more") }
        if let j = joint {
            if !(j.points >= 0 && j.points <= 1_000) { out.append("joint.points must be 0 or more, at most 1000") }
            if !(j.fullAt > 0 && j.fullAt <= 1) { out.append("joint.full_at must be a fraction above 0, at most 1") }
            if !(j.perPoint >= 0 && j.perPoint.isFinite) { out.append("joint.per_point must be 0 or more") }
            if !(j.lateEach >= 0 && j.lateEach.isFinite) { out.append("joint.late_each must be 0 or more") }
        }
        return out
    }

    /// One item's points for a rate.
    public func points(_ item: Item, rate: Double?) -> Double {
        guard let rate else { return item.whenNoValue ?? item.points }
        return Self.earned(item.points, fullAt: item.fullAt, perPoint: item.perPoint, rate: rate)
    }

    /// All `points` at or above `fullAt`, `perPoint` fewer per percentage point below it, never below 0.
    static func earned(_ points: Double, fullAt: Double, perPoint: Double, rate: Double) -> Double {
        max(0, points - max(0, fullAt - rate) * 100 * perPoint)
    }

    /// A unit's score from its summed counts (and its parts of joint cases, when the scheme counts
    /// them), rounded to two decimals as published. An area is scored the same way over what was
    /// reported in it (the choropleth's "by score"), without joint parts, which belong to units.
    public func score(_ c: Counts, perspective: Indicator.Perspective = .unit, joint j: JointCounts? = nil) -> Double {
        var total = 0.0
        for item in items {
            total += points(item, rate: item.indicator.value(c, perspective: perspective, weight: supervisedWeight))
        }
        for d in deductions { total -= d.each * Double(c[d.measure]) }
        if perspective == .unit, let joint { total += joint.points(j ?? JointCounts()) }
        return (total * 100).rounded() / 100
    }

    /// Units ranked by score, highest first (ties by on-time close rate, then code). Units below
    /// `minimumCases` get no rank; a unit with joint parts but no cases is listed, unranked.
    public func rank(_ units: [String: Counts], joint: [String: JointCounts] = [:]) -> [Ranked] {
        var codes = Set(units.keys)
        if self.joint != nil { codes.formUnion(joint.keys) }
        let scored: [Ranked] = codes.map { code in
            let c = units[code] ?? Counts()
            let onTime = Indicator.onTimeCloseRate.value(c, perspective: .unit) ?? 0
            return Ranked(unit: code, score: score(c, joint: joint[code]), onTime: onTime, cases: c[.assigned], rank: nil)
        }
        var ranked = scored.filter { $0.cases >= Int64(minimumCases) && $0.cases > 0 }
            .sorted { ($0.score, $0.onTime, $1.unit) > ($1.score, $1.onTime, $0.unit) }
        // Equal scores and on-time rates share a rank (1, 2, 2, 4).
        for i in ranked.indices {
            let tied = i > 0 && ranked[i - 1].score == ranked[i].score && ranked[i - 1].onTime == ranked[i].onTime
            ranked[i].rank = tied ? ranked[i - 1].rank : i + 1
        }
        let unranked = scored.filter { $0.cases < Int64(minimumCases) || $0.cases == 0 }.sorted { $0.unit < $1.unit }
        return ranked + unranked
    }

    public struct Ranked: Sendable, Hashable {
        public var unit: String
        public var score: Double
        public var onTime: Double
        public var cases: Int64
        public var rank: Int?
    }

    /// Reads a scheme file and checks it.
    public static func load(_ data: Data) throws -> ScoringScheme {
        let scheme: ScoringScheme
        do { scheme = try JSONDecoder().decode(ScoringScheme.self, from: data) } catch {
            throw SchemeError(problems: ["not a scoring scheme: \(error)"])
        }
        if !scheme.problems.isEmpty { throw SchemeError(problems: scheme.problems) }
        return scheme
    }

    public struct SchemeError: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }
}
