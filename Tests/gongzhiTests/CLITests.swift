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

    static func get(_ url: URL, key: String? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: url)
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// A new admin API key for the database, as `gongzhi keys create` prints it.
    static func adminKey(_ db: String) throws -> String {
        let r = try run(["keys", "create", "--db", db, "--role", "admin", "--name", "tests"])
        #expect(r.status == 0, "\(r.err)")
        return String(r.out.split(separator: "\n").last ?? "")
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
        let key = try Self.adminKey(db)
        let second = try await Self.serving(["--db", db, "--demo-cases", "40"]) { base in
            let unauthenticated = try await Self.get(base.appendingPathComponent("api/v1/cases"))
            #expect(unauthenticated.0 == 401)
            let (_, body) = try await Self.get(base.appendingPathComponent("api/v1/cases").appending(queryItems: [URLQueryItem(name: "limit", value: "200")]), key: key)
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
        ["serve", "--db", "/nonexistent/folder/g.sqlite", "--port", "0"], ["frobnicate"], ["serve", "--office-hours", "9-5"],
        ["serve", "--rules", "/nonexistent/rules.json", "--port", "0", "--db", "/tmp/gongzhi-cli-bad-rules.sqlite"],
        ["areas", "import", "/nonexistent.geojson", "--level", "street"], ["areas", "import", "x.geojson", "--level", "county"],
        ["keys", "create", "--db", "/tmp/gongzhi-cli-bad-unit.sqlite", "--role", "machine", "--name", "x", "--unit", "999"],
        ["bench", "locate", "--points", "-1"],
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

/// `gongzhi areas` and the scheduler across restarts, through the real binary.
@Suite(.serialized) struct AreaAndTimerCLITests {
    @Test func importYourOwnGeoJSONAndGenerateGrids() async throws {
        let dir = try CLITests.tempDir()
        let db = dir.appendingPathComponent("g.sqlite").path
        // Two made-up streets splitting a box in the middle of the district, with codes of real streets.
        let geojson = """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"code":"330105003","name":"小河（测试）"},"geometry":{"type":"Polygon","coordinates":[[[120.12,30.30],[120.15,30.30],[120.15,30.33],[120.12,30.33],[120.12,30.30]]]}},
             {"type":"Feature","properties":{"code":"330105008","name":"上塘（测试）"},"geometry":{"type":"Polygon","coordinates":[[[120.15,30.30],[120.18,30.30],[120.18,30.33],[120.15,30.33],[120.15,30.30]]]}}]}
            """
        let file = dir.appendingPathComponent("streets.geojson").path
        try geojson.write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try CLITests.run(["areas", "import", file, "--level", "street", "--db", db])
        #expect(imported.status == 0, "\(imported.err)")
        #expect(imported.out.contains("imported 2 street areas as layer version 3"))
        let grids = try CLITests.run(["areas", "grid", "--level", "grid", "--cell", "500", "--db", db, "--out", dir.appendingPathComponent("grids.geojson").path])
        #expect(grids.status == 0, "\(grids.err)")
        #expect(grids.out.contains("unit grids of 500 m as layer version 4"))
        let listed = try CLITests.run(["areas", "list", "--db", db])
        #expect(listed.out.contains("v3\tstreet\t2 areas") && listed.out.contains("v4\tgrid"))
        let key = try CLITests.adminKey(db)
        _ = try await CLITests.serving(["--db", db, "--no-demo"]) { base in
            var c = URLComponents(url: base.appendingPathComponent("api/v1/locate"), resolvingAgainstBaseURL: false)!
            c.queryItems = [URLQueryItem(name: "lat", value: "30.31"), URLQueryItem(name: "lon", value: "120.16")]
            let (_, body) = try await CLITests.get(c.url!, key: key)
            let json = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            #expect((json?["street"] as? [String: Any])?["code"] as? String == "330105008")
            #expect(((json?["grid"] as? [String: Any])?["code"] as? String)?.hasPrefix("33010500800") == true)
        }
        let broken = dir.appendingPathComponent("broken.geojson").path
        try #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}"#
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let refused = try CLITests.run(["areas", "import", broken, "--level", "street", "--db", db])
        #expect(refused.status != 0 && refused.err.contains("feature #0") && refused.err.contains("not closed"))
        #expect(try CLITests.run(["areas", "grid", "--level", "street", "--db", db]).status != 0)
    }

    @Test func missedTimersAreMarkedOnceAfterARestart() async throws {
        let db = try CLITests.tempDir().appendingPathComponent("g.sqlite").path
        let start = "2026-11-25T09:00:00+08:00"
        final class Box: @unchecked Sendable { var id = 0 }
        let box = Box()
        let key = try CLITests.adminKey(db)
        _ = try await CLITests.serving(["--db", db, "--no-demo", "--now", start]) { base in
            let id = try await Self.post(base, "api/v1/reports", #"{"source":"grid_worker","category":"06010","description":"暴露垃圾","location":{"lat":30.342135,"lon":120.142877}}"#, key: key)["id"] as? Int ?? 0
            box.id = id
            // The bundled rule for 06 dispatches at once on register: 2 working days, escalating when overdue.
            let r = try await Self.post(base, "api/v1/cases/\(id)/register", "{}", key: key)
            #expect(r["status"] as? String == "dispatched")
        }
        // Down over the deadline; then up a week later, twice.
        for _ in 0..<2 {
            let run = try await CLITests.serving(["--db", db, "--no-demo", "--now", "2026-12-02T09:00:00+08:00", "--sweep-interval", "0.2"]) { _ in
                try await Task.sleep(for: .milliseconds(600))
            }
            #expect(run.status == 0)
        }
        let queue = try DatabaseQueue(path: db)
        let id = box.id
        let actions = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM case_events WHERE case_id = ? ORDER BY seq", arguments: [id])
        }
        #expect(actions == ["report", "register", "dispatch", "warn", "overdue", "escalate"])
        #expect(try CLITests.run(["verify", "--db", db]).status == 0)
    }

    @Test func sighupReloadsTheRulesFile() async throws {
        let dir = try CLITests.tempDir()
        let rules = dir.appendingPathComponent("rules.json").path
        try #"{"rules":[{"id":"all","unit":"street","deadline":{"amount":1,"unit":"working_days"}}]}"#.write(toFile: rules, atomically: true, encoding: .utf8)
        let key = try CLITests.adminKey(dir.appendingPathComponent("g.sqlite").path)
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["serve", "--port", "0", "--no-demo", "--db", dir.appendingPathComponent("g.sqlite").path, "--rules", rules]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGTERM); p.waitUntilExit() } }
        var printed = ""
        var base: URL? = nil
        while base == nil, p.isRunning {
            printed += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            if let r = printed.range(of: #"http://[0-9.]+:[0-9]+/"#, options: .regularExpression) { base = URL(string: String(printed[r])) }
        }
        let url = try #require(base).appendingPathComponent("api/v1/rules")
        func count() async throws -> Int? { (try JSONSerialization.jsonObject(with: try await CLITests.get(url, key: key).1) as? [String: Any])?["count"] as? Int }
        #expect(try await count() == 1)
        try #"{"rules":[{"id":"all","unit":"street","deadline":{"amount":1,"unit":"working_days"}},{"id":"env","category":"06","unit":"street","deadline":{"amount":2,"unit":"working_days"}}]}"#
            .write(toFile: rules, atomically: true, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        var seen: Int? = nil
        for _ in 0..<50 where seen != 2 {
            try await Task.sleep(for: .milliseconds(100))
            seen = try await count()
        }
        #expect(seen == 2)
        #expect(p.isRunning)
    }

    static func post(_ base: URL, _ path: String, _ body: String, key: String) async throws -> [String: Any] {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(body.utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
