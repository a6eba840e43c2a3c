import Foundation

/// JSON text without an encoder, for what is written with every report and every Open311 answer.
public enum JSONText {
    /// `["a","b"]`, escaped as RFC 8259 asks; what `JSONEncoder` would write for `[String]`.
    public static func stringArray(_ items: [String]) -> String {
        guard !items.isEmpty else { return "[]" }
        var out = "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            string(item, into: &out)
        }
        return out + "]"
    }

    /// Appends `s` as a JSON string: quoted, with quotes, backslashes and control characters escaped.
    public static func string(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
