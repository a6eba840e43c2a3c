import Foundation
import GongzhiCore

/// What the centre's commands need from the running system: the mediation rules, the org tree
/// and the working calendar in force.
public struct CentreContext: Sendable {
    public var rules: MediationRules
    public var units: OrgDirectory
    public var calendar: WorkingCalendar

    public init(rules: MediationRules, units: OrgDirectory, calendar: WorkingCalendar) {
        self.rules = rules
        self.units = units
        self.calendar = calendar
    }
}

/// A filter of the dispute list or the petition ledger; the scope is applied in the query.
public struct MatterQuery: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        case all, open, overdue, closed
        /// A petition: registered and waiting for a decision.
        case undecided
    }

    public var state: State = .all
    public var street: String?
    public var unit: String?
    public var collective: Bool?
    /// Ids below this one (the next page).
    public var before: Int64?
    public var limit = 50

    public init(state: State = .all, street: String? = nil, unit: String? = nil, collective: Bool? = nil, before: Int64? = nil,
                limit: Int = 50) {
        self.state = state
        self.street = street
        self.unit = unit
        self.collective = collective
        self.before = before
        self.limit = limit
    }
}

/// One step of a matter's history, as the detail page lists it.
public struct MatterStep: Sendable, Hashable {
    public var seq: Int64
    public var at: Date
    public var actor: String
    public var action: String

    public init(seq: Int64, at: Date, actor: String, action: String) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
    }
}

/// A risk-list entry (涉稳风险清单): a matter that may lead to a gathering, the people it
/// affects and the unit answering for it.
public struct RiskEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var matter: String
    public var people: Int
    public var unit: String
    public var level: RiskLevel
    public var street: String?
    public var note: String?
    public var createdAt: Int64

    public init(id: Int64, matter: String, people: Int, unit: String, level: RiskLevel, street: String?, note: String?, createdAt: Int64) {
        self.id = id
        self.matter = matter
        self.people = people
        self.unit = unit
        self.level = level
        self.street = street
        self.note = note
        self.createdAt = createdAt
    }
}

/// Open and overdue counts for the cockpit.
public struct CentreCounts: Sendable, Hashable {
    public var openDisputes = 0
    public var overdueDisputes = 0
    public var openPetitions = 0
    public var overduePetitions = 0
    public var undecidedOverdue = 0
    public var collectiveOpen = 0

    public init() {}
}

/// Disputes, petitions, campaigns and the risk list on either backend. Each command is one
/// transaction: the matter's row locked, the event appended to its hash chain, the row
/// rewritten from the fold. Scope is applied inside every query.
public protocol CentreStore: Sendable {
    func registerDispute(_ draft: DisputeDraft, by: Principal, context: CentreContext, at: Date) async throws -> Dispute
    func act(onDispute id: Int64, _ command: DisputeCommand, by: Principal, scope: Scope, context: CentreContext,
             at: Date) async throws -> Dispute
    func dispute(_ id: Int64, scope: Scope) async throws -> Dispute?
    func disputes(_ query: MatterQuery, scope: Scope, at: Date) async throws -> [Dispute]

    /// A petition; a repeat (`draft.repeatOf`) is linked to the first petition on the matter.
    func registerPetition(_ draft: PetitionDraft, by: Principal, scope: Scope, context: CentreContext, at: Date) async throws -> Petition
    func act(onPetition id: Int64, _ command: PetitionCommand, by: Principal, scope: Scope, context: CentreContext,
             at: Date) async throws -> Petition
    func petition(_ id: Int64, scope: Scope) async throws -> Petition?
    func petitions(_ query: MatterQuery, scope: Scope, at: Date) async throws -> [Petition]

    func history(of id: Int64) async throws -> [MatterStep]
    /// Records an unmasked read of a matter's parties in the access log.
    func logReveal(of id: Int64, kind: String, actor: String, reason: String, at: Date) async throws

    func createCampaign(name: String, start: PlanDay, end: PlanDay, by: Principal, at: Date) async throws -> Campaign
    /// Adds items (petitions in scope, not in the campaign yet); all or none.
    func addItems(_ items: [Campaign.Item], to campaign: Int64, by: Principal, scope: Scope, at: Date) async throws -> Campaign
    func campaigns() async throws -> [Campaign]
    /// The campaign with its items in scope, and their petitions.
    func campaign(_ id: Int64, scope: Scope) async throws -> (Campaign, [Int64: CampaignEntry])?

    func addRisk(_ entry: RiskEntry, by: Principal, at: Date) async throws -> RiskEntry
    func risks(scope: Scope) async throws -> [RiskEntry]

    /// Disputes concluded from `from` to `to` (days), by street and month (its first day).
    func levelShares(scope: Scope, from: PlanDay, to: PlanDay) async throws -> [String: [PlanDay: LevelShares]]
    func counts(scope: Scope, at: Date) async throws -> CentreCounts

    /// Warns of clocks about to run out and marks those that have, as events; returns the marks made.
    func sweep(at: Date) async throws -> Int

    /// The first broken chain or row that differs from its events' fold, or nil; and the count of matters checked.
    func verify() async throws -> (matters: Int, problem: String?)
}
