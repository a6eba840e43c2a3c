import Foundation
@testable import gongzhi
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import GongzhiIntake
import GongzhiSQLite
import GongzhiStore
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The real `gongzhi` binary, run as a user would.
@Suite(.serialized) struct CLITests {
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["GONGZHI_BIN"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gongzhi")
    }()

    struct Result { var status: Int32; var out: String; var err: String }

    static func run(_ args: [String]) throws -> Result {
        let child = try ChildProcess(binary.path, args)
        let ended = child.waitUntilExit()
        return Result(status: ended.status, out: child.printed, err: child.errorOutput)
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A running `gongzhi serve`: its output is collected by threads of their own, so waiting
    /// for a line never blocks past its deadline, whatever the process prints or does not.
    final class Server: Sendable {
        let process: ChildProcess

        init(_ args: [String]) throws {
            process = try ChildProcess(CLITests.binary.path, ["serve", "--port", "0"] + args)
        }

        var printed: String { process.printed }
        var errors: String { process.errorOutput }

        /// The address it prints once listening, or nil if it exits or 180 s pass first: a first
        /// start with the demo (grids, cases, the plan) takes about 18 s in a debug build on an
        /// idle machine, and the suite runs several at once beside everything else.
        func address() async throws -> URL? {
            let deadline = Date().addingTimeInterval(180)
            while Date() < deadline, process.isRunning {
                if let r = printed.range(of: #"http://[0-9.]+:[0-9]+/"#, options: .regularExpression) { return URL(string: String(printed[r])) }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        /// SIGTERM, then the exit status (SIGKILL after 30 s).
        func stop() async throws -> Int32 {
            process.send(SIGTERM)
            if let ended = try await process.ended(within: 30) { return ended.status }
            process.send(SIGKILL)
            return process.waitUntilExit().status
        }
    }

    /// Starts `gongzhi serve` on a free port, waits for its address, runs `body`, then stops it
    /// with SIGTERM and returns everything it printed and its exit status.
    static func serving(_ args: [String], _ body: (URL) async throws -> Void) async throws -> Result {
        let server = try Server(args)
        let address = try await server.address()
        if let address { try await body(address) }
        let status = try await server.stop()
        #expect(address != nil, "the server never printed its address: \(server.errors)")
        return Result(status: status, out: server.printed, err: server.errors)
    }

    /// Waits until `condition` holds, checking every 50 ms, for at most `seconds`.
    static func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// Creates a database as only `serve` may: start it without the demo and stop it.
    static func newDatabase() async throws -> String {
        let db = try tempDir().appendingPathComponent("g.sqlite").path
        let r = try await serving(["--db", db, "--no-demo"]) { _ in }
        #expect(r.status == 0, "\(r.err)")
        return db
    }

    static func get(_ url: URL, key: String? = nil) async throws -> (Int, Data) {
        let (status, _, data) = try await request(url, key: key)
        return (status, data)
    }

    /// One request to a server the test started, with AsyncHTTPClient: Foundation's URLSession on
    /// Linux has crashed test processes when sessions end while requests to dead ports fail.
    static func request(_ url: URL, method: HTTPMethod = .GET, key: String? = nil,
                        json: String? = nil) async throws -> (status: Int, headers: HTTPHeaders, body: Data) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), response.headers, Data(body.readableBytesView))
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
        let loaded = first.out.firstMatch(of: /loaded (\d+) demo cases/).flatMap { Int($0.output.1) }
        #expect(loaded.map { (25...40).contains($0) } == true, "\(first.out)")
        #expect(first.out.contains("stopped") && first.out.contains("loaded the demo plan 拱墅区2020年下半年重点工作"))
        let key = try Self.adminKey(db)
        let second = try await Self.serving(["--db", db, "--demo-cases", "40"]) { base in
            let unauthenticated = try await Self.get(base.appendingPathComponent("api/v1/cases"))
            #expect(unauthenticated.0 == 401)
            let (_, body) = try await Self.get(base.appendingPathComponent("api/v1/cases").appending(queryItems: [URLQueryItem(name: "limit", value: "200")]), key: key)
            let items = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["items"] as? [Any]
            #expect(items?.count == loaded)
        }
        #expect(second.status == 0)
        #expect(second.out.contains("demo cases already loaded") && !second.out.contains("demo plan"))
        let verify = try Self.run(["verify", "--db", db])
        #expect(verify.status == 0)
        #expect(verify.out.hasPrefix("ok: \(loaded ?? -1) cases") && verify.out.contains("; 1 plan with"), "\(verify.out)")
    }

    @Test func verifyNamesTheFirstEditedEvent() async throws {
        let db = try Self.tempDir().appendingPathComponent("g.sqlite").path
        _ = try await Self.serving(["--db", db, "--demo-cases", "25", "--now", "2026-11-20T10:00:00+08:00"]) { _ in }
        let queue = try DatabaseQueue(path: db)
        // The middle case that has a second event, whatever the demo made of it.
        let target = try await queue.read { db in
            try Int64.fetchOne(db, sql: "SELECT case_id FROM case_events WHERE seq = 1 ORDER BY case_id LIMIT 1 OFFSET 5")
        }
        let id = try #require(target)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER case_events_append_only_update")
            try db.execute(sql: "UPDATE case_events SET actor = 'user:mallory' WHERE case_id = ? AND seq = 1", arguments: [id])
        }
        let r = try Self.run(["verify", "--db", db])
        #expect(r.status == 3)
        #expect(r.err.contains("case \(id) event #1: its contents do not match its hash"))
        #expect(r.err.split(separator: "\n").count == 1)
    }

