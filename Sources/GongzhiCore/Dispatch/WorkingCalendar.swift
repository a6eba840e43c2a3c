import Foundation

/// China's working-day calendar in China Standard Time: weekends off, public holidays off, and
/// the weekend days worked in exchange (调休) on, from the State Council's annual notices, with
/// the district's office hours. Deadlines in working hours or working days are computed here.
///
/// Pure: the notices arrive as data (`HolidayYear`), so every rule is tested without files.
public struct WorkingCalendar: Sendable {
    /// Office hours as minutes after midnight, in order, e.g. 08:30–12:00 and 13:30–17:30.
    public struct OfficeHours: Sendable, Hashable {
        public var intervals: [ClosedRange<Int>]

        public init(_ intervals: [ClosedRange<Int>]) { self.intervals = intervals }

        public static let standard = OfficeHours([510...720, 810...1050])

        /// Parses `08:30-12:00,13:30-17:30`; nil when malformed.
        public init?(parsing text: String) {
            var intervals: [ClosedRange<Int>] = []
            for part in text.split(separator: ",") {
                let ends = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
                func minutes(_ t: String) -> Int? {
                    let hm = t.split(separator: ":")
                    guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1_440 else { return nil }
                    return h * 60 + m
                }
                guard ends.count == 2, let a = minutes(ends[0]), let b = minutes(ends[1]), a < b else { return nil }
                intervals.append(a...b)
            }
            guard !intervals.isEmpty else { return nil }
            self.init(intervals)
        }

        public var minutesPerDay: Int { intervals.reduce(0) { $0 + $1.upperBound - $1.lowerBound } }
    }

    public let officeHours: OfficeHours
    /// Day number (days since 1970-01-01 in China time) → holiday name.
    let holidays: [Int64: String]
    /// Day number → the holiday whose break it makes up for.
    let workdays: [Int64: String]
    /// The years the notices cover; outside them only weekends are known.
    public let years: ClosedRange<Int>?

    public init(years data: [HolidayYear], officeHours: OfficeHours = .standard) throws(ReferenceError) {
        var holidays: [Int64: String] = [:], workdays: [Int64: String] = [:]
        for year in data {
            for h in year.holidays {
                for text in h.days_off {
                    guard let d = Self.day(text) else { throw ReferenceError("\(year.year): \(h.name) has an invalid date \(text)") }
                    holidays[d] = h.name
                }
            }
            for w in year.adjusted_workdays {
                guard let d = Self.day(w.date) else { throw ReferenceError("\(year.year): invalid adjusted workday \(w.date)") }
                guard holidays[d] == nil else { throw ReferenceError("\(year.year): \(w.date) is both a holiday and a workday") }
                workdays[d] = w.for
            }
        }
        let ys = data.map(\.year)
        try self.init(holidays: holidays, workdays: workdays, officeHours: officeHours, years: ys.isEmpty ? nil : ys.min()!...ys.max()!)
    }

    private init(holidays: [Int64: String], workdays: [Int64: String], officeHours: OfficeHours, years: ClosedRange<Int>?)
        throws(ReferenceError) {
        for (i, r) in officeHours.intervals.enumerated() {
            guard r.lowerBound >= 0, r.upperBound <= 1_440, r.lowerBound < r.upperBound,
                  i == 0 || officeHours.intervals[i - 1].upperBound <= r.lowerBound else {
                throw ReferenceError("office hours must be ordered, non-overlapping intervals within a day")
            }
        }
        self.holidays = holidays
        self.workdays = workdays
        self.officeHours = officeHours
        self.years = years
    }

    /// This calendar with more days off (a working day made a holiday: no longer worked, even
    /// where it was a weekend day worked in exchange) and other office hours, for a what-if.
    public func with(daysOff: [Int64: String], officeHours hours: OfficeHours? = nil) throws(ReferenceError) -> WorkingCalendar {
        var h = holidays, w = workdays
        for (day, name) in daysOff {
            h[day] = name
            w[day] = nil
        }
        return try WorkingCalendar(holidays: h, workdays: w, officeHours: hours ?? officeHours, years: years)
    }

    /// What a calendar day is.
    public struct DayInfo: Sendable, Hashable {
        public var date: String
        public var weekday: Int  // 1 = Monday … 7 = Sunday
        public var working: Bool
        /// The holiday the day belongs to, when it is a day off for one.
        public var holiday: String?
        /// The holiday this weekend day is worked for (调休上班).
        public var workdayFor: String?
        /// False when the year is outside the notices on file (only weekends are known).
        public var known: Bool
    }

    /// Office hours as `08:30-12:00,13:30-17:30` (what `OfficeHours(parsing:)` reads).
    public var officeHoursText: String {
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return officeHours.intervals.map { "\(hm($0.lowerBound))-\(hm($0.upperBound))" }.joined(separator: ",")
    }

