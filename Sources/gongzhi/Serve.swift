import ArgumentParser
import Foundation
import GongzhiClassifier
import GongzhiCore
import GongzhiDemo
import GongzhiIntake
import GongzhiNotify
import GongzhiServer
import GongzhiSQL
import GongzhiStore
import Hummingbird
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the platform on the embedded SQLite database (created and migrated as needed) or on PostgreSQL.",
        discussion: "Several instances may serve one PostgreSQL database (--db postgres://…); see the README's \"Several servers\".")

    @Option(help: "Address to listen on. The default only accepts connections from this machine.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: DatabaseLocation.help)
    var db = DatabaseLocation.fromEnvironment

    @Flag(help: "Do not load the demo: no demo cases, users or generated unit grids (reference data and the bundled district and street areas are always loaded; import grids with gongzhi areas).")
    var noDemo = false

    @Option(help: "How many demo cases to load on first start.")
    var demoCases = 2_400

    @Option(help: "Routing rules file (JSON); the bundled Gongshu rules when omitted. Reloaded on SIGHUP.")
    var rules: String?

    @Option(help: "Intake rules file (JSON: de-duplication, camera confidence thresholds, detection summaries); the bundled rules when omitted.")
    var intakeRules: String?

    @Option(help: "Deliver messages to merchants (云共治 notices) by POSTing them to this URL, signed with the secret in GONGZHI_WEBHOOK_SECRET; without it they are written to the log.")
    var notifyWebhook: String?

    @Option(help: "Unit grid size in metres generated for the demo on first start.")
    var demoGridCell = 250.0

    @Option(help: "Office hours on working days, China Standard Time, for working-hour deadlines.")
    var officeHours = "08:30-12:00,13:30-17:30"

    @Option(help: "A scoring scheme file for the evaluation of units (default: the bundled evaluation_scheme.json).")
    var scheme: String?

    @Option(help: """
        The dispute and petition centre's types, committees, level rules and mediation limit \
        (default: the bundled mediation_rules.json).
        """)
    var mediationRules: String?

    @Option(help: """
        The key-population list's measures, health command and retention in days before released records are anonymised \
        (default: the bundled key_population.json).
        """)
    var keyPopulation: String?

    @Option(help: "Seconds between scheduler sweeps (warnings, overdues, escalations).")
    var sweepInterval = 15.0

    @Option(help: "Seconds between checks for reloads made on other instances of the same database (rules, areas, cameras).")
    var watchInterval = 5.0

    @Option(help: "Most reports the intake's writer commits in one transaction.")
    var commitBatch = 1_000

    @Option(help: "Milliseconds the intake's writer waits for more reports before a transaction of fewer than --commit-batch.")
    var commitLinger = 0.5

    @Option(help: "Most reports waiting for the writer; more are answered 503 with Retry-After.")
    var commitQueue = 20_000

    @Option(help: "Seconds a client has to send a whole request (head and body) once the server waits for one; also the idle keep-alive time.")
    var requestTimeout = 30.0

    @Option(help: "Most connections open at once; more wait in the listen backlog until one closes.")
    var maxConnections = 2_000

    @Option(help: "Write an anchor of every hash chain to this directory once a day (gongzhi-anchor-DATE.txt; check with verify --anchor).")
    var anchorDir: String?

    @Option(help: "Log lines as json (one object per line, for a collector) or text.")
    var logFormat = "json"

    @Option(help: """
        Hold the case list's pages in memory until anything is written (on or off). PostgreSQL only: it hears every instance's \
        writes; another instance's write reaches this one's list a few milliseconds after it commits.
        """)
    var listPageCache = "on"

    @Option(help: """
        Login attempts one address may make in five minutes, whatever the accounts. Raise it where many staff reach the server \
        through one public address (an office behind NAT).
        """)
    var loginAddressLimit = LoginPolicy().addressLimit

    @Option(help: ArgumentHelp("Run the clock from this RFC 3339 instant instead of now (for drills and tests).", visibility: .hidden))
    var now: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard demoCases >= 0, demoCases <= 1_000_000 else { throw ValidationError("--demo-cases must be between 0 and 1000000") }
        guard sweepInterval >= 0.05, sweepInterval <= 3_600 else { throw ValidationError("--sweep-interval must be between 0.05 and 3600 seconds") }
        guard watchInterval >= 0.05, watchInterval <= 3_600 else { throw ValidationError("--watch-interval must be between 0.05 and 3600 seconds") }
        guard (1...100_000).contains(commitBatch) else { throw ValidationError("--commit-batch must be between 1 and 100000") }
        guard ["json", "text"].contains(logFormat) else { throw ValidationError("--log-format must be json or text") }
        guard (1...10_000).contains(loginAddressLimit) else { throw ValidationError("--login-address-limit must be between 1 and 10000") }
        guard ["on", "off"].contains(listPageCache) else { throw ValidationError("--list-page-cache must be on or off") }
        guard requestTimeout >= 0.1, requestTimeout <= 3_600 else { throw ValidationError("--request-timeout must be between 0.1 and 3600 seconds") }
        guard (1...1_000_000).contains(maxConnections) else { throw ValidationError("--max-connections must be between 1 and 1000000") }
        guard commitLinger >= 0, commitLinger <= 1_000 else { throw ValidationError("--commit-linger must be between 0 and 1000 milliseconds") }
        guard (1...10_000_000).contains(commitQueue) else { throw ValidationError("--commit-queue must be between 1 and 10000000") }
        guard let hours = WorkingCalendar.OfficeHours(parsing: officeHours), (try? WorkingCalendar(years: [], officeHours: hours)) != nil else {
            throw ValidationError("--office-hours must be ordered, non-overlapping HH:MM-HH:MM intervals separated by commas")
        }
        if let now, Timestamp.parse(now) == nil { throw ValidationError("--now must be an RFC 3339 time such as 2026-10-01T09:00:00+08:00") }
        if let url = notifyWebhook {
            guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https", u.host != nil else {
                throw ValidationError("--notify-webhook must be an http(s) URL")
            }
            guard let secret = ProcessInfo.processInfo.environment["GONGZHI_WEBHOOK_SECRET"], secret.count >= 16 else {
                throw ValidationError("--notify-webhook needs GONGZHI_WEBHOOK_SECRET (at least 16 characters) to sign the messages")
            }
        }
    }

    func run() async throws {
        if logFormat == "json" { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
        // Before anything makes a metric (opening the database does): one made earlier stays a no-op.
        ServerMetrics.bootstrap()
        var logger = Logger(label: "gongzhi")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let clock: any TimeSource = now.flatMap(Timestamp.parse).map { OffsetTimeSource(startingAt: $0) } ?? SystemTimeSource()
        // A scheme file with a mistake stops the start, naming it, before anything is opened.
        let scoringScheme: ScoringScheme
        do { scoringScheme = try ReferenceData.scoringScheme(path: scheme) } catch { throw CommandFailure("\(error)") }
        let opened = try await OpenedDatabase.open(db, mustExist: false, rulesPath: rules,
                                                   officeHours: WorkingCalendar.OfficeHours(parsing: officeHours) ?? .standard)
        let intakeRules: IntakeRules
        do { intakeRules = try ReferenceData.intakeRules(path: self.intakeRules, categories: opened.reference.categories) } catch {
            throw CommandFailure("\(error)")
        }
        let centreRules: MediationRules
        do { centreRules = try ReferenceData.mediationRules(path: mediationRules, units: opened.reference.units) } catch {
            throw CommandFailure("\(error)")
        }
        let listRules: KeyPopulationRules
        do { listRules = try ReferenceData.keyPopulationRules(path: keyPopulation, units: opened.reference.units) } catch {
            throw CommandFailure("\(error)")
        }
        var summary = "\(opened.reference.categories.count) categories, \(opened.reference.units.count) units, "
            + "\(opened.store.context.current.rules.rules.count) rules, area layers v\(opened.atlas.current.version)"
        var loginPolicy = LoginPolicy()
        loginPolicy.addressLimit = loginAddressLimit
        let accounts = SQLAccountStore(db: opened.db, policy: loginPolicy)
        // First-start work happens once even when several instances start on one new database.
        summary += try await opened.db.exclusively("gongzhi.first-start") { [noDemo, demoGridCell, demoCases] in
            var added = ""
            // Another instance may have finished first-start work while this one opened.
            opened.atlas.replace(try await opened.areas.atlas())
            if !noDemo {
                if opened.atlas.current.layers[.grid] == nil {
                    let grids = try await opened.generateGrids(cellMetres: demoGridCell)
                    added += "; generated \(grids.featureCount) unit grids"
                }
                let demo = DemoData(store: opened.store, reference: opened.reference, atlas: opened.atlas.current, rules: intakeRules)
                let loaded = try await demo.loadIfNeeded(count: demoCases, now: clock.now())
                added += loaded.cases > 0
                    ? "; loaded \(loaded.cases) demo cases (\(loaded.detections) camera detections from \(loaded.cameras) cameras, \(loaded.merchants) merchants)"
                    : "; demo cases already loaded"
                // The dispute and petition centre's demo, once: nothing is added once it holds a matter.
                let centre = DemoCentre(centre: opened.store.centre, context: CentreContext(
                    rules: centreRules, units: opened.reference.units, calendar: opened.store.context.current.calendar))
                let matters = try await centre.loadIfEmpty(now: clock.now())
                if matters.disputes + matters.petitions > 0 {
                    added += "; loaded \(matters.disputes) demo disputes and \(matters.petitions) petitions"
                }
                // The enterprise registry (亲清在线), once: nothing is added once it holds an enterprise.
                let enterprises = try await DemoEnterprises(store: opened.store.enterprises).loadIfEmpty(now: clock.now())
                if enterprises > 0 { added += "; loaded \(enterprises) demo enterprises" }
                // Support policies and their ledger, once: nothing is added once a policy exists.
                let policies = try await DemoPolicies(store: opened.store.policies, units: opened.reference.units,
                                                      catalogue: try ReferenceData.enterpriseCatalogue(units: opened.reference.units,
                                                                                                 categories: opened.reference.categories))
                    .loadIfEmpty(now: clock.now())
                if policies > 0 { added += "; loaded \(policies) demo support policies" }
                // The key-population list, once: a few invented people at each stage.
                let people = try await DemoKeyPopulation(list: opened.store.keyPopulation, rules: listRules, units: opened.reference.units)
                    .loadIfEmpty(now: clock.now())
                if people > 0 { added += "; loaded \(people) demo people on the key-population list" }
                // The district's work plan (督查督办), once: a plan of its own later is not replaced.
                let plans = SQLPlanStore(db: opened.db)
                if try await plans.plans().isEmpty {
                    let plan = try await plans.load(try DemoPlan.data(), actor: "system:demo", at: clock.now())
                    added += "; loaded the demo plan \(plan.name)"
                }
            }
            try await FirstAccounts(accounts: accounts, demo: !noDemo).prepare(at: clock.now())
            return added
        }
        FileHandle.standardOutput.write(Data("gongzhi: database \(opened.db.location) (\(summary))\n".utf8))
        let classifier = try HotlineClassifier.bundled(categories: opened.reference.categories, keywords: try ReferenceData.bundledKeywords())
        let services = try GongzhiServices(store: opened.store, reference: opened.reference, clock: clock, atlas: opened.atlas, rulesPath: rules,
                                       accounts: accounts, intakeRules: intakeRules, cameras: try await opened.store.cameras(),
                                       classifier: classifier,
                                       commit: .init(maxBatch: commitBatch, linger: .microseconds(Int(commitLinger * 1000)), capacity: commitQueue),
                                       scheme: scoringScheme, mediationRules: centreRules, listPageCache: listPageCache == "on",
                                       keyPopulationRules: listRules)
        for warning in services.rulesWarnings() { FileHandle.standardOutput.write(Data("gongzhi: warning: \(warning)\n".utf8)) }
        let reloader = SignalReloader(services: services, logger: logger)
        defer { reloader.cancel() }
        let host = host
        let channel: (any MessageChannel)? = notifyWebhook.map {
            WebhookChannel(url: $0, secret: ProcessInfo.processInfo.environment["GONGZHI_WEBHOOK_SECRET"] ?? "", clock: clock)
        }
        let app = try await buildApplication(services, host: host, port: port, logger: logger, sweepEvery: .milliseconds(Int(sweepInterval * 1000)),
                                             channel: channel, watchEvery: .milliseconds(Int(watchInterval * 1000)),
                                             limits: GongzhiHTTP.Limits(requestTimeout: .milliseconds(Int(requestTimeout * 1000)),
                                                                        maxConnections: maxConnections),
                                             more: anchorDir.map { [AnchorService(db: opened.db, dir: $0, clock: clock, logger: logger)] }
                                                 ?? []) { port in
            let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
            // Written straight to the file descriptor so it is seen at once even when piped.
            FileHandle.standardOutput.write(Data("gongzhi: serving on http://\(shown):\(port)/  (API: /api/v1/cases, spec: /openapi.json; Ctrl-C stops)\n".utf8))
        }
        do {
            try await app.runService()
        } catch {
            await opened.close()
            throw CommandFailure("cannot serve on \(host):\(port): \(error)")
        }
        await opened.close()
        let committed = await services.intake.committer.committed, batches = await services.intake.committer.batches
        print("gongzhi: stopped (intake committed \(committed) reports in \(batches) transactions)")
    }
}

