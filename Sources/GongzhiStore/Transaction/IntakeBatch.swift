import Foundation
import GongzhiCore

/// What one group-committed batch has read and not yet written, inside its transaction.
///
/// A camera sends bursts: hundreds of detections of one problem, each joining its camera's
/// open case. Done one by one, each costs a retry lookup, a lock, a read of the case, a row and
/// an update — five round trips to PostgreSQL. Within a batch the retry lookups are made in one
/// query at the start, every camera's lock is taken in one statement and their open cases read
/// in one query, and the detections' rows and the cases' counters are written with multi-row
/// statements at the end. Any other kind of
/// report in the batch first writes out what is pending, so it reads what a one-by-one intake
/// would. The unique index on (source, external id) still guards against a concurrent
/// duplicate: the batch then fails, and the store runs it again one by one.
public final class IntakeBatch {
    /// A report of the batch's external ids stored before it or earlier in it; a pending row
    /// (not written yet) has no stored report.
    struct Seen {
        var stored: StoredReport?
    }

    private var seen: [String: Seen] = [:]
    /// Camera cases read (and locked) in this batch, with their counters as they are now.
    private var cameraCases: [String: CameraCase] = [:]
    private var dirty: Set<String> = []
    /// The cameras and categories whose intake lock this transaction holds.
    private var locked: Set<String> = []
    private var pending: [ReportInsert] = []
    /// Which result each pending row answers.
    private var pendingResult: [Int] = []
    private var assigned: [Int: Int64] = [:]

    /// Reads the stored reports of every external id in the batch (one query per source),
    /// takes the intake locks of every camera and category in it (one statement, in a fixed
    /// order) and reads their open cases (one query).
    init(_ batch: [IntakeSubmission], sql: any CaseSQL) throws {
        let bySource = Dictionary(grouping: batch.compactMap { s in s.report.externalID.map { (s.report.source, $0) } }, by: \.0)
        for (source, pairs) in bySource {
            for report in try sql.findReports(source: source, externalIDs: Array(Set(pairs.map(\.1)))) {
                seen[Self.key(source, report.report.externalID ?? "")] = Seen(stored: report)
            }
        }
        var pairs: [String: (camera: String, category: String)] = [:]
        for s in batch where !s.dropped {
            guard let camera = s.report.cameraID, let category = s.report.category else { continue }
            pairs[Self.key(camera: camera, category: category)] = (camera, category)
        }
        guard !pairs.isEmpty else { return }
        let keys = pairs.keys.sorted()
        try sql.lock(all: keys.map { Self.lockName(pairs[$0]!.camera, pairs[$0]!.category) })
        locked = Set(keys)
        cameraCases = try sql.cameraCases(keys.map { pairs[$0]! })
    }

    static func lockName(_ camera: String, _ category: String) -> String { "intake:camera:\(camera):\(category)" }

    /// Whether this transaction holds the camera and category's lock already.
    func holdsLock(_ key: String) -> Bool { locked.contains(key) }

    static func key(_ source: ReportSource, _ externalID: String) -> String { source.rawValue + "\u{0}" + externalID }
    public static func key(camera: String, category: String) -> String { camera + "\u{0}" + category }

    /// A report of this source and external id, stored or pending: nil when it is new.
    func lookup(_ r: Report) -> Seen? { r.externalID.flatMap { seen[Self.key(r.source, $0)] } }

    /// A report the batch wrote at once (not pending), so a later retry in the batch finds it.
    func wrote(_ r: Report, id: Int64, caseID: Int64?, state: DetectionState?, outcome: IntakeOutcome.Kind, at: Date) {
        guard let externalID = r.externalID else { return }
        seen[Self.key(r.source, externalID)] = Seen(stored: StoredReport(id: id, caseID: caseID, report: r, state: state, outcome: outcome,
                                                                          receivedAt: at))
    }

    /// A detection's row, written at the end (or before the next report that needs it).
    func hold(_ row: ReportInsert, result: Int) {
        if let externalID = row.report.externalID {
            seen[Self.key(row.report.source, externalID)] = Seen(stored: nil)
        }
        pending.append(row)
        pendingResult.append(result)
    }

    func cameraCase(_ key: String) -> CameraCase? { cameraCases[key] }

    func keep(_ c: CameraCase, key: String, dirty isDirty: Bool) {
        cameraCases[key] = c
        if isDirty { dirty.insert(key) } else { dirty.remove(key) }
    }

    /// Forgets a camera case that a report is about to change another way (opened, joined by
    /// place, rechecked): the next detection reads it afresh.
    func forget(key: String, caseID: Int64?) {
        cameraCases[key] = nil
        if let caseID { cameraCases = cameraCases.filter { $0.value.open.id != caseID } }
    }

    /// Writes what is pending: the detections' rows and the camera cases' counters.
    func flush(_ sql: any CaseSQL) throws {
        try sql.setDetections(dirty.sorted().compactMap { cameraCases[$0] })
        dirty = []
        guard !pending.isEmpty else { return }
        let ids = try sql.insertReports(pending)
        for (i, id) in ids.enumerated() {
            assigned[pendingResult[i]] = id
            let row = pending[i]
            wrote(row.report, id: id, caseID: row.caseID, state: row.state, outcome: row.outcome, at: row.at)
        }
        pending = []
        pendingResult = []
    }

    /// The outcomes with the ids of the rows written last.
    func finish(_ outcomes: [IntakeOutcome], sql: any CaseSQL) throws -> [IntakeOutcome] {
        try flush(sql)
        var done = outcomes
        for (result, id) in assigned { done[result].reportID = id }
        return done
    }
}

/// A report row to insert: the report and what the intake decided for it.
public struct ReportInsert: Sendable {
    public var report: Report
    public var caseID: Int64?
    public var state: DetectionState?
    public var outcome: IntakeOutcome.Kind
    public var at: Date

    public init(report: Report, caseID: Int64?, state: DetectionState?, outcome: IntakeOutcome.Kind, at: Date) {
        self.report = report
        self.caseID = caseID
        self.state = state
        self.outcome = outcome
        self.at = at
    }
}
