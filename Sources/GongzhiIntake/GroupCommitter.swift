import Foundation
import GongzhiStore
import Metrics

/// One writer for every channel: submissions wait in a bounded queue, and the writer takes as
/// many as have arrived (up to `maxBatch` reports, after lingering at most `linger` for more)
/// into one store transaction. Each submitter awaits its own results; a full queue is refused
/// at once (the caller answers 503), so memory never grows without bound.
public actor GroupCommitter {
    public struct Settings: Sendable {
        /// Reports per transaction, at most (a submission is never split, so one larger than
        /// this is a transaction of its own).
        public var maxBatch: Int
        /// How long the writer waits for more once it has fewer than `maxBatch`.
        public var linger: Duration
        /// Reports waiting, at most.
        public var capacity: Int

        public init(maxBatch: Int = 1_000, linger: Duration = .microseconds(500), capacity: Int = 20_000) {
            self.maxBatch = maxBatch
            self.linger = linger
            self.capacity = capacity
        }
    }

    public typealias Results = [Result<IntakeOutcome, IntakeFailure>]
    public typealias Commit = @Sendable ([IntakeSubmission]) async -> Results

    private struct Entry {
        var items: [IntakeSubmission]
        var continuation: CheckedContinuation<Results, Never>
    }

    private let settings: Settings
    private let commit: Commit
    private var entries: [Entry] = []
    private var queued = 0
    private var wake: CheckedContinuation<Void, Never>?
    private var stopped = false
    /// Batches committed and reports in them, for the metrics and the benchmark.
    public private(set) var batches = 0
    public private(set) var committed = 0

    public init(settings: Settings = Settings(), commit: @escaping Commit) {
        self.settings = settings
        self.commit = commit
    }

    // Metrics (swift-metrics; the server exports them at /metrics): reports by channel and
    // outcome, the size of each transaction, and how many wait.
    private let batchSize = Recorder(label: "gongzhi_intake_batch_reports", aggregate: true)
    private let depthGauge = Gauge(label: "gongzhi_intake_queue_depth")
    private var reportCounters: [String: Counter] = [:]

    private func count(_ items: [IntakeSubmission], _ results: Results) {
        for (item, result) in zip(items, results) {
            let outcome = switch result { case .success: "accepted"; case .failure: "refused" }
            let key = item.report.source.rawValue + "/" + outcome
            let counter = reportCounters[key] ?? Counter(label: "gongzhi_intake_reports_total",
                                                         dimensions: [("channel", item.report.source.rawValue), ("outcome", outcome)])
            reportCounters[key] = counter
            counter.increment()
        }
    }

    /// Queues `items` for the next transaction and waits for their results, in order.
    public func submit(_ items: [IntakeSubmission]) async throws(IntakeError) -> Results {
        guard !items.isEmpty else { return [] }
        guard !stopped, queued + items.count <= settings.capacity else { throw .busy(retryAfterSeconds: 1) }
        queued += items.count
        depthGauge.record(queued)
        return await withCheckedContinuation { continuation in
            entries.append(Entry(items: items, continuation: continuation))
            wake?.resume()
            wake = nil
        }
    }

    public var depth: Int { queued }

    /// The writer: runs until cancelled, then commits what is still queued and refuses more.
    public func run() async {
        while true {
            if entries.isEmpty {
                if Task.isCancelled { break }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { wake = $0 }
                } onCancel: {
                    Task { await self.wakeUp() }
                }
                continue
            }
            let lingers = settings.linger > .zero
            if lingers, queued < settings.maxBatch, !Task.isCancelled {
                try? await Task.sleep(for: settings.linger)
            }
            var batch: [Entry] = [], count = 0
            while let first = entries.first, batch.isEmpty || count + first.items.count <= settings.maxBatch {
                batch.append(entries.removeFirst())
                count += first.items.count
            }
            let items = batch.flatMap(\.items)
            let results = await commit(items)
            queued -= count
            depthGauge.record(queued)
            batchSize.record(count)
            self.count(items, results)
            batches += 1
            committed += count
            var offset = 0
            for entry in batch {
                entry.continuation.resume(returning: Array(results[offset..<(offset + entry.items.count)]))
                offset += entry.items.count
            }
        }
        stopped = true
    }

    private func wakeUp() {
        wake?.resume()
        wake = nil
    }
}
