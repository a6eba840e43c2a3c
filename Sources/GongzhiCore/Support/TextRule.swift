/// The one rule for text that people and machines send, applied wherever text comes in (API,
/// pages, Open311, CSV, the command line) so that no store ever holds text it would cut or
/// a page would show differently from what was written.
///
/// - No control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F). SQLite binds
///   text up to the first U+0000 and PostgreSQL refuses it, so a row would differ from its
///   event and `verify` would call the database tampered; the other controls are invisible
///   on every page and in every export.
/// - Multi-line text (descriptions, notes, reasons) keeps line breaks and tabs. A carriage
///   return is folded into a line break, since browsers send a textarea's lines ending in CRLF.
/// - A single line also refuses the line and paragraph separators U+2028 and U+2029.
/// - A limit is counted in characters as a reader sees them (grapheme clusters: 一 is one, an
///   emoji family is one) and also in UTF-8 bytes, at four bytes a character, so one visible
///   character carrying thousands of joiners cannot pass a limit meant for a paragraph.
public enum TextRule {
    public enum Shape: Sendable {
        case line, multiline
    }

    /// Bytes allowed per character of a limit: any Chinese character takes three, an emoji four.
    public static let bytesPerCharacter = 4

    /// The text trimmed, or nil when nothing is left; refused when it breaks the rule.
    public static func optional(_ value: String?, field: String, max: Int, shape: Shape = .line) throws(FieldError) -> String? {
        guard let value else { return nil }
        let text = try checked(value, field: field, max: max, shape: shape)
        return text.isEmpty ? nil : text
    }

    /// The text trimmed (then checked, and a multi-line text's line ends folded to LF), refused when it holds
    /// a character the rule forbids or exceeds `max` characters or `max × 4` bytes.
    public static func checked(_ value: String, field: String, max: Int, shape: Shape = .line) throws(FieldError) -> String {
        var text = value.trimmed
        if let (offset, scalar) = forbidden(in: text, shape: shape) {
            let allowed = shape == .multiline ? "only line breaks and tabs are allowed" : "it must be a single line"
            throw FieldError(field: field, code: "control_character",
                             message: "\(field) holds the control character \(name(scalar)) at character \(offset + 1); \(allowed)")
        }
        if shape == .multiline, text.utf8.contains(13) { text = foldingLineEnds(text) }
        let characters = text.count
        if characters > max {
            throw FieldError(field: field, code: "too_long", message: "\(field) has \(characters) characters; at most \(max) are allowed")
        }
        let bytes = text.utf8.count, byteMax = max * bytesPerCharacter
        if bytes > byteMax {
            throw FieldError(field: field, code: "too_long",
                             message: "\(field) takes \(bytes) bytes in UTF-8; at most \(byteMax) are allowed (\(max) characters of 4 bytes)")
        }
        return text
    }

    /// Where the first forbidden scalar is (counted in Unicode scalars from the start), if any.
    public static func forbidden(in text: String, shape: Shape) -> (offset: Int, scalar: Unicode.Scalar)? {
        // Fast path: plain text has no byte below 0x20, no DEL and no C1 or separator lead bytes.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) { return nil }
        for (i, s) in text.unicodeScalars.enumerated() where isForbidden(s, shape) { return (i, s) }
        return nil
    }

    static func isForbidden(_ s: Unicode.Scalar, _ shape: Shape) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: shape == .line
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x2028, 0x2029: shape == .line
        default: false
        }
    }

    /// CRLF and a lone CR become LF. A scalar loop: Swift takes "\r\n" for one character.
    static func foldingLineEnds(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var afterCR = false
        for s in text.unicodeScalars {
            if s == "\r" {
                out.append("\n")
            } else if !(s == "\n" && afterCR) {
                out.append(s)
            }
            afterCR = s == "\r"
        }
        return String(out)
    }

    /// A scalar as people name it in an error: `U+0000`.
    static func name(_ s: Unicode.Scalar) -> String {
        let hex = String(s.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex
    }
}
