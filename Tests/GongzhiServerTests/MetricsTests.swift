import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /metrics`: Prometheus's text format, readable by auditors and admins only, and counting
/// what happened (the registry is the process's, so tests compare before and after).
@Suite struct MetricsTests {
    /// The samples of an exposition, every line checked against the text format's grammar.
    static func samples(_ text: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        // Label values are quoted and may hold braces (a route's `{id}`) and escaped quotes.
        let sample = try Regex(#"^([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?) (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$"#)
        for line in text.split(separator: "\n") where !line.isEmpty {
            if line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") { continue }
            let match = try #require(try sample.wholeMatch(in: String(line)), "not Prometheus text: \(line)")
            out[String(match.output[1].substring ?? "")] = Double(String(match.output[5].substring ?? "")) ?? .nan
        }
        return out
    }

    func scrape(_ client: Client, as key: String) async throws -> (HTTPResponse.Status, String, String) {
        try await client.raw.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(key)"]) {
            ($0.status, $0.headers[.contentType] ?? "", String(buffer: $0.body))
        }
    }

    @Test func metricsCountReportsAndRequestsForAuditorsOnly() async throws {
        let f = try await ServerFixture()
        let auditor = try await f.key(.auditor, "330105"), handler = try await f.key(.handler, "330105003")
        try await f.test { client in
            let key = #"gongzhi_intake_reports_total{channel="resident",outcome="accepted"}"#
            let before = try Self.samples(try await scrape(client, as: auditor).2)[key] ?? 0
            for n in 0..<3 {
                let r = try await client.post("/api/v1/reports", #"{"source":"resident","description":"路灯不亮 \#(n)","external_id":"m-\#(n)"}"#)
                #expect(r.status == .created)
            }
            let (status, type, text) = try await scrape(client, as: auditor)
            #expect(status == .ok && type.hasPrefix("text/plain; version=0.0.4"))
            let after = try Self.samples(text)
            #expect((after[key] ?? 0) - before >= 3, "\(after.filter { $0.key.contains("intake") })")
            #expect(after.keys.contains { $0.hasPrefix("gongzhi_intake_batch_reports_bucket") })
            #expect(after.keys.contains { $0.hasPrefix("gongzhi_db_wait_bucket{kind=\"read\"") })
            #expect(after.keys.contains { $0.contains("/api/v1/reports") && $0.contains("201") }, "\(after.keys.sorted().prefix(20))")
            #expect(try await scrape(client, as: handler).0 == .forbidden)
            #expect(try await client.as(nil).get("/metrics").status == .unauthorized)
        }
    }
}
