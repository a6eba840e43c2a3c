import Foundation
import GongzhiPostgres
import GongzhiSQL
import GongzhiStore
import GongzhiTestSupport
import Testing

/// A database that cannot be opened is reported at once, in the server's words, not after the
/// pool's minute of retries with a generic error. The server's words (the SQLSTATE, "refused")
/// are what only the probe gives; the time is a second guard, bounded at 60 s: alone it takes
/// milliseconds, but the whole suite starting together on two cores has delayed the test's task
/// by up to 31 s (the probe itself gives up after 5 s), and the pool's retries took about 70 s.
@Suite(.enabled(if: Backend.postgresURL != nil, "needs GONGZHI_TEST_POSTGRES (scripts/test starts one)"))
struct PostgresConnectTests {
    static func failure(_ url: String) async -> (message: String, seconds: Double) {
        let start = ContinuousClock.now
        do {
            let db = try await PostgresDatabase.connect(url: url)
            await db.close()
            return ("opened", 0)
        } catch {
            let elapsed = ContinuousClock.now - start
            return ("\(error)", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }

    /// Every connection plans with a random page at 1.1 (data on SSD or in memory): at the
    /// default 4 the case list of a street's closed cases walked the whole district's newest
    /// cases (34 ms at a million) instead of the street's own index (0.16 ms).
    @Test func connectionsPlanForDataInMemory() async throws {
        let db = try await Backend.postgres.makeDatabase()
        let single = try await db.sql.query("SHOW random_page_cost", [])
        let inTransaction = try await db.sql.read { try $0.query("SHOW random_page_cost", []) }
        #expect(single.first.map { $0[0] as String } == "1.1" && inTransaction.first.map { $0[0] as String } == "1.1")
    }

    /// The shared SQL's `?` become `$1`, `$2`, … outside quotes only, past nine, beside
    /// multi-byte text (the translation walks bytes).
    @Test func placeholdersAreNumberedOutsideQuotes() async throws {
        let db = try await Backend.postgres.makeDatabase()
        let values: [SQLValue] = (1...12).map { .text("v\($0)") }
        let sql = "SELECT '街道?' || ? AS \"a?\", " + Array(repeating: "?", count: 11).joined(separator: " || ") + " AS b"
        let row = try #require(try await db.sql.query(sql, values).first)
        #expect(row[0] as String == "街道?v1")
        #expect(row[1] as String == (2...12).map { "v\($0)" }.joined())
    }

    @Test func anUnknownDatabaseIsNamed() async throws {
        let base = try #require(Backend.postgresURL)
        let url = try #require(base.range(of: "/", options: .backwards).map { String(base[..<$0.lowerBound]) + "/no_such_database" })
        let (message, seconds) = await Self.failure(url)
        #expect(message.contains(#"database "no_such_database" does not exist"#) && message.contains("3D000"), "\(message)")
        #expect(seconds < 60)
    }

    @Test func aServerThatIsNotThereIsReportedAtOnce() async throws {
        // Port 1 on this machine: nothing listens there.
        let (message, seconds) = await Self.failure("postgres://postgres@127.0.0.1:1/postgres")
        #expect(message.contains("cannot open database") && message.contains("refused"), "\(message)")
        #expect(seconds < 60)
    }
}
