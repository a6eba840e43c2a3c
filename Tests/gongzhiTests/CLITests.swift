import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GongzhiStore
import GRDB
import Testing

/// The real `gongzhi` binary, run as a user would.
@Suite(.serialized) struct CLITests {
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["GONGZHI_BIN"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gongzhi")
    }()

    struct Result { var status: Int32; var out: String; var err: String }

    static func run(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Starts `gongzhi serve` on a free port, waits for its address, runs `body`, then stops it
    /// with SIGTERM and returns everything it printed and its exit status.
    static func serving(_ args: [String], _ body: (URL) async throws -> Void) async throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["serve", "--port", "0"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        var printed = Data()
        var address: URL? = nil
        let deadline = Date().addingTimeInterval(60)
        while address == nil, Date() < deadline, p.isRunning {
            let chunk = out.fileHandleForReading.availableData
            printed.append(chunk)
            if let line = String(decoding: printed, as: UTF8.self).split(separator: "\n").first(where: { $0.contains("serving on http://") }),
               let range = line.range(of: #"http://[0-9.]+:[0-9]+/"#, options: .regularExpression) {
                address = URL(string: String(line[range]))
            }
            if chunk.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        if let address { try await body(address) }
        if p.isRunning { kill(p.processIdentifier, SIGTERM) }
        printed.append(out.fileHandleForReading.readDataToEndOfFile())
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(address != nil, "the server never printed its address")
        return Result(status: p.terminationStatus, out: String(decoding: printed, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    static func get(_ url: URL) async throws -> (Int, Data) {
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test func serveStartsStopsCleanlyAndKeepsDataAcrossRestarts() async throws {
        let db = try Self.tempDir().appendingPathComponent("g.sqlite").path
        let first = try await Self.serving(["--db", db, "--demo-cases", "40"]) { base in
            let (status, body) = try await Self.get(base.appendingPathComponent("healthz"))
            #expect(status == 200 && String(decoding: body, as: UTF8.self).contains("ok"))
        }
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("loaded 40 demo cases"))
        #expect(first.out.contains("stopped"))
        let second = try await Self.serving(["--db", db, "--demo-cases", "40"]) { base in
            let (_, body) = try await Self.get(base.appendingPathComponent("api/v1/cases").appending(queryItems: [URLQueryItem(name: "limit", value: "200")]))
            let items = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["items"] as? [Any]
            #expect(items?.count == 40)
        }
        #expect(second.status == 0)
        #expect(second.out.contains("demo cases already loaded"))
        let verify = try Self.run(["verify", "--db", db])
        #expect(verify.status == 0)
        #expect(verify.out.hasPrefix("ok: 40 cases"))
    }

    @Test func verifyNamesTheFirstEditedEvent() async throws {
        let db = try Self.tempDir().appendingPathComponent("g.sqlite").path
        _ = try await Self.serving(["--db", db, "--demo-cases", "25"]) { _ in }
        let queue = try DatabaseQueue(path: db)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER case_events_append_only_update")
            try db.execute(sql: "UPDATE case_events SET actor = 'user:mallory' WHERE case_id = 7 AND seq = 1")
        }
        let r = try Self.run(["verify", "--db", db])
        #expect(r.status == 3)
        #expect(r.err.contains("case 7 event #1"))
        #expect(r.err.split(separator: "\n").count == 1)
    }

    @Test(arguments: [
        ["serve", "--port", "eighty"], ["serve", "--bogus"], ["serve", "--port", "70000"], ["verify", "--db", "/nonexistent/g.sqlite"],
        ["serve", "--db", "/nonexistent/folder/g.sqlite", "--port", "0"], ["frobnicate"],
    ])
    func badUsageIsOneLineAndNonZero(args: [String]) throws {
        let r = try Self.run(args)
        #expect(r.status != 0)
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 1, "\(r.err)")
        #expect(lines.first?.hasPrefix("gongzhi: ") == true)
        #expect(!r.err.contains("Fatal error") && !r.err.contains("Stack dump"))
    }

    @Test func helpStillWorks() throws {
        let r = try Self.run(["serve", "--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("--no-demo"))
    }
}
