import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

/// `CaseTransaction.load`, the bulk path of the benchmarks' generator: the same cases, events
/// and statistics as the commands performed one by one, on either backend.
@Suite struct BulkLoadTests {
    /// Twelve cases: some stop at registered, some go round the loop, one is sent back once;
    /// times with sub-millisecond parts, and steps skipped by `onlyIf`.
    static func scripts() -> [CaseScript] {
        let t0 = StoreFixture.t0.addingTimeInterval(0.000_4)
        return (0..<12).map { n in
            let at = t0.addingTimeInterval(Double(n) * 86_400 * 3.7 + 0.25)
            var steps = [CaseScript.Step(CaseCommand(.register), at: at + 600.0004)]
            if n % 3 != 0 {
                let unit = StatisticsTests.units[n % StatisticsTests.units.count]
                let dispatch = CaseCommand(.dispatch, unit: unit, deadlineHours: n % 2 == 0 ? 1 : 48)
                steps.append(CaseScript.Step(dispatch, at: at + 900, onlyIf: .registered))
                steps.append(CaseScript.Step(CaseCommand(.handle, note: "已处置"), at: at + 7_200, onlyIf: .dispatched))
                if n % 4 == 1 { steps.append(CaseScript.Step(CaseCommand(.verify, reason: "未整改", passed: false), at: at + 8_000)) }
                steps.append(CaseScript.Step(CaseCommand(.verify, passed: true), at: at + 9_000, onlyIf: .handled))
                steps.append(CaseScript.Step(CaseCommand(.close), at: at + 10_000, onlyIf: .verified))
                // Skipped: the case is closed by then.
                steps.append(CaseScript.Step(CaseCommand(.handle, note: "不会发生"), at: at + 11_000, onlyIf: .dispatched))
            }
            return CaseScript(report: StatisticsTests.report(n, street: StatisticsTests.streets[n % 3]), actor: Actor(id: "user:loader"),
                              openedAt: at, steps: steps)
        }
    }

    /// What a case's history says, without its tracking code and hashes (random per run).
    static func shape(_ events: [CaseEvent]) -> [String] {
        events.map { "\($0.seq) \($0.action.rawValue) \($0.from?.rawValue ?? "-")→\($0.to.rawValue) \(Timestamp.millis($0.at)) \($0.actor.id)" }
    }

    @Test(arguments: Backend.all) func aLoadEqualsTheCommandsPerformedOneByOne(backend: Backend) async throws {
        let scripts = Self.scripts()
        let loaded = try await StoreFixture(backend)
        let records = try await loaded.store.transaction { tx in try tx.load(scripts) }
        #expect(records.map(\.id) == Array(1...12))

        let stepped = try await StoreFixture(backend)
        for s in scripts {
            let id = try await stepped.store.create(s.report, actor: s.actor, at: s.openedAt).record.id
            for step in s.steps {
                let status = try await stepped.store.find(id: id)!.status
                guard step.applies(to: status) else { continue }
                _ = try await stepped.store.perform(step.command, on: id, actor: s.actor, at: step.at)
            }
        }
        for id in Int64(1)...12 {
            let a = try await loaded.store.find(id: id)!, b = try await stepped.store.find(id: id)!
            #expect(a.status == b.status && a.unit == b.unit && a.dueAt == b.dueAt && a.eventCount == b.eventCount, "case \(id)")
            #expect(a.updatedAt == b.updatedAt && a.closedAt == b.closedAt && a.reworkCount == b.reworkCount, "case \(id)")
            let history = try await loaded.store.history(of: id)
            #expect(Self.shape(history) == Self.shape(try await stepped.store.history(of: id)), "case \(id)")
            #expect(records[Int(id) - 1].lastHash == history.last?.hash && a.lastHash == history.last?.hash)
        }
        let closed = try await loaded.count("cases WHERE status = 'closed'")
        let events = try await loaded.count("case_events"), steppedEvents = try await stepped.count("case_events")
        // Eight go round the loop; two of them (1 and 5) fail verification, skip the steps for a
        // handled case and are handled again by the last step, which the six closed ones skip.
        #expect(closed == 6 && events == steppedEvents)
        let sentBack = [try await loaded.store.find(id: 2)?.status, try await loaded.store.find(id: 6)?.status]
        #expect(sentBack == [.handled, .handled])
        #expect(try await loaded.count("reports") == 12)
        let sums = try await loaded.sql.read { try FactRows.sums($0) }, steppedSums = try await stepped.sql.read { try FactRows.sums($0) }
        #expect(!sums.isEmpty && sums == steppedSums)
        let report = try await loaded.verify()
        #expect(report.statisticsChecked && report.isIntact, "\(report.statistics ?? "") \(report.firstBreak.map { "\($0)" } ?? "")")
    }

