import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the platform on the embedded SQLite database (created and migrated as needed).")

    @Option(help: "Address to listen on. The default only accepts connections from this machine.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "SQLite database file.")
    var db = "./gongzhi.sqlite"

    @Flag(help: "Do not load the Gongshu demo cases (reference data is always loaded).")
    var noDemo = false

    @Option(help: "How many demo cases to load on first start.")
    var demoCases = 2_400

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard demoCases >= 0, demoCases <= 1_000_000 else { throw ValidationError("--demo-cases must be between 0 and 1000000") }
    }

    func run() async throws {
        var logger = Logger(label: "gongzhi")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let clock = SystemTimeSource()
        let opened = try await OpenedDatabase.open(path: db)
        var summary = "\(opened.reference.categories.count) categories, \(opened.reference.units.count) units, \(opened.reference.areas.count) areas"
        if !noDemo {
            let added = try await DemoData(store: opened.store, reference: opened.reference).loadIfNeeded(count: demoCases, now: clock.now())
            summary += added > 0 ? "; loaded \(added) demo cases" : "; demo cases already loaded"
        }
        FileHandle.standardOutput.write(Data("gongzhi: database \(opened.database.path) (\(summary))\n".utf8))
        let services = GongzhiServices(store: opened.store, reference: opened.reference, clock: clock)
        let host = host
        let app = buildApplication(services, host: host, port: port, logger: logger) { port in
            let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
            // Written straight to the file descriptor so it is seen at once even when piped.
            FileHandle.standardOutput.write(Data("gongzhi: serving on http://\(shown):\(port)/  (API: /api/v1/cases, spec: /openapi.json; Ctrl-C stops)\n".utf8))
        }
        do {
            try await app.runService()
        } catch {
            throw CommandFailure("cannot serve on \(host):\(port): \(error)")
        }
        print("gongzhi: stopped")
    }
}

/// A database opened, migrated and seeded with reference data, with its case store.
struct OpenedDatabase {
    let database: GongzhiDatabase
    let reference: ReferenceData
    let store: SQLiteCaseStore

    static func open(path: String, mustExist: Bool = false) async throws -> OpenedDatabase {
        if mustExist, !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("no database at \(path)")
        }
        let database: GongzhiDatabase
        do { database = try GongzhiDatabase(path: path) } catch { throw CommandFailure("\(error)") }
        let references = ReferenceStore(database: database)
        try await references.seed(try ReferenceData.bundled())
        let reference = try await references.load()
        let store = SQLiteCaseStore(database: database, context: CaseContext(units: reference.units, categories: reference.categories))
        return OpenedDatabase(database: database, reference: reference, store: store)
    }
}
