import Foundation
import GongzhiCore
import GongzhiStore

/// A plan as the API shows it on a day: goal areas → tasks → indicators with target, actual,
/// expected, forecast and light; the portfolio targets; the count of tasks by light.
struct PlanDTO: Encodable {
    struct Summary: Encodable {
        var id: String, name: String, start: String, end: String
        init(_ s: PlanSummary) { (id, name, start, end) = (s.id, s.name, PlanDays.text(s.start), PlanDays.text(s.end)) }
    }

    struct Gap: Encodable { var month: String, due: String, days_late: Int64? }

    struct Indicator: Encodable {
        var id: String, name: String, unit_of_measure: String, direction: String, accumulation: String
        var baseline: Double, target: Double, start: String, deadline: String
        var expected: Double, expected_value: Double, actual: Double?, actual_as_of: String?, progress: Double?, behind: Double?
        var forecast: Double?, light: String, recovered: Bool, missed_deadline: Bool, late_reports: [Gap]
        /// The target comes from the plan's text (false: filled in, e.g. demo data).
        var stated: Bool
        var note: String?

        init(_ s: PlanDocument.StatedIndicator, pace p: Pace) {
            let i = s.indicator
            (id, name, unit_of_measure, direction, accumulation) = (i.id, i.name, i.unitOfMeasure, i.direction.rawValue, i.accumulation.rawValue)
            (baseline, target, start, deadline) = (i.baseline, i.target, PlanDays.text(i.start), PlanDays.text(i.deadline))
            (expected, expected_value, actual, actual_as_of) = (p.expected, p.expectedValue, p.actual, p.actualAsOf.map(PlanDays.text))
            (progress, behind, forecast, light) = (p.progress, p.behind, p.forecast, p.light.rawValue)
            (recovered, missed_deadline, stated, note) = (p.recovered, p.missedDeadline, s.stated, s.note)
            late_reports = p.gaps.map { Gap(month: String(PlanDays.text($0.month).prefix(7)), due: PlanDays.text($0.due), days_late: $0.daysLate) }
        }
    }

    struct Task: Encodable {
        var id: String, name: String, lead_unit: String, cooperating_units: [String], deadline: String
        var light: String, open_blockers: Int, stated: Bool, project_group: String?
        var indicators: [Indicator]
    }

    struct GoalArea: Encodable { var id: String, name: String, light: String, tasks: [Task] }

    struct Portfolio: Encodable {
        var id: String, name: String, group: String, milestones: [String], share_target: Double, by: String
        var projects: Int, reached: Int, share: Double, forecast_reached: Int, forecast_share: Double, target_count: Int
        var light: String, stated: Bool
    }

    var id: String, name: String, source: String?, start: String, end: String, as_of: String
    var lights: [String: Int]
    var goal_areas: [GoalArea]
    var portfolios: [Portfolio]

    init(_ plan: PlanDocument, status: PlanStatus) {
        (id, name, source, start, end) = (plan.id, plan.name, plan.source, PlanDays.text(plan.start), PlanDays.text(plan.end))
        as_of = PlanDays.text(status.asOf)
        lights = Dictionary(uniqueKeysWithValues: Light.allCases.map { ($0.rawValue, status.taskLights[$0] ?? 0) })
        goal_areas = plan.goalAreas.map { area in
            GoalArea(id: area.id, name: area.name, light: (status.goalAreas[area.id] ?? .none).rawValue, tasks: area.tasks.map { t in
                let s = status.tasks[t.id]
                return Task(id: t.id, name: t.name, lead_unit: t.leadUnit, cooperating_units: t.cooperatingUnits, deadline: PlanDays.text(t.deadline),
                            light: (s?.light ?? .none).rawValue, open_blockers: s?.openBlockers ?? 0, stated: t.stated, project_group: t.projectGroup,
                            indicators: t.indicators.compactMap { i in status.indicators[i.indicator.id].map { Indicator(i, pace: $0) } })
            })
        }
        portfolios = plan.portfolioTargets.compactMap { t in
            status.portfolios[t.id].map { s in
                Portfolio(id: t.id, name: t.name, group: t.group, milestones: t.target.milestones.map(\.rawValue).sorted(),
                          share_target: t.target.share, by: PlanDays.text(t.target.by), projects: s.projects, reached: s.reached, share: s.share,
                          forecast_reached: s.forecastReached, forecast_share: s.forecastShare, target_count: s.targetCount,
                          light: s.light.rawValue, stated: t.stated)
            }
        }
    }
}

