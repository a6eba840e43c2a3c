import Foundation
import Hummingbird

/// The hand-written OpenAPI 3.1 document of API v1, shipped as a resource. A test checks that
/// it documents exactly the routes the router has.
public enum OpenAPIDocument {
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw APIError(.internalServerError, code: "internal", message: "openapi.json is missing from the server bundle")
        }
        return try Data(contentsOf: url)
    }

    static func response() throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: try data())))
    }
}
