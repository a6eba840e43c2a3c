import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

@Suite struct CaseListTests {
    /// 30 cases, ten of them at the very same millisecond, so ties on the sort key are real.
    func fixture(_ backend: Backend) async throws -> (StoreFixture, [CaseRecord]) {
        let f = try await StoreFixture(backend)
        var made: [CaseRecord] = []
        for n in 0..<30 {
            let at = n < 10 ? StoreFixture.t0 : StoreFixture.t0.addingTimeInterval(Double(n) * 60)
            var r = StoreFixture.report(n)
            if n % 3 == 0 { r.source = .camera; r.category = "09006" }
            made.append(try await f.store.create(r, actor: .system, at: at).record)
        }
        return (f, made)
    }

    @Test(arguments: Backend.all) func pagesCoverEveryCaseOnceNewestFirst(backend: Backend) async throws {
        let (f, made) = try await fixture(backend)
        var q = CaseQuery()
        q.limit = 7
        var seen: [CaseRecord] = []
        while true {
            let page = try await f.store.list(q)
            seen += page.items
            guard let next = page.nextCursor else { break }
            q.cursor = next
        }
        #expect(seen.count == 30)
        #expect(Set(seen.map(\.id)) == Set(made.map(\.id)))
        let keys = seen.map { (Timestamp.millis($0.createdAt), $0.id) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test(arguments: Backend.all) func aNewCaseDoesNotShiftLaterPages(backend: Backend) async throws {
        let (f, _) = try await fixture(backend)
        var q = CaseQuery()
        q.limit = 10
        let first = try await f.store.list(q)
        _ = try await f.store.create(StoreFixture.report(99), actor: .system, at: StoreFixture.t0.addingTimeInterval(86_400))
        q.cursor = first.nextCursor
        let second = try await f.store.list(q)
        #expect(Set(first.items.map(\.id)).isDisjoint(with: second.items.map(\.id)))
        #expect(second.items.count == 10)
    }

    @Test(arguments: Backend.all) func filters(backend: Backend) async throws {
        let (f, made) = try await fixture(backend)
        _ = try await f.store.perform(CaseCommand(.register), on: made[5].id, actor: .system, at: StoreFixture.t0)
        _ = try await f.store.perform(CaseCommand(.dispatch, unit: "330105003"), on: made[5].id, actor: .system, at: StoreFixture.t0)
        func ids(_ configure: (inout CaseQuery) -> Void) async throws -> Set<Int64> {
            var q = CaseQuery()
            q.limit = 200
            configure(&q)
            return Set(try await f.store.list(q).items.map(\.id))
        }
        #expect(try await ids { $0.sources = [.camera] }.count == 10)
        #expect(try await ids { $0.categories = ["09006"] }.count == 10)
        #expect(try await ids { $0.categories = ["09"] }.count == 10)
        #expect(try await ids { $0.categories = ["06", "09"] }.count == 30)
        #expect(try await ids { $0.statuses = [.dispatched] } == [made[5].id])
        #expect(try await ids { $0.statuses = [.reported, .dispatched] }.count == 30)
        #expect(try await ids { $0.units = ["330105003"] } == [made[5].id])
        #expect(try await ids { $0.since = StoreFixture.t0.addingTimeInterval(60 * 20) }.count == 10)
        #expect(try await ids { $0.until = StoreFixture.t0.addingTimeInterval(1) }.count == 10)
        #expect(try await ids { $0.sources = [.camera]; $0.statuses = [.closed] }.isEmpty)
    }

    /// SQLite's plans (PostgreSQL's depend on its statistics; see BENCHMARKS.md for its figures).
    @Test func listQueriesUseAnIndex() async throws {
        let f = try await StoreFixture(.sqlite)
        for configure in [{ (q: inout CaseQuery) in q.statuses = [.dispatched] }, { $0.units = ["330105003"] }, { $0.categories = ["06010"] },
                          { $0.sources = [.camera] }, { _ in }, { $0.streets = ["330105003"] }, { $0.grids = ["330105003000001"] },
                          { $0.sort = .timeLeft }, { $0.overdueAt = Date() }] as [(inout CaseQuery) -> Void] {
            var q = CaseQuery()
            configure(&q)
            q.cursor = CaseCursor(sort: q.sort, key: 1, id: 1)
            let (sql, args) = CaseListSQL.select(q)
            let plan = try await f.sql.read { db in
                try db.query("EXPLAIN QUERY PLAN " + sql, args).map { $0["detail"] as String }.joined(separator: "; ")
            }
            #expect(plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "sorting without the index: \(plan)")
        }
    }

    @Test func cursorTokens() {
        let c = CaseCursor(key: 1_795_613_153_123, id: 42)
        #expect(CaseCursor(token: c.token) == c)
        for bad in ["", "!!!", "bm9wZQ", String(repeating: "A", count: 100), Data("1:x".utf8).base64EncodedString()] {
            #expect(CaseCursor(token: bad) == nil)
        }
    }
}
