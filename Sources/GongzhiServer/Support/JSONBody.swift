import Foundation
import GongzhiCore
import Hummingbird
import NIOCore

/// Reading and writing JSON bodies with the API's error rules: malformed JSON and wrong types
/// are 400 naming the field; bodies over `maxBytes` are 413.
enum JSONBody {
    static let maxBytes = 256 * 1024

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: encoded(value))))
    }

    /// A value that writes its own JSON text (the hot responses: see `JSONWriter`).
    static func response(writing value: some JSONWritable, status: HTTPResponse.Status = .ok, capacity: Int = 4_096) -> Response {
        var text = JSONWriter(capacity: capacity)
        value.write(json: &text)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: text.bytes)))
    }

    /// The JSON text of a value, keys sorted, slashes as they are.
    static func encoded(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Our response types hold only strings, numbers, bools and arrays of them.
        return try! encoder.encode(value)
    }

    /// Decodes the body as `T`. An empty body decodes as `{}`, so actions that need no
    /// arguments can be posted without one.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, maxBytes: Int = maxBytes) async throws -> T {
        var data = try await collect(request, maxBytes: maxBytes)
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { data = Data("{}".utf8) } else { try requireJSON(request) }
        return try decode(type, from: data)
    }

    /// A body must be declared `application/json` (or a `+json` type), in UTF-8 if a charset is
    /// named: a form, plain text or a UTF-16 body is 415, never guessed at.
    static func requireJSON(_ request: Request) throws {
        let value = request.headers[.contentType] ?? ""
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let type = parts.first ?? ""
        let charset = parts.dropFirst().first { $0.hasPrefix("charset=") }?.dropFirst("charset=".count).replacingOccurrences(of: "\"", with: "")
        guard type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json")), charset == nil || charset == "utf-8" else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "the body must be sent as Content-Type: application/json in UTF-8, not '\(value.prefix(100))'",
                           field: "Content-Type")
        }
    }

    /// The body, refused with 413 (naming the limit) when it is larger than `maxBytes`.
    static func collect(_ request: Request, maxBytes: Int) async throws -> Data {
        var request = request
        do { return Data(try await request.collectBody(upTo: maxBytes).readableBytesView) } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than \(maxBytes / 1024) KiB")
        }
    }

    /// Decodes JSON text as `T`, with the API's error rules.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, refusingControls: Bool = true) throws -> T {
        try strictlyChecked(data, refusingControls: refusingControls)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.typeMismatch(expected, ctx) {
            if ctx.codingPath.isEmpty { throw APIError.badRequest("wrong_type", "the body must be a JSON object") }
            throw APIError.badRequest("wrong_type", "\(path(ctx.codingPath)) must be \(describe(expected))", field: path(ctx.codingPath))
        } catch let DecodingError.valueNotFound(expected, ctx) {
            throw APIError.badRequest("wrong_type", "\(path(ctx.codingPath)) must be \(describe(expected)), not null", field: path(ctx.codingPath))
        } catch let DecodingError.keyNotFound(key, ctx) {
            let field = path(ctx.codingPath + [key])
            throw APIError(.unprocessableContent, code: "required", message: "\(field) is required", field: field)
        } catch DecodingError.dataCorrupted(let ctx) {
            // The text passed `StrictJSON`, so what Foundation calls invalid here is a number its
            // field cannot hold (a fraction or a huge number where a whole number belongs).
            if ctx.codingPath.isEmpty {
                throw APIError.badRequest("wrong_type", "a number in the body does not fit its field: counts and amounts are whole numbers")
            }
            throw APIError.badRequest("wrong_type", "\(path(ctx.codingPath)) has an invalid value", field: path(ctx.codingPath))
        }
    }

    /// RFC 8259 exactly, one value per key, and no control character in any string (`StrictJSON`):
    /// 400 for the first two, 422 naming the field for the third.
    static func strictlyChecked(_ data: Data, refusingControls: Bool = true) throws {
        do {
            try StrictJSON.check([UInt8](data), refusingControls: refusingControls)
        } catch {
            switch error {
            case .malformed(let why, let offset):
                throw APIError.badRequest("malformed_json", "the body is not valid JSON: \(why) (at byte \(offset))")
            case .duplicateKey(let path):
                throw APIError.badRequest("duplicate_key", "\(path) appears twice in the same object", field: path)
            case .controlCharacter(let path, let scalar):
                throw APIError(.unprocessableContent, code: "control_character",
                               message: "\(path) holds the control character \(scalar); only line breaks and tabs are allowed in text",
                               field: path)
            }
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { acc, key in
            if let i = key.intValue { return acc + "[\(i)]" }
            return acc.isEmpty ? key.stringValue : acc + "." + key.stringValue
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String].Type, is [Any].Type: "an array"
        // A keyed container's expected type: a dictionary is a collection too, but JSON calls it an object.
        case is [String: Any].Type: "an object"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}
