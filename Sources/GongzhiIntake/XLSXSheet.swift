import Foundation
import GongzhiCore

/// The first worksheet of an XLSX workbook (Office Open XML, as Excel and WPS save it) as rows
/// of text: what the sheet importers take besides CSV. The ZIP archive and its XML are read here
/// (with `Inflate`), so no library beyond Foundation is needed. Shared strings, inline strings,
/// numbers and booleans are read as the cell shows its value; empty cells keep their column.
public enum XLSXSheet {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Whether the bytes are a ZIP archive (an XLSX file starts with its first local header).
    public static func looksLikeXLSX(_ data: Data) -> Bool { data.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    public static func rows(_ data: Data) throws(Failure) -> [[String]] {
        let bytes = Array(data)
        let zip = try entries(bytes)
        func file(_ name: String) throws(Failure) -> String? {
            guard let e = zip[name] else { return nil }
            return String(decoding: try read(e, in: bytes), as: UTF8.self)
        }
        let shared = try file("xl/sharedStrings.xml").map(sharedStrings) ?? []
        var sheetPath = "xl/worksheets/sheet1.xml"
        if let workbook = try file("xl/workbook.xml"), let rels = try file("xl/_rels/workbook.xml.rels"),
           let first = XML.elements(workbook, "sheet").first, let id = first.attributes["r:id"],
           let target = XML.elements(rels, "Relationship").first(where: { $0.attributes["Id"] == id })?.attributes["Target"] {
            sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }
        guard let sheet = try file(sheetPath) else { throw Failure(description: "the workbook has no worksheet (\(sheetPath))") }
        var rows: [[String]] = []
        for row in XML.elements(sheet, "row", withBody: true) {
            var cells: [String] = []
            for c in XML.elements(row.body, "c", withBody: true) {
                let column = c.attributes["r"].flatMap(columnIndex) ?? cells.count
                let value: String
                switch c.attributes["t"] {
                case "s":
                    guard let i = XML.elements(c.body, "v", withBody: true).first.flatMap({ Int($0.text) }), shared.indices.contains(i) else {
                        throw Failure(description: "cell \(c.attributes["r"] ?? "?") names a shared string that does not exist")
                    }
                    value = shared[i]
                case "inlineStr": value = XML.elements(c.body, "t", withBody: true).map(\.text).joined()
                case "b": value = XML.elements(c.body, "v", withBody: true).first?.text == "1" ? "TRUE" : "FALSE"
                default: value = XML.elements(c.body, "v", withBody: true).first?.text ?? ""
                }
                guard column < 16_384 else { throw Failure(description: "a column beyond XFD") }
                while cells.count < column { cells.append("") }
                if column < cells.count { cells[column] = value } else { cells.append(value) }
            }
            rows.append(cells)
        }
        return rows
    }

    /// `B7` → 1: the letters of a cell reference as a zero-based column.
    static func columnIndex(_ reference: String) -> Int? {
        var n = 0
        for ch in reference.unicodeScalars {
            guard ("A"..."Z").contains(ch) else { break }
            n = n * 26 + Int(ch.value - 64)
        }
        return n > 0 ? n - 1 : nil
    }

    static func sharedStrings(_ xml: String) -> [String] {
        // A shared string is its text runs together (rich text has several `<t>`), phonetic runs left out.
        XML.elements(xml, "si", withBody: true).map { si in
            let plain = si.body.replacingOccurrences(of: #"<rPh\b.*?</rPh>"#, with: "", options: .regularExpression)
            return XML.elements(plain, "t", withBody: true).map(\.text).joined()
        }
    }

    // MARK: ZIP

    /// Where a file of the archive lies and how it is stored.
    struct Entry { var name: String, method: Int, compressed: Int, local: Int }

    static func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    static func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }

    /// The archive's files by name, from its central directory.
    static func entries(_ bytes: [UInt8]) throws(Failure) -> [String: Entry] {
        // The end of central directory record: in the last 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw Failure(description: "not an XLSX file (too short)") }
        var end = -1
        for at in stride(from: bytes.count - 22, through: max(0, bytes.count - 65_557), by: -1) where u32(bytes, at) == 0x0605_4B50 {
            end = at
            break
        }
        guard end >= 0 else { throw Failure(description: "not an XLSX file (no ZIP directory)") }
        let count = u16(bytes, end + 10)
        var files: [String: Entry] = [:]
        var at = u32(bytes, end + 16)
        for _ in 0..<count {
            guard at >= 0, at + 46 <= bytes.count, u32(bytes, at) == 0x0201_4B50 else { throw Failure(description: "a broken ZIP directory") }
            let nameLength = u16(bytes, at + 28), extra = u16(bytes, at + 30), comment = u16(bytes, at + 32)
            guard at + 46 + nameLength <= bytes.count else { throw Failure(description: "a broken ZIP directory") }
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            files[name] = Entry(name: name, method: u16(bytes, at + 10), compressed: u32(bytes, at + 20), local: u32(bytes, at + 42))
            at += 46 + nameLength + extra + comment
        }
        return files
    }

    /// A file's bytes, inflated when it is compressed.
    static func read(_ e: Entry, in bytes: [UInt8]) throws(Failure) -> [UInt8] {
        guard e.local + 30 <= bytes.count, u32(bytes, e.local) == 0x0403_4B50 else { throw Failure(description: "\(e.name): a broken ZIP entry") }
        let from = e.local + 30 + u16(bytes, e.local + 26) + u16(bytes, e.local + 28)
        guard from + e.compressed <= bytes.count else { throw Failure(description: "\(e.name): the archive ends early") }
        let body = Array(bytes[from..<(from + e.compressed)])
        switch e.method {
        case 0: return body
        case 8:
            do { return try Inflate.decompress(body) } catch { throw Failure(description: "\(e.name): \(error.description)") }
        default: throw Failure(description: "\(e.name): compression method \(e.method) is not supported")
        }
    }
}

/// Just enough XML for the parts of a workbook: elements by name with their attributes and, when
/// asked, their body and its text with the five entities and character references decoded.
enum XML {
    struct Element {
        var attributes: [String: String]
        var body: String
        var text: String { XML.decode(body.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression)) }
    }

    static func elements(_ xml: String, _ name: String, withBody: Bool = false) -> [Element] {
        var found: [Element] = []
        var rest = xml[...]
        let open = "<" + name
        while let r = rest.range(of: open) {
            let after = rest[r.upperBound...]
            guard let next = after.first, next == " " || next == ">" || next == "/" || next == "\t" || next == "\n" || next == "\r",
                  let close = after.firstIndex(of: ">") else {
                rest = after
                continue
            }
            let head = after[..<close]
            var element = Element(attributes: attributes(String(head)), body: "")
            rest = after[after.index(after: close)...]
            if withBody, !head.hasSuffix("/"), let end = rest.range(of: "</" + name + ">") {
                element.body = String(rest[..<end.lowerBound])
                rest = rest[end.upperBound...]
            }
            found.append(element)
        }
        return found
    }

    static func attributes(_ head: String) -> [String: String] {
        var result: [String: String] = [:]
        for m in head.matches(of: /([A-Za-z_:][A-Za-z0-9_:.\-]*)\s*=\s*"([^"]*)"/) { result[String(m.1)] = decode(String(m.2)) }
        return result
    }

    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = "", rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { out += rest[amp...]; return out }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let scalar = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                out += scalar.flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? "&\(entity);"
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
