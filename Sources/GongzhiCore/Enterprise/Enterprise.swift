import Foundation

/// Why the enterprise service refuses a request: the field at fault (422), a state that does not
/// allow it (409: a code registered twice), or a principal who may not (403). The same three
/// refusals as the centre's, mapped to HTTP in one place.
public typealias EnterpriseError = CentreError

/// An enterprise of the district's registry (亲清在线): found by its credit code, in one street,
/// with the service commissioners (服务专员: staff users) assigned to it. Its contact person is
/// personal data: masked wherever the reader is not entitled to it.
public struct Enterprise: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var address: String
    /// The street's area code (330105008); the street's staff see the enterprise.
    public var street: String
    /// The GB/T 4754 section (C: manufacturing).
    public var industry: String
    public var contactName: String?
    public var contactPhone: String?
    /// Principal ids (`user:<name>`), sorted: each sees and serves the enterprise wherever it is.
    public var commissioners: [String]
    public var registeredAt: Date
    public var registeredBy: String

    public init(code: String, name: String, address: String, street: String, industry: String, contactName: String?,
                contactPhone: String?, commissioners: [String], registeredAt: Date, registeredBy: String) {
        self.code = code
        self.name = name
        self.address = address
        self.street = street
        self.industry = industry
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.commissioners = commissioners
        self.registeredAt = registeredAt
        self.registeredBy = registeredBy
    }

    /// The contact person's name and phone masked, as every reader sees them unless revealed.
    public var masked: Enterprise {
        var e = self
        e.contactName = contactName.map(Masking.name)
        e.contactPhone = contactPhone.map(Masking.phone)
        return e
    }

    /// What a registration brings, checked field by field against the org tree and the catalogue.
    public struct Draft: Sendable {
        public var code: String?
        public var name: String?
        public var address: String?
        public var street: String?
        public var industry: String?
        public var contactName: String?
        public var contactPhone: String?

        public init(code: String?, name: String?, address: String?, street: String?, industry: String?, contactName: String? = nil,
                    contactPhone: String? = nil) {
            self.code = code
            self.name = name
            self.address = address
            self.street = street
            self.industry = industry
            self.contactName = contactName
            self.contactPhone = contactPhone
        }

        public func validated(units: OrgDirectory, catalogue: EnterpriseCatalogue, by actor: String,
                              at: Date) throws(EnterpriseError) -> Enterprise {
            let code: CreditCode
            do { code = try CreditCode(self.code ?? "") } catch { throw .invalid(error) }
            let name = try EnterpriseError.text(self.name, field: "name", max: 100)
            let address = try EnterpriseError.text(self.address, field: "address", max: 200)
            let street = try EnterpriseError.text(self.street, field: "street", max: 20)
            guard units[street]?.kind == .street else {
                throw .bad("street", "street must be the area code of one of the district's streets (330105001…)")
            }
            let industry = try EnterpriseError.text(self.industry, field: "industry", max: 2)
            guard catalogue.industry(industry) != nil else {
                throw .bad("industry", "industry must be a GB/T 4754 section: \(catalogue.industries.map(\.code).joined(separator: ", "))")
            }
            let contactName = try EnterpriseError.optionalText(contactName, field: "contact_name", max: 40)
            let contactPhone = try EnterpriseError.optionalText(contactPhone, field: "contact_phone", max: 30)
            try Party.checkPhone(contactPhone, field: "contact_phone")
            return Enterprise(code: code.value, name: name, address: address, street: street, industry: industry, contactName: contactName,
                              contactPhone: contactPhone, commissioners: [], registeredAt: at, registeredBy: actor)
        }
    }
}

/// A commissioner's visit to an enterprise (走访): the day, what was found, and which of the
/// difficulties (六难) the enterprise raised.
public struct EnterpriseVisit: Sendable, Codable, Equatable {
    public var id: Int64
    public var code: String
    public var commissioner: String
    /// The China-time day of the visit (`PlanDays`).
    public var day: PlanDay
    public var note: String
    public var difficulties: [String]
    public var recordedAt: Date

    public init(id: Int64, code: String, commissioner: String, day: PlanDay, note: String, difficulties: [String], recordedAt: Date) {
        self.id = id
        self.code = code
        self.commissioner = commissioner
        self.day = day
        self.note = note
        self.difficulties = difficulties
        self.recordedAt = recordedAt
    }

    /// A visit as reported: a day no later than today (China time) and no more than a year back,
    /// a note, and known difficulties without repeats.
    public static func validated(code: String, commissioner: String, day text: String?, note: String?, difficulties: [String]?,
                                 catalogue: EnterpriseCatalogue, at now: Date) throws(EnterpriseError) -> EnterpriseVisit {
        guard let text, let day = PlanDays.parse(text) else {
            throw .bad("day", "day must be a date as YYYY-MM-DD", code: text == nil ? "required" : "invalid")
        }
        let today = PlanDays.of(now)
        guard day <= today else { throw .bad("day", "day \(text) is in the future") }
        guard day >= today - 366 else { throw .bad("day", "day \(text) is more than a year ago") }
        let note = try EnterpriseError.text(note, field: "note", max: 2_000)
        let raised = difficulties ?? []
        guard Set(raised).count == raised.count else { throw .bad("difficulties", "difficulties repeats a difficulty") }
        for d in raised where catalogue.difficulty(d) == nil {
            throw .bad("difficulties", "difficulties: '\(d)' is not one of \(catalogue.difficulties.map(\.code).joined(separator: ", "))")
        }
        return EnterpriseVisit(id: 0, code: code, commissioner: commissioner, day: day, note: note, difficulties: raised, recordedAt: now)
    }
}

/// Who may do what in the enterprise service. Pure, so it is tested role by role.
public enum EnterpriseAccess {
    /// The registry is read by those who read cases, within their scope or their assignments.
    public static func reads(_ role: Role) -> Bool { AccessPolicy.readsCases(role) }

    /// Enterprises are registered by the centre and by unit staff (a street's enterprise office).
    public static func registers(_ role: Role) -> Bool { [.admin, .dispatcher, .handler].contains(role) }

    /// Commissioners are assigned by the centre and by leaders.
    public static func assigns(_ role: Role) -> Bool { [.admin, .dispatcher, .leader].contains(role) }

    /// A visit is logged by a commissioner of the enterprise, or an admin correcting the log.
    public static func logsVisits(_ p: Principal, on e: Enterprise) -> Bool { p.role == .admin || e.commissioners.contains(p.id) }

    /// The contact person in full: the enterprise's own commissioners, the centre and admins,
    /// each reveal logged with a reason.
    public static func reveals(_ p: Principal, on e: Enterprise) -> Bool {
        p.role == .admin || p.role == .dispatcher || e.commissioners.contains(p.id)
    }
}
