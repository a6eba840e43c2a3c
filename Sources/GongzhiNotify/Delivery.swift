import AsyncHTTPClient
import Foundation
import GongzhiCore
import GongzhiStore
import Logging
import NIOCore
import NIOHTTP1

/// What an adapter says of one delivery.
public struct DeliveryResult: Sendable, Hashable {
    public var ok: Bool
    public var statusCode: Int?
    public var error: String?
    /// The receiver refused the message for good (a 4xx other than 408 and 429): no retry.
    public var permanent: Bool

    public init(ok: Bool, statusCode: Int? = nil, error: String? = nil, permanent: Bool = false) {
        self.ok = ok
        self.statusCode = statusCode
        self.error = error
        self.permanent = permanent
    }
}

/// A way to deliver a message: an HTTP webhook, the log.
public protocol MessageChannel: Sendable {
    func send(_ message: OutboxMessage) async -> DeliveryResult
}

/// Posts each message as JSON to one URL (an SMS gateway, the district's messaging platform),
/// signed: `X-Gongzhi-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the shared
/// secret, `X-Gongzhi-Timestamp` (epoch seconds) against replays, and `X-Gongzhi-Delivery` (the
/// message's id, the same on every retry) so the receiver can drop a repeat after a crash
/// between sending and recording.
public struct WebhookChannel: MessageChannel {
    public let url: String
    public let secret: String
    public let timeout: TimeAmount
    let client: HTTPClient
    let clock: any TimeSource

    public init(url: String, secret: String, client: HTTPClient = .shared, clock: any TimeSource = SystemTimeSource(),
                timeout: TimeAmount = .seconds(10)) {
        self.url = url
        self.secret = secret
        self.client = client
        self.clock = clock
        self.timeout = timeout
    }

    /// The body sent: the message's kind, recipient and payload.
    static func body(_ m: OutboxMessage) -> String {
        #"{"id":\#(m.id),"kind":"\#(m.kind)","recipient":"\#(m.recipient)","case_id":\#(m.caseID),"payload":\#(m.payload)}"#
    }

    public func send(_ m: OutboxMessage) async -> DeliveryResult {
        let body = Self.body(m)
        let timestamp = String(Int64(clock.now().timeIntervalSince1970))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "X-Gongzhi-Delivery", value: String(m.id))
        request.headers.add(name: "X-Gongzhi-Timestamp", value: timestamp)
        request.headers.add(name: "X-Gongzhi-Signature", value: "sha256=" + HMAC.sha256Hex(key: secret, message: timestamp + "." + body))
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return DeliveryResult(ok: true, statusCode: code) }
            return DeliveryResult(ok: false, statusCode: code, error: "HTTP \(code)", permanent: (400..<500).contains(code) && code != 408 && code != 429)
        } catch {
            return DeliveryResult(ok: false, error: "\(error)")
        }
    }
}

/// Writes each message to the log instead of sending it (a deployment without a gateway): the
/// merchant's phone is masked and the notice's secret left out, since logs are read widely.
public struct LogChannel: MessageChannel {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func send(_ m: OutboxMessage) async -> DeliveryResult {
        var text = m.payload
        if let notice = try? JSONDecoder().decode(MerchantNotice.self, from: Data(m.payload.utf8)) {
            if let phone = notice.phone { text = text.replacingOccurrences(of: phone, with: Masking.phone(phone)) }
            text = text.replacingOccurrences(of: notice.confirmPath, with: "/api/v1/notices/(secret)/confirm")
            if let page = notice.pagePath { text = text.replacingOccurrences(of: page, with: "/notice/(secret)") }
        }
        logger.info("outbox message", metadata: ["id": "\(m.id)", "kind": "\(m.kind)", "recipient": "\(m.recipient)", "payload": "\(text)"])
        return DeliveryResult(ok: true)
    }
}

/// Takes what is due from the outbox under a lease, sends it, and records each attempt: sent,
/// or retried with exponential back-off (30 s, 1 min, 2 min … at most an hour), giving up
/// after `maxAttempts` or at once when the receiver refuses the message for good.
public struct DeliveryWorker: Sendable {
    public let store: any OutboxStore
    public let channel: any MessageChannel
    public let clock: any TimeSource
    public var batch = 50
    public var lease: TimeInterval = 60
    public var maxAttempts = 12

    public init(store: any OutboxStore, channel: any MessageChannel, clock: any TimeSource) {
        self.store = store
        self.channel = channel
        self.clock = clock
    }

    public static func backoff(afterAttempt n: Int) -> TimeInterval { min(3_600, 30 * pow(2, Double(max(0, n - 1)))) }

    /// Sends what is due now; returns how many were sent.
    @discardableResult
    public func runOnce() async throws -> Int {
        var sent = 0
        while true {
            let due = try await store.claimDue(now: clock.now(), limit: batch, lease: lease)
            for m in due {
                let result = await channel.send(m)
                let now = clock.now()
                let retry = result.ok || result.permanent || m.attempts + 1 >= maxAttempts
                    ? nil : now.addingTimeInterval(Self.backoff(afterAttempt: m.attempts + 1))
                try await store.recordAttempt(m.id, at: now, ok: result.ok, statusCode: result.statusCode, error: result.error, retryAt: retry)
                if result.ok { sent += 1 }
            }
            if due.count < batch { return sent }
        }
    }
}
