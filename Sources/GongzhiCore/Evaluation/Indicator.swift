/// The evaluation's indicators (综合评价指标), each a formula over summed `Measure`s. Raw values
/// are the API's names. Rates are fractions (0.873), nil when their denominator is 0: a unit
/// with no cases has no rate, rather than 0 % or 100 %.
public enum Indicator: String, Sendable, CaseIterable, Hashable, Codable {
    case assigned, handled
    case handledOnTime = "handled_on_time"
    case handledLate = "handled_late"
    case overdueOpen = "overdue_open"
    case disposalRate = "disposal_rate"
    case onTimeDisposalRate = "on_time_disposal_rate"
    case reworks
    case reworkRate = "rework_rate"
    case returned
    case dueToClose = "due_to_close"
    case postponed
    case closed
    case closeRate = "close_rate"
    case onTimeCloseRate = "on_time_close_rate"
    case supervised
    case averageHandlingHours = "average_handling_hours"
    case satisfactionRate = "satisfaction_rate"
    case selfCorrectionRate = "self_correction_rate"

    /// Whether figures are a unit's (what it was given) or an area's (what was reported there):
    /// closing counts differ. A unit's cases due to close are those it answers for; an area's
    /// are the cases registered there.
    public enum Perspective: Sendable { case unit, area }

    public var isRate: Bool {
        switch self {
        case .disposalRate, .onTimeDisposalRate, .reworkRate, .closeRate, .onTimeCloseRate, .satisfactionRate, .selfCorrectionRate: true
        default: false
        }
    }

    /// Chinese and English names, and the formula written out (the README's table is this).
    public var names: (zh: String, en: String) {
        switch self {
        case .assigned: ("应处置数", "cases to handle")
        case .handled: ("处置数", "handled")
        case .handledOnTime: ("按期处置数", "handled on time")
        case .handledLate: ("超期处置数", "handled late")
        case .overdueOpen: ("超期未处置数", "overdue, not handled")
        case .disposalRate: ("处置率", "disposal rate")
        case .onTimeDisposalRate: ("按期处置率", "on-time disposal rate")
        case .reworks: ("返工数", "reworks")
        case .reworkRate: ("返工率", "rework rate")
        case .returned: ("回退数", "returned")
        case .dueToClose: ("应结案数", "due to close")
        case .postponed: ("缓办数", "postponed")
        case .closed: ("结案数", "closed")
        case .closeRate: ("结案率", "close rate")
        case .onTimeCloseRate: ("按期结案率", "on-time close rate")
        case .supervised: ("督办数", "supervised")
        case .averageHandlingHours: ("平均处置时长（工作小时）", "average handling time (office hours)")
        case .satisfactionRate: ("群众满意率", "satisfaction rate")
        case .selfCorrectionRate: ("自行整改率（云共治）", "self-correction rate")
        }
    }

    public var formula: String {
        switch self {
        case .assigned: "cases the unit holds or whose handling stands, by the day it received them"
        case .handled: "of those, handled (a passed merchant recheck counts as handled)"
        case .handledOnTime: "handled no later than the deadline then in force"
        case .handledLate: "handled after the deadline then in force"
        case .overdueOpen: "held, not handled, marked overdue"
        case .disposalRate: "处置数 / 应处置数"
        case .onTimeDisposalRate: "按期处置数 / 应处置数"
        case .reworks: "failed verifications of the unit's handling"
        case .reworkRate: "cases reworked at least once / 处置数"
        case .returned: "returns as not the unit's business"
        case .dueToClose: "unit: 应处置数; area: registered cases (立案数) — neither counts rejected or merged cases"
        case .postponed: "cases deferred by the command centre (缓办)"
        case .closed: "cases closed"
        case .closeRate: "结案数 / (应结案数 − 缓办数)"
        case .onTimeCloseRate: "按期结案数 / (应结案数 − 缓办数), 按期 = the last handling by its deadline"
        case .supervised: "cases supervised (督办) at least once"
        case .averageHandlingHours: "office hours from the unit receiving a case to its handling, averaged over 处置数"
        case .satisfactionRate: "(satisfied + basically satisfied) / residents' evaluations"
        case .selfCorrectionRate: "cases the merchant corrected itself / cases a merchant was told to correct"
        }
    }

    /// The indicator's value from summed counts. `weight` counts each supervised case that many
    /// times in the unit's rates and counts (the scheme's 督办件 weighting); 1 leaves them as they are.
    public func value(_ c: Counts, perspective: Perspective, weight: Double = 1) -> Double? {
        func w(_ m: Measure) -> Double {
            let base = Double(c[m])
            guard weight != 1, perspective == .unit, let twin = m.supervisedTwin else { return base }
            return base + (weight - 1) * Double(c[twin])
        }
        func ratio(_ a: Double, _ b: Double) -> Double? { b > 0 ? min(1, max(0, a / b)) : nil }
        let unit = perspective == .unit
        let due = unit ? w(.assigned) : w(.registered)
        let postponed = unit ? w(.unitPostponed) : w(.postponed)
        let closed = unit ? w(.unitClosed) : w(.closed)
        let closedOnTime = unit ? w(.unitClosedOnTime) : w(.closedOnTime)
        switch self {
        case .assigned: return w(.assigned)
        case .handled: return w(.handled)
        case .handledOnTime: return w(.handledOnTime)
        case .handledLate: return w(.handledLate)
        case .overdueOpen: return w(.overdueOpen)
        case .disposalRate: return ratio(w(.handled), w(.assigned))
        case .onTimeDisposalRate: return ratio(w(.handledOnTime), w(.assigned))
        case .reworks: return w(.reworks)
        case .reworkRate: return ratio(w(.reworkCases), w(.handled))
        case .returned: return w(.returned)
        case .dueToClose: return due
        case .postponed: return postponed
        case .closed: return closed
        case .closeRate: return ratio(closed, due - postponed)
        case .onTimeCloseRate: return ratio(closedOnTime, due - postponed)
        case .supervised: return unit ? w(.unitSupervised) : w(.supervised)
        case .averageHandlingHours: return c[.handled] > 0 ? Double(c[.handleMinutes]) / Double(c[.handled]) / 60 : nil
        case .satisfactionRate: return ratio(w(.satisfied), w(.evaluated))
        case .selfCorrectionRate: return ratio(w(.selfCorrected), w(.notified))
        }
    }

    /// Every indicator that has a value for these counts.
    public static func values(_ c: Counts, perspective: Perspective) -> [Indicator: Double] {
        var out: [Indicator: Double] = [:]
        for i in allCases { if let v = i.value(c, perspective: perspective) { out[i] = v } }
        return out
    }
}
