/// Money as integer fen (分, a hundredth of a yuan). Payouts are counted, summed and compared in
/// whole fen only: a floating-point yuan cannot hold 0.1 exactly, and a ledger that drifts by a
/// fen no longer matches the finance bureau's bank statement.
public enum Fen {
    /// The most one amount may be: 10 亿元. Far above any single subsidy, and small enough that a
    /// figure times a rate per unit is checked for overflow rather than trusted.
    public static let max: Int64 = 100_000_000_000

    /// Fen from a yuan amount as typed: digits, an optional point and at most two decimals
    /// (`1234`, `1234.5`, `1234.56`, full-width digits and thousands commas forgiven). No
    /// floating point on the way: "0.1" is exactly 10 fen.
    public static func parse(yuan text: String, field: String) throws(FieldError) -> Int64 {
        let folded = String(text.trimmed.unicodeScalars.compactMap { s -> Character? in
            if (0xFF10...0xFF19).contains(s.value) { return Character(Unicode.Scalar(s.value - 0xFF10 + 0x30)!) }
            if s == "．" { return "." }
            if s == "," || s == "，" { return nil }
            return Character(s)
        })
        let parts = folded.split(separator: ".", omittingEmptySubsequences: false)
        guard !folded.isEmpty, parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 12,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw FieldError(field: field, code: "invalid", message: "\(field) must be an amount in yuan, such as 1234.56")
        }
        let decimals = parts.count == 2 ? parts[1] : ""
        guard decimals.count <= 2, decimals.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !decimals.isEmpty else {
            throw FieldError(field: field, code: "invalid", message: "\(field) takes at most two decimals (fen)")
        }
        let fen = Int64(whole)! * 100 + Int64(decimals.padding(toLength: 2, withPad: "0", startingAt: 0))!
        guard fen <= max else { throw FieldError(field: field, code: "too_large", message: "\(field) is above 10 亿元") }
        return fen
    }

    /// Yuan with two decimals ("1234.05", "-0.50"), as the finance bureau's sheets write them.
    public static func yuan(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : "", m = fen.magnitude
        let cents = m % 100
        return "\(sign)\(m / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// `a × b`, or nil when it leaves `0...max`: a rule's result is never wrapped round.
    public static func product(_ a: Int64, _ b: Int64) -> Int64? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow || p < 0 || p > max ? nil : p
    }
}
