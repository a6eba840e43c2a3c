import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that is not valid HTTP/1.1 (a raw, unencoded UTF-8 query such as
/// `?reason=回访`, a broken header) with the JSON error body every other error has, instead of
/// the empty 400 the HTTP parser's own handler sends. Such requests never reach the router, so
/// no middleware can see them; this handler sits right after the HTTP decoder.
///
/// Like NIO's `HTTPServerProtocolErrorHandler`, it answers only when no response has started
/// (otherwise the error goes on to the server, which closes the connection), and the
/// connection is closed after the answer: the parser cannot resume a broken stream.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var responseInProgress = false

    static let body = ByteBuffer(string: #"{"error":{"code":"malformed_request","message":"the request is not valid HTTP/1.1: "#
        + #"characters outside ASCII in the URL must be percent-encoded (reason=%E5%9B%9E%E8%AE%BF, not reason=回访)"}}"#)
    /// The parser's limit on the request line and headers together (llhttp's, 80 KiB).
    static let tooLarge = ByteBuffer(string: #"{"error":{"code":"request_too_large","message":"the request line and headers are larger "#
        + #"than 80 KiB: send a long filter as one comma-separated value, or in several requests"}}"#)

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !responseInProgress else {
            context.fireErrorCaught(error)
            return
        }
        let overflow = parserError == .headerOverflow
        let body = overflow ? Self.tooLarge : Self.body
        let head = HTTPResponse(status: overflow ? .requestHeaderFieldsTooLarge : .badRequest, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: "\(body.readableBytes)", .connection: "close",
            .xContentTypeOptions: "nosniff", .cacheControl: "no-store",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let bound = context.loopBound
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational: responseInProgress = true
        case .end: responseInProgress = false
        default: break
        }
        context.write(data, promise: promise)
    }
}

/// The HTTP/1.1 server every `gongzhi serve` runs, and the live tests too.
public enum GongzhiHTTP {
    /// How a server guards itself against clients that hold connections.
    public struct Limits: Sendable {
        /// Time to read a whole request (head and body) once the server waits for one; also how
        /// long an idle keep-alive connection stays open.
        public var requestTimeout: Duration = .seconds(30)
        /// Connections open at once; beyond it new ones wait in the listen backlog until one closes.
        public var maxConnections = 2_000

        public init(requestTimeout: Duration = .seconds(30), maxConnections: Int = 2_000) {
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
        }
    }

    public static func server(_ limits: Limits = Limits()) -> HTTPServerBuilder {
        let timeout = TimeAmount.nanoseconds(Int64(limits.requestTimeout.components.seconds) * 1_000_000_000
                                             + limits.requestTimeout.components.attoseconds / 1_000_000_000)
        return .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestResponder(), RequestDeadlineHandler(timeout: timeout)]))
    }
}
