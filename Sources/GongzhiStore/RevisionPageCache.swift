import Synchronization

/// Pages of the case list (ids and revisions) by query, kept while nothing has been written.
/// On PostgreSQL each page of the list was a round trip to the database: at a million cases the
/// filtered list answered about 2,000 requests/s on two cores against SQLite's 4,000, and the
/// database and its client took over half the time (BENCHMARKS.md, issue 11).
///
/// A page is the query's answer for as long as the store's `ChangeCounter` stands still and
/// vouches for every writer (`hearsEveryWriter`). Whatever is read is stored under the count
/// seen before the query, so a write that commits meanwhile leaves it unreachable. The query
/// is the key as a whole: the caller's scope is in it, and so is the instant of an "overdue"
/// filter, so time-dependent filters do not match again unless the clock stands still.
///
/// Another instance's write is heard when its notice arrives, a few milliseconds after it
/// commits; in that window this instance can still answer its previous page. Its own writes
/// count before the writer gets its answer.
public final class RevisionPageCache: Sendable {
    private struct State: Sendable {
        var count: UInt64 = 0
        var pages: [CaseQuery: RevisionPage] = [:]
    }

    private let state = Mutex(State())
    private let tally = Atomic<Int>(0)
    /// Pages held at most; when full the cache starts again empty.
    public let capacity: Int
    /// Off, every page is read (`serve --list-page-cache off`: for a site whose instances must
    /// each see another's write the moment it commits, and as the benchmarks' peer).
    public let enabled: Bool

    public init(capacity: Int = 4_096, enabled: Bool = true) {
        self.capacity = max(1, capacity)
        self.enabled = enabled
    }

    /// Pages answered without asking the database, since start (for tests and metrics).
    public var hits: Int { tally.load(ordering: .relaxed) }

    /// The page `query` names: held while it still holds, read from `store` otherwise.
    public func page(_ query: CaseQuery, from store: any Storage) async throws -> RevisionPage {
        let changes = store.changes
        guard enabled, changes.hearsEveryWriter else { return try await store.listRevisions(query) }
        let seen = changes.current
        if let held = state.withLock({ $0.count == seen ? $0.pages[query] : nil }) {
            tally.add(1, ordering: .relaxed)
            return held
        }
        let page = try await store.listRevisions(query)
        state.withLock { s in
            guard s.count <= seen else { return }  // newer pages are already held
            if s.count < seen || s.pages.count >= capacity { s = State(count: seen) }
            s.pages[query] = page
        }
        return page
    }
}
