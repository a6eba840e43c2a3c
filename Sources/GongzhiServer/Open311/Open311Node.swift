import Foundation
import GongzhiCore

/// An Open311 answer as a tree that renders as the spec's XML or as its JSON. GeoReport v2's
/// JSON is its XML with the wrappers dropped: a list (`<services><service>…`) is a JSON array,
/// an element with children a JSON object. Building one tree keeps the two formats from drifting.
indirect enum Open311Node: Sendable, Equatable {
    /// Text, or nil for an empty element (`<account_id/>`, JSON `null`).
    case text(String?)
    /// A number written as is (ids, coordinates): a JSON number, XML text.
    case number(String)
    case bool(Bool)
    /// An element with children, in order.
    case object([(String, Open311Node)])
    /// `<root><item>…</item>…</root>`; a JSON array of the items.
    case list(root: String, item: String, [Open311Node])

    static func == (a: Open311Node, b: Open311Node) -> Bool { a.json == b.json }

    static func int(_ n: some BinaryInteger) -> Open311Node { .number(String(n)) }
    static func double(_ d: Double) -> Open311Node { .number(String(format: "%.6f", d)) }

    /// The XML document; `name` wraps a top-level object (a list names its own root).
    func xml(root name: String) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        switch self {
        case .list(let root, let item, let items): Self.element(root, .list(root: root, item: item, items), into: &out)
        default: Self.element(name, self, into: &out)
        }
        out += "\n"
        return out
    }

    private static func element(_ name: String, _ node: Open311Node, into out: inout String) {
        switch node {
        case .text(nil): out += "<\(name)/>"
        case .text(let s?): out += "<\(name)>\(Markup.xmlText(s))</\(name)>"
        case .number(let n): out += "<\(name)>\(n)</\(name)>"
        case .bool(let b): out += "<\(name)>\(b)</\(name)>"
        case .object(let fields):
            out += "<\(name)>"
            for (k, v) in fields { element(k, v, into: &out) }
            out += "</\(name)>"
        case .list(_, let item, let items):
            out += "<\(name)>"
            for v in items { element(item, v, into: &out) }
            out += "</\(name)>"
        }
    }

    var json: String {
        var out = ""
        Self.json(self, into: &out)
        return out
    }

    private static func json(_ node: Open311Node, into out: inout String) {
        switch node {
        case .text(nil): out += "null"
        case .text(let s?): JSONText.string(s, into: &out)
        case .number(let n): out += n
        case .bool(let b): out += b ? "true" : "false"
        case .object(let fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                JSONText.string(k, into: &out)
                out += ":"
                json(v, into: &out)
            }
            out += "}"
        case .list(_, _, let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                json(v, into: &out)
            }
            out += "]"
        }
    }
}
