import Foundation

/// Where one unit's part of a joint case stands (联合执法). `returned` is a unit saying the part
/// is not theirs (退回), with a reason; the lead unit then closes it or asks another unit.
public enum JointTaskStatus: String, Sendable, Codable, CaseIterable {
    case open, done, returned, closed

    /// Whether the case still waits for this part.
    public var isPending: Bool { self == .open || self == .returned }
}

/// One unit's part of a joint case (e.g. at a muck-truck site: 住建 for the site, 城管 for the
/// road, 生态环境 for dust, 交警 for the trucks): its own deadline, handler, note and evidence.
/// Every partner reads every part, so what one unit finds the others know.
public struct JointTask: Sendable, Codable, Equatable {
    public var id: Int64
    public var caseID: Int64
    public var unit: String
    public var dueAt: Date
    /// The person in the unit who has it (`user:<name>`), once assigned.
    public var handler: String?
    public var note: String
    /// Links to photos or documents (as a case's media).
    public var evidence: [String]
    public var status: JointTaskStatus
    public var createdAt: Date
    public var createdBy: String
    public var finishedAt: Date?
    public var finishedBy: String?
    /// Why a part was returned or closed by the lead.
    public var reason: String?

    public init(id: Int64, caseID: Int64, unit: String, dueAt: Date, handler: String? = nil, note: String = "", evidence: [String] = [],
                status: JointTaskStatus = .open, createdAt: Date, createdBy: String, finishedAt: Date? = nil, finishedBy: String? = nil,
                reason: String? = nil) {
        self.id = id
        self.caseID = caseID
        self.unit = unit
        self.dueAt = dueAt
        self.handler = handler
        self.note = note
        self.evidence = evidence
        self.status = status
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.finishedAt = finishedAt
        self.finishedBy = finishedBy
        self.reason = reason
    }

    /// Done after its deadline, or still open past it at `now`. A part given back (退回) waits on
    /// the lead, not on the unit that gave it back, so it is never late.
    public func isLate(at now: Date) -> Bool {
        if status == .done, let finished = finishedAt { return finished > dueAt }
        return status == .open && now > dueAt
    }
}

/// A step on a joint case's parts.
public enum JointCommand: Sendable {
    /// The lead unit (the unit holding the case) or the centre splits the case: a part per unit,
    /// each due after its own deadline.
    case split([(unit: String, deadline: DeadlineSpec)])
    case assign(task: Int64, handler: String)
    case complete(task: Int64, note: String?, evidence: [String]?)
    /// The unit says the part is not theirs (退回).
    case giveBack(task: Int64, reason: String?)
    /// The lead closes every pending part, saying why, so the case can move on.
    case closeRest(reason: String?)
}
