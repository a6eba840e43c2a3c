import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// An Open311 answer: status, content type and body, with the body read as JSON or XML.
struct Open311Answer {
    let status: HTTPResponse.Status
    let contentType: String?
    let body: String

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    var list: [[String: Any]] { json as? [[String: Any]] ?? [] }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// The XML document, or nil when it does not parse.
    var xml: XMLElement? { XMLTree.parse(body) }
}

extension Client {
    /// A GeoReport v2 call: no bearer credential (Open311 keys travel as `api_key`), the form
    /// url-encoded when given.
    func open311(_ method: HTTPRequest.Method, _ uri: String, form: [(String, String)]? = nil) async throws -> Open311Answer {
        var headers: HTTPFields = [:]
        var body: ByteBuffer? = nil
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded; charset=utf-8"
            body = ByteBuffer(string: Self.encode(form))
        }
        return try await raw.execute(uri: uri, method: method, headers: headers, body: body) { r in
            Open311Answer(status: r.status, contentType: r.headers[.contentType], body: String(buffer: r.body))
        }
    }

    static func encode(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.map { k, v in
            "\(k.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(v.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }
}

/// A parsed XML element: name, text and children, enough to check a document's shape.
final class XMLElement {
    let name: String
    var text = ""
    var children: [XMLElement] = []

    init(name: String) { self.name = name }

    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    func all(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    var childNames: [String] { children.map(\.name) }
}

/// A strict parse (XMLParser) into `XMLElement`s; nil for a document that is not well formed.
final class XMLTree: NSObject, XMLParserDelegate {
    private var stack: [XMLElement] = []
    private var root: XMLElement?

    static func parse(_ text: String) -> XMLElement? {
        let tree = XMLTree()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = tree
        guard parser.parse() else { return nil }
        return tree.root
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let e = XMLElement(name: name)
        stack.last?.children.append(e)
        if root == nil { root = e }
        stack.append(e)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }

    func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }
}
