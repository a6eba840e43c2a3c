import Foundation

/// A registration as the community or the health command types it, checked field by field.
public struct KeyPersonDraft: Sendable {
    public var measure: String?
    public var name: String?
    public var idNumber: String?
    public var phone: String?
    public var address: String?
    public var community: String?

    public init(measure: String?, name: String?, idNumber: String?, phone: String?, address: String?, community: String?) {
        self.measure = measure
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.address = address
        self.community = community
    }

    public func validated(rules: KeyPopulationRules, units: OrgDirectory, by actor: String, at now: Date) throws(CentreError) -> KeyPerson {
        let measure = try CentreError.text(self.measure, field: "measure", max: 40)
        guard rules.measure(measure) != nil else {
            throw .bad("measure", "measure must be one of \(rules.measures.map(\.code).joined(separator: ", "))", code: "unknown_value")
        }
        let name = try CentreError.text(self.name, field: "name", max: 40)
        let id = try CentreError.optionalText(idNumber, field: "id_number", max: 18)
        if let id, !ResidentID.isValid(id) {
            throw .bad("id_number", "id_number must be an 18-character resident identity number whose check character matches (GB 11643)")
        }
        let phone = try CentreError.optionalText(self.phone, field: "phone", max: 30)
        try Party.checkPhone(phone, field: "phone")
        let address = try CentreError.text(self.address, field: "address", max: 200)
        let community = try CentreError.text(self.community, field: "community", max: 20)
        guard let unit = units[community], unit.kind == .community, let street = unit.parentCode else {
            throw .bad("community", "community must be the 12-digit code of one of the district's communities", code: "unknown_value")
        }
        return KeyPerson(id: 0, measure: measure, name: name, idNumber: id?.uppercased(), phone: phone, address: address, community: community,
                         street: street, status: .verifying, registeredAt: now, registeredBy: actor)
    }
}

/// The resident identity number of GB 11643-1999: 17 digits and a check character (ISO 7064
/// MOD 11-2), so a mistyped digit is refused before a community goes looking for the wrong person.
public enum ResidentID {
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checks: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    public static func isValid(_ text: String) -> Bool {
        let chars = Array(text.uppercased())
        guard chars.count == 18, chars.prefix(17).allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let sum = zip(chars.prefix(17), weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return chars[17] == checks[sum % 11]
    }
}

/// A step on a person's record.
public enum KeyPersonCommand: Sendable, Equatable {
    /// The community's verification: found (monitoring starts) or not (失联).
    case verify(found: Bool, note: String?)
    case followUp(day: String?, healthy: Bool, note: String?)
    /// The end of the measure: after the monitoring days, or a 失联 person accounted for.
    case release(note: String?)
}

/// Who may read and act on the list. Deliberately not admins: managing accounts is no reason to
/// read health records (minimum necessary).
public enum KeyPopulationAccess {
    /// The list (masked) is read by those who read cases, within their scope.
    public static func reads(_ role: Role) -> Bool { AccessPolicy.readsCases(role) && role != .auditor }

    /// The responsible community's own staff, and the health command's.
    public static func entitled(_ p: Principal, to person: KeyPerson, rules: KeyPopulationRules, units: OrgDirectory) -> Bool {
        guard [.handler, .leader, .dispatcher].contains(p.role) else { return false }
        if units[p.unit]?.areaCode == person.community, units[p.unit]?.kind == .community { return true }
        return Scope.of(unit: p.unit, in: units).units.contains(rules.commandUnit)
    }

    /// Registering: the community's staff for their community, or the health command.
    public static func registers(_ p: Principal, community: String, rules: KeyPopulationRules, units: OrgDirectory) -> Bool {
        let probe = KeyPerson(id: 0, measure: "", name: nil, idNumber: nil, phone: nil, address: nil, community: community, street: "",
                              status: .verifying, registeredAt: .distantPast, registeredBy: "")
        return entitled(p, to: probe, rules: rules, units: units)
    }
}

/// The record's steps as a pure function, with the clock passed in.
public enum KeyPersonMachine {
    public static func apply(_ command: KeyPersonCommand, to person: KeyPerson, rules: KeyPopulationRules, by actor: String,
                             at now: Date) throws(CentreError) -> KeyPerson {
        guard person.anonymisedAt == nil else { throw .conflict("record \(person.id) has been anonymised") }
        guard let measure = rules.measure(person.measure) else { throw .conflict("record \(person.id) names an unknown measure") }
        var p = person
        let today = PlanDays.of(now)
        switch command {
        case .verify(let found, let note):
            guard p.status == .verifying else { throw .conflict("record \(p.id) is \(p.status.rawValue), not waiting for verification") }
            _ = try CentreError.optionalText(note, field: "note", max: 500)
            p.verifiedAt = now
            if !found {
                p.status = .unreachable
            } else if measure.monitorDays == 0 {
                p.status = .released
                p.endedAt = now
            } else {
                p.status = .monitoring
                p.monitorUntil = today + Int64(measure.monitorDays) - 1
            }
        case .followUp(let text, let healthy, let note):
            guard p.status == .monitoring, let until = p.monitorUntil, let verified = p.verifiedAt else {
                throw .conflict("record \(p.id) is \(p.status.rawValue), not under monitoring")
            }
            guard let text, let day = PlanDays.parse(text) else {
                throw .bad("day", "day must be a date as YYYY-MM-DD", code: text == nil ? "required" : "invalid")
            }
            guard day >= PlanDays.of(verified), day <= until else { throw .bad("day", "day \(text) is outside the monitoring days") }
            guard day <= today else { throw .bad("day", "day \(text) is in the future") }
            guard !p.followUps.contains(where: { $0.day == day }) else { throw .conflict("the follow-up of \(text) is recorded") }
            let text2 = try CentreError.optionalText(note, field: "note", max: 500) ?? ""
            p.followUps.append(KeyFollowUp(day: day, at: now, by: actor, healthy: healthy, note: text2))
            p.followUps.sort { $0.day < $1.day }
        case .release(let note):
            _ = try CentreError.optionalText(note, field: "note", max: 500)
            switch p.status {
            case .monitoring:
                guard let until = p.monitorUntil, today > until else {
                    throw .conflict("record \(p.id) is monitored until \(p.monitorUntil.map(PlanDays.text) ?? "?")")
                }
            case .unreachable:
                guard note?.trimmed.isEmpty == false else { throw .bad("note", "say how the person was accounted for", code: "required") }
            default:
                throw .conflict("record \(p.id) is \(p.status.rawValue)")
            }
            p.status = .released
            p.endedAt = now
        }
        return p
    }
}
