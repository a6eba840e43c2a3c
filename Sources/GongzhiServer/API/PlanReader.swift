import Foundation
import GongzhiCore
import GongzhiStore

/// A plan as one viewer sees it on one day, for the API and the pages alike: cut to the
/// viewer's scope before anything is counted, with the blocker cases open that day.
struct PlanReader: Sendable {
    let plans: any PlanStore
    let cases: any CaseStore
    let context: Live<CaseContext>

    /// What a viewer sees of a plan on a day.
    struct View: Sendable {
        var document: PlanDocument
        var status: PlanStatus
        /// The plan's blocker cases open on the day, by subject (look up only what `document` holds).
        var blockers: [BlockerSubject: [CaseRecord]]
    }

    func scope(_ p: Principal) -> Scope { Scope.of(unit: p.unit, in: context.current.units) }

    /// The stored plan, or 404; an id no plan could have (control characters, too long) is not looked up.
    func stored(_ id: String) async throws -> StoredPlan {
        let plausible = !id.isEmpty && id.utf8.count <= 200 && !id.unicodeScalars.contains { $0.properties.generalCategory == .control }
        guard plausible, let stored = try await plans.plan(id) else {
            throw APIError(.notFound, code: "plan_not_found", message: "plan '\(id.prefix(200))' does not exist")
        }
        return stored
    }

    func view(_ id: String, by p: Principal, at day: PlanDay) async throws -> View {
        try await view(try await stored(id), scope: scope(p), at: day)
    }

    func view(_ stored: StoredPlan, scope: Scope, at day: PlanDay) async throws -> View {
        let seen = stored.document.scoped(to: scope)
        let visible = Set(seen.indicators.map(\.indicator.id))
        let reports = stored.reports.filter { visible.contains($0.key) }
        let open = OpenBlockers.cases(try await blockerCases(), of: seen.id, openOn: day)
        let status = StoredPlan(document: seen, reports: reports, actuals: stored.actuals, eventCount: stored.eventCount)
            .status(at: day, openBlockers: open)
        return View(document: seen, status: status, blockers: open)
    }

    /// Every case raised as a blocker (source `project`, class 95), whatever its status: they
    /// are few (tens a year), and a past day needs the ones closed since.
    func blockerCases() async throws -> [CaseRecord] {
        var q = CaseQuery()
        q.sources = [.project]
        q.categories = ["95"]
        q.sort = .oldest
        q.limit = CaseQuery.maxLimit
        var all: [CaseRecord] = []
        while true {
            let page = try await cases.list(q)
            all += page.items
            guard let next = page.nextCursor, !page.items.isEmpty else { return all }
            q.cursor = next
        }
    }
}
