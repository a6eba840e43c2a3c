import Foundation

/// An enterprise's unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
/// a 31-character alphabet, the digits and the capitals without I, O, S, V and Z, so that none is
/// mistaken for another. The first is the registering authority (9: market regulation), the
/// second the kind of entity, the 3rd to 8th the administrative division (330105: Gongshu), the
/// 9th to 17th the organisation code, the last a check character over the first 17.
///
/// Codes are typed by hand from licences, so a typo must be caught at the window, not found
/// when a payment reaches the wrong enterprise: the check character catches every single wrong
/// character and every swap of two neighbours (its weights are distinct powers of 3 modulo the
/// prime 31). What staff type is forgiven its case, surrounding spaces and full-width forms.
public struct CreditCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: String

    /// The field named in errors: the API's and the pages' name for the code.
    public static let field = "credit_code"
    public static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    /// Weight of position i (from 0): 3^i mod 31.
    static let weights: [Int] = (0..<17).map { i in (0..<i).reduce(1) { acc, _ in acc * 3 % 31 } }

    public init(_ text: String) throws(FieldError) {
        let normal = Self.normalised(text)
        guard !normal.isEmpty else { throw Self.error("required", "\(Self.field) is required") }
        let chars = Array(normal)
        guard chars.count == 18 else {
            throw Self.error("wrong_length", "\(Self.field) has 18 characters, not \(chars.count)")
        }
        var values: [Int] = []
        for (i, c) in chars.enumerated() {
            guard let v = Self.alphabet.firstIndex(of: c) else {
                throw Self.error("bad_character", "\(Self.field) character \(i + 1) is not one of 0-9 and A-Y without I, O, S, V, Z")
            }
            values.append(v)
        }
        guard chars[2..<8].allSatisfy(\.isASCIIDigit) else {
            throw Self.error("bad_division", "\(Self.field) characters 3 to 8 are the division code: six digits")
        }
        let expected = Self.checkCharacter(values[0..<17])
        guard chars[17] == expected else {
            throw Self.error("bad_check_character", "\(Self.field) fails its check character: a character is mistyped or two are swapped")
        }
        value = normal
    }

    /// The check character of the first 17 (as values in `alphabet`).
    static func checkCharacter(_ values: ArraySlice<Int>) -> Character {
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// Upper case, full-width forms (ＡＢ１２, from Chinese input methods) as ASCII, spaces trimmed.
    static func normalised(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            var s = scalar
            if (0xFF01...0xFF5E).contains(s.value), let narrow = Unicode.Scalar(s.value - 0xFEE0) { s = narrow }
            out.unicodeScalars.append(s)
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    }

    private static func error(_ code: String, _ message: String) -> FieldError {
        FieldError(field: field, code: code, message: message)
    }

    /// The administrative division the code was issued in (330105: Gongshu).
    public var division: String { String(value.dropFirst(2).prefix(6)) }

    public var description: String { value }

    public static func < (a: CreditCode, b: CreditCode) -> Bool { a.value < b.value }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
