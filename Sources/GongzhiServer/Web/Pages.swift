import Foundation
import GongzhiCore
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The page templates (`Resources/web/*.mustache`), their texts in both languages and the
/// static files, loaded once. Mustache escapes every `{{value}}`, so text users typed is never
/// markup; the only unescaped value is the server's own SVG map, which escapes its names.
struct Pages: Sendable {
    let library: MustacheLibrary
    let statics: [String: Data]
    let texts: WebText

    /// Where the templates, texts and static files are in the server's bundle.
    static func directory() throws -> URL {
        guard let dir = Bundle.module.url(forResource: "web", withExtension: nil) else {
            throw APIError(.internalServerError, code: "internal", message: "page templates are missing from the server bundle")
        }
        return dir
    }

    static func load() async throws -> Pages {
        let dir = try directory()
        var statics: [String: Data] = [:]
        for name in ["app.css", "app.js"] { statics[name] = try Data(contentsOf: dir.appendingPathComponent(name)) }
        return Pages(library: try await MustacheLibrary(directory: dir.path), statics: statics,
                     texts: try WebText(json: Data(contentsOf: dir.appendingPathComponent("strings.json"))))
    }

    func text(_ key: String, _ lang: Lang) -> String { texts(key, lang) }

    func render(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let html = library.render(values, withTemplate: template) ?? "template \(template) failed"
        var all: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        all.append(contentsOf: headers)
        return Response(status: status, headers: all, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var all: HTTPFields = [.location: location]
        all.append(contentsOf: headers)
        return Response(status: .seeOther, headers: all)
    }
}

/// `application/x-www-form-urlencoded` bodies and cookies.
enum FormData {
    static let maxBytes = 64 * 1024

    static func parse(_ request: Request, maxBytes: Int = maxBytes) async throws -> [String: String] {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: maxBytes) } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the form is larger than \(maxBytes / 1024) KiB")
        }
        let form = decode(String(buffer: buffer))
        // The text rule at the pages' door: a form may carry a textarea's line breaks and tabs,
        // never another control character (each field's own rule may be stricter).
        for (field, value) in form where TextRule.forbidden(in: value, shape: .multiline) != nil {
            throw APIError(.unprocessableContent, code: "control_character",
                           message: "\(field) holds a control character; only line breaks and tabs are allowed in text", field: field)
        }
        return form
    }

    static func decode(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let k = kv.first, !k.isEmpty { out[k] = kv.count > 1 ? kv[1] : "" }
        }
        return out
    }

    static func cookies(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if kv.count == 2 { out[kv[0]] = kv[1] }
            }
        }
        return out
    }
}
