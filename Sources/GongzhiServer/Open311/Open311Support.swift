import Foundation
import GongzhiCore
import Hummingbird
import NIOCore

/// The two formats, chosen by the resource's suffix (`services.xml`, `services.json`).
enum Open311Format: String, Sendable {
    case xml, json

    var contentType: String { self == .xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8" }

    /// `services.json` → (`services`, .json); a missing or unknown suffix is an error answered
    /// in XML, the spec's default.
    static func split(_ resource: String) throws(Open311Error) -> (name: String, format: Open311Format) {
        guard let dot = resource.lastIndex(of: ".") else {
            throw Open311Error(.notFound, "'\(resource)' has no format: add .xml or .json")
        }
        let name = String(resource[..<dot]), suffix = resource[resource.index(after: dot)...].lowercased()
        guard let format = Open311Format(rawValue: suffix), !name.isEmpty else {
            throw Open311Error(.notFound, "'\(resource)': the format must be .xml or .json")
        }
        return (name, format)
    }

    func response(_ node: Open311Node, root: String, status: HTTPResponse.Status = .ok) -> Response {
        let text = self == .xml ? node.xml(root: root) : node.json
        return Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// An error as GeoReport v2 answers it: `errors/error` with a code and a description; HTTP 403
/// for a bad or missing key, 404 for an unknown resource, 400 for anything else (503 when the
/// intake is busy, so a client retries).
struct Open311Error: Error, Sendable {
    var status: HTTPResponse.Status
    var description: String

    init(_ status: HTTPResponse.Status, _ description: String) {
        self.status = status
        self.description = description
    }

    static func bad(_ description: String) -> Open311Error { Open311Error(.badRequest, description) }

    func response(_ format: Open311Format) -> Response {
        let node = Open311Node.list(root: "errors", item: "error", [.object([("code", .int(status.code)), ("description", .text(description))])])
        var r = format.response(node, root: "errors", status: status)
        if status == .serviceUnavailable { r.headers[.retryAfter] = "1" }
        return r
    }
}

/// Times as GeoReport v2 writes them: W3C date-times with China's zone, to the second.
enum Open311Time {
    static func text(_ date: Date) -> String {
        let full = Timestamp.rfc3339(date)  // 2026-11-25T21:25:53.123+08:00
        return String(full.prefix(19)) + "+08:00"
    }

    static func node(_ date: Date?) -> Open311Node { .text(date.map(text)) }
}

/// A form-encoded body or query as ordered pairs: Open311's multi-value attributes repeat a key
/// (`attribute[kinds][]=a&attribute[kinds][]=b`), which a dictionary would lose.
struct Open311Form: Sendable {
    var pairs: [(String, String)]

    init(pairs: [(String, String)]) { self.pairs = pairs }

    /// The request's query string.
    init(query request: Request) {
        pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    /// Decodes `application/x-www-form-urlencoded` (`FormEncoding`); a malformed percent escape
    /// is an error naming the piece rather than a silently empty value.
    init(encoded text: String) throws(Open311Error) {
        do { pairs = try FormEncoding.pairs(text) } catch {
            throw Open311Error.bad("the form has a malformed escape in '\(error.fragment)'")
        }
    }

    /// The first value of a field, trimmed; nil when absent or empty (Open311: "optional" means
    /// an empty value counts as absent).
    subscript(_ key: String) -> String? {
        guard let v = pairs.first(where: { $0.0 == key })?.1.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    /// `attribute[code]` and `attribute[code][]` values by code, in order.
    var attributes: [(code: String, values: [String])] {
        var order: [String] = [], values: [String: [String]] = [:]
        for (k, v) in pairs where k.hasPrefix("attribute[") {
            var code = String(k.dropFirst("attribute[".count))
            if code.hasSuffix("][]") { code.removeLast(3) } else if code.hasSuffix("]") { code.removeLast() } else { continue }
            if values[code] == nil { order.append(code) }
            values[code, default: []].append(v)
        }
        return order.map { ($0, values[$0]!) }
    }
}
