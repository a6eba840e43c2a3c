import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

@Suite struct ReferenceDataTests {
    @Test func bundledDirectoryIsComplete() throws {
        let r = StoreFixture.bundled
        let components = r.categories.all.filter { $0.kind == .component }
        let matters = r.categories.all.filter { $0.kind == .matter }
        #expect(components.count == 153)
        #expect(matters.count == 250)
        #expect(matters.allSatisfy { $0.defaults != nil })
        #expect(r.categories.reportable("06010")?.name == "暴露垃圾")
        #expect(r.categories.reportable("91001")?.kind == .extension_)
    }

    @Test func gongshuOrgTreeAndAreas() throws {
        let r = StoreFixture.bundled
        #expect(r.areas.filter { $0.level == .street }.count == 18)
        #expect(r.areas.filter { $0.level == .community }.count == 174)
        #expect(try ReferenceData.bundledLayers().map(\.shapes.count) == [1, 17])
        #expect(r.units["330105003"]?.name == "小河街道办事处")
        #expect(r.units.parent(of: "330105001051")?.code == "330105001")  // 夹城巷社区 → 米市巷街道
        #expect(r.units.parent(of: "330105001")?.code == "330105")
        #expect(r.units.all.filter { $0.kind == .department }.count >= 10)
        // Every unit's chain ends at the district.
        for u in r.units.all {
            var cursor = u
            while let p = r.units.parent(of: cursor.code) { cursor = p }
            #expect(cursor.code == "330105")
        }
    }

    @Test(arguments: Backend.all) func seedingIsIdempotentAndReadsBackTheSame(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        #expect(try await SQLReferenceStore(db: f.sql).seed(StoreFixture.bundled) == 0)
        #expect(f.reference.categories.count == StoreFixture.bundled.categories.count)
        #expect(f.reference.units.all.sorted { $0.code < $1.code } == StoreFixture.bundled.units.all.sorted { $0.code < $1.code })
        #expect(f.reference.areas.count == StoreFixture.bundled.areas.count)
    }
}
