import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore

/// `gongzhi plans load FILE` and `gongzhi plans list`: a district's work plan file into the
/// database (a new plan, or a new version of one already loaded; reports made since stay),
/// checked against the org tree before anything is written.
struct PlansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plans", abstract: "Load and list work plans (督查督办).", subcommands: [Load.self, Import.self, List.self])

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

extension PlansCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge goal areas, tasks and indicators from a spreadsheet (XLSX, or CSV in UTF-8 or GB18030) into a plan.",
            discussion: """
                Columns by their header: 目标领域/goal_area, 任务/task, 牵头单位/lead_unit, 配合单位/cooperating_units, \
                完成时限/deadline, 指标/indicator, 计量单位/unit_of_measure, 目标值/target, 基数/baseline, 起始日期/start, \
                方向/direction (提高|降低), 口径/accumulation (累计|时点). Units by code or full name. A goal area, task or \
                indicator already in the plan (by name) keeps its id and its reports; nothing is removed. A bad row is \
                listed (line, column, reason) and the rest are taken; the plan's new version is one event with the actor. \
                A plan not loaded yet needs --name, --start and --end. Exit status: 0 when every row was taken, 2 when \
                some were refused, 1 when nothing could be.
                """)
        @Argument(help: "The XLSX file (its first sheet) or CSV file.") var file: String
        @Option(help: "The plan's id.") var plan: String
        @Option(help: "A new plan's name.") var name: String?
        @Option(help: "A new plan's first day (YYYY-MM-DD).") var start: String?
        @Option(help: "A new plan's last day (YYYY-MM-DD).") var end: String?
        @Option(help: "Who imports it, as recorded in the plan's events.") var actor = "cli"
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            let text: String
            do {
                text = XLSXSheet.looksLikeXLSX(data) ? CSV.write(try XLSXSheet.rows(data)) : try TextDecoding.decode(data).text
            } catch {
                throw CommandFailure("\(file): \(error)")
            }
            var new: (name: String, start: PlanDay, end: PlanDay)? = nil
            if let name {
                guard let s = start.flatMap(PlanDays.parse), let e = end.flatMap(PlanDays.parse) else {
                    throw CommandFailure("a new plan needs --start and --end as YYYY-MM-DD")
                }
                new = (name, s, e)
            }
            let opened = try await OpenedDatabase.open(db)
            let units = opened.store.context.current.units
            let outcome: PlanSheet.Outcome
            do {
                outcome = try await opened.store.plans.importSheet(text, plan: plan, new: new, unit: units.code(of:), actor: "user:\(actor)",
                                                                   at: Date())
            } catch let e as PlanStoreError {
                await opened.close()
                throw CommandFailure("\(file): \(e.description)\(e == .unknownPlan(plan) ? " (a new plan needs --name, --start and --end)" : "")")
            }
            await opened.close()
            for e in outcome.errors { FileHandle.standardError.write(Data("\(file): \(e)\n".utf8)) }
            print("\(outcome.taken) of \(outcome.rows) rows taken into plan \(plan) (\(outcome.added) tasks added, \(outcome.updated) updated)")
            if outcome.taken == 0 { throw ExitCode(1) }
            if !outcome.errors.isEmpty { throw ExitCode(2) }
        }
    }
}
