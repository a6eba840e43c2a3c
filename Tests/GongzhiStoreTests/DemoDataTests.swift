import Foundation
import GongzhiCore
@testable import GongzhiSQLite
@testable import GongzhiStore
import Testing

@Suite struct DemoDataTests {
    @Test func loadsOnceWalksTheLoopAndVerifies() async throws {
        let f = try await StoreFixture()
        let demo = DemoData(store: f.store, reference: f.reference, atlas: try await f.atlasWithGrids())
        let now = Timestamp.parse("2026-11-25T12:00:00+08:00")!
        #expect(try await demo.loadIfNeeded(count: 300, now: now) == 300)
        let cases = try await f.count("cases"), events = try await f.count("case_events")
        #expect(try await demo.loadIfNeeded(count: 300, now: now) == 0)
        #expect(try await f.count("cases") == cases)
        #expect(try await f.count("case_events") == events)
        #expect(cases == 300 && events > 3 * cases)

        var q = CaseQuery()
        q.limit = 200
        var all: [CaseRecord] = []
        while true {
            let page = try await f.store.list(q)
            all += page.items
            guard let next = page.nextCursor else { break }
            q.cursor = next
        }
        #expect(Set(all.map(\.status)).count >= 5)
        #expect(Set(all.map(\.report.source)).count >= 6)
        #expect(all.allSatisfy { $0.createdAt <= now && $0.updatedAt <= now })
        #expect(all.allSatisfy { $0.report.location != nil && f.reference.categories.reportable($0.category ?? "") != nil })
        #expect(all.allSatisfy { $0.area?.street != nil && $0.area?.grid?.hasPrefix($0.area!.street!) == true })
        #expect(try await ChainVerifier(database: f.database).verify().isIntact)
    }
}
