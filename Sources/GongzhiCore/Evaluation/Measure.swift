/// The counts the evaluation adds up. Each is a column of the statistics tables (its raw
/// value is the column's name), summed over cases; the indicators (rates, averages, the
/// score) are computed from these sums and never stored, so a changed formula needs no
/// recomputation. Raw values are storage names; never rename one.
public enum Measure: String, Sendable, CaseIterable, Hashable, Codable {
    // Per case, on the day it was reported (`FactKind.intake`).
    /// Every case (受理数).
    case reported
    /// Registered (立案数), so due to be closed (应结案数) — rejected and merged ones are not.
    case registered
    case rejected
    /// Duplicates merged into another case: they count there, not here.
    case merged
    /// Closed (结案数).
    case closed
    /// Closed with its handling done by the deadline then in force (按期结案数).
    case closedOnTime = "closed_on_time"
    /// Deferred by the command centre (缓办数): left out of the cases due to close.
    case postponed
    /// Supervised at least once (督办数).
    case supervised
    /// Judged by the resident after closing, and of those satisfied or basically satisfied.
    case evaluated
    case satisfied
    /// Co-governance (云共治): a merchant was told to correct it, and corrected it itself.
    case notified
    case selfCorrected = "self_corrected"

    // Per unit and case, on the day the unit first received it (`FactKind.unit`).
    /// The unit answers for the case (应处置数): it holds it now or its handling stands.
    case assigned
    /// Handled (处置数), on time (按期处置数) or late (超期处置数).
    case handled
    case handledOnTime = "handled_on_time"
    case handledLate = "handled_late"
    /// Still in the unit's hands, not handled, past the deadline (超期未处置数).
    case overdueOpen = "overdue_open"
    /// Failed verifications of the unit's handling (返工数), and cases that failed at least once
    /// (`reworkCases`) and three times or more (`reworkCases3`), which the scheme charges.
    case reworks
    case reworkCases = "rework_cases"
    case reworkCases3 = "rework_cases_3"
    /// Returns by the unit as not its business (回退数), on rows of units that gave it back.
    case returned
    /// Office minutes from the unit receiving the case to its handling, summed over `handled`.
    case handleMinutes = "handle_minutes"
    /// The unit's cases closed, and on time; deferred while it held them.
    case unitClosed = "unit_closed"
    case unitClosedOnTime = "unit_closed_on_time"
    case unitPostponed = "unit_postponed"
    /// Supervised while the unit held it, and the same counts for supervised cases only, so a
    /// scheme can weigh supervised (督办) cases more.
    case unitSupervised = "unit_supervised"
    case assignedSupervised = "assigned_sup"
    case handledOnTimeSupervised = "handled_on_time_sup"
    case unitClosedSupervised = "unit_closed_sup"
    case unitClosedOnTimeSupervised = "unit_closed_on_time_sup"
    case unitPostponedSupervised = "unit_postponed_sup"

    // Per open case, with no day: the state now (`FactKind.live`).
    case open
    /// Open and past its deadline (marked overdue by the scheduler).
    case openOverdue = "open_overdue"
    /// Open and not yet with a unit (waiting in the command centre).
    case openUnassigned = "open_unassigned"
    case selfCorrecting = "self_correcting"

    // Per case, on the day it happened (`FactKind.flow`), for the trend.
    case closedThatDay = "closed_day"
    case handledThatDay = "handled_day"

    /// The supervised twin of a unit count, where one is kept.
    public var supervisedTwin: Measure? {
        switch self {
        case .assigned: .assignedSupervised
        case .handledOnTime: .handledOnTimeSupervised
        case .unitClosed: .unitClosedSupervised
        case .unitClosedOnTime: .unitClosedOnTimeSupervised
        case .unitPostponed: .unitPostponedSupervised
        default: nil
        }
    }

    /// Position in `allCases`: the column order of the statistics tables.
    public var index: Int { Self.indexes[self]! }
    private static let indexes = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
}

/// Which figures a fact row carries and what its day means.
public enum FactKind: Int, Sendable, Hashable, Codable, CaseIterable {
    /// One per case, dated the day it was reported.
    case intake = 0
    /// One per unit that answers for the case (or returned it), dated the day it first got it.
    case unit = 1
    /// One per open case, undated: what is open now.
    case live = 2
    /// One per day something finished (handled, closed), for the trend.
    case flow = 3
}
