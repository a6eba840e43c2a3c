import Foundation
import GongzhiCore

/// What the server and the command line need of case persistence. Implementations keep
/// every command atomic: the events and the case row are written in one transaction, or
/// neither is.
public protocol CaseStore: Sendable {
    /// Opens a case for a validated report, or returns the case a previous submission with
    /// the same `(source, external_id)` opened (`created == false`).
    func create(_ report: Report, actor: Actor, at: Date) async throws -> (record: CaseRecord, created: Bool)
    /// Applies a command. Throws `CaseError` (nothing written) or `StoreError.caseNotFound`.
    /// `authorize` sees the case as it is inside the transaction and may throw to refuse.
    func perform(_ command: CaseCommand, on id: Int64, actor: Actor, at: Date,
                 authorize: @escaping @Sendable (CaseRecord) throws -> Void) async throws -> CaseRecord
    func find(id: Int64) async throws -> CaseRecord?
    func history(of id: Int64) async throws -> [CaseEvent]
    func list(_ query: CaseQuery) async throws -> CasePage
    /// The same page as `list`, as each case's id and revision only: a cache of rendered cases
    /// (the API's case list) then reads whole rows only for what it lacks or holds out of date.
    func listRevisions(_ query: CaseQuery) async throws -> RevisionPage
    /// Cases by id with their revisions, in the order given; ids without a case are left out.
    func cases(ids: [Int64]) async throws -> [(record: CaseRecord, revision: CaseRevision)]
    /// How many cases match the query's filters and scope (its sort, cursor and limit ignored).
    func count(_ query: CaseQuery) async throws -> Int
    /// A case's reports, oldest first, after the report id `after`.
    func reports(of id: Int64, after: Int64?, limit: Int) async throws -> [StoredReport]
    /// Events that changed a case's status (or opened it) in `[from, to)`, oldest first, of
    /// cases whose category is in one of `majorClasses`: the feed Open311 clients follow.
    func statusChanges(from: Date, to: Date, majorClasses: [String], limit: Int) async throws -> [StatusChange]
}

/// One status change of a case, for feeds.
public struct StatusChange: Sendable, Hashable {
    public var event: CaseEvent
    public var category: String?

    public init(event: CaseEvent, category: String?) {
        self.event = event
        self.category = category
    }
}

/// Filters of the case list. Empty arrays mean "any".
public struct CaseQuery: Sendable, Hashable {
    public var statuses: [CaseStatus] = []
    /// Exact codes, or two-digit major classes (`06`), which match every code in the class.
    public var categories: [String] = []
    public var units: [String] = []
    public var sources: [ReportSource] = []
    /// Area codes located at report time.
    public var streets: [String] = []
    public var communities: [String] = []
    public var grids: [String] = []
    /// When set, only cases whose unit still holds them past their deadline at this instant.
    public var overdueAt: Date?
    /// When set, only cases whose ownership is (or is not) disputed.
    public var disputed: Bool?
    /// Only cases a unit has sent back or disputed (the console's attention queue).
    public var returnedOrDisputed = false
    public var sort: CaseSort = .newest
    /// Only cases the caller may see; applied inside the query.
    public var scope: Scope = .all
    /// Reported at or after.
    public var since: Date?
    /// Reported before.
    public var until: Date?
    /// Only cases with a deadline before this instant (due today: before tomorrow's midnight).
    public var dueBefore: Date?
    public var limit: Int = 50
    public var cursor: CaseCursor?

    public static let maxLimit = 200

    public init() {}
}

/// The list's order.
public enum CaseSort: String, Sendable, Hashable, CaseIterable {
    /// Newest report first.
    case newest
    /// Least time left first: only cases whose unit's clock runs (dispatched, with a deadline).
    case timeLeft = "time_left"
    /// Oldest report first: the dispatcher's queue, first come first served.
    case oldest
}

/// A position in the list: the last item's sort key and id. Opaque to clients; keyset
/// pagination stays fast and stable while cases are added.
public struct CaseCursor: Sendable, Hashable {
    public var sort: CaseSort
    /// `created_at` (newest) or `due_at` (time left), epoch milliseconds.
    public var key: Int64
    public var id: Int64

    public init(sort: CaseSort = .newest, key: Int64, id: Int64) {
        self.sort = sort
        self.key = key
        self.id = id
    }

