import Foundation
import GongzhiCore
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

/// The store can never hold a row that differs from its event: text a database would cut
/// (U+0000) is refused at the binding on both backends, whatever a caller forgot to check,
/// and a login needs no credentials to write only what the store chooses to the audit log.
@Suite struct TextIntegrityTests {
    static let t0 = StoreFixture.t0

    @Test(arguments: Backend.all) func aNULInAnyTextIsRefusedAndNothingIsWritten(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        _ = try await f.store.create(StoreFixture.report(1), actor: .system, at: Self.t0)
        // Unchecked reports, as a caller that skipped `Report.validated` would pass them.
        var reports: [Report] = []
        for field in 0..<3 {
            var r = StoreFixture.report(2)
            switch field {
            case 0: r.description = "ghost\u{0}tail"
            case 1: r.address = "湖墅南路\u{0}1号"
            default: r.reporter = Reporter(name: "王\u{0}芳", phone: "13812345678")
            }
            reports.append(r)
        }
        for r in reports {
            await #expect(throws: SQLTextError.self) { _ = try await f.store.create(r, actor: .system, at: Self.t0) }
        }
        // A command's text is refused by the case machine before it reaches a statement.
        await #expect(throws: CaseError.self) {
            _ = try await f.store.perform(CaseCommand(.comment, note: "a\u{0}b"), on: 1, actor: Actor(id: "user:t"), at: Self.t0)
        }
        #expect(try await f.count("cases") == 1)
        #expect(try await f.count("case_events") == 1)
        let report = try await f.verify()
        #expect(report.isIntact, "\(String(describing: report.firstBreak)) \(report.statistics ?? "")")
    }

    /// The tester's login with `ghost\u0000tail` broke the audit chain; a 200,000-character
    /// name was written whole. A name no account can have is now logged without its text.
    @Test(arguments: Backend.all) func malformedNamesAtLoginLeaveOnlyAFixedEntry(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let accounts = f.accounts
        for name in ["ghost\u{0}tail", String(repeating: "长", count: 200_000), "a b", "ghost"] {
            #expect(try await accounts.login(username: name, password: "whatever pw", kind: .bearer, at: Self.t0) == .invalid)
        }
        let entries = try await f.sql.read { try AuditLog.entries($0, limit: 10, before: nil) }.reversed().map { $0 }
        #expect(entries.map(\.actor) == ["anonymous", "anonymous", "anonymous", "user:ghost"])
        #expect(entries.allSatisfy { $0.detail.utf8.count < 100 && !$0.detail.contains("ghost") && !$0.detail.contains("长") })
        #expect(entries[1].detail.contains("200000"))
        #expect(try await f.sql.read { try AuditLog.verify($0) } == nil)
    }

    @Test(arguments: Backend.all) func displayNamesFollowTheTextRule(backend: Backend) async throws {
        let accounts = try await StoreFixture(backend).accounts
        await #expect(throws: AccountError.self) {
            try await accounts.addUser(username: "li.na", displayName: "李\u{7}娜", role: .handler, unit: "330105003", password: "correct horse",
                                       by: "t", at: Self.t0)
        }
        let user = try await accounts.addUser(username: "li.na", displayName: "  李娜 ", role: .handler, unit: "330105003",
                                              password: "correct horse", by: "t", at: Self.t0)
        #expect(user.displayName == "李娜")
        #expect(try await accounts.user("li.na")?.displayName == "李娜")
    }
}