    /// A load prepared outside its transaction (the generator prepares the next batch while one
    /// is written) writes what it was prepared as; one prepared for ids another writer took
    /// first is prepared again with the ids it gets, chains and sums intact.
    @Test(arguments: Backend.all) func aLoadPreparedForTakenIdsIsPreparedAgain(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let scripts = Self.scripts(), context = f.store.context.current
        let first = try CaseTransaction.prepare(Array(scripts[0..<6]), firstID: 1, context: context)
        let second = try CaseTransaction.prepare(Array(scripts[6...]), firstID: 7, context: context)
        let written = try await f.store.transaction { tx in try tx.load(first) }
        #expect(written.map(\.id) == Array(1...6) && written.map(\.lastHash) == first.records.map(\.lastHash))
        let other = try await f.store.create(StoreFixture.report(), actor: .system, at: StoreFixture.t0).record.id
        #expect(other == 7)
        let records = try await f.store.transaction { tx in try tx.load(second) }
        #expect(records.map(\.id) == Array(8...13))
        #expect(records.map(\.status) == second.records.map(\.status))
        for record in records {
            let history = try await f.store.history(of: record.id)
            #expect(history.allSatisfy { $0.caseID == record.id } && history.last?.hash == record.lastHash, "case \(record.id)")
        }
        let report = try await f.verify()
        #expect(report.statisticsChecked && report.isIntact, "\(report.statistics ?? "") \(report.firstBreak.map { "\($0)" } ?? "")")
    }

    /// Rows written by `BulkRows` read back as they were on both backends: text with quotes,
    /// backslashes, braces, commas, control characters and characters beyond the BMP, the text
    /// "NULL", doubles in their exact form, booleans, NULLs, a column of NULLs only, and more
    /// rows than one statement takes on either backend.
    @Test(arguments: Backend.all) func bulkRowsReadBackAsWritten(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let texts = ["引号\"与\\反斜杠", "换行\n制表\t\u{1}\u{1F}", "😀 𠀀", "", "{a,b} \"NULL\"", "NULL"]
        let doubles = [30.274_513_9, -0.000_012_3, 1e20, 120.0, 0.1 + 0.2]
        let rows = 25_123
        let values: [SQLValue] = (0..<rows).flatMap { i -> [SQLValue] in
            [.int(Int64(i) * 1_000_003), i % 7 == 0 ? .null : .text(texts[i % texts.count]), .double(doubles[i % doubles.count]),
             .bool(i % 2 == 0), i % 3 == 0 ? .null : .int(-Int64(i)), .null]
        }
        try await f.sql.write { db in
            try db.execute("CREATE TABLE bulk_probe (id BIGINT PRIMARY KEY, t TEXT, d DOUBLE PRECISION NOT NULL, b BOOLEAN NOT NULL, "
                           + "n BIGINT, z BIGINT)", [])
            try BulkRows.insert(into: "bulk_probe", columns: ["id", "t", "d", "b", "n", "z"], values: values, perStatement: 400, db)
        }
        let back = try await f.sql.read { db in
            try db.query("SELECT id, t, d, b, n, z FROM bulk_probe ORDER BY id", []).map { row -> [SQLValue] in
                [.int(try row.decode("id")), (try row.decode("t", as: String?.self)).map(SQLValue.text) ?? .null,
                 .double(try row.decode("d")), .bool(try row.decode("b")), (try row.decode("n", as: Int64?.self)).map(SQLValue.int) ?? .null,
                 (try row.decode("z", as: Int64?.self)).map(SQLValue.int) ?? .null]
            }
        }
        #expect(back.count == rows)
        #expect(back.flatMap { $0 } == values)
    }

    /// A step the case's state refuses, or a merge, fails the load, and its transaction writes nothing.
    @Test(arguments: Backend.all) func aRefusedStepWritesNothing(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        var refused = Self.scripts()
        refused[5].steps.append(CaseScript.Step(CaseCommand(.dispatch, unit: "330105001"), at: StoreFixture.t0 + 86_400 * 30))
        var merging = Self.scripts()
        merging[0].steps.append(CaseScript.Step(CaseCommand(.merge, reason: "重复", otherCase: 2), at: StoreFixture.t0 + 86_400))
        let (a, b) = (refused, merging)
        await #expect(throws: CaseError.self) { try await f.store.transaction { tx in try tx.load(a) } }
        await #expect(throws: StoreError.self) { try await f.store.transaction { tx in try tx.load(b) } }
        for table in ["cases", "case_events", "reports", "case_facts", "stats_daily"] {
            #expect(try await f.count(table) == 0, "\(table)")
        }
    }
}