    /// A digest of everything that decides office time: two calendars with the same
    /// fingerprint count the same hours between any two instants. The statistics record the
    /// one they were computed with, and are recomputed when it changes.
    public var fingerprint: String {
        let days = holidays.keys.sorted().map { "h\($0)" } + workdays.keys.sorted().map { "w\($0)" }
        return SHA256.hex(officeHoursText + ";" + days.joined(separator: ","))
    }

    public func info(day: Int64) -> DayInfo {
        let (y, m, d) = Timestamp.civil(fromDays: day)
        let weekday = Int(((day + 3) % 7 + 7) % 7) + 1  // 1970-01-01 was a Thursday
        let working = isWorking(day: day)
        return DayInfo(date: String(format: "%04d-%02d-%02d", y, m, d), weekday: weekday, working: working,
                       holiday: holidays[day], workdayFor: workdays[day], known: years?.contains(y) ?? false)
    }

    public func isWorking(day: Int64) -> Bool {
        if holidays[day] != nil { return false }
        if workdays[day] != nil { return true }
        let weekday = ((day + 3) % 7 + 7) % 7  // 0 = Monday
        return weekday < 5
    }

    /// `from` plus `hours` of office time. Time outside office hours does not count; a start
    /// outside them counts from the next opening.
    public func addingWorkingHours(_ hours: Double, to from: Date) -> Date {
        var remaining = hours * 3600
        var (day, second) = Self.local(from)
        while true {
            if isWorking(day: day) {
                for r in officeHours.intervals {
                    let open = Double(r.lowerBound * 60), close = Double(r.upperBound * 60)
                    let start = max(open, second)
                    guard start < close else { continue }
                    if remaining <= close - start { return Self.date(day: day, second: start + remaining) }
                    remaining -= close - start
                }
            }
            day += 1
            second = 0
        }
    }

    /// Office hours between two instants (0 when `to` is not after `from`).
    public func workingHours(from: Date, to: Date) -> Double {
        guard to > from else { return 0 }
        var (day, second) = Self.local(from)
        let (endDay, endSecond) = Self.local(to)
        var total = 0.0
        while day <= endDay {
            if isWorking(day: day) {
                for r in officeHours.intervals {
                    let open = max(Double(r.lowerBound * 60), second)
                    let close = day == endDay ? min(Double(r.upperBound * 60), endSecond) : Double(r.upperBound * 60)
                    if close > open { total += close - open }
                }
            }
            day += 1
            second = 0
        }
        return total / 3600
    }

    /// The end of office hours on the `days`-th working day after the day of `from` (the day
    /// of dispatch itself does not count).
    public func addingWorkingDays(_ days: Int, to from: Date) -> Date {
        var (day, _) = Self.local(from)
        var left = max(days, 0)
        while left > 0 {
            day += 1
            if isWorking(day: day) { left -= 1 }
        }
        if days == 0 { while !isWorking(day: day) { day += 1 } }
        return Self.date(day: day, second: Double((officeHours.intervals.last?.upperBound ?? 1_440) * 60))
    }

    // MARK: - China-time day numbers

    public static func day(_ text: String) -> Int64? {
        guard text.count == 10, let d = Timestamp.parse(text) else { return nil }
        return local(d).day
    }

    static func local(_ date: Date) -> (day: Int64, second: Double) {
        let ms = Timestamp.millis(date) + Int64(Timestamp.chinaOffsetSeconds) * 1000
        let day = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        return (day, Double(ms - day * 86_400_000) / 1000)
    }

    static func date(day: Int64, second: Double) -> Date {
        Timestamp.date(millis: day * 86_400_000 + Int64((second * 1000).rounded()) - Int64(Timestamp.chinaOffsetSeconds) * 1000)
    }
}

/// One year's State Council notice, as shipped in `cn-holidays-YYYY.json`.
public struct HolidayYear: Sendable, Codable {
    public struct Holiday: Sendable, Codable { public var name: String; public var days_off: [String] }
    public struct Workday: Sendable, Codable { public var date: String; public var `for`: String }
    public var year: Int
    public var notice: String?
    public var holidays: [Holiday]
    public var adjusted_workdays: [Workday]
}

/// How a deadline is counted.
public struct DeadlineSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Unit: String, Sendable, Hashable, Codable {
        /// Clock hours, for urgent matters (a missing manhole cover).
        case naturalHours = "natural_hours"
        /// Hours of office time on working days.
        case workingHours = "working_hours"
        /// Whole working days; due at the close of the last one.
        case workingDays = "working_days"
    }

    public var amount: Double
    public var unit: Unit

    public init(_ amount: Double, _ unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    public func due(from start: Date, calendar: WorkingCalendar) -> Date {
        switch unit {
        case .naturalHours: start.addingTimeInterval(amount * 3600)
        case .workingHours: calendar.addingWorkingHours(amount, to: start)
        case .workingDays: calendar.addingWorkingDays(Int(amount), to: start)
        }
    }

    public var description: String {
        switch unit {
        case .naturalHours: "\(amount.formatted) hours"
        case .workingHours: "\(amount.formatted) working hours"
        case .workingDays: "\(amount.formatted) working days"
        }
    }
}
