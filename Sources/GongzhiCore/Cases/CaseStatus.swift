/// Where a case stands in the closed loop (GB/T 30428's seven steps plus the district's
/// branches). Raw values are the wire and storage names; never rename one.
public enum CaseStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case reported
    case registered
    case rejected
    case dispatched
    /// The co-governance branch (云共治): the shop or owner was told and corrects it by its own
    /// deadline; the department's clock is stopped.
    case selfCorrecting = "self_correcting"
    case handled
    case verified
    case closed
    /// A duplicate merged into another case (its reports count there); undoing the merge sends
    /// it back to the dispatcher queue.
    case merged

    /// Open cases can still be commented on and supervised; `rejected`, `closed` and `merged` cannot.
    public var isOpen: Bool { self != .rejected && self != .closed && self != .merged }

    /// The statuses a new report can still join (de-duplication).
    public static let joinable: [CaseStatus] = allCases.filter(\.isOpen)
}

/// What can be done to a case. `report` opens a case and is never sent as an action.
public enum CaseAction: String, Sendable, Codable, CaseIterable, Hashable {
    case report
    case register
    case reject
    case dispatch
    /// The unit now holding the case acknowledges it (签收): someone has it in hand. Recorded
    /// once per holder; a new unit must accept it afresh. The clock is not changed by it.
    case accept
    case `return`
    case escalate
    /// The command centre moves a dispatched case to another unit (协调派遣): a case escalated
    /// to the top of the org tree, or one that sits with the wrong unit, gets a new holder and
    /// a new deadline without going back through the dispatcher queue.
    case redispatch
    case handle
    case verify
    case close
    case reopen
    case comment
    case supervise
    /// The command centre grants a unit's request to defer a case it cannot handle in time for
    /// an objective reason (缓办: a budget, a season, a court): the deadline is lifted, the case
    /// stays with the unit, and the evaluation leaves it out of the cases due to close.
    case postpone
    /// The resident's (or the hotline's call-back) verdict on a closed case (群众评价):
    /// satisfied, basically satisfied or dissatisfied. One per closing; a reopened and again
    /// closed case may be judged again.
    case evaluate
    /// The scheduler marks that a warning share of the time has passed (预警).
    case warn
    /// The scheduler marks that the deadline has passed (超期).
    case overdue
    /// The merchant responsible for a co-governance case is told to correct it (告知).
    case notify
    /// The merchant says it has corrected the problem, with a photo (through its notice).
    case confirm
    /// A camera or a grid worker checks a self-correcting case: passed closes it as
    /// self-corrected, failed (after the merchant's confirmation) sends it to enforcement.
    case recheck
    /// The merchant's deadline passed with the problem still there: enforcement (执法).
    case uncorrected
    /// Another report of the same matter joined the case (a resident, the hotline, a grid worker).
    case join
    /// A summary of camera detections that joined the case: count and time range.
    case detections
    /// This case is a duplicate of another: merged into it.
    case merge
    /// The case that a duplicate was merged into records it.
    case absorb
    /// A merge is undone: the duplicate goes back to the dispatcher queue.
    case unmerge
    /// The case a duplicate was merged into records that the merge was undone.
    case release

    /// Actions only the system takes; clients cannot send them.
    public static let systemOnly: Set<CaseAction> = [.report, .warn, .overdue, .notify, .confirm, .uncorrected, .join, .detections, .absorb, .release]

    /// The actions a client may send to `POST /api/v1/cases/{id}/{action}`.
    public static let commands: [CaseAction] = allCases.filter { !systemOnly.contains($0) }
}

/// The channel a report came in through. Raw values are the API's `source` field.
public enum ReportSource: String, Sendable, Codable, CaseIterable, Hashable {
    /// An AI camera's detection (城市眼·云共治).
    case camera
    /// A resident through an app, a form or Open311.
    case resident
    /// A grid worker's patrol finding (网格员巡查).
    case gridWorker = "grid_worker"
    /// The 12345 government service hotline.
    case hotline
    /// A dispute brought to the conflict-mediation centre (矛调中心).
    case dispute
    /// A petition (信访).
    case petition
    /// An enterprise's difficulty (亲清在线).
    case enterprise
    /// A blocker on a major project in the work plan.
    case project
}
