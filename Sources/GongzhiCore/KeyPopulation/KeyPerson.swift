import Foundation

/// Where a person on the list stands: waiting for the community's verification (核查), under
/// monitoring with daily follow-ups, released (解除), or not found at verification (失联, which the
/// health command takes up).
public enum KeyPersonStatus: String, Sendable, Codable, CaseIterable {
    case verifying, monitoring, released, unreachable

    /// Whether the measure is over for the person: their record's retention clock runs.
    public var isEnded: Bool { self == .released || self == .unreachable }
}

/// One day's follow-up (健康随访) of a person under monitoring.
public struct KeyFollowUp: Sendable, Codable, Equatable {
    public var day: PlanDay
    public var at: Date
    public var by: String
    /// No fever or symptoms reported.
    public var healthy: Bool
    public var note: String

    public init(day: PlanDay, at: Date, by: String, healthy: Bool, note: String) {
        self.day = day
        self.at = at
        self.by = by
        self.healthy = healthy
        self.note = note
    }
}

/// A person on the key-population list (重点人群动态清单): the measure they are under, the
/// community responsible, and the personal fields, which only that community's staff and the
/// health command may read, each reveal logged, and which are erased once the measure has ended
/// and the retention period passed. What remains (measure, place, dates, outcome) keeps the
/// district's figures whole.
public struct KeyPerson: Sendable, Codable, Equatable {
    public var id: Int64
    public var measure: String
    /// Personal fields; nil once anonymised.
    public var name: String?
    public var idNumber: String?
    public var phone: String?
    public var address: String?
    /// The community's area code (12 digits) and its street's (9).
    public var community: String
    public var street: String
    public var status: KeyPersonStatus
    public var registeredAt: Date
    public var registeredBy: String
    public var verifiedAt: Date?
    /// The last day of monitoring (China time), set at verification.
    public var monitorUntil: PlanDay?
    public var endedAt: Date?
    public var anonymisedAt: Date?
    public var followUps: [KeyFollowUp]

    public init(id: Int64, measure: String, name: String?, idNumber: String?, phone: String?, address: String?, community: String, street: String,
                status: KeyPersonStatus, registeredAt: Date, registeredBy: String, verifiedAt: Date? = nil, monitorUntil: PlanDay? = nil,
                endedAt: Date? = nil, anonymisedAt: Date? = nil, followUps: [KeyFollowUp] = []) {
        self.id = id
        self.measure = measure
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.address = address
        self.community = community
        self.street = street
        self.status = status
        self.registeredAt = registeredAt
        self.registeredBy = registeredBy
        self.verifiedAt = verifiedAt
        self.monitorUntil = monitorUntil
        self.endedAt = endedAt
        self.anonymisedAt = anonymisedAt
        self.followUps = followUps
    }

    /// The personal fields masked, as every reader sees them unless revealed.
    public var masked: KeyPerson {
        var p = self
        p.name = name.map(Masking.name)
        p.idNumber = idNumber.map(Masking.identifier)
        p.phone = phone.map(Masking.phone)
        p.address = address.map { _ in "***" }
        return p
    }

    /// The personal fields erased, the rest kept: what anonymisation leaves.
    public func anonymised(at now: Date) -> KeyPerson {
        var p = self
        p.name = nil
        p.idNumber = nil
        p.phone = nil
        p.address = nil
        p.anonymisedAt = now
        p.followUps = followUps.map { f in
            var f = f
            f.note = ""
            return f
        }
        return p
    }

    /// When the record's personal fields are to be erased: the end of the measure plus the
    /// retention period; nil while the measure runs.
    public func erasable(after rules: KeyPopulationRules) -> Date? {
        guard status.isEnded, let ended = endedAt else { return nil }
        return ended.addingTimeInterval(Double(rules.retentionDays) * 86_400)
    }
}
