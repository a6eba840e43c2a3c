/// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF line ends.
/// Reference data ships as CSV; parsing is pure so the core can test it without files.
public enum CSV {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Rows of fields, header included. Blank lines are skipped.
    public static func rows(_ text: String) throws(ParseError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        func endRow() {
            row.append(field); field = ""
            if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
            row = []
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty else { throw ParseError(line: line, message: "quote inside an unquoted field") }
                inQuotes = true
            case ",":
                row.append(field); field = ""
            case "\r":
                if let n = next(), n != "\n" { pending = n }
                endRow(); line += 1
            case "\n":
                endRow(); line += 1
            default:
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw ParseError(line: line, message: "unterminated quoted field") }
        if !field.isEmpty || !row.isEmpty { endRow() }
        return rows
    }

    /// Rows as dictionaries keyed by the header; every row must have the header's width.
    public static func records(_ text: String) throws(ParseError) -> [[String: String]] {
        let all = try rows(text)
        guard let header = all.first else { return [] }
        // Two columns of one name would make a row ambiguous (and a dictionary of it impossible).
        var names = Set<String>()
        for name in header where !names.insert(name).inserted {
            throw ParseError(line: 1, message: "the header names the column '\(name.prefix(60))' twice")
        }
        var out: [[String: String]] = []
        out.reserveCapacity(all.count - 1)
        for (i, r) in all.dropFirst().enumerated() {
            guard r.count == header.count else {
                throw ParseError(line: i + 2, message: "expected \(header.count) fields, found \(r.count)")
            }
            out.append(Dictionary(uniqueKeysWithValues: zip(header, r)))
        }
        return out
    }

    /// Rows as RFC 4180 text with CRLF line ends. A field is quoted when it holds a comma, a
    /// quote or a line break; one that starts like a spreadsheet formula (`=`, `+`, `-`, `@`)
    /// and is not a number gets a leading apostrophe, so an exported resident's text cannot run
    /// as a formula when the file is opened in Excel or LibreOffice.
    public static func write(_ rows: [[String]]) -> String {
        var out = ""
        for row in rows {
            out += row.map(field).joined(separator: ",")
            out += "\r\n"
        }
        return out
    }

    static func field(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@".contains(first), Double(v) == nil { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
