import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// The one intake every channel uses: normalise → validate → locate → classify → (in the
/// store's transaction) de-duplicate → route → store, single or batched, through one writer.
/// Adapters (the report API, camera events, the demo, later Open311, CSV and the hotline) turn
/// their input into drafts and call this; it knows the store's protocol, not HTTP and not SQL.
public final class Intake: Sendable {
    let store: any IntakeStore
    let clock: any TimeSource
    let atlas: Live<Atlas>
    let cases: Live<CaseContext>
    let rules: Live<IntakeRules>
    let cameras: Live<[String: Camera]>
    /// Proposes categories for reports that come without one (the hotline's free text); the
    /// confidence at which its first guess is taken without a dispatcher is in the intake rules.
    let classifier: (any TextClassifier)?
    public let committer: GroupCommitter

    public init(store: any IntakeStore, clock: any TimeSource, atlas: Live<Atlas>, cases: Live<CaseContext>, rules: Live<IntakeRules>,
                cameras: Live<[String: Camera]>, classifier: (any TextClassifier)? = nil,
                settings: GroupCommitter.Settings = .init()) {
        self.store = store
        self.clock = clock
        self.atlas = atlas
        self.cases = cases
        self.rules = rules
        self.cameras = cameras
        self.classifier = classifier
        let context: @Sendable () -> IntakeContext = { [cases, rules] in IntakeContext(cases: cases.current, rules: rules.current) }
        committer = GroupCommitter(settings: settings) { batch in
            do { return try await store.commit(batch, context: context()) } catch {
                return batch.map { _ in .failure(.storage("\(error)")) }
            }
        }
    }

    /// Runs the writer until cancelled (a service of the application).
    public func run() async { await committer.run() }

    /// One report.
    public func submit(_ draft: ReportDraft, actor: Actor) async throws(IntakeError) -> IntakeOutcome {
        var report = try Normalise.report(draft, categories: cases.current.categories)
        try Normalise.locate(&report, atlas: atlas.current)
        classify(&report)
        let results = try await committer.submit([submission(report, actor: actor)])
        return try results[0].mapError(IntakeError.init).get()
    }

    /// A batch of already checked reports (bulk loaders: the demo, imports), in order.
    public func submit(reports: [Report], actor: Actor, at: [Date]? = nil) async throws(IntakeError) -> [Result<IntakeOutcome, IntakeError>] {
        let items = reports.enumerated().map { i, r in submission(r, actor: actor, at: at?[i]) }
        return try await committer.submit(items).map { $0.mapError(IntakeError.init) }
    }

    /// Camera events: each checked on its own; the good ones go in one batch, the bad ones are
    /// answered with their reason. Results are in the order of `events`.
    /// - Parameter at: the time of receipt; the clock's now unless replaying a past (the demo).
    public func submit(detections events: [CameraEventDraft], actor: Actor, at: Date? = nil) async throws(IntakeError) -> [Result<IntakeOutcome, IntakeError>] {
        let now = at ?? clock.now(), registry = cameras.current, categories = cases.current.categories, map = atlas.current, rules = rules.current
        var results = [Result<IntakeOutcome, IntakeError>?](repeating: nil, count: events.count)
        var items: [IntakeSubmission] = [], positions: [Int] = []
        for (i, e) in events.enumerated() {
            do {
                let d = try CameraEvents.detection(e, cameras: registry, categories: categories, atlas: map, rules: rules, now: now)
                items.append(IntakeSubmission(report: d.report, state: d.state, dropped: d.dropped, actor: actor, at: now))
                positions.append(i)
            } catch {
                results[i] = .failure(error)
            }
        }
        for (i, r) in zip(positions, try await committer.submit(items)) { results[i] = r.mapError(IntakeError.init) }
        return results.map { $0! }
    }

    /// A report without a category gets the classifier's three suggestions; the first becomes
    /// its category when it is sure enough (the rules' `auto_classify_min_confidence`).
    /// Otherwise the case waits, unclassified, in the dispatcher's queue with the suggestions.
    public func classify(_ report: inout Report) {
        guard report.category == nil, let classifier else { return }
        let categories = cases.current.categories
        // A model trained on an older directory may know a retired code: skip it, keep three.
        let guesses = Array(classifier.suggest(report.description, limit: 6).filter { categories.reportable($0.code) != nil }.prefix(3))
        guard let first = guesses.first else { return }
        let automatic = first.confidence >= rules.current.autoClassifyMinConfidence
        if automatic { report.category = first.code }
        report.classification = Classification(suggestions: guesses, automatic: automatic, model: classifier.modelID)
    }

    func submission(_ report: Report, actor: Actor, at: Date? = nil) -> IntakeSubmission {
        IntakeSubmission(report: report, actor: actor, at: at ?? clock.now())
    }
}
