import Foundation

/// A JSON number that must be whole (an amount in fen, a count). Decoded through `Decimal` so
/// that `1000.5` is refused naming its field: Foundation, asked for an `Int64` directly, reports
/// such a number as invalid JSON without saying where it is.
struct WholeNumber: Decodable, Sendable {
    var value: Int64

    init(value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let d = try container.decode(Decimal.self)
        var rounded = Decimal(), copy = d
        NSDecimalRound(&rounded, &copy, 0, .plain)
        guard rounded == d, d >= Decimal(Int64.min), d <= Decimal(Int64.max) else {
            throw DecodingError.typeMismatch(Int64.self, .init(codingPath: decoder.codingPath, debugDescription: "not a whole number"))
        }
        value = NSDecimalNumber(decimal: d).int64Value
    }
}