    @Test func verifyExits3OnABrokenAuditLog() async throws {
        let db = try await Self.newDatabase()
        let queue = try DatabaseQueue(path: db)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_append_only_update")
            try db.execute(sql: "UPDATE audit_log SET detail = '{}' WHERE seq = 1")
        }
        let r = try Self.run(["verify", "--db", db])
        #expect(r.status == 3 && r.err == "gongzhi: BROKEN: audit log entry #1: its contents do not match its hash: the row was edited\n")
    }

    /// Only `serve` creates a database: run elsewhere, the other commands refuse and create nothing.
    @Test(arguments: [
        ["keys", "create", "--role", "machine", "--name", "x"], ["users", "add", "--username", "wang", "--name", "王", "--role", "handler", "--unit", "330105003"],
        ["keys", "list"], ["users", "list"], ["areas", "list"], ["areas", "grid", "--level", "grid"],
    ])
    func onlyServeCreatesADatabase(args: [String]) throws {
        let dir = try Self.tempDir()
        let db = dir.appendingPathComponent("gongzhi.sqlite").path
        let r = try Self.run(args + ["--db", db])
        #expect(r.status == 1 && r.err == "gongzhi: no database at \(db); gongzhi serve --db \(db) creates one\n" && r.out.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    /// `migrate-store` copies a database that verifies into a new one, prints what it copied and
    /// the copy's verify line; it refuses a target with data, the same database, a missing source
    /// and a source that does not verify, each with one line and a non-zero exit.
    @Test func migrateStoreCopiesAndRefusesWhatItMustNot() async throws {
        let db = try Self.tempDir().appendingPathComponent("g.sqlite").path
        _ = try await Self.serving(["--db", db, "--demo-cases", "25", "--now", "2026-11-20T10:00:00+08:00"]) { _ in }
        let copy = try Self.tempDir().appendingPathComponent("copy.sqlite").path
        let original = try Self.run(["verify", "--db", db])
        let r = try Self.run(["migrate-store", "--from", db, "--to", copy])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("case_events: ") && r.out.hasSuffix(original.out))
        #expect(try Self.run(["verify", "--db", copy]).out == original.out)

        let again = try Self.run(["migrate-store", "--from", db, "--to", copy])
        #expect(again.status == 1 && again.err.contains("already holds data") && again.err.split(separator: "\n").count == 1)
        #expect(try Self.run(["migrate-store", "--from", db, "--to", db]).status != 0)
        let missing = try Self.run(["migrate-store", "--from", db + ".nope", "--to", copy + ".2"])
        #expect(missing.status == 1 && missing.err.hasPrefix("gongzhi: no database at"))

        let queue = try DatabaseQueue(path: db)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER case_events_append_only_update")
            try db.execute(sql: "UPDATE case_events SET actor = 'user:mallory' WHERE case_id = 1 AND seq = 1")
        }
        let broken = try Self.run(["migrate-store", "--from", db, "--to", copy + ".3"])
        #expect(broken.status == 1 && broken.err.contains("does not verify"))
        #expect(!FileManager.default.fileExists(atPath: copy + ".3"))
    }

    /// `import reports`: progress as plain lines when not a terminal, the summary, the refused
    /// rows in a file, exit 2 for refused rows and 1 for a file it cannot read; a second import
    /// opens nothing; `onlyServeCreatesADatabase` holds for it too.
    @Test func importReportsFromACSVFile() async throws {
        let db = try await Self.newDatabase()
        let dir = try Self.tempDir()
        let csv = dir.appendingPathComponent("old.csv"), errors = dir.appendingPathComponent("refused.csv")
        let text = "工单编号,诉求内容,纬度,经度,类别代码\nA-1,大关路上有个大坑,30.3192,120.1414,06013\nA-2,井盖没了,北纬三十度,120.15,01002\n"
        try Data(text.utf8).write(to: csv)
        let r = try Self.run(["import", "reports", csv.path, "--db", db, "--errors", errors.path])
        #expect(r.status == 2, "\(r.err)")
        #expect(r.out.contains("2 rows (utf-8)") && r.out.contains("1 opened a case") && r.out.contains("1 refused"))
        #expect(r.err.contains("old.csv: 2/2 rows (100%)") && !r.err.contains("\r"))
        #expect(r.err.hasSuffix("gongzhi: 1 of 2 rows were refused\n"))
        #expect(try String(contentsOf: errors, encoding: .utf8) == "row,field,reason\n3,lat,lat must be decimal degrees\n")
        let again = try Self.run(["import", "reports", csv.path, "--db", db])
        #expect(again.status == 2 && again.out.contains("0 opened a case") && again.out.contains("1 imported before"))
        try Data([0xFF, 0xFE, 0x00]).write(to: csv)
        let unreadable = try Self.run(["import", "reports", csv.path, "--db", db])
        #expect(unreadable.status == 1 && unreadable.err.contains("neither UTF-8 nor GB18030"))
        let missing = try Self.run(["import", "reports", csv.path + ".nope", "--db", db])
        #expect(missing.status == 1 && missing.err == "gongzhi: cannot read \(csv.path).nope\n")
        let noDB = try Self.run(["import", "reports", csv.path, "--db", dir.appendingPathComponent("none.sqlite").path])
        #expect(noDB.status == 1 && noDB.err.contains("no database at"))
    }

    /// A plan made from a spreadsheet in GB18030 (as Excel in China saves it), a bad row named,
    /// the plan file loaded and refused when it does not hold together, the plans listed.
    @Test func plansFromASpreadsheetAndAFile() async throws {
        let db = try await Self.newDatabase()
        let dir = try Self.tempDir()
        let csv = dir.appendingPathComponent("任务清单.csv")
        let text = "目标领域,任务,牵头单位,完成时限,指标,计量单位,目标值\n民生,回迁安置,拱墅区住房和城乡建设局,2021-12-31,回迁户数,户,10000\n"
            + "民生,坏行,没有这个局,2021-12-31,,,\n"
        try Data(try TextDecoding.gb18030(text)).write(to: csv)
        let noPlan = try Self.run(["plans", "import", csv.path, "--db", db, "--plan", "p2021"])
        #expect(noPlan.status == 1 && noPlan.err.contains("--name, --start and --end"), "\(noPlan.err)")
        let r = try Self.run(["plans", "import", csv.path, "--db", db, "--plan", "p2021", "--name", "2021年重点工作",
                              "--start", "2021-01-01", "--end", "2021-12-31"])
        #expect(r.status == 2 && r.out.contains("1 of 2 rows taken into plan p2021"), "\(r.out) \(r.err)")
        #expect(r.err.contains("line 3, lead_unit: unknown unit '没有这个局'"))
        let plan = dir.appendingPathComponent("plan.json")
        try Data(#"{"id":"bad","name":"x","start":"2021-01-01","end":"2020-01-01","goal_areas":[]}"#.utf8).write(to: plan)
        let refused = try Self.run(["plans", "load", plan.path, "--db", db])
        #expect(refused.status == 1 && refused.err.contains("end before start"), "\(refused.err)")
        // The same district's sheet as Excel saves it: the first worksheet, dates as serial numbers.
        let xlsx = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../GongzhiIntakeTests/Fixtures/plan-sheet.xlsx")
        let fromExcel = try Self.run(["plans", "import", xlsx.path, "--db", db, "--plan", "p2021"])
        #expect(fromExcel.status == 2 && fromExcel.out.contains("2 of 3 rows taken"), "\(fromExcel.out) \(fromExcel.err)")
        #expect(fromExcel.err.contains("line 3, task: is empty"))
        let list = try Self.run(["plans", "list", "--db", db])
        #expect(list.status == 0 && list.out == "p2021\t2021年重点工作\t2021-01-01\t2021-12-31\n")
        let verify = try Self.run(["verify", "--db", db])
        #expect(verify.status == 0 && verify.out.contains("1 plan"), "\(verify.out)")
    }

    @Test func usersCannotHaveTheMachineRole() async throws {
        let db = try await Self.newDatabase()
        let r = try Self.run(["users", "add", "--db", db, "--username", "cam", "--name", "x", "--role", "machine", "--unit", "330105"])
        #expect(r.status != 0 && r.err.hasPrefix("gongzhi: machine is a role for API keys"))
        let added = try Self.run(["users", "add", "--db", db, "--username", "wang", "--name", "王", "--role", "handler", "--unit", "330105003"])
        #expect(added.status == 0 && added.out.hasPrefix("added wang (handler, 330105003)"))
        #expect(try Self.run(["users", "set-role", "wang", "--db", db, "--role", "machine", "--unit", "330105"]).status != 0)
    }

    /// The text rule on the command line: a name with a control character is refused with the
    /// rule's message and a non-zero exit, and no account is made.
    @Test func aNameWithAControlCharacterIsRefused() async throws {
        let db = try await Self.newDatabase()
        let r = try Self.run(["users", "add", "--db", db, "--username", "wang", "--name", "王\u{1B}[2J", "--role", "handler", "--unit", "330105003"])
        #expect(r.status != 0 && r.err.contains("display_name holds the control character U+001B"), "\(r.err)")
        #expect(try Self.run(["users", "list", "--db", db]).out.contains("wang") == false)
    }

    /// A raw (unencoded) UTF-8 query never reaches the router; it still gets the JSON error body.
    @Test func aMalformedRequestGetsTheJSONErrorBody() async throws {
        let db = try await Self.newDatabase()
        _ = try await Self.serving(["--db", db, "--no-demo"]) { base in
            let reply = try Self.rawRequest(port: base.port ?? 0, "GET /api/v1/cases/1?reveal=reporter&reason=回访市民 HTTP/1.1\r\nHost: x\r\n\r\n")
            let parts = reply.components(separatedBy: "\r\n\r\n")
            #expect(parts[0].hasPrefix("HTTP/1.1 400") && parts[0].lowercased().contains("content-type: application/json"))
            let body = try JSONSerialization.jsonObject(with: Data((parts.count > 1 ? parts[1] : "").utf8)) as? [String: Any]
            #expect((body?["error"] as? [String: Any])?["code"] as? String == "malformed_request")
            // A request head over the parser's 80 KiB (a 100 KB cursor, a 10,000-value filter) says so.
            let cursor = String(repeating: "A", count: 100_000)
            let long = try Self.rawRequest(port: base.port ?? 0, "GET /api/v1/cases?cursor=\(cursor) HTTP/1.1\r\nHost: x\r\n\r\n")
            let longParts = long.components(separatedBy: "\r\n\r\n")
            #expect(longParts[0].hasPrefix("HTTP/1.1 431"), "\(longParts[0])")
            let longBody = try JSONSerialization.jsonObject(with: Data((longParts.count > 1 ? longParts[1] : "").utf8)) as? [String: Any]
            #expect((longBody?["error"] as? [String: Any])?["code"] as? String == "request_too_large")
        }
    }

    /// Sends bytes as they are over a plain TCP connection and returns everything read back.
    static func rawRequest(port: Int, _ text: String) throws -> String {
        let fd = try rawConnection(port: port, sending: text)
        defer { close(fd) }
        return readAll(fd)
    }

    /// A TCP connection that has sent `text` and waits (reads time out after `wait` seconds).
    static func rawConnection(port: Int, sending text: String, wait: Int = 10) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: wait, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } }
        guard connected == 0 else { close(fd); throw CLIFailure("cannot connect to port \(port)") }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    /// Everything the peer sends until it closes (or the read times out).
    static func readAll(_ fd: Int32) -> String {
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    /// `verify --anchor`: the first run writes the heads, the next checks them and writes anew;
    /// an edited anchor is refused. `serve --anchor-dir` writes the day's anchor at start.
    @Test func anchorsAreWrittenCheckedAndRefusedWhenEdited() async throws {
        let dir = try Self.tempDir()
        let db = dir.appendingPathComponent("g.sqlite").path, anchors = dir.appendingPathComponent("anchors").path
        _ = try await Self.serving(["--db", db, "--demo-cases", "20", "--anchor-dir", anchors]) { _ in
            let written = try await Self.eventually(20) { (try? FileManager.default.contentsOfDirectory(atPath: anchors))?.count == 1 }
            #expect(written)
        }
        let daily = try #require(try FileManager.default.contentsOfDirectory(atPath: anchors).first)
        #expect(daily.hasPrefix("gongzhi-anchor-20") && daily.hasSuffix(".txt"))
        let file = dir.appendingPathComponent("anchor.txt").path
        let first = try Self.run(["verify", "--db", db, "--anchor", file])
        #expect(first.status == 0 && first.out.contains("case chains and the audit log to"), "\(first.out) \(first.err)")
        let second = try Self.run(["verify", "--db", db, "--anchor", file])
        #expect(second.status == 0 && second.out.contains("anchored at") && second.out.contains("are unchanged"), "\(second.out)")
        let daySecond = try Self.run(["verify", "--db", db, "--anchor", dir.appendingPathComponent("anchors/\(daily)").path])
        #expect(daySecond.status == 0 && daySecond.out.contains("unchanged"), "\(daySecond.err)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "case 1 ", with: "case 2 ").write(toFile: file, atomically: true, encoding: .utf8)
        let edited = try Self.run(["verify", "--db", db, "--anchor", file])
        #expect(edited.status != 0 && edited.err.contains("digest"), "\(edited.err)")
    }

    /// The logs are JSON lines, one per request with the id the response carries, and hold none
    /// of the personal data the requests did (a name, a phone, a reveal's reason).
    @Test func logsAreJSONLinesWithRequestIDsAndNoPersonalData() async throws {
        let db = try await Self.newDatabase()
        let key = try Self.adminKey(db)
        final class Box: @unchecked Sendable { var ids: [String] = [] }
        let box = Box()
        let run = try await Self.serving(["--db", db, "--no-demo"]) { base in
            let body = #"{"source":"hotline","description":"楼下噪声扰民","reporter":{"name":"欧阳娜娜","phone":"13987654321"},"#
                + #""location":{"lat":30.3192,"lon":120.1414}}"#
            let created = try await AreaAndTimerCLITests.post(base, "api/v1/reports", body, key: key)
            let id = try #require(created["id"] as? Int)
            let reason = "%E5%9B%9E%E8%AE%BF%E5%BC%A0%E5%85%88%E7%94%9F"  // 回访张先生
            let revealed = try await Self.request(URL(string: "\(base)api/v1/cases/\(id)?reveal=reporter&reason=\(reason)")!, key: key)
            #expect(String(decoding: revealed.body, as: UTF8.self).contains("13987654321"))
            box.ids.append(revealed.headers.first(name: "X-Request-Id") ?? "")
        }
        let lines = run.out.split(separator: "\n").filter { $0.hasPrefix("{") }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count && !lines.isEmpty)
        let requests = objects.filter { $0["msg"] as? String == "request" }
        #expect(requests.contains { $0["route"] as? String == "/api/v1/cases/{id}" && $0["status"] as? String == "200" })
        let id = try #require(box.ids.first)
        #expect(!id.isEmpty && requests.contains { $0["request_id"] as? String == id }, "\(id)")
        for secret in ["欧阳娜娜", "13987654321", "回访张先生", "%E5%9B%9E", "reveal", "楼下噪声"] {
            #expect(!run.out.contains(secret) && !run.err.contains(secret), "the log holds \(secret)")
        }
    }

    /// Slow-loris: 40 connections that stall in the head or mid-upload, against a server that
    /// allows 20 at once and 1 s to send a request. Each is closed by the server; a real request
    /// is answered meanwhile, once the stalled ones have been cut.
    @Test func slowClientsAreCutOffAndCannotHoldTheServer() async throws {
        let db = try await Self.newDatabase()
        _ = try await Self.serving(["--db", db, "--no-demo", "--request-timeout", "1", "--max-connections", "20"]) { base in
            let port = base.port ?? 0
            var stalled: [Int32] = []
            for i in 0..<40 {
                let partial = i % 2 == 0 ? "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
                    : "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"desc"
                stalled.append(try Self.rawConnection(port: port, sending: partial, wait: 15))
            }
            let started = Date()
            let (status, _) = try await Self.get(base.appendingPathComponent("healthz"))
            #expect(status == 200)
            for fd in stalled {
                var byte: UInt8 = 0
                let n = recv(fd, &byte, 1, 0)
                // 0: the server closed it (a 4xx of the parser is allowed too); -1 would be our own read timing out.
                #expect(n >= 0, "a stalled connection was still open after 15 s")
                close(fd)
            }
            #expect(Date().timeIntervalSince(started) < 12)
        }
    }

    @Test(arguments: [
        ["serve", "--port", "eighty"], ["serve", "--bogus"], ["serve", "--port", "70000"], ["verify", "--db", "/nonexistent/g.sqlite"],
        ["serve", "--db", "/nonexistent/folder/g.sqlite", "--port", "0"], ["frobnicate"], ["serve", "--office-hours", "9-5"],
        ["serve", "--rules", "/nonexistent/rules.json", "--port", "0", "--db", tempPath("bad-rules.sqlite")],
        ["areas", "import", "/nonexistent.geojson", "--level", "street"], ["areas", "import", "x.geojson", "--level", "county"],
        ["keys", "create", "--db", tempPath("no.sqlite"), "--role", "machine", "--name", "x", "--unit", "999"],
        ["users", "add", "--db", tempPath("no.sqlite"), "--username", "x", "--name", "x", "--role", "machine", "--unit", "330105"],
        ["bench", "locate", "--points", "-1"], ["bench", "centre-fill", "--petitions", "0"], ["serve", "--list-page-cache", "sometimes"],
        ["serve", "--login-address-limit", "0"],
        ["serve", "--key-population", "/nonexistent/list.json", "--port", "0", "--db", tempPath("bad-list.sqlite")],
        ["serve", "--mediation-rules", "/nonexistent/mediation.json", "--port", "0", "--db", tempPath("bad-mediation.sqlite")],
    ])
    func badUsageIsOneLineAndNonZero(args: [String]) throws {
        let r = try Self.run(args)
        #expect(r.status != 0)
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 1, "\(r.err)")
        #expect(lines.first?.hasPrefix("gongzhi: ") == true)
        #expect(!r.err.contains("Fatal error") && !r.err.contains("Stack dump"))
    }

    /// A path in a folder of its own, so parallel and repeated runs never share a file.
    static func tempPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-cli-\(UUID().uuidString)-\(name)").path
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
        let db = try await CLITests.newDatabase()
        let dir = URL(fileURLWithPath: db).deletingLastPathComponent()
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
        _ = try await CLITests.serving(["--db", db, "--no-demo", "--now", start]) { base in
            let key = try CLITests.adminKey(db)  // the server has created the database
            let id = try await Self.post(base, "api/v1/reports", #"{"source":"grid_worker","category":"06010","description":"暴露垃圾","location":{"lat":30.342135,"lon":120.142877}}"#, key: key)["id"] as? Int ?? 0
            box.id = id
            // The bundled rule for 06 dispatches at once on register: 2 working days, escalating when overdue.
            let r = try await Self.post(base, "api/v1/cases/\(id)/register", "{}", key: key)
            #expect(r["status"] as? String == "dispatched")
        }
        // Down over the deadline; then up a week later, twice.
        let id = box.id
        func actions() async throws -> [String] {
            try await DatabaseQueue(path: db).read { db in
                try String.fetchAll(db, sql: "SELECT action FROM case_events WHERE case_id = ? ORDER BY seq", arguments: [id])
            }
        }
        for _ in 0..<2 {
            let run = try await CLITests.serving(["--db", db, "--no-demo", "--now", "2026-12-02T09:00:00+08:00", "--sweep-interval", "0.2"]) { _ in
                // The sweep at start catches up; then a few more sweeps must add nothing.
                #expect(try await CLITests.eventually { try await actions().last == "escalate" })
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(run.status == 0)
        }
        #expect(try await actions() == ["report", "register", "dispatch", "warn", "overdue", "escalate"])
        #expect(try CLITests.run(["verify", "--db", db]).status == 0)
    }

    @Test func sighupReloadsTheRulesFile() async throws {
        let dir = try CLITests.tempDir()
        let rules = dir.appendingPathComponent("rules.json").path
        try #"{"rules":[{"id":"all","unit":"street","deadline":{"amount":1,"unit":"working_days"}}]}"#.write(toFile: rules, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("g.sqlite").path
        let server = try CLITests.Server(["--no-demo", "--db", db, "--rules", rules])
        let base = try await server.address()
        let key = try CLITests.adminKey(db)
        let url = try #require(base).appendingPathComponent("api/v1/rules")
        func count() async throws -> Int? { (try JSONSerialization.jsonObject(with: try await CLITests.get(url, key: key).1) as? [String: Any])?["count"] as? Int }
        #expect(try await count() == 1)
        try #"{"rules":[{"id":"all","unit":"street","deadline":{"amount":1,"unit":"working_days"}},{"id":"env","category":"06","unit":"street","deadline":{"amount":2,"unit":"working_days"}}]}"#
            .write(toFile: rules, atomically: true, encoding: .utf8)
        server.process.send(SIGHUP)
        #expect(try await CLITests.eventually(10) { try await count() == 2 })
        #expect(server.process.isRunning)
        #expect(try await server.stop() == 0)
    }

    static func post(_ base: URL, _ path: String, _ body: String, key: String) async throws -> [String: Any] {
        let data = try await CLITests.request(base.appendingPathComponent(path), method: .POST, key: key, json: body).body
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
