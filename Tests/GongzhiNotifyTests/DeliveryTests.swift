import AsyncHTTPClient
import Foundation
import GongzhiCore
@testable import GongzhiNotify
@testable import GongzhiSQL
import GongzhiTestSupport
import GongzhiStore
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import Testing

/// The outbox and its delivery worker against a real local HTTP receiver.
@Suite(.serialized) struct DeliveryTests {
    /// What the receiver saw: each delivery's id, body and whether its signature checked out.
    final class Receiver: Sendable {
        struct Delivery: Sendable { var id: String; var body: String; var signed: Bool }
        let seen = Mutex<[Delivery]>([])
        /// Status codes to answer, in turn (then 200).
        let script: Mutex<[Int]>
        let secret: String

        init(secret: String, script: [Int] = []) {
            self.secret = secret
            self.script = Mutex(script)
        }

        var deliveries: [Delivery] { seen.withLock { $0 } }

        /// Serves on a free port while `body` runs.
        func serving(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
            let router = Router()
            router.post("/hook") { request, _ -> HTTPResponse.Status in
                var request = request
                let text = String(buffer: try await request.collectBody(upTo: 1 << 20))
                let ts = request.headers[HTTPField.Name("X-Gongzhi-Timestamp")!] ?? ""
                let sig = request.headers[HTTPField.Name("X-Gongzhi-Signature")!] ?? ""
                let signed = sig == "sha256=" + HMAC.sha256Hex(key: self.secret, message: ts + "." + text)
                self.seen.withLock { $0.append(Delivery(id: request.headers[HTTPField.Name("X-Gongzhi-Delivery")!] ?? "", body: text, signed: signed)) }
                let code = self.script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
                return HTTPResponse.Status(code: code)
            }
            let port = Mutex<Int?>(nil)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.runService(gracefulShutdownSignals: []) }
                while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
                try await body("http://127.0.0.1:\(port.withLock { $0! })/hook")
                group.cancelAll()
            }
        }
    }

    static let t0 = Timestamp.parse("2026-11-24T10:00:00+08:00")!

    /// A database with `n` messages queued, as intake writes them (one per case and event).
    func store(_ backend: Backend, messages n: Int) async throws -> (SQLStorage, TestDatabase) {
        let db = try await backend.makeDatabase(name: "notify")
        let store = SQLStorage(db: db.sql, context: CaseContext(units: try OrgDirectory([]), categories: CategoryDirectory([])))
        try await store.transaction { tx in
            for i in 1...n {
                let notice = MerchantNotice(caseID: Int64(i), trackingCode: "GS-TEST-0000-000\(i)", merchantID: "M-\(i)", merchantName: "店\(i)",
                                            phone: "1390000111\(i % 10)", scenario: "出店经营", category: nil, address: nil, dueAt: "2026-11-24T10:30:00.000+08:00",
                                            confirmPath: "/api/v1/notices/gzn_secret\(i)/confirm", pagePath: "/notice/gzn_secret\(i)")
                let json = try OutboxPayload.json(notice)
                try tx.sql.enqueue(caseID: Int64(i), eventSeq: 3, kind: "merchant.notice", recipient: "merchant:M-\(i)", payload: json, at: Self.t0)
                // The same event again is not a second message.
                try tx.sql.enqueue(caseID: Int64(i), eventSeq: 3, kind: "merchant.notice", recipient: "merchant:M-\(i)", payload: json, at: Self.t0)
            }
        }
        return (store, db)
    }

    @Test(arguments: Backend.all) func eachMessageIsSentOnceSignedAndItsSecretForgotten(backend: Backend) async throws {
        let (store, _) = try await store(backend, messages: 3)
        let receiver = Receiver(secret: "a-shared-secret-of-the-gateway")
        let clock = ManualTimeSource(Self.t0)
        try await receiver.serving { (url: String) async throws in
            let worker = DeliveryWorker(store: store, channel: WebhookChannel(url: url, secret: receiver.secret, clock: clock), clock: clock)
            #expect(try await worker.runOnce() == 3)
            #expect(try await worker.runOnce() == 0)
        }
        let seen = receiver.deliveries
        #expect(seen.count == 3 && seen.allSatisfy(\.signed))
        #expect(Set(seen.map(\.id)).count == 3)
        #expect(seen[0].body.contains("\"phone\":\"13900001111\"") && seen[0].body.contains("gzn_secret1"))
        let sent = try await store.outbox(caseID: nil, limit: 10)
        #expect(sent.allSatisfy { $0.status == .sent && $0.attempts == 1 } && !sent.contains { $0.payload.contains("gzn_secret") })
    }

    /// A receiver that fails is retried after a back-off, each attempt recorded; one that refuses
    /// for good is not retried.
    @Test(arguments: Backend.all) func failuresAreRetriedWithBackOff(backend: Backend) async throws {
        let (store, db) = try await store(backend, messages: 2)
        let receiver = Receiver(secret: "a-shared-secret-of-the-gateway", script: [500, 400, 503])
        let clock = ManualTimeSource(Self.t0)
        try await receiver.serving { (url: String) async throws in
            let worker = DeliveryWorker(store: store, channel: WebhookChannel(url: url, secret: receiver.secret, clock: clock), clock: clock)
            #expect(try await worker.runOnce() == 0)  // message 1: 500, message 2: 400 (for good)
            clock.advance(by: 29)
            #expect(try await worker.runOnce() == 0)  // not yet due
            clock.advance(by: 2)
            #expect(try await worker.runOnce() == 0)  // message 1 again: 503
            clock.advance(by: 61)
            #expect(try await worker.runOnce() == 1)  // and now it goes
        }
        let messages = try await store.outbox(caseID: nil, limit: 10)
        #expect(messages.map(\.status) == [.sent, .failed] && messages.map(\.attempts) == [3, 1])
        #expect(messages[1].lastError == "HTTP 400")
        let attempts = try await db.count("SELECT COUNT(*) FROM outbox_attempts")
        #expect(attempts == 4)
        #expect(DeliveryWorker.backoff(afterAttempt: 1) == 30 && DeliveryWorker.backoff(afterAttempt: 20) == 3_600)
    }

    /// A worker that dies holding messages (its lease taken, nothing recorded) loses none: after
    /// the lease expires another sends them, once.
    @Test(arguments: Backend.all) func aCrashedWorkersMessagesAreTakenOverOnce(backend: Backend) async throws {
        let (store, db) = try await store(backend, messages: 2)
        let clock = ManualTimeSource(Self.t0)
        let claimed = try await store.claimDue(now: clock.now(), limit: 10, lease: 60)
        #expect(claimed.count == 2)
        // "Restart": a new store on the same file.
        let reopened = SQLStorage(db: try await db.reopened().sql, context: store.context.current)
        let receiver = Receiver(secret: "a-shared-secret-of-the-gateway")
        try await receiver.serving { (url: String) async throws in
            let worker = DeliveryWorker(store: reopened, channel: WebhookChannel(url: url, secret: receiver.secret, clock: clock), clock: clock)
            #expect(try await worker.runOnce() == 0)  // still leased
            clock.advance(by: 61)
            #expect(try await worker.runOnce() == 2)
            clock.advance(by: 3_600)
            #expect(try await worker.runOnce() == 0)
        }
        #expect(receiver.deliveries.count == 2)
    }

    /// The log channel writes neither the merchant's phone nor the notice's secret.
    @Test(arguments: Backend.all) func theLogChannelMasksThePhoneAndTheSecret(backend: Backend) async throws {
        let (store, _) = try await store(backend, messages: 1)
        let m = try #require(try await store.outbox(caseID: 1, limit: 1).first)
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in lines }
        #expect(await LogChannel(logger: logger).send(m).ok)
        let text = lines.text
        #expect(m.payload.contains("13900001111") && text.contains("139****1111"))
        #expect(!text.contains("13900001111") && !text.contains("gzn_secret1") && text.contains("merchant:M-1"))
    }

    /// RFC 4231 test case 2.
    @Test func hmacVector() {
        #expect(HMAC.sha256Hex(key: "Jefe", message: "what do ya want for nothing?")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

/// A log handler that keeps what was logged, to read it back.
final class LogLines: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(event.message) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))") }
    }
}
