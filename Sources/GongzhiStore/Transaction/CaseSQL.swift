import Foundation
import GongzhiCore

/// The rows a case transaction reads and writes, inside one open write transaction of one
/// backend. Each backend implements it once (SQLite through GRDB, PostgreSQL through
/// PostgresNIO); what a command, a report or a timer does with those rows is written once, in
/// `CaseTransaction`, so the two backends cannot come to disagree about the loop.
///
/// Calls are synchronous: SQLite's write transactions are (GRDB runs them on its writer
/// queue), and PostgreSQL's run on a thread of their own that waits for each answer.
public protocol CaseSQL {
    /// The case row. With `lock`, the row stays locked until the transaction ends, so two
    /// instances acting on one case take turns (PostgreSQL `FOR UPDATE`; SQLite writers are
    /// serial anyway).
    func findCase(id: Int64, lock: Bool) throws -> CaseRecord?
    /// How many parts of a joint case are pending (open or returned).
    func pendingJointParts(of caseID: Int64) throws -> Int
    /// Inserts a new case row and returns its id, or nil when its tracking code is taken.
    func insertCase(_ r: CaseRecord) throws -> Int64?
    /// The chain head after the opening event: the only columns that change when a case opens.
    func setChain(of id: Int64, eventCount: Int, lastHash: String) throws
    /// Writes the projected columns of `r` that differ from `old`.
    func updateProjection(_ r: CaseRecord, from old: CaseRecord) throws
    func insertEvent(_ e: CaseEvent) throws
    /// Many events in multi-row statements (bulk loads).
    func insertEvents(_ events: [CaseEvent]) throws
    /// Hands out `count` case ids at once (bulk loads, which insert each row whole).
    func reserveCaseIDs(_ count: Int) throws -> ClosedRange<Int64>
    /// Which of these tracking codes cases already have.
    func takenTrackingCodes(_ codes: [String]) throws -> Set<String>
    /// Whole case rows, ids and final projection included, in multi-row statements (bulk loads).
    func insertCases(_ records: [CaseRecord]) throws
    /// Report rows whose ids nobody needs back, in multi-row statements (bulk loads).
    func insertOpeningReports(_ rows: [ReportInsert]) throws
    /// Facts of cases that had none, and what they add to the sums, in multi-row statements
    /// with each sum row written once (bulk loads).
    func addFacts(_ facts: [(caseID: Int64, fact: Fact)]) throws
    /// A case's history so far, this transaction's events included.
    func events(of id: Int64) throws -> [CaseEvent]
    /// What the case adds to the statistics now (see `CaseFacts`).
    func facts(of id: Int64) throws -> [Fact]
    /// Replaces the case's facts and adds the difference to the statistics' sums.
    func replaceFacts(of id: Int64, old: [Fact], new: [Fact]) throws

    /// The report a source already sent with this id, if any.
    func findReport(source: ReportSource, externalID: String) throws -> StoredReport?
    func insertReport(_ r: Report, caseID: Int64?, state: DetectionState?, outcome: IntakeOutcome.Kind, at: Date) throws -> Int64
    /// The stored reports of one source among these external ids.
    func findReports(source: ReportSource, externalIDs: [String]) throws -> [StoredReport]
    /// Rows with external ids, in multi-row statements; their ids in the order given.
    func insertReports(_ rows: [ReportInsert]) throws -> [Int64]
    /// A case's tally of reports by source, counted from its reports.
    func countReports(of id: Int64) throws -> ReportTally
    func setTally(of id: Int64, _ tally: ReportTally) throws
    /// Moves a merged duplicate's reports to its target (`back == false`), or the duplicate's own
    /// reports back from the target when the merge is undone.
    func moveReports(of duplicate: Int64, target: Int64, back: Bool) throws

    /// The open case of a camera and a category, with what detection counting needs.
    func cameraCase(camera: String, category: String) throws -> CameraCase?
    /// The detection counters of a camera's case; `summaryAt` set when a summary was written.
    func setDetections(of id: Int64, tally: ReportTally, pending: Int, pendingFirst: Int64?, summaryAt: Int64?) throws
    /// The open cases of many cameras and categories at once, locked, keyed camera + NUL + category.
    func cameraCases(_ pairs: [(camera: String, category: String)]) throws -> [String: CameraCase]
    /// Many cases' detection counters in one statement (no summary written).
    func setDetections(_ cases: [CameraCase]) throws
    /// Open cases of a category in a box whose latest report is at or after `since` (ms), newest first.
    func nearbyCases(category: String, box: GeoBox, since: Int64, limit: Int) throws -> [CaseRecord]

    /// Merchants whose frontage a camera sees, by id.
    func merchants(seenBy camera: String) throws -> [Merchant]
    /// Merchants in a box, by id.
    func merchants(in box: GeoBox) throws -> [Merchant]
    func insertNotice(tokenHash: String, caseID: Int64, merchantID: String, at: Date, expires: Date) throws
    func notice(tokenHash: String) throws -> StoredNotice?
    func confirmNotice(tokenHash: String, at: Date) throws
    /// Writes an outbox message; a second one for the same case, event and recipient is ignored.
    func enqueue(caseID: Int64, eventSeq: Int, kind: String, recipient: String, payload: String, at: Date) throws

    func meta(_ key: String) throws -> String?
    func setMeta(_ key: String, _ value: String) throws
    /// Cases with a timer due at `ms`, unflagged, at most `limit`, by id. With several
    /// instances, rows another transaction holds are skipped (`FOR UPDATE SKIP LOCKED`).
    func dueCases(at ms: Int64, limit: Int) throws -> [Int64]
    /// Camera cases a merchant did not correct, now with enforcement and not yet handled.
    func enforcedCameraCases() throws -> [Int64]
    /// Holds a named lock until the transaction ends: intake takes one per camera and category
    /// (or per category where reports are de-duplicated by place), so two instances cannot both
    /// open a case for the same problem. A no-op where there is one writer.
    func lock(_ name: String) throws
    /// Several locks, taken in the order given (callers sort them, so no two transactions wait on each other).
    func lock(all names: [String]) throws
    /// Runs `body` so that, if it throws, what it wrote is undone and the transaction goes on.
    func savepoint<T>(_ body: () throws -> T) throws -> T
}

/// A box of latitudes and longitudes (see `GeoPoint.box`).
public typealias GeoBox = (lat: ClosedRange<Double>, lon: ClosedRange<Double>)

/// What a detection needs of its camera's open case: the planner's view, the report tally and
/// the detections waiting for the next summary.
public struct CameraCase: Sendable {
    public var open: OpenCase
    public var tally: ReportTally
    /// When the last summary was written (or the case was observed/opened), epoch ms.
    public var since: Int64
    public var pending: Int
    public var pendingFirst: Int64?

    public init(open: OpenCase, tally: ReportTally, since: Int64, pending: Int, pendingFirst: Int64?) {
        self.open = open
        self.tally = tally
        self.since = since
        self.pending = pending
        self.pendingFirst = pendingFirst
    }
}

/// A merchant's notice as stored: its secret is kept only as a hash.
public struct StoredNotice: Sendable {
    public var caseID: Int64
    public var merchantID: String
    public var expiresAt: Date

    public init(caseID: Int64, merchantID: String, expiresAt: Date) {
        self.caseID = caseID
        self.merchantID = merchantID
        self.expiresAt = expiresAt
    }
}
