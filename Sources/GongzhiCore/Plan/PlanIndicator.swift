import Foundation

/// A plan's dates: China-time days since 1970-01-01, as `Period` counts them. A plan speaks in
/// days (a deadline is "by 31 October"), never in instants.
public typealias PlanDay = Int64

public enum PlanDays {
    /// The day of a `yyyy-mm-dd` text, or nil when it is not a real date.
    public static func parse(_ text: some StringProtocol) -> PlanDay? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= Timestamp.daysIn(month: m, year: y) else { return nil }
        return Timestamp.daysFromCivil(y, m, d)
    }

    public static func text(_ day: PlanDay) -> String {
        let (y, m, d) = Timestamp.civil(fromDays: day)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The day an instant falls on in China.
    public static func of(_ date: Date) -> PlanDay {
        (Timestamp.millis(date) / 1000 + Int64(Timestamp.chinaOffsetSeconds)).floorDiv(86_400)
    }
}

extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 { self >= 0 ? self / d : -((-self + d - 1) / d) }
}

/// An indicator of a plan with its target (e.g. 回迁 10,000 户 by year end; 固定资产投资
/// 550 亿元 for the year; household waste held at last year's volume). Its progress is paced
/// against a planned curve between `start` and `deadline`.
public struct PlanIndicator: Sendable, Hashable, Codable {
    /// Whether more is better (households moved back) or less (tonnes of household waste).
    public enum Direction: String, Sendable, Hashable, Codable { case increase, decrease }
    /// A cumulative indicator is reported as the total to date (households moved back so far);
    /// a point-in-time one as the level on the report's date (a growth rate, a share).
    public enum Accumulation: String, Sendable, Hashable, Codable {
        case cumulative
        case pointInTime = "point_in_time"
    }

    public var id: String
    public var name: String
    /// 户, 亿元, %, 吨/日…
    public var unitOfMeasure: String
    public var direction: Direction
    public var accumulation: Accumulation
    /// The value at `start`.
    public var baseline: Double
    public var target: Double
    public var start: PlanDay
    public var deadline: PlanDay
    public var curve: PaceCurve
    /// Reports are due monthly, by this day of the following month.
    public var reportDueDay: Int

    public init(id: String, name: String, unitOfMeasure: String, direction: Direction = .increase,
                accumulation: Accumulation = .cumulative, baseline: Double, target: Double, start: PlanDay, deadline: PlanDay,
                curve: PaceCurve = .linear, reportDueDay: Int = 5) {
        self.id = id
        self.name = name
        self.unitOfMeasure = unitOfMeasure
        self.direction = direction
        self.accumulation = accumulation
        self.baseline = baseline
        self.target = target
        self.start = start
        self.deadline = deadline
        self.curve = curve
        self.reportDueDay = reportDueDay
    }

    /// A target equal to its baseline holds a line (zero growth of household waste): there is
    /// no distance to cover, only a side of the line to stay on.
    public var holdsALine: Bool { target == baseline }

    /// How far `value` has come from the baseline towards the target (1 = reached; beyond 1 =
    /// exceeded; negative = went the wrong way). Nil for a line to hold.
    public func fraction(_ value: Double) -> Double? {
        holdsALine ? nil : (value - baseline) / (target - baseline)
    }

    /// Whether `value` meets the target on the indicator's side of it.
    public func meets(_ value: Double) -> Bool {
        direction == .increase ? value >= target : value <= target
    }

    /// Checks what a loaded plan must hold: a real span, a profile that fits it, a due day.
    public func validate() throws(PlanError) {
        guard !id.isEmpty, !name.isEmpty else { throw .invalid("indicator \(id): id and name are required") }
        guard deadline >= start else { throw .invalid("indicator \(id): deadline before start") }
        guard (1...28).contains(reportDueDay) else { throw .invalid("indicator \(id): report_due_day must be 1…28") }
        guard baseline.isFinite, target.isFinite else { throw .invalid("indicator \(id): baseline and target must be numbers") }
        if !holdsALine, (direction == .increase) != (target > baseline) {
            let side = direction == .increase ? "below" : "above"
            throw .invalid("indicator \(id): a target \(side) its baseline contradicts direction \(direction.rawValue)")
        }
        try curve.validate(start: start, deadline: deadline, indicator: id)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, direction, accumulation, baseline, target, start, deadline, curve
        case unitOfMeasure = "unit_of_measure"
        case reportDueDay = "report_due_day"
    }
}

public enum PlanError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self { case .invalid(let why): why }
    }
}

/// The planned path from baseline to target: even over the days (linear), or by month with a
/// share of the whole for each calendar month from the start's month to the deadline's (a
/// construction season, a year-end push), even over the days within a month.
public enum PaceCurve: Sendable, Hashable, Codable {
    case linear
    case monthly([Double])

    /// The share of the distance planned to be covered by the end of `day`.
    public func expected(at day: PlanDay, start: PlanDay, deadline: PlanDay) -> Double {
        guard day >= start else { return 0 }
        guard day < deadline else { return 1 }
        switch self {
        case .linear:
            return Double(day - start + 1) / Double(deadline - start + 1)
        case .monthly(let shares):
            let total = shares.reduce(0, +)
            var done = 0.0
            for (i, share) in shares.enumerated() {
                let month = Self.month(i, from: start)
                let first = max(month.first, start), last = min(month.last, deadline)
                if day > last { done += share; continue }
                return (done + share * Double(day - first + 1) / Double(last - first + 1)) / total
            }
            return 1
        }
    }

    static func month(_ offset: Int, from start: PlanDay) -> Period {
        let (y, m, _) = Timestamp.civil(fromDays: start)
        let k = (m - 1) + offset
        return Period.containing(Timestamp.daysFromCivil(y + k / 12, k % 12 + 1, 1), kind: .month)
    }

    /// Months from the start's month to the deadline's, both counted.
    static func months(start: PlanDay, deadline: PlanDay) -> Int {
        let (y0, m0, _) = Timestamp.civil(fromDays: start), (y1, m1, _) = Timestamp.civil(fromDays: deadline)
        return (y1 - y0) * 12 + (m1 - m0) + 1
    }

    func validate(start: PlanDay, deadline: PlanDay, indicator: String) throws(PlanError) {
        guard case .monthly(let shares) = self else { return }
        let n = Self.months(start: start, deadline: deadline)
        guard shares.count == n else {
            throw .invalid("indicator \(indicator): a monthly profile needs \(n) shares, one per month, not \(shares.count)")
        }
        guard shares.allSatisfy({ $0.isFinite && $0 >= 0 }), shares.reduce(0, +) > 0 else {
            throw .invalid("indicator \(indicator): profile shares must be non-negative and not all zero")
        }
    }

    /// `"linear"`, or `{"monthly": [shares]}`.
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard text == "linear" else {
                let why = "curve must be \"linear\" or {\"monthly\": [...]}"
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: why))
            }
            self = .linear
            return
        }
        let c = try decoder.container(keyedBy: Key.self)
        self = .monthly(try c.decode([Double].self, forKey: .monthly))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .linear:
            var c = encoder.singleValueContainer()
            try c.encode("linear")
        case .monthly(let shares):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(shares, forKey: .monthly)
        }
    }

    enum Key: String, CodingKey { case monthly }
}
