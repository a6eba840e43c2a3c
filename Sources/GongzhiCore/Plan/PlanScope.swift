import Foundation

/// The part of a plan a principal may see, by the same scope as cases: a task its unit leads or
/// cooperates on, a project its unit leads or that lies in its areas. The plan is cut down
/// before it is evaluated, so a street's portfolio figures count its own projects only and
/// nothing from outside the scope reaches a page or an export.
extension PlanDocument {
    public func sees(_ task: PlanTask, scope: Scope) -> Bool {
        scope.isAll || scope.units.contains(task.leadUnit) || task.cooperatingUnits.contains(where: scope.units.contains)
    }

    public func sees(_ project: PlanProject, scope: Scope) -> Bool {
        scope.isAll || scope.units.contains(project.leadUnit)
            || [project.street, project.community].contains { $0.map(scope.areas.contains) ?? false }
    }

    /// The plan as `scope` sees it: goal areas keep their visible tasks (and disappear with
    /// none); projects, reports and blockers follow what is visible.
    public func scoped(to scope: Scope) -> PlanDocument {
        guard !scope.isAll else { return self }
        var plan = self
        plan.goalAreas = goalAreas.compactMap { area in
            var a = area
            a.tasks = area.tasks.filter { sees($0, scope: scope) }
            return a.tasks.isEmpty ? nil : a
        }
        plan.projects = projects.filter { sees($0, scope: scope) }
        let indicators = Set(plan.indicators.map(\.indicator.id)), projectIDs = Set(plan.projects.map(\.id))
        plan.reports = reports.filter { indicators.contains($0.indicator) }
        plan.blockers = blockers.filter { projectIDs.contains($0.project) }
        return plan
    }

    /// Whether `scope` may report on the indicator for `unit`: the task is visible and the unit
    /// is its own (or below it).
    public func mayReport(indicator: String, unit: String, scope: Scope) -> Bool {
        guard scope.isAll || scope.units.contains(unit) else { return false }
        return goalAreas.contains { $0.tasks.contains { t in sees(t, scope: scope) && t.indicators.contains { $0.indicator.id == indicator } } }
    }
}
