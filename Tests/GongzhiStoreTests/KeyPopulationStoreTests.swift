import Foundation
import GongzhiCore
import GongzhiDemo
import GongzhiSQL
import GongzhiStore
import GongzhiTestSupport
import Testing

/// The key-population list's store on both backends: each viewer held to their part, a step
/// refused inside the transaction to someone not entitled (nothing written), and anonymisation
/// at the end of retention: only records released long enough ago, in one transaction with its
/// audit entry, the figures unchanged.
@Suite struct KeyPopulationStoreTests {
    static let t0 = Timestamp.parse("2026-10-01T09:00:00+08:00")!

    func rules(_ f: StoreFixture) throws -> KeyPopulationRules { try ReferenceData.keyPopulationRules(units: f.reference.units) }

    @Test(arguments: Backend.all) func viewersStepsAndAnonymisation(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let units = f.reference.units, rules = try rules(f), list = f.store.keyPopulation
        let communities = units.all.filter { $0.kind == .community }.prefix(3).map { ($0.areaCode!, $0.parentCode!) }
        try #require(communities.count == 3)
        var ids: [Int64] = []
        for (i, (community, _)) in communities.enumerated() {
            let draft = KeyPersonDraft(measure: "risk_area_arrival", name: "居民\(i)", idNumber: nil, phone: "1390000000\(i)", address: "某路 \(i) 号",
                                       community: community)
            ids.append(try await list.register(try draft.validated(rules: rules, units: units, by: "user:wjj", at: Self.t0)).id)
        }
        func viewer(_ unit: String) -> KeyPopulationViewer {
            KeyPopulationViewer(scope: Scope.of(unit: unit, in: units), commandUnit: rules.commandUnit)
        }
        let command = viewer("330105-WJJ"), district = viewer("330105"), first = viewer(communities[0].0), other = viewer("330105-CGJ")
        #expect(try await list.people(KeyPopulationQuery(), for: command).count == 3)
        #expect(try await list.people(KeyPopulationQuery(), for: district).count == 3)
        #expect(try await list.people(KeyPopulationQuery(), for: first).map(\.id) == [ids[0]])
        #expect(try await list.people(KeyPopulationQuery(), for: other).isEmpty)
        #expect(try await list.person(ids[1], for: first) == nil)

        // A step by someone not entitled is refused inside the transaction and writes nothing.
        await #expect(throws: CentreError.self) {
            try await list.apply(ids[0], for: district, authorise: { _ in throw CentreError.forbidden("no") }) { p in
                try KeyPersonMachine.apply(.verify(found: true, note: nil), to: p, rules: rules, by: "u", at: Self.t0)
            }
        }
        #expect(try await list.person(ids[0], for: command)?.status == .verifying)
        // Monitored, followed up, released on 15 October; the second released on 20 October.
        for (id, end) in [(ids[0], "2026-10-15T10:00:00+08:00"), (ids[1], "2026-10-20T10:00:00+08:00")] {
            _ = try await list.apply(id, for: command, authorise: { _ in }) { p in
                var p = try KeyPersonMachine.apply(.verify(found: true, note: nil), to: p, rules: rules, by: "u", at: Self.t0)
                p = try KeyPersonMachine.apply(.followUp(day: "2026-10-01", healthy: true, note: "住在 3 幢"), to: p, rules: rules, by: "u",
                                               at: Self.t0)
                return try KeyPersonMachine.apply(.release(note: nil), to: p, rules: rules, by: "u", at: Timestamp.parse(end)!)
            }
        }
        let before = try await list.counts(for: command)
        #expect(before.reduce(0) { $0 + $1.people } == 3 && before.reduce(0) { $0 + $1.followUps } == 2)
        // 30 days' retention, run on 17 November: only the first (released 15 October) is past it.
        let now = Timestamp.parse("2026-11-17T00:00:00+08:00")!
        #expect(try await list.anonymise(endedBefore: now.addingTimeInterval(-30 * 86_400), by: "system:retention", at: now) == 1)
        #expect(try await list.anonymise(endedBefore: now.addingTimeInterval(-30 * 86_400), by: "system:retention", at: now) == 0)
        let erased = try #require(try await list.person(ids[0], for: command))
        #expect(erased.name == nil && erased.phone == nil && erased.address == nil && erased.anonymisedAt == now)
        #expect(erased.followUps.map(\.note) == [""] && erased.followUps.count == 1 && erased.status == .released)
        #expect(try await list.person(ids[1], for: command)?.name == "居民1")
        #expect(try await list.counts(for: command) == before)
        let audit = try await f.accounts.auditEntries(limit: 5, before: nil)
        #expect(audit.first?.action == "key_population_anonymised" && audit.first?.detail.contains("records") == true)
        // Its accesses are logged by subject.
        try await list.logAccess(actor: "user:sq", field: "personal", reason: "上门核查", subject: "key_person:\(ids[1])", at: now)
        #expect(try await f.db.count("SELECT COUNT(*) FROM access_log WHERE subject = 'key_person:\(ids[1])'") == 1)
    }

    /// The demo's list loads once, through the machine: one record at each stage, and the
    /// monitored one with the day before yesterday's follow-up missing, so its task is escalated.
    @Test(arguments: Backend.all) func theDemoLoadsOnce(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let rules = try rules(f), now = Timestamp.parse("2026-11-24T10:00:00+08:00")!
        let demo = DemoKeyPopulation(list: f.store.keyPopulation, rules: rules, units: f.reference.units)
        #expect(try await demo.loadIfEmpty(now: now) == 4)
        #expect(try await demo.loadIfEmpty(now: now) == 0)
        let all = try await f.store.keyPopulation.people(KeyPopulationQuery(), for: KeyPopulationViewer(scope: .all, commandUnit: rules.commandUnit))
        #expect(all.map(\.status) == [.verifying, .monitoring, .released, .unreachable])
        let missed = KeyTaskClock.tasks(of: all[1], rules: rules, now: now).filter { $0.kind == .followUp && $0.overdue }
        #expect(missed.map(\.day) == [PlanDays.of(now) - 2] && missed.first?.level == .district)
    }
}
