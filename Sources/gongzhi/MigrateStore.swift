import ArgumentParser
import Foundation
import GongzhiSQL

/// `gongzhi migrate-store`: moves a district from one backend to the other (SQLite to
/// PostgreSQL when it adds a second server; back, to take a copy home), histories and hashes
/// intact, then verifies the copy.
struct MigrateStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy a whole database to another one (SQLite ↔ PostgreSQL) and verify the copy.",
        discussion: """
            Stop the servers first. The target must be new or empty: a SQLite file that does not exist yet, or a \
            PostgreSQL database (or ?schema=NAME) without Gongzhi's data. The copy keeps every id, hash and \
            counter; it is verified like `gongzhi verify` and must agree with the source.
            """)

    @Option(help: "The database to copy: a SQLite file or a postgres:// URL.")
    var from: String

    @Option(help: "The new database: a SQLite file or a postgres:// URL.")
    var to: String

    func validate() throws {
        if DatabaseLocation(from) == DatabaseLocation(to) { throw ValidationError("--from and --to name the same database") }
    }

    func run() async throws {
        let (source, closeSource) = try await DatabaseLocation(from).connect(mustExist: true)
        do {
            try await copy(from: source)
            await closeSource()
        } catch {
            await closeSource()
            throw error
        }
    }

    func copy(from source: any SQLDatabase) async throws {
        let before: String
        do { before = try await Verify.check(source) } catch {
            throw CommandFailure("the source does not verify, so it is not copied: \(error)")
        }
        let (target, closeTarget) = try await DatabaseLocation(to).connect(mustExist: false)
        do {
            let copied = try await StoreCopy(from: source, to: target).run { done in
                if done.rows > 0 { print("  \(done.table): \(done.rows) rows") }
            }
            let after = try await Verify.check(target)
            guard after == before else { throw CommandFailure("the copy differs from the source: \(after) (source: \(before))") }
            print("copied \(copied.reduce(0) { $0 + $1.rows }) rows from \(source.location) to \(target.location)")
            print(after)
            await closeTarget()
        } catch {
            await closeTarget()
            throw (error as? StoreCopy.Failure).map { CommandFailure("\($0)") } ?? error
        }
    }
}
