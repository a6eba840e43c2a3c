import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiNotify
import GongzhiStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Runs `body` at once and then every `every`, until graceful shutdown (which cancels the
/// sleep; a round in progress finishes its transaction first). A round that fails is logged
/// and tried again at the next.
public func everyUntilShutdown(_ every: Duration, logger: Logger, failure: String,
                        _ body: @escaping @Sendable () async throws -> Void) async {
    try? await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do { try await body() } catch where !Task.isCancelled { logger.error("\(failure)", metadata: ["error": "\(error)"]) }
            try await Task.sleep(for: every)
        }
    }
}

/// Runs the timer sweep at start (catching up on whatever fell due while the server was
/// down) and then at a fixed interval, until shutdown. Every instance sweeps; each due case is
/// claimed in the database, so each mark is made once.
struct SchedulerService: Service {
    let timers: any TimerStore
    let clock: any TimeSource
    let every: Duration
    let logger: Logger

    func run() async throws {
        // The sweep's time and the moment it last succeeded: a scraper alerts on
        // time() - gongzhi_timer_sweep_last_success_seconds (the sweep's lag).
        let duration = Metrics.Timer(label: "gongzhi_timer_sweep_duration")
        let lastSuccess = Gauge(label: "gongzhi_timer_sweep_last_success_seconds")
        let marks = ["warn", "overdue", "escalate"].map { Counter(label: "gongzhi_timer_marks_total", dimensions: [("kind", $0)]) }
        await everyUntilShutdown(every, logger: logger, failure: "scheduler sweep failed; will retry") { [timers, clock, logger] in
            let started = ContinuousClock.now
            let r = try await timers.sweepTimers(now: clock.now(), batch: 200)
            duration.record(duration: ContinuousClock.now - started)
            lastSuccess.record(clock.now().timeIntervalSince1970)
            for (counter, n) in zip(marks, [r.warned, r.overdue, r.escalated]) where n > 0 { counter.increment(by: n) }
            guard r.total > 0 else { return }
            logger.info("scheduler marked timers",
                        metadata: ["warned": "\(r.warned)", "overdue": "\(r.overdue)", "escalated": "\(r.escalated)"])
        }
    }
}

/// Follows reloads made on other instances of the same database: a rules reload (SIGHUP or the
/// API), an area import (`gongzhi areas`), a camera registered. Polls a revision in the
/// database, so it needs nothing but the database the instances share.
struct ReloadWatch: Service {
    let services: GongzhiServices
    let every: Duration
    let logger: Logger

    func run() async throws {
        let seen = Mutex(try? await services.store.reloadRevision())
        let failure = "following a reload failed; the previous rules and areas stay in force"
        await everyUntilShutdown(every, logger: logger, failure: failure) { [services, logger] in
            let now = try await services.store.reloadRevision()
            guard seen.withLock({ last in defer { last = now }; return last != now }) else { return }
            let r = try await services.follow()
            logger.info("reloaded after a change on another instance",
                        metadata: ["rules": "\(r.rules)", "area_version": "\(r.atlasVersion)"])
        }
    }
}

/// Hears the write transactions of other instances on the same PostgreSQL database, so that the
/// cases they take in reach this instance's open cockpits (their event streams follow
/// `Storage.changes`); listens again after a lost connection.
struct ChangeWatch: Service {
    let store: any Storage
    let logger: Logger

    func run() async throws {
        await everyUntilShutdown(.seconds(2), logger: logger, failure: "following other instances' changes failed; listening again") {
            [store] in try await store.followChanges()
        }
    }
}

/// The intake's writer: group-commits what every channel submits, until shutdown, when it
/// commits what is still queued.
struct IntakeWriter: Service {
    let intake: Intake

    func run() async throws {
        await cancelWhenGracefulShutdown { await intake.run() }
    }
}

/// Delivers the outbox: at start (what a crash left) and then at a fixed interval. Messages
/// are leased in the database, so instances share the work and a dead one's is taken over.
struct DeliveryService: Service {
    let worker: DeliveryWorker
    let every: Duration
    let logger: Logger

    func run() async throws {
        let backlog = Gauge(label: "gongzhi_outbox_backlog")
        let delivered = Counter(label: "gongzhi_outbox_sent_total")
        await everyUntilShutdown(every, logger: logger, failure: "outbox delivery failed; will retry") { [worker, logger] in
            let sent = try await worker.runOnce()
            delivered.increment(by: sent)
            backlog.record(try await worker.store.outboxBacklog())
            if sent > 0 { logger.info("outbox delivered", metadata: ["sent": "\(sent)"]) }
        }
    }
}

/// The centre's clocks: warns of petitions and disputes whose pending step has three days or
/// fewer left and marks those past their last day, as events, every `every` until shutdown.
struct CentreSweepService: Service {
    let centre: any CentreStore
    let clock: any TimeSource
    let every: Duration
    let logger: Logger

    func run() async throws {
        await everyUntilShutdown(every, logger: logger, failure: "centre clock sweep failed; will retry") { [centre, clock, logger] in
            let made = try await centre.sweep(at: clock.now())
            if made > 0 { logger.info("centre clocks marked", metadata: ["marks": "\(made)"]) }
        }
    }
}

/// The key-population list's retention: erases the personal fields of every record released
/// more than `retention_days` ago, every `every` until shutdown (the first pass at start, so a
/// server that was down catches up). Each pass is one transaction with its audit entry.
struct KeyPopulationRetentionService: Service {
    let list: any KeyPopulationStore
    let rules: KeyPopulationRules
    let clock: any TimeSource
    let every: Duration
    let logger: Logger

    func run() async throws {
        let failure = "key-population anonymisation failed; will retry"
        await everyUntilShutdown(every, logger: logger, failure: failure) { [list, rules, clock, logger] in
            let now = clock.now()
            let erased = try await list.anonymise(endedBefore: now.addingTimeInterval(-Double(rules.retentionDays) * 86_400),
                                                  by: "system:retention", at: now)
            if erased > 0 { logger.info("key-population records anonymised", metadata: ["records": "\(erased)"]) }
        }
    }
}
