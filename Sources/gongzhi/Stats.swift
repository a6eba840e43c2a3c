import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiSQL
import GongzhiStore

/// `gongzhi stats rebuild`: the evaluation's statistics computed afresh from every history.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The evaluation's statistics.", subcommands: [Rebuild.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every case's statistics from its history (after holidays or office hours change; serve does it by itself).")

        @Option(help: DatabaseLocation.help)
        var db = DatabaseLocation.fromEnvironment

        @Option(help: "Office hours on working days, as serve takes them.")
        var officeHours = "08:30-12:00,13:30-17:30"

        func run() async throws {
            guard let hours = WorkingCalendar.OfficeHours(parsing: officeHours) else {
                throw CommandFailure("--office-hours must be ordered, non-overlapping HH:MM-HH:MM intervals separated by commas")
            }
            let (database, close) = try await DatabaseLocation(db).connect(mustExist: true)
            do {
                let calendar = try ReferenceData.bundledCalendar(officeHours: hours)
                let started = ContinuousClock.now
                let n = try await StatisticsBuild.rebuild(database, calendar: calendar) { n in
                    if n % 100_000 == 0 { print("\(n) cases counted") }
                }
                print("statistics rebuilt from \(n) cases' histories in \(ContinuousClock.now - started)")
                await close()
            } catch {
                await close()
                throw error
            }
        }
    }
}
