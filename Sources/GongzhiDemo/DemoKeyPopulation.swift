import Foundation
import GongzhiCore
import GongzhiStore

/// Loads a few invented people onto the demo's key-population list once, through the store and
/// the record's machine: one waiting for verification, one under monitoring with a day missed,
/// one released, one not found. No real person: the names say 示例 and carry no identity number.
public struct DemoKeyPopulation {
    let list: any KeyPopulationStore
    let rules: KeyPopulationRules
    let units: OrgDirectory

    public init(list: any KeyPopulationStore, rules: KeyPopulationRules, units: OrgDirectory) {
        self.list = list
        self.rules = rules
        self.units = units
    }

    enum Stage { case registered, monitoring, released, unreachable }
    /// (name, community, hours ago registered, stage).
    static let rows: [(String, String, Double, Stage)] = [
        ("示例居民甲", "330105003051", 1, .registered),
        ("示例居民乙", "330105003051", 80, .monitoring),
        ("示例居民丙", "330105003052", 400, .released),
        ("示例居民丁", "330105001051", 30, .unreachable),
    ]

    @discardableResult
    public func loadIfEmpty(now: Date) async throws -> Int {
        let command = KeyPopulationViewer(scope: .all, commandUnit: rules.commandUnit)
        var probe = KeyPopulationQuery()
        probe.limit = 1
        guard try await list.people(probe, for: command).isEmpty, let measure = rules.measures.first(where: { $0.monitorDays > 0 }) else { return 0 }
        var added = 0
        for (i, (name, community, hoursAgo, stage)) in Self.rows.enumerated() where units[community]?.kind == .community {
            let at = now.addingTimeInterval(-hoursAgo * 3_600)
            let draft = KeyPersonDraft(measure: measure.code, name: name, idNumber: nil, phone: "1390000020\(i)", address: "示例路 \(i + 1) 号",
                                       community: community)
            let person = try await list.register(try draft.validated(rules: rules, units: units, by: "system:demo", at: at))
            added += 1
            guard stage != .registered else { continue }
            let rules = rules
            _ = try await list.apply(person.id, for: command, authorise: { _ in }) { p in
                let verifiedAt = at.addingTimeInterval(3_600)
                var p = try KeyPersonMachine.apply(.verify(found: stage != .unreachable, note: nil), to: p, rules: rules, by: "system:demo",
                                                   at: verifiedAt)
                guard stage != .unreachable, let until = p.monitorUntil else { return p }
                // Every day followed up but the day before yesterday's, till today or the last day.
                var day = PlanDays.of(verifiedAt)
                while day <= min(PlanDays.of(now), until) {
                    if day != PlanDays.of(now) - 2 {
                        let at = min(now, max(verifiedAt, Period.start(of: day).addingTimeInterval(36_000)))
                        p = try KeyPersonMachine.apply(.followUp(day: PlanDays.text(day), healthy: true, note: "体温正常"), to: p, rules: rules,
                                                       by: "system:demo", at: at)
                    }
                    day += 1
                }
                guard stage == .released, PlanDays.of(now) > until else { return p }
                return try KeyPersonMachine.apply(.release(note: "期满解除"), to: p, rules: rules, by: "system:demo",
                                                  at: min(now, Period.start(of: until + 1).addingTimeInterval(9 * 3_600)))
            }
        }
        return added
    }
}
