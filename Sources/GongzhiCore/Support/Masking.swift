/// Masks personal fields for readers who may not see them in full: enough to recognise a
/// caller on the phone ("138****5678", "张*"), not enough to identify one.
public enum Masking {
    public static func phone(_ phone: String) -> String {
        let digits = Array(phone.filter(\.isNumber))
        guard digits.count >= 7 else { return String(repeating: "*", count: digits.count) }
        return String(digits.prefix(3)) + "****" + String(digits.suffix(4))
    }

    public static func name(_ name: String) -> String {
        guard let first = name.first else { return "" }
        return String(first) + String(repeating: "*", count: max(1, name.count - 1))
    }
}
