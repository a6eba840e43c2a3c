/// Text inside HTML or SVG markup: the five characters that could end a text or an attribute
/// value are written as entities, so what users typed is never markup.
public enum Markup {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Text inside an XML 1.0 element (Open311's XML). XML cannot carry most control characters
    /// even escaped, nor U+FFFE and U+FFFF: they become U+FFFD, so a stored text with one still
    /// gives a document every parser reads. The rest is escaped as for the pages.
    public static func xmlText(_ text: String) -> String {
        func unfit(_ u: Unicode.Scalar) -> Bool {
            (u.value < 0x20 && u != "\t" && u != "\n" && u != "\r") || (0xFFFE...0xFFFF).contains(u.value)
        }
        guard text.unicodeScalars.contains(where: unfit) else { return escape(text) }
        var clean = String.UnicodeScalarView()
        for u in text.unicodeScalars { clean.append(unfit(u) ? "\u{FFFD}" : u) }
        return escape(String(clean))
    }
}
