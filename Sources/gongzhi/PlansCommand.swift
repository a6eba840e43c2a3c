import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiStore

/// `gongzhi plans load FILE` and `gongzhi plans list`: a district's work plan file into the
/// database (a new plan, or a new version of one already loaded; reports made since stay),
/// checked against the org tree before anything is written.
struct PlansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plans", abstract: "Load and list work plans (督查督办).", subcommands: [Load.self, List.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a plan file (JSON, as the README's \"The work plan\" describes; the demo's is gongshu_2020h2_plan.json).",
            discussion: "A file that does not hold together (an unknown unit, a project in no group, a date out of order) is refused "
                + "with what is wrong, and nothing is written. Exit status 1 then.")
        @Argument(help: "The plan file.") var file: String
        @Option(help: "Who loads it, as recorded in the plan's events.") var actor = "cli"
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            let opened = try await OpenedDatabase.open(db)
            do {
                let plan = try await opened.store.plans.load(data, actor: "user:\(actor)", at: Date())
                await opened.close()
                print("loaded plan \(plan.id) (\(plan.name), \(PlanDays.text(plan.start)) – \(PlanDays.text(plan.end)))")
            } catch let e as PlanStoreError {
                await opened.close()
                throw CommandFailure("\(file): \(e.description)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the plans loaded.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            let plans = try await opened.store.plans.plans()
            await opened.close()
            for p in plans { print("\(p.id)\t\(p.name)\t\(PlanDays.text(p.start))\t\(PlanDays.text(p.end))") }
        }
    }
}
