import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiSQL
import GongzhiSQLite
import GongzhiStore

/// `gongzhi whatif`: a period's cases replayed under proposed rules, deadlines, scenarios,
/// holidays or office hours, with each unit's figures as they are and as they would have been.
/// Opens a SQLite file read-only: a what-if writes nothing.
struct WhatIfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "Replay a period's cases under proposed rules and compare each unit's figures and rank.",
        discussion: """
            Examples: gongzhi whatif --rules proposed_rules.json --from 2026-10-01 --to 2026-10-31
                      gongzhi whatif --deadline rule-id=2:working_hours --merchant-minutes scenario-id=15 --csv
            Handling times are the units' own (carried over) where a case keeps its unit, and the new unit's median
            for the category where the proposal moves it; the answer says which.
            """)

    @Option(help: DatabaseLocation.help)
    var db = DatabaseLocation.fromEnvironment

    @Option(help: "A rules file to replay under, instead of the rules in force.")
    var rules: String?

    @Option(help: "The rules in force, when serve runs with --rules (default: the bundled rules).")
    var currentRules: String?

    @Option(help: ArgumentHelp("A rule's new deadline, as RULE=AMOUNT:UNIT (unit natural_hours, working_hours or working_days).",
                               valueName: "rule=deadline"))
    var deadline: [String] = []

    @Option(help: ArgumentHelp("A rule's new unit, as RULE=UNIT.", valueName: "rule=unit"))
    var unit: [String] = []

    @Option(help: ArgumentHelp("A co-governance scenario's new merchant deadline in minutes, as SCENARIO=MINUTES.", valueName: "scenario=minutes"))
    var merchantMinutes: [String] = []

    @Option(help: ArgumentHelp("A day made a holiday (YYYY-MM-DD); repeat for more.", valueName: "date"))
    var holiday: [String] = []

    @Option(help: "Proposed office hours on working days, e.g. 09:00-12:00,13:30-17:00.")
    var officeHours: String?

    @Option(help: "A GeoJSON FeatureCollection of (Multi)Polygons (WGS84): other areas of --level to replay under.")
    var areas: String?

    @Option(help: "The level of --areas: street, community or grid.")
    var level: Area.Level?

    @Option(help: "Feature property of --areas holding the area code.")
    var codeProperty = "code"

    @Option(help: "Feature property of --areas holding the name.")
    var nameProperty = "name"

    @Option(help: "The office hours in force (serve's --office-hours).")
    var currentOfficeHours = "08:30-12:00,13:30-17:30"

    @Option(help: "First day of the period (YYYY-MM-DD, China time; default: the first of last month).")
    var from: String?

    @Option(help: "Last day of the period (default: the end of the month of --from).")
    var to: String?

    @Option(help: "Only cases of this street (area code); repeat for more.")
    var street: [String] = []

    @Option(help: "Only cases of this category (a code or a two-digit major class); repeat for more.")
    var category: [String] = []

    @Option(help: "Only cases from this channel; repeat for more.")
    var source: [String] = []

    @Option(help: "Changed cases to list (all of them in --csv up to this many).")
    var limit = 50

    @Option(help: "The time to judge open cases at (RFC 3339; default: now).")
    var now: String?

    @Flag(help: "Print CSV: the units, then the changed cases.")
    var csv = false

    func run() async throws {
        let reader: any SQLDatabase, close: @Sendable () async -> Void
        switch DatabaseLocation(db) {
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure("no database at \(path)") }
            do { reader = try GongzhiDatabase.readOnly(path: path) } catch { throw CommandFailure("\(error)") }
            close = {}
        case .postgres:
            (reader, close) = try await DatabaseLocation(db).connect(mustExist: true)
        }
        do {
            try await run(reader)
            await close()
        } catch {
            await close()
            throw error
        }
    }

    func run(_ db: any SQLDatabase) async throws {
        let at = try now.map { text in
            guard let d = Timestamp.parse(text) else { throw CommandFailure("--now must be an RFC 3339 time") }
            return d
        } ?? Date()
        let current = try await currentContext(db)
        guard try await StatisticsBuild.isCurrent(db, calendar: current.calendar) else {
            throw CommandFailure("the statistics were computed with other office hours or holidays: run gongzhi stats rebuild "
                                 + "(or serve) with --office-hours \(currentOfficeHours) first")
        }
        let proposal = try proposal(current)
        let proposed: CaseContext
        do { proposed = try proposal.apply(to: current) } catch { throw CommandFailure("\(error.field): \(error.message)") }
        let period = try period(at)
        var q = StatsQuery(from: period.firstDate, to: period.lastDate)
        q.streets = street
        q.categories = category
        q.sources = try source.map { text in
            guard let s = ReportSource(rawValue: text) else { throw CommandFailure("--source \(text) is not a channel") }
            return s
        }
        let evaluation = Evaluation(stats: SQLStatistics(db: db), scheme: try ReferenceData.scoringScheme(), joint: SQLJointTaskStore(db: db))
        let whatIf = WhatIf(evaluation: evaluation, source: SQLReplaySource(db: db))
        let step = Progress()
        let layer = try await proposedAreas(db)
        let report = try await whatIf.run(q, period: period, current: current, proposed: proposed, now: at, keep: max(0, limit),
                                          relocate: layer?.relocate) { done, of in step.show(done, of) }
        let reference = try await SQLReferenceStore(db: db).load()
        let units = reference.units, known = Dictionary(reference.areas.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let areas: (String) -> String? = { layer?.names[$0] ?? known[$0] }
        let text = csv ? WhatIfText.csv(report, names: { units[$0]?.name }, areas: areas)
            : WhatIfText.table(report, names: { units[$0]?.name }, areas: areas)
        print(text, terminator: "")
    }

    /// The area layers in force with `--areas` in place of its level; nil without `--areas`.
    func proposedAreas(_ db: any SQLDatabase) async throws -> WhatIfAreas? {
        guard let areas else { return nil }
        guard let level, level != .district else { throw CommandFailure("--areas needs --level street, community or grid") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: areas)) } catch { throw CommandFailure("cannot read \(areas)") }
        do {
            return try WhatIfAreas(current: try await SQLAreaStore(db: db).atlas(), level: level, features: try GeoJSON.features(data),
                                   codeProperty: codeProperty, nameProperty: nameProperty, source: areas)
        } catch let error as GeoJSON.Error {
            throw CommandFailure("\(areas): \(error)")
        } catch let error as WhatIfAreas.Problem {
            throw CommandFailure("\(areas): \(error)")
        }
    }

    /// The rules, calendar and scenarios in force, read from the database's reference data.
    func currentContext(_ db: any SQLDatabase) async throws -> CaseContext {
        guard let hours = WorkingCalendar.OfficeHours(parsing: currentOfficeHours) else {
            throw CommandFailure("--current-office-hours must be ordered HH:MM-HH:MM intervals separated by commas")
        }
        let reference = try await SQLReferenceStore(db: db).load()
        do {
            let rules = try RulesFile.load(path: currentRules, units: reference.units, categories: reference.categories)
            return CaseContext(units: reference.units, categories: reference.categories, rules: rules,
                               calendar: try ReferenceData.bundledCalendar(officeHours: hours),
                               coGovernance: try ReferenceData.bundledScenarios(units: reference.units, categories: reference.categories))
        } catch { throw CommandFailure("\(error)") }
    }

    /// The options as a proposal.
    func proposal(_ current: CaseContext) throws -> WhatIfProposal {
        var p = WhatIfProposal()
        if let rules {
            do { p.rules = try RulesFile.load(path: rules, units: current.units, categories: current.categories) } catch {
                throw CommandFailure("\(error)")
            }
        }
        func pair(_ text: String, _ option: String) throws -> (String, String) {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CommandFailure("--\(option) must be NAME=VALUE, not '\(text)'")
            }
            return (parts[0], parts[1])
        }
        for text in deadline {
            let (rule, value) = try pair(text, "deadline")
            let parts = value.split(separator: ":").map(String.init)
            guard parts.count == 2, let amount = Double(parts[0]), let u = DeadlineSpec.Unit(rawValue: parts[1]) else {
                throw CommandFailure("--deadline \(text): the deadline must be AMOUNT:natural_hours|working_hours|working_days")
            }
            p.ruleChanges.append(.init(rule: rule, deadline: DeadlineSpec(amount, u)))
        }
        for text in unit {
            let (rule, code) = try pair(text, "unit")
            p.ruleChanges.append(.init(rule: rule, unit: code))
        }
        for text in merchantMinutes {
            let (scenario, value) = try pair(text, "merchant-minutes")
            guard let minutes = Double(value) else { throw CommandFailure("--merchant-minutes \(text): minutes must be a number") }
            p.scenarioChanges.append(.init(scenario: scenario, merchantMinutes: minutes))
        }
        for text in holiday {
            guard let day = WorkingCalendar.day(text) else { throw CommandFailure("--holiday \(text) must be a date as YYYY-MM-DD") }
            p.daysOff[day] = "what-if"
        }
        if let officeHours {
            guard let hours = WorkingCalendar.OfficeHours(parsing: officeHours) else {
                throw CommandFailure("--office-hours must be ordered HH:MM-HH:MM intervals separated by commas")
            }
            p.officeHours = hours
        }
        return p
    }

    /// The period: the options, else last month.
    func period(_ now: Date) throws -> Period {
        let today = Period.day(of: now)
        let first: Int64
        if let from {
            guard let d = WorkingCalendar.day(from) else { throw CommandFailure("--from must be a date as YYYY-MM-DD") }
            first = d
        } else {
            first = Period.containing(today, kind: .month).previous.first
        }
        let last: Int64
        if let to {
            guard let d = WorkingCalendar.day(to) else { throw CommandFailure("--to must be a date as YYYY-MM-DD") }
            last = d
        } else {
            last = Period.containing(first, kind: .month).last
        }
        guard first <= last, last - first <= 366 else { throw CommandFailure("--to must be on or after --from, within a year") }
        return Period(kind: .range, first: first, last: last)
    }

    /// Progress on standard error, at most a line a second.
    final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var last = Date.distantPast

        func show(_ done: Int, _ of: Int) {
            lock.lock()
            defer { lock.unlock() }
            guard done == of || Date().timeIntervalSince(last) >= 1 else { return }
            last = Date()
            FileHandle.standardError.write(Data("replayed \(done) of \(of) cases that may change\n".utf8))
        }
    }
}
