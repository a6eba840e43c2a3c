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
        var bytes: [UInt8] = []
        string(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `s` as a JSON string in UTF-8: quotes, backslashes and control characters
    /// escaped (as JSONEncoder escapes them), `/` and everything else as it is.
    public static func string(_ s: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20: bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
