import Foundation
@testable import gongzhi
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Acknowledged means durable, proven the hard way: loaders post reports and record every id
/// the server acknowledged, the real binary is killed with SIGKILL at a random moment, several
/// times over; after a restart every acknowledged report is there and `verify` passes.
@Suite struct CrashTests {
    /// One report over a plain socket (URLSession on Linux may wait out its whole timeout on a
    /// connection whose server died); the id of its case when the server acknowledged it.
    static func post(port: Int, key: String, n: Int) -> Int? {
        let lon = 120.13 + Double(n % 400) * 0.0001
        let body = #"{"source":"hotline","category":"06010","description":"崩溃测试 \#(n)","external_id":"crash-\#(n)","#
            + #""location":{"lat":30.3192,"lon":\#(lon)}}"#
        let head = "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        guard let fd = try? CLITests.rawConnection(port: port, sending: head + body, wait: 3) else { return nil }
        defer { close(fd) }
        let reply = CLITests.readAll(fd)
        guard reply.hasPrefix("HTTP/1.1 201") || reply.hasPrefix("HTTP/1.1 200"),
              let json = reply.components(separatedBy: "\r\n\r\n").dropFirst().first,
              let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object["id"] as? Int
    }

    /// Loaders on threads of their own (their sockets block), each posting until told to stop or
    /// refused; every acknowledged report number with its case id.
    final class Loaders: @unchecked Sendable {
        private let lock = NSLock()
        private var acknowledgedSoFar: [(Int, Int)] = []
        private var stopped = false
        private let done = DispatchGroup()

        init(count: Int, port: Int, key: String, first: Int) {
            for loader in 0..<count {
                done.enter()
                Thread.detachNewThread { [self] in
                    var n = first + loader
                    while !lock.withLock({ stopped }), let id = CrashTests.post(port: port, key: key, n: n) {
                        lock.withLock { acknowledgedSoFar.append((n, id)) }
                        n += count
                    }
                    done.leave()
                }
            }
        }

        /// What was acknowledged so far.
        var acknowledged: [(Int, Int)] { lock.withLock { acknowledgedSoFar } }

        func stop() -> [(Int, Int)] {
            lock.withLock { stopped = true }
            done.wait()
            return acknowledged
        }
    }

    @Test func everyAcknowledgedReportSurvivesKillNine() async throws {
        let db = try await CLITests.newDatabase()
        let key = try CLITests.adminKey(db)
        var acknowledged: [Int: Int] = [:]  // report number → case id
        for round in 0..<4 {
            let server = try CLITests.Server(["--db", db, "--no-demo"])
            let port = try #require(try await server.address()?.port, "round \(round): \(server.errors)")
            // Eight loaders post until the kill; it comes after 0.3–1.5 s.
            let loaders = Loaders(count: 8, port: port, key: key, first: round * 100_000)
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500)))
            server.process.send(SIGKILL)
            let ended = server.process.waitUntilExit()
            for (n, id) in loaders.stop() { acknowledged[n] = id }
            #expect(ended.reason == .uncaughtSignal, "round \(round)")
        }
        #expect(acknowledged.count > 50, "too few reports were acknowledged to prove anything: \(acknowledged.count)")
        let verify = try CLITests.run(["verify", "--db", db])
        #expect(verify.status == 0, "\(verify.out) \(verify.err)")
        // Every acknowledged report is there, in the case it was acknowledged with.
        let stored = try await DatabaseQueue(path: db).read { db in
            try Row.fetchAll(db, sql: "SELECT external_id, case_id FROM reports WHERE external_id LIKE 'crash-%'")
                .reduce(into: [String: Int]()) { $0[$1["external_id"]] = $1["case_id"] }
        }
        for (n, id) in acknowledged.sorted(by: { $0.key < $1.key }) {
            #expect(stored["crash-\(n)"] == id, "report \(n), acknowledged in case \(id), is missing after the kills")
        }
    }
}
