import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiStore
import GongzhiTestSupport
import Testing

/// A group-committed batch shares its reads and writes its detections' rows at the end
/// (`IntakeBatch`); what it stores and answers must be exactly what the same reports stored one
/// by one would.
@Suite struct BatchedIntakeTests {
    static let t0 = IntakeFixture.start

    /// A burst over 25 minutes of observation on one camera and two categories: openings,
    /// hundreds of joins with summaries between them, retries of rows stored and of rows still
    /// held, low-confidence drops, and a `cleared` that closes one case before more detections
    /// open the next.
    static func burst(area: AreaPath) -> [IntakeSubmission] {
        var items: [IntakeSubmission] = []
        func add(_ id: String, _ category: String, minute: Double, state: DetectionState = .present, dropped: Bool = false) {
            let report = Report(source: .camera, category: category, description: "检测 \(id)", location: IntakeFixture.shangtang,
                                externalID: id, area: area, cameraID: IntakeFixture.camera.id,
                                observedAt: Timestamp.millis(t0) + Int64(minute * 60_000), confidence: dropped ? 0.2 : 0.93)
            items.append(IntakeSubmission(report: report, state: state, dropped: dropped, actor: IntakeFixture.machine, at: t0))
        }
        for i in 0..<300 {
            add("a-\(i)", "09005", minute: Double(i) / 12)
            if i % 3 == 0 { add("b-\(i)", "06010", minute: Double(i) / 12) }
            if i % 50 == 7 { add("a-\(i)", "09005", minute: Double(i) / 12) }          // a retry of the row just held
            if i % 70 == 9 { add("a-\(i - 5)", "09005", minute: Double(i) / 12) }      // a retry of an earlier one
            if i % 40 == 11 { add("low-\(i)", "09005", minute: Double(i) / 12, dropped: true) }
            if i == 150 { add("clear-150", "09005", minute: 12.6, state: .cleared) }
        }
        return items
    }

    @Test(arguments: Backend.all) func aBatchStoresAndAnswersWhatOneByOneWould(backend: Backend) async throws {
        let batched = try await IntakeFixture(backend), single = try await IntakeFixture(backend)
        let items = Self.burst(area: try await SQLAreaStore(db: batched.db.sql).atlas().locate(IntakeFixture.shangtang))
        let context = { (f: IntakeFixture) in
            IntakeContext(cases: f.store.context.current, rules: try ReferenceData.intakeRules(categories: f.reference.categories))
        }
        // A retry of something stored before the batch.
        _ = try await batched.store.commit([items[0], items[1]], context: try context(batched))
        for item in items[0..<2] { _ = try await single.store.commit([item], context: try context(single)) }

        let together = try await batched.store.commit(items, context: try context(batched)).map { try $0.get() }
        var oneByOne: [IntakeOutcome] = []
        for item in items { oneByOne.append(try await single.store.commit([item], context: try context(single))[0].get()) }

        #expect(together.count == oneByOne.count)
        // Tracking codes and notice tokens are random: everything else must agree.
        for (i, (a, b)) in zip(together, oneByOne).enumerated() where Self.comparable(a) != Self.comparable(b) {
            Issue.record("item \(i) (\(items[i].report.externalID ?? "")): \(a) ≠ \(b)")
            break
        }
        #expect(together.filter(\.repeated).count >= 12)
        #expect(Set(together.compactMap { $0.caseID ?? $0.record?.id }).count >= 3)  // two categories, and a case after the clear
        for query in [
            "SELECT id, case_id, external_id, outcome, state, observed_at FROM reports ORDER BY id",
            "SELECT id, status, report_sources, last_report_at, pending_detections, pending_first_at, last_summary_at FROM cases ORDER BY id",
            "SELECT case_id, seq, action, to_status, CASE WHEN action = 'detections' THEN payload END FROM case_events ORDER BY case_id, seq",
        ] {
            #expect(try await Self.rows(query, batched) == Self.rows(query, single), "\(query)")
        }
        let summaries = try await batched.count("SELECT COUNT(*) FROM case_events WHERE action = 'detections'")
        #expect(summaries >= 2)
        #expect(try await batched.verify().isIntact)
    }

    static func comparable(_ o: IntakeOutcome) -> String {
        "\(o.kind) \(o.reportID) \(o.caseID ?? o.record?.id ?? 0) \(o.status ?? o.record?.status) \(o.repeated) "
            + "\(o.record.map { "\($0.tally) \($0.eventCount) \($0.status)" } ?? "")"
    }

    static func rows(_ sql: String, _ f: IntakeFixture) async throws -> [[SQLValue]] {
        try await f.db.sql.read { try $0.query(sql, []).map(\.values) }
    }
}
