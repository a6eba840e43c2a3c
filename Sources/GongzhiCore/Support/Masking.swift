import Foundation

/// Masks personal fields for readers who may not see them in full: enough to recognise a
/// caller on the phone ("138****5678", "张*"), not enough to identify one.
public enum Masking {
    /// The national number with China's country code (+86, 0086) dropped, so a mobile number
    /// masks the same however it was written: `+86 138-1234-5678` → `138****5678`.
    public static func phone(_ phone: String) -> String {
        var digits = Array(phone.filter { $0.isASCII && $0.isNumber })
        // The first character after spaces and tabs (CharacterSet.whitespaces, without bridging to NSString).
        let plus = phone.unicodeScalars.first { $0 != "\t" && $0.properties.generalCategory != .spaceSeparator } == "+"
        let international: [Character] = plus ? ["8", "6"] : ["0", "0", "8", "6"]
        if digits.starts(with: international), digits.count - international.count >= 7 { digits.removeFirst(international.count) }
        guard digits.count >= 7 else { return String(repeating: "*", count: digits.count) }
        return String(digits.prefix(3)) + "****" + String(digits.suffix(4))
    }

    public static func name(_ name: String) -> String {
        guard let first = name.first else { return "" }
        return String(first) + String(repeating: "*", count: max(1, name.count - 1))
    }

    /// `zhang.san@example.cn` → `z***@example.cn`: the domain stays (it says which provider or
    /// employer), the mailbox does not.
    public static func email(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@"), let first = email.first, at != email.startIndex else { return "***" }
        return String(first) + "***" + email[at...]
    }

    /// A device or account id: its last four characters, enough to match it when a caller reads it out.
    public static func identifier(_ id: String) -> String { id.count <= 4 ? "****" : "****" + id.suffix(4) }
}