/// Reloads the rules and area layers on SIGHUP, as daemons do.
final class SignalReloader {
    private let source: any DispatchSourceSignal

    init(services: GongzhiServices, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            Task {
                do {
                    let r = try await services.reload()
                    logger.info("reloaded on SIGHUP", metadata: ["rules": "\(r.rules)", "area_version": "\(r.atlasVersion)"])
                    for warning in services.rulesWarnings() { logger.warning("\(warning)") }
                } catch {
                    logger.error("reload on SIGHUP failed; the previous rules and areas stay in force", metadata: ["error": "\(error)"])
                }
            }
        }
        source.resume()
    }

    func cancel() { source.cancel() }
}

/// Writes the heads of every chain to `dir` once a day (a file per China date, at the first
/// check of the day: at start, then hourly), so that a history rewritten later is caught by
/// `gongzhi verify --anchor` against a file the database's writer cannot reach once copied away.
struct AnchorService: Service {
    let db: any SQLDatabase
    let dir: String
    let clock: any TimeSource
    let logger: Logger

    func run() async throws {
        let failure = "writing the daily anchor failed; will retry"
        await everyUntilShutdown(.seconds(3_600), logger: logger, failure: failure) { [db, dir, clock, logger] in
            let now = clock.now()
            let path = URL(fileURLWithPath: dir).appendingPathComponent("gongzhi-anchor-\(Timestamp.rfc3339(now).prefix(10)).txt").path
            guard !FileManager.default.fileExists(atPath: path) else { return }
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let anchor = try await ChainAnchor.take(db, at: now)
            try anchor.text.write(toFile: path, atomically: true, encoding: .utf8)
            logger.info("anchored the hash chains", metadata: ["file": "\(path)", "cases": "\(anchor.cases.count)", "digest": "\(anchor.digest)"])
        }
    }
}
