import Foundation

/// The current state of a case: a projection of its events, rewritten in the same
/// transaction that appends them. It is never the source of truth; `CaseMachine.apply`
/// folding the history must always give the same record.
public struct CaseRecord: Sendable, Hashable {
    public var id: Int64
    /// The code the public uses to look up a case: random, not guessable.
    public var trackingCode: String
    public var status: CaseStatus
    public var report: Report
    /// The category as classified; starts as the report's and may be set later.
    public var category: String?
    /// The unit that must act now (nil until dispatched and after a return).
    public var unit: String?
    public var dueAt: Date?
    /// When the warning share of the time to `dueAt` has passed.
    public var warnAt: Date?
    /// Whether the scheduler has marked the warning / the overdue for the current deadline.
    public var warned: Bool
    public var overdueMarked: Bool
    /// The routing rule that set the current deadline, if one did.
    public var ruleID: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var closedAt: Date?
    /// Failed verifications (返工).
    public var reworkCount: Int
    /// Misrouted returns (退回).
    public var returnCount: Int
    public var escalationCount: Int
    public var supervisionCount: Int
    public var reopenCount: Int
    /// The unit and reason of the last return, to flag disputed ownership.
    public var lastReturn: UnitReason?
    /// The same unit returned the case twice for the same reason (推诿): the command centre must
    /// settle who owns it. Cleared when another unit is given the case.
    public var disputed: Bool
    /// The unit holding the case has accepted it (签收); cleared when another unit is given it.
    public var accepted: Bool
    /// The co-governance scenario and the merchant told to self-correct, once notified.
    public var scenario: String?
    public var merchant: String?
    /// The merchant said it corrected the problem; a recheck decides.
    public var merchantConfirmed: Bool
    /// Closed because the merchant corrected it (a passed recheck), not by a department.
    public var selfCorrected: Bool
    /// The case this duplicate was merged into, while merged.
    public var mergedInto: Int64?
    /// The resident's verdict since the case last closed (cleared when it is reopened).
    public var satisfaction: Satisfaction?
    /// The reports that make up the case, by channel. Not part of the event projection: the
    /// store keeps it from the reports list, which `verify` checks it against.
    public var tally: ReportTally
    /// Events so far; the next event's sequence number.
    public var eventCount: Int
    /// The hash of the newest event: the next event's `prevHash`.
    public var lastHash: String

    /// The area path located at report time.
    public var area: AreaPath? { report.area }

    public init(id: Int64, trackingCode: String, report: Report, createdAt: Date) {
        self.id = id
        self.trackingCode = trackingCode
        self.status = .reported
        self.report = report
        self.category = report.category
        self.warned = false
        self.overdueMarked = false
        self.disputed = false
        self.accepted = false
        self.merchantConfirmed = false
        self.selfCorrected = false
        self.tally = ReportTally(source: report.source, at: createdAt)
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.reworkCount = 0
        self.returnCount = 0
        self.escalationCount = 0
        self.supervisionCount = 0
        self.reopenCount = 0
        self.eventCount = 0
        self.lastHash = EventChain.genesis
    }
}

public struct UnitReason: Sendable, Hashable, Codable {
    public var unit: String
    public var reason: String

    public init(unit: String, reason: String) {
        self.unit = unit
        self.reason = reason
    }
}