/// A project with its milestones (planned, latest and actual dates, slack) and open blockers.
struct ProjectDTO: Encodable {
    struct Milestone: Encodable {
        var milestone: String, name: String, planned: String?, latest_start: String?, latest_finish: String?, actual: String?
        var forecast: String, slack_days: Int64?, light: String

        init(_ m: ScheduledMilestone) {
            (milestone, name, planned) = (m.milestone.rawValue, m.milestone.name, m.planned.map(PlanDays.text))
            (latest_start, latest_finish, actual) = (m.latestStart.map(PlanDays.text), m.latestFinish.map(PlanDays.text), m.actual.map(PlanDays.text))
            (forecast, slack_days, light) = (PlanDays.text(m.forecast), m.slack, m.light.rawValue)
        }
    }

    var id: String, plan: String, name: String, group: String?, type: String, road: String?, street: String?, community: String?
    var lead_unit: String, location: [[Double]]?, entered: String, deadline: String, target: String
    /// The furthest milestone reached by the day evaluated.
    var stage: String?
    var light: String, open_blockers: Int, named_in_text: Bool, stated: Bool
    var milestones: [Milestone]
    /// The blocker cases open on the day evaluated (the count also holds those the plan's file records).
    var blockers: [BlockerDTO]

    init(_ p: PlanProject, plan: String, status: PlanStatus.ProjectStatus, blockers: [CaseRecord], now: Date) {
        (id, self.plan, name, group, type, road) = (p.id, plan, p.name, p.group, p.type, p.road)
        (street, community, lead_unit) = (p.street, p.community, p.leadUnit)
        location = p.location?.points.map { [$0.lon, $0.lat] }
        (entered, deadline, target) = (PlanDays.text(p.entered), PlanDays.text(p.deadline), p.target.rawValue)
        stage = status.milestones.last { $0.actual != nil }?.milestone.rawValue
        (light, open_blockers, named_in_text, stated) = (status.light.rawValue, status.openBlockers, p.namedInText, p.stated)
        milestones = status.milestones.map(Milestone.init)
        self.blockers = blockers.map { BlockerDTO($0, now: now) }
    }
}

/// A blocker case: where it stands, who holds it, by when.
struct BlockerDTO: Encodable {
    var case_id: Int64, tracking_code: String, category: String?, description: String, status: String, unit: String?
    var raised_at: String, due_at: String?, overdue: Bool

    init(_ r: CaseRecord, now: Date) {
        (case_id, tracking_code, category, description, status) = (r.id, r.trackingCode, r.category, r.report.description, r.status.rawValue)
        (unit, raised_at, due_at) = (r.unit, Timestamp.rfc3339(r.createdAt), r.dueAt.map(Timestamp.rfc3339))
        overdue = r.status.isOpen && (r.dueAt.map { $0 < now } ?? false)
    }
}

/// `POST /api/v1/plans/{id}/reports`.
struct PlanReportBody: Decodable {
    var indicator: String?
    /// `yyyy-mm`.
    var month: String?
    var as_of: String?
    var value: Double?
    /// The reporting unit (default: the caller's).
    var unit: String?
}

/// `POST /api/v1/plans/{id}/blockers`: one of `project` and `task`.
struct BlockerBody: Decodable {
    var project: String?
    var task: String?
    /// A class-95 code (default 95002, an approval blocker).
    var category: String?
    var description: String?
    /// The caller's idempotency key: the same key for the same subject finds the same case.
    var key: String?
}

/// `POST /api/v1/plans/{id}/milestones`.
struct MilestoneBody: Decodable {
    var project: String?
    var milestone: String?
    var day: String?
}
