import Foundation
import GongzhiCore
@testable import GongzhiDemo
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

@Suite struct DemoDataTests {
    @Test(arguments: Backend.all) func loadsOnceWalksTheLoopAndVerifies(backend: Backend) async throws {
        let f = try await StoreFixture(backend, rules: try StoreFixture.rules(StoreFixture.bundled), coGovernance: true)
        let demo = DemoData(store: f.store, reference: f.reference, atlas: try await f.atlasWithGrids(),
                            rules: try ReferenceData.intakeRules(categories: f.reference.categories))
        let now = Timestamp.parse("2026-11-25T12:00:00+08:00")!
        let loaded = try await demo.loadIfNeeded(count: 400, now: now)
        let cases = try await f.count("cases"), events = try await f.count("case_events")
        #expect(loaded.cases == cases && cases >= 300 && cases <= 400 && loaded.cameras >= 10 && loaded.merchants >= 5)
        #expect(try await demo.loadIfNeeded(count: 400, now: now) == DemoData.Loaded())
        #expect(try await f.count("cases") == cases)
        #expect(try await f.count("case_events") == events)
        #expect(events > 3 * cases)
        // Camera bursts came through intake: detections joined their cases, some self-corrected,
        // some went to enforcement, weak ones were dropped.
        let read = { (sql: String) in try await f.db.count(sql) }
        #expect(try await read("SELECT COUNT(*) FROM reports WHERE source = 'camera' AND outcome = 'joined'") > 100)
        #expect(try await read("SELECT COUNT(*) FROM cases WHERE self_corrected") > 5)
        #expect(try await read("SELECT COUNT(*) FROM cases WHERE scenario IS NOT NULL AND NOT self_corrected AND status != 'self_correcting'") > 5)
        #expect(try await read("SELECT COUNT(*) FROM reports WHERE outcome = 'dropped'") > 0)
        #expect(try await read("SELECT COUNT(*) FROM outbox") == (try await read("SELECT COUNT(*) FROM cases WHERE merchant_id IS NOT NULL")))

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
        #expect(try await f.verify().isIntact)
    }
}
