import Foundation

/// A span of China-time dates, both ends included, as the evaluation counts them: a day, an
/// ISO week, a month, a quarter, a year, or any range. The previous period is the one a
/// ranking compares with: the calendar period before (last month for a month), or, for a free
/// range, the same number of days just before it.
public struct Period: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable, Hashable {
        case day, week, month, quarter, year, range
    }

    public var kind: Kind
    /// Days since 1970-01-01 (China time).
    public var first: Int64
    public var last: Int64

    public init(kind: Kind, first: Int64, last: Int64) {
        self.kind = kind
        self.first = first
        self.last = last
    }

    /// The period of `kind` that holds the date `day` (days since 1970-01-01).
    public static func containing(_ day: Int64, kind: Kind) -> Period {
        let (y, m, _) = Timestamp.civil(fromDays: day)
        switch kind {
        case .day, .range:
            return Period(kind: .day, first: day, last: day)
        case .week:
            let monday = day - ((day + 3) % 7 + 7) % 7  // 1970-01-01 was a Thursday
            return Period(kind: .week, first: monday, last: monday + 6)
        case .month:
            let first = Timestamp.daysFromCivil(y, m, 1)
            return Period(kind: .month, first: first, last: first + Int64(Timestamp.daysIn(month: m, year: y)) - 1)
        case .quarter:
            let q = (m - 1) / 3 * 3 + 1
            let first = Timestamp.daysFromCivil(y, q, 1)
            let last = Timestamp.daysFromCivil(q == 10 ? y + 1 : y, q == 10 ? 1 : q + 3, 1) - 1
            return Period(kind: .quarter, first: first, last: last)
        case .year:
            return Period(kind: .year, first: Timestamp.daysFromCivil(y, 1, 1), last: Timestamp.daysFromCivil(y + 1, 1, 1) - 1)
        }
    }

    /// The period just before this one, of the same kind.
    public var previous: Period {
        switch kind {
        case .day, .week, .range:
            let length = last - first + 1
            return Period(kind: kind, first: first - length, last: first - 1)
        case .month, .quarter, .year:
            return Self.containing(first - 1, kind: kind)
        }
    }

    public var days: Int64 { last - first + 1 }

    /// The ends as yyyymmdd, as the statistics store dates facts.
    public var firstDate: Int64 { Self.yyyymmdd(first) }
    public var lastDate: Int64 { Self.yyyymmdd(last) }

    public static func yyyymmdd(_ day: Int64) -> Int64 {
        let (y, m, d) = Timestamp.civil(fromDays: day)
        return Int64(y * 10_000 + m * 100 + d)
    }

    /// The day number of a yyyymmdd date (the inverse of `yyyymmdd`).
    public static func day(yyyymmdd v: Int64) -> Int64 {
        Timestamp.daysFromCivil(Int(v / 10_000), Int(v / 100 % 100), Int(v % 100))
    }

    /// `2026-11-26`.
    public static func text(_ day: Int64) -> String {
        let (y, m, d) = Timestamp.civil(fromDays: day)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The China-time day number of an instant.
    public static func day(of date: Date) -> Int64 {
        let f = Timestamp.chinaFields(date)
        return Timestamp.daysFromCivil(f.year, f.month, f.day)
    }

    /// Midnight (China time) starting the day.
    public static func start(of day: Int64) -> Date {
        Timestamp.date(millis: day * 86_400_000 - Int64(Timestamp.chinaOffsetSeconds) * 1000)
    }
}
