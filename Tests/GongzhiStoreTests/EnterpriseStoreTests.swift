import Foundation
import GongzhiCore
import GongzhiDemo
import GongzhiSQL
import GongzhiStore
import GongzhiTestSupport
import Testing

/// The enterprise registry's store on both backends: what each viewer finds (streets, the
/// enterprises they serve, a department with no streets), pages by code, the commissioners'
/// changes in the audit log, and a visit refused inside the transaction to a non-commissioner.
@Suite struct EnterpriseStoreTests {
    static let t0 = Timestamp.parse("2026-11-23T09:00:00+08:00")!
    /// Valid codes (check characters worked out by hand) in two streets.
    static let codes = [("91330105MA2GL8KQ40", "330105003"), ("92330105MA2CGK1N2L", "330105003"), ("52330105MA28F0QP7G", "330105001")]

    func enterprise(_ code: String, street: String) -> Enterprise {
        Enterprise(code: code, name: "企业\(code.suffix(4))", address: "拱墅区", street: street, industry: "C", contactName: "陈经理",
                   contactPhone: "13912345678", commissioners: [], registeredAt: Self.t0, registeredBy: "user:clerk")
    }

    @Test(arguments: Backend.all) func viewersFindTheirStreetsAndWhatTheyServe(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let store = f.store.enterprises, units = f.reference.units
        for (code, street) in Self.codes { _ = try await store.register(enterprise(code, street: street)) }
        await #expect(throws: EnterpriseError.self) { try await store.register(enterprise(Self.codes[0].0, street: "330105003")) }
        let district = EnterpriseViewer(scope: .all, principal: "user:boss")
        let xiaohe = EnterpriseViewer(scope: Scope.of(unit: "330105003", in: units), principal: "user:xiaohe")
        let jxj = EnterpriseViewer(scope: Scope.of(unit: "330105-JXJ", in: units), principal: "user:jxj-chen")
        var q = EnterpriseQuery()
        #expect(try await store.enterprises(q, for: district).map(\.code) == Self.codes.map(\.0).sorted())
        #expect(Set(try await store.enterprises(q, for: xiaohe).map(\.street)) == ["330105003"])
        #expect(try await store.enterprises(q, for: jxj).isEmpty)
        #expect(try await store.enterprise(Self.codes[2].0, for: xiaohe) == nil)

        let served = try await store.setCommissioners(of: Self.codes[2].0, to: ["user:jxj-chen", "user:jxj-chen"], by: "user:boss", at: Self.t0,
                                                      for: district)
        #expect(served.commissioners == ["user:jxj-chen"])
        #expect(try await store.enterprises(q, for: jxj).map(\.code) == [Self.codes[2].0])
        q.commissioner = "user:jxj-chen"
        #expect(try await store.enterprises(q, for: district).map(\.code) == [Self.codes[2].0])
        let audit = try await f.accounts.auditEntries(limit: 10, before: nil)
        #expect(audit.first?.action == "enterprise_commissioners" && audit.first?.detail.contains("jxj-chen") == true)

        // Pages by code, and a part of the name.
        var page = EnterpriseQuery()
        page.limit = 2
        let first = try await store.enterprises(page, for: district)
        page.after = first.last?.code
        let second = try await store.enterprises(page, for: district)
        #expect((first + second).map(\.code) == Self.codes.map(\.0).sorted() && second.count == 1)
        var named = EnterpriseQuery()
        named.name = "N2L"
        #expect(try await store.enterprises(named, for: district).map(\.code) == ["92330105MA2CGK1N2L"])

        // A visit by someone who does not serve the enterprise is refused and writes nothing.
        let visit = try EnterpriseVisit.validated(code: Self.codes[2].0, commissioner: "user:xiaohe", day: "2026-11-22", note: "走访",
                                                  difficulties: ["funding"],
                                                  catalogue: try ReferenceData.enterpriseCatalogue(units: units, categories: f.reference.categories),
                                                  at: Self.t0)
        // The street's own staff see the enterprise but do not serve it; elsewhere it is not found.
        let stranger = Principal(kind: .user, id: "user:xiaohe", role: .handler, unit: "330105003")
        var ownStreet = visit
        ownStreet.code = Self.codes[0].0
        await #expect(throws: EnterpriseError.self) { try await store.addVisit(ownStreet, by: stranger, for: xiaohe) }
        await #expect(throws: StoreError.self) { try await store.addVisit(visit, by: stranger, for: xiaohe) }
        let commissioner = Principal(kind: .user, id: "user:jxj-chen", role: .handler, unit: "330105-JXJ")
        var own = visit
        own.commissioner = commissioner.id
        let saved = try await store.addVisit(own, by: commissioner, for: jxj)
        #expect(saved.id > 0)
        #expect(try await store.visits(of: Self.codes[2].0, for: jxj).map(\.difficulties) == [["funding"]])
        #expect(try await f.db.count("SELECT COUNT(*) FROM enterprise_visits") == 1)
    }

    /// The demo's registry loads once on either store, every code passes GB 32100's check, and a
    /// commissioner finds the enterprises they serve with their visits.
    @Test(arguments: Backend.all) func theDemoLoadsOnce(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let demo = DemoEnterprises(store: f.store.enterprises)
        #expect(try await demo.loadIfEmpty(now: Self.t0) == 6)
        #expect(try await demo.loadIfEmpty(now: Self.t0) == 0)
        let all = try await f.store.enterprises.enterprises(EnterpriseQuery(), for: EnterpriseViewer(scope: .all, principal: "user:a"))
        #expect(all.count == 6 && all.allSatisfy { (try? CreditCode($0.code)) != nil })
        let served = EnterpriseViewer(scope: Scope.of(unit: "330105001", in: f.reference.units), principal: "user:demo-mishixiang")
        var mine = EnterpriseQuery()
        mine.commissioner = "user:demo-mishixiang"
        let theirs = try await f.store.enterprises.enterprises(mine, for: served)
        #expect(theirs.count == 3 && theirs.contains { $0.street == "330105003" })
        #expect(try await f.db.count("SELECT COUNT(*) FROM enterprise_visits") == 7)
    }
}
