import Foundation
import GongzhiCore

/// Who is reading the list: the scope of their unit. The district's principals read every
/// record, the health command too; a street's staff their streets', a community's its own.
/// Reading is of masked records: the personal fields need `KeyPopulationAccess.entitled`.
public struct KeyPopulationViewer: Sendable {
    public var scope: Scope
    public var commandUnit: String

    public init(scope: Scope, commandUnit: String) {
        self.scope = scope
        self.commandUnit = commandUnit
    }

    public var seesAll: Bool { scope.isAll || scope.units.contains(commandUnit) }
}

/// Filters of the list. Empty means "any".
public struct KeyPopulationQuery: Sendable {
    public var streets: [String] = []
    public var communities: [String] = []
    public var measure: String?
    public var statuses: [KeyPersonStatus] = []
    public var after: Int64?
    public var limit = 200

    public init() {}
}

/// The list's figures: people by measure, street and status, and follow-ups made. They are
/// counted from the fields anonymisation keeps, so erasing names changes none of them.
public struct KeyPopulationCount: Sendable, Equatable {
    public var measure: String
    public var street: String
    public var status: KeyPersonStatus
    public var people: Int
    public var followUps: Int

    public init(measure: String, street: String, status: KeyPersonStatus, people: Int, followUps: Int) {
        self.measure = measure
        self.street = street
        self.status = status
        self.people = people
        self.followUps = followUps
    }
}

/// The key-population list (重点人群动态清单). Scope is in every query; each step runs the
/// record's machine inside the transaction that writes it, after `authorise` has passed on the
/// record as stored.
public protocol KeyPopulationStore: Sendable {
    func register(_ person: KeyPerson) async throws -> KeyPerson
    func person(_ id: Int64, for viewer: KeyPopulationViewer) async throws -> KeyPerson?
    func people(_ query: KeyPopulationQuery, for viewer: KeyPopulationViewer) async throws -> [KeyPerson]
    func apply(_ id: Int64, for viewer: KeyPopulationViewer, authorise: @escaping @Sendable (KeyPerson) throws -> Void,
               _ step: @escaping @Sendable (KeyPerson) throws -> KeyPerson) async throws -> KeyPerson
    /// Writes a reveal or an export of personal fields to the access log, before they are shown.
    func logAccess(actor: String, field: String, reason: String, subject: String, at: Date) async throws
    /// Erases the personal fields of every record released at or before `endedBefore`, in one
    /// transaction with its audit entry; returns how many.
    func anonymise(endedBefore: Date, by actor: String, at: Date) async throws -> Int
    func counts(for viewer: KeyPopulationViewer) async throws -> [KeyPopulationCount]
}
