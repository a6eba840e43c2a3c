import Foundation

/// Conversions between `Date`, integer epoch milliseconds (how the store keeps time, so that
/// ordering and indexes are exact) and RFC 3339 text in China Standard Time (+08:00, no
/// daylight saving), which is how the district's staff read times.
///
/// Written by hand rather than with `ISO8601DateFormatter` because formatters are not
/// `Sendable`, are slow to create, and silently accept malformed input on some platforms.
public enum Timestamp {
    /// China Standard Time offset in seconds.
    public static let chinaOffsetSeconds = 8 * 3600

    public static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static func date(millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// `2026-11-25T21:25:53.123+08:00`
    public static func rfc3339(_ date: Date) -> String { rfc3339(millis: millis(date)) }

    public static func rfc3339(millis: Int64) -> String {
        let local = millis + Int64(chinaOffsetSeconds) * 1000
        let (days, msOfDay) = floorDivMod(local, 86_400_000)
        let (y, m, d) = civil(fromDays: days)
        let h = msOfDay / 3_600_000, mi = (msOfDay / 60_000) % 60, s = (msOfDay / 1000) % 60, ms = msOfDay % 1000
        guard (0...9999).contains(y) else {
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(ms, 3))+08:00"
        }
        // Digit by digit into a fixed buffer: every case in a list has several of these, and
        // string interpolation made them a tenth of the list's time (perf).
        return String(unsafeUninitializedCapacity: 29) { out in
            var i = 0
            func put(_ value: Int64, _ width: Int) {
                var v = value
                for k in stride(from: width - 1, through: 0, by: -1) {
                    out[i + k] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
                i += width
            }
            func put(_ c: Unicode.Scalar) {
                out[i] = UInt8(ascii: c)
                i += 1
            }
            put(Int64(y), 4); put("-"); put(Int64(m), 2); put("-"); put(Int64(d), 2); put("T")
            put(h, 2); put(":"); put(mi, 2); put(":"); put(s, 2); put("."); put(ms, 3)
            for c in "+08:00".unicodeScalars { put(c) }
            return i
        }
    }

    /// The calendar fields of an instant in China Standard Time, as the pages write it.
    public static func chinaFields(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        let (days, msOfDay) = floorDivMod(millis(date) + Int64(chinaOffsetSeconds) * 1000, 86_400_000)
        let (y, m, d) = civil(fromDays: days)
        return (y, m, d, Int(msOfDay / 3_600_000), Int((msOfDay / 60_000) % 60))
    }

    /// The first midnight in China Standard Time after `date`: "due today" is due before it.
    public static func nextChinaMidnight(after date: Date) -> Date {
        let offset = Int64(chinaOffsetSeconds) * 1000
        let (days, _) = floorDivMod(millis(date) + offset, 86_400_000)
        return Self.date(millis: (days + 1) * 86_400_000 - offset)
    }

    /// Parses RFC 3339 (`2026-11-25T21:25:53+08:00`, `...Z`, optional fraction) or a plain
    /// date `2026-11-25`, which means midnight in China Standard Time. Returns nil on
    /// anything else, including impossible dates such as 2026-02-30.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func num(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var v = 0
            for i in range { guard b[i] >= 48, b[i] <= 57 else { return nil }; v = v * 10 + Int(b[i] - 48) }
            return v
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10),
              (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y) else { return nil }
        let days = daysFromCivil(y, mo, d)
        if b.count == 10 {
            return date(millis: (days * 86_400 - Int64(chinaOffsetSeconds)) * 1000)
        }
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let h = num(11..<13), let mi = num(14..<16), let s = num(17..<19),
              h < 24, mi < 60, s < 60 else { return nil }
        var i = 19
        var fractionMs = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { fractionMs = fractionMs * 10 + Int(b[i] - 48) }
                digits += 1; i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 3)..<3 { fractionMs *= 10 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"),
                  let oh = num(i + 1..<i + 3), let om = num(i + 4..<i + 6), oh < 24, om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
        }
        let seconds = days * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(offset)
        return date(millis: seconds * 1000 + Int64(fractionMs))
    }

    // MARK: - Civil calendar arithmetic (proleptic Gregorian), after H. Hinnant's algorithms.

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ value: some BinaryInteger, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
