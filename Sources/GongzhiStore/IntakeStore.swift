import Foundation
import GongzhiCore

/// What intake asks of storage: commit a batch of checked, located reports in one transaction.
/// Inside it, for each report in turn, the store finds the open cases the report could belong
/// to, asks `IntakePlanner` (pure) what to do, and does it — open a case (registering and
/// dispatching it, and telling a merchant to self-correct, as the rules say), join one, recheck
/// one — with the events, the report row and any outbox message. Reports later in a batch see
/// what earlier ones did. One report's failure fails only that report.
public protocol IntakeStore: Sendable {
    func commit(_ batch: [IntakeSubmission], context: IntakeContext) async throws -> [Result<IntakeOutcome, IntakeFailure>]
}

/// The reference context intake passes to the store with every batch (the store owns none).
public struct IntakeContext: Sendable {
    public var cases: CaseContext
    public var rules: IntakeRules
    /// How far from a report a merchant's frontage may be to answer for it, when no camera says.
    public var merchantRadiusMetres: Double

    public init(cases: CaseContext, rules: IntakeRules = .none, merchantRadiusMetres: Double = 30) {
        self.cases = cases
        self.rules = rules
        self.merchantRadiusMetres = merchantRadiusMetres
    }
}

/// One report on its way into the store.
public struct IntakeSubmission: Sendable {
    public var report: Report
    /// A camera's detection state; nil for other channels.
    public var state: DetectionState?
    /// Below the category's confidence threshold: kept as a dropped detection, opens nothing.
    public var dropped: Bool
    public var actor: Actor
    public var at: Date

    public init(report: Report, state: DetectionState? = nil, dropped: Bool = false, actor: Actor, at: Date) {
        self.report = report
        self.state = state
        self.dropped = dropped
        self.actor = actor
        self.at = at
    }
}

public struct IntakeOutcome: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A new case was opened.
        case opened
        /// The report joined an open case.
        case joined
        /// A detection rechecked a self-correcting case.
        case rechecked
        /// A `cleared` detection with no open case.
        case noOpenCase = "no_open_case"
        /// Below the confidence threshold: counted, no case.
        case dropped
    }

    public var kind: Kind
    /// The report's row in the case's reports.
    public var reportID: Int64
    /// The case the report opened, joined or rechecked, and its status now.
    public var caseID: Int64?
    public var status: CaseStatus?
    /// The whole case as it is now, when the store read it (a detection that only joined a
    /// case is answered without reading the case again).
    public var record: CaseRecord?
    /// True when the same source and external id came before: nothing was written this time.
    public var repeated: Bool

    public init(kind: Kind, reportID: Int64, record: CaseRecord?, repeated: Bool) {
        self.init(kind: kind, reportID: reportID, caseID: record?.id, status: record?.status, record: record, repeated: repeated)
    }

    public init(kind: Kind, reportID: Int64, caseID: Int64?, status: CaseStatus?, record: CaseRecord? = nil, repeated: Bool) {
        self.kind = kind
        self.reportID = reportID
        self.caseID = caseID
        self.status = status
        self.record = record
        self.repeated = repeated
    }
}

/// Why a report could not be taken. The others in its batch are not affected.
public enum IntakeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(FieldError)
    case refused(CaseError)
    /// The transaction failed; nothing of the batch was written.
    case storage(String)

    public var description: String {
        switch self {
        case .invalid(let e): e.message
        case .refused(let e): e.description
        case .storage(let why): "the store could not take the report: \(why)"
        }
    }
}

/// One of a case's reports, as listed.
public struct StoredReport: Sendable, Hashable {
    public var id: Int64
    public var caseID: Int64?
    public var report: Report
    public var state: DetectionState?
    public var outcome: IntakeOutcome.Kind
    public var receivedAt: Date

    public init(id: Int64, caseID: Int64?, report: Report, state: DetectionState?, outcome: IntakeOutcome.Kind, receivedAt: Date) {
        self.id = id
        self.caseID = caseID
        self.report = report
        self.state = state
        self.outcome = outcome
        self.receivedAt = receivedAt
    }
}