    static let letters: [CaseSort: Substring] = [.newest: "n", .timeLeft: "t", .oldest: "o"]

    public var token: String {
        Data("\(Self.letters[sort] ?? "n"):\(key):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public init?(token: String) {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard token.count <= 64, let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 3, let sort = Self.letters.first(where: { $0.value == parts[0] })?.key, let key = Int64(parts[1]),
              let id = Int64(parts[2]) else { return nil }
        self.init(sort: sort, key: key, id: id)
    }
}

public struct CasePage: Sendable {
    public var items: [CaseRecord]
    public var nextCursor: CaseCursor?

    public init(items: [CaseRecord], nextCursor: CaseCursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// What tells that a case's row changed. Every event adds to its count (a history only grows,
/// one event at a time under the row's lock, so a count names one state); the report tally is
/// the one part of the row that changes without an event (camera detections are counted on the
/// row between their summary events), so it is part of the revision too.
public struct CaseRevision: Sendable, Hashable {
    public var eventCount: Int
    public var tally: String?
    public var lastReportAt: Int64?

    public init(eventCount: Int, tally: String?, lastReportAt: Int64?) {
        self.eventCount = eventCount
        self.tally = tally
        self.lastReportAt = lastReportAt
    }
}

public struct RevisionPage: Sendable {
    public var items: [(id: Int64, revision: CaseRevision)]
    public var nextCursor: CaseCursor?

    public init(items: [(id: Int64, revision: CaseRevision)], nextCursor: CaseCursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// The scheduler's store: marks what is due (see `TimerMarks`), each case in the transaction
/// that sets its flags, so each mark happens once however often and wherever the sweep runs.
public protocol TimerStore: Sendable {
    /// Everything due at `now`, in transactions of at most `batch` cases.
    func sweepTimers(now: Date, batch: Int) async throws -> TimerMarks.Tally
}

/// Everything a running server asks of one database, whichever it is: the case store with the
/// intake's commit, the registry, the outbox and co-governance, the scheduler, and the area
/// layers. The reference context (`context`) is the one in force, replaced whole on reload.
public protocol Storage: CaseStore, IntakeStore, RegistryStore, OutboxStore, CoGovernanceStore, TimerStore {
    var context: Live<CaseContext> { get }
    var areaStore: any AreaStore { get }
    /// The evaluation's sums, kept in the same transactions as the events.
    var statistics: any StatisticsStore { get }
    /// The work plans kept in the same database.
    var plans: any PlanStore { get }
    /// The dispute and petition centre kept in the same database.
    var centre: any CentreStore { get }
    /// The enterprise registry (亲清在线) kept in the same database.
    var enterprises: any EnterpriseStore { get }
    /// Support policies and their payment ledger, kept in the same database.
    var policies: any PolicyStore { get }
    /// The key-population list, kept in the same database.
    var keyPopulation: any KeyPopulationStore { get }
    /// The parts of joint cases, kept in the same database.
    var jointTasks: any JointTaskStore { get }
    /// Joint inspection rounds, kept in the same database.
    var inspections: any InspectionStore { get }
    /// What a what-if reads (it writes nothing).
    var replay: any ReplaySource { get }
    /// Bumped after each committed write transaction of this process, and of other instances
    /// while `followChanges` runs.
    var changes: ChangeCounter { get }
    /// Counts other instances' write transactions into `changes` as they commit, until cancelled.
    func followChanges() async throws
    /// Whether other instances can write to this database (and `followChanges` hears them).
    var followsOtherInstances: Bool { get }
    func find(trackingCode: String) async throws -> CaseRecord?
    /// Runs `body` in one write transaction: everything it does commits together or not at all.
    /// A backend that can lose a race with another writer (a deadlock, a serialisation failure)
    /// runs `body` again, so it must not have effects outside the transaction.
    func transaction<T: Sendable>(context: CaseContext, _ body: @escaping @Sendable (CaseTransaction) throws -> T) async throws -> T
    /// A value that changes whenever any instance reloads its rules, imports area layers or
    /// changes the camera registry: instances watch it to reload too.
    func reloadRevision() async throws -> String
    /// Records that this instance reloaded, so that every other instance does.
    func announceReload() async throws
}
