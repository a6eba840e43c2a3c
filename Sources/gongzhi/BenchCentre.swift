import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiSQL
import GongzhiStore

/// Fills a database with a year of petitions for the ledger and campaign-board benchmark
/// (`scripts/bench-centre`): registered over the year in every street, most decided, answered
/// and closed in time, some left undecided or unanswered past their periods, a backlog
/// campaign over the oldest open ones.
struct BenchCentre: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "centre-fill", abstract: "Fill a database with a year of petitions and a backlog campaign (for the centre's page benchmark).")

    @Option(help: DatabaseLocation.help)
    var db = DatabaseLocation.fromEnvironment

    @Option(help: "Petitions to add.")
    var petitions = 100_000

    @Option(help: "Petitions per transaction.")
    var batch = 1_000

    @Option(help: "Items of the backlog campaign (the oldest open petitions).")
    var campaignItems = 2_000

    @Option(help: "The year's end (RFC 3339); petitions run up to it.")
    var until = "2026-11-25T18:00:00+08:00"

    func validate() throws {
        guard petitions > 0, petitions <= 5_000_000 else { throw ValidationError("--petitions must be between 1 and 5000000") }
        guard batch > 0, batch <= 10_000 else { throw ValidationError("--batch must be between 1 and 10000") }
        guard campaignItems >= 0, campaignItems <= 5_000 else { throw ValidationError("--campaign-items must be between 0 and 5000") }
        guard Timestamp.parse(until) != nil else { throw ValidationError("--until must be an RFC 3339 time") }
    }

    func run() async throws {
        try await OpenedDatabase.using(db, mustExist: false) { try await fill($0) }
    }

    func fill(_ opened: OpenedDatabase) async throws {
        let end = Timestamp.parse(until)!
        let units = opened.reference.units
        let context = CentreContext(rules: try ReferenceData.mediationRules(units: units), units: units,
                                    calendar: opened.store.context.current.calendar)
        let centre = SQLCentreStore(db: opened.db)
        let desk = Principal(kind: .user, id: "system:bench", role: .dispatcher, unit: ReferenceData.districtCode)
        let streets = units.children(of: ReferenceData.districtCode).compactMap(\.areaCode).filter { $0.count == 9 }
        var rng = SeededGenerator(seed: 2022)
        let started = ContinuousClock.now
        var done = 0, open: [Int64] = []
        while done < petitions {
            let n = min(batch, petitions - done)
            var histories: [SQLCentreStore.History] = []
            for i in 0..<n {
                let at = end.addingTimeInterval(-Double.random(in: 0...(365 * 86_400), using: &rng))
                let street = streets[(done + i) % streets.count]
                let people = Int.random(in: 0..<100, using: &rng) < 4 ? Int.random(in: 5...40, using: &rng) : 1
                let draft = PetitionDraft(title: "信访事项 \(done + i + 1)：小区加装电梯补贴", content: "反映补贴未发放，要求协调解决。", form: .visit,
                                          petitioners: [Party(name: "信访人\(done + i + 1)",
                                                              phone: "1380000" + String(format: "%04d", (done + i) % 10_000))],
                                          people: people, street: street)
                histories.append(SQLCentreStore.History(draft: draft, at: at, steps: steps(from: at, until: end, unit: street, rng: &rng)))
            }
            let ids = try await centre.load(histories, by: desk, context: context)
            for (id, h) in zip(ids, histories) where h.steps.count < 3 { open.append(id) }
            done += n
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            print("\(done) petitions in \(String(format: "%.1f", seconds)) s, \(Int(Double(done) / seconds)) per second",
                  terminator: done == petitions ? "\n" : "\r")
        }
        if campaignItems > 0 {
            let c = try await centre.createCampaign(name: "书记领衔信访积案清零", start: PlanDays.of(end) - 30, end: PlanDays.of(end) + 60, by: desk, at: end)
            let items = open.sorted().prefix(campaignItems).enumerated().map { i, id in
                Campaign.Item(petition: id, leader: "领衔领导\(i % 40 + 1)", unit: streets[i % streets.count], target: PlanDays.of(end) + Int64(i % 60))
            }
            _ = try await centre.addItems(Array(items), to: c.id, by: desk, scope: .all, at: end)
            print("campaign \(c.id): \(items.count) items")
        }
    }

    /// A petition's later steps as they would have gone by `end`: most in time, some late.
    func steps(from at: Date, until end: Date, unit: String, rng: inout SeededGenerator) -> [(PetitionCommand, Date)] {
        var out: [(PetitionCommand, Date)] = []
        let roll = Int.random(in: 0..<100, using: &rng)
        let decided = at.addingTimeInterval(Double.random(in: 1...(roll < 8 ? 25 : 12), using: &rng) * 86_400)
        guard decided < end, roll >= 3 else { return out }
        out.append((.decide(accept: true, unit: unit, notice: "书面告知", reason: nil), decided))
        let answered = decided.addingTimeInterval(Double.random(in: 5...(roll < 15 ? 75 : 55), using: &rng) * 86_400)
        guard answered < end, roll >= 10 else { return out }
        out.append((.answer(text: "已协调有关部门，补贴将于本月发放。"), answered))
        let closed = answered.addingTimeInterval(Double.random(in: 1...20, using: &rng) * 86_400)
        guard closed < end else { return out }
        out.append((.close, closed))
        return out
    }
}
