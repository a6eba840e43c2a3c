import Foundation
import GongzhiCore
import HTTPTypes
import Hummingbird
import Logging

/// One log line per request, and the request's id in an `X-Request-Id` header so a person who
/// reports a failure can name the line. What is logged is chosen, never the request itself: the
/// method, the route's template (`/api/v1/cases/{id}`, not the path, and never the query, where
/// a reveal's reason is), the status and the time. No body, header or personal field reaches a
/// log; a test greps the logs of a server fed personal data.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let id = context.id
        var status: HTTPResponse.Status = .internalServerError
        defer {
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.info("request", metadata: [
                "method": .string(request.method.rawValue), "route": .string(context.endpointPath ?? "unmatched"),
                "status": .stringConvertible(status.code), "ms": .string(String(format: "%.1f", ms)),
            ])
        }
        var response = try await next(request, context)
        status = response.status
        response.headers[.requestID] = id
        return response
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}

/// Log lines as JSON objects, one per line: time, level, logger, message and metadata (the
/// request id among them), for a log collector to read without parsing prose.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    private static let lock = NSLock()

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String,
                    function: String, line: UInt) {
        var fields: [String: String] = ["ts": Timestamp.rfc3339(Date()), "level": level.rawValue, "logger": label, "msg": message.description]
        for (key, value) in metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }) {
            fields[key == "hb.request.id" ? "request_id" : key] = "\(value)"
        }
        var text = JSONWriter(capacity: 256)
        text.openObject()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { text.field(key, value) }
        text.closeObject()
        let bytes = text.bytes + [0x0A]
        Self.lock.withLock { FileHandle.standardOutput.write(Data(bytes)) }
    }
}
