import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
@testable import GongzhiServer
import Testing

/// The request deadline on an embedded channel, with the loop's clock advanced by hand: a
/// request must arrive whole in time, a response may take as long as it needs (the cockpit's
/// event stream), and the clock runs again for the next request.
@Suite struct RequestDeadlineTests {
    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: RequestDeadlineHandler(timeout: .seconds(5)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test func aRequestThatNeverArrivesWholeIsCutOff() throws {
        let stalledHead = try channel()
        stalledHead.embeddedEventLoop.advanceTime(by: .milliseconds(4_900))
        #expect(stalledHead.isActive)
        stalledHead.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(!stalledHead.isActive)

        // Mid-upload: the head came, the body never ends.
        let stalledBody = try channel()
        try stalledBody.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/api/v1/reports")))
        try stalledBody.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{\"desc")))
        stalledBody.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(!stalledBody.isActive)
    }

    @Test func aLongResponseIsNotCutAndTheNextRequestIsTimedAgain() throws {
        let c = try channel()
        try c.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "x", path: "/cockpit/events")))
        try c.writeInbound(HTTPRequestPart.end(nil))
        try c.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        for _ in 0..<10 {
            c.embeddedEventLoop.advanceTime(by: .seconds(4))
            try c.writeOutbound(HTTPResponsePart.body(ByteBuffer(string: "event: tick\n\n")))
        }
        #expect(c.isActive)
        try c.writeOutbound(HTTPResponsePart.end(nil))
        c.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(c.isActive)
        // The next request arrives in time; its answer restarts the clock.
        try c.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "x", path: "/healthz")))
        try c.writeInbound(HTTPRequestPart.end(nil))
        c.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(c.isActive)
        try c.writeOutbound(HTTPResponsePart.end(nil))
        c.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(!c.isActive)
    }
}
