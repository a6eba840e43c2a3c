import Foundation

/// The level a dispute is mediated at: "小事不出社区、大事不出街道".
public enum MediationLevel: String, Sendable, Codable, Hashable, CaseIterable, Comparable {
    /// 社区（村）人民调解委员会.
    case community
    /// 街道人民调解委员会.
    case street
    /// 区矛调中心, or a sector committee (行业性、专业性调委会) it hosts.
    case district

    public var next: MediationLevel? {
        switch self {
        case .community: .street
        case .street: .district
        case .district: nil
        }
    }

    public static func < (a: MediationLevel, b: MediationLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public enum RiskLevel: String, Sendable, Codable, Hashable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (a: RiskLevel, b: RiskLevel) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// Where disputes go, as data (`mediation_rules.json`): the types, the sector committees and
/// ordered rules; the first rule a dispute matches sets its level and committee.
public struct MediationRules: Sendable, Codable, Hashable {
    public struct DisputeType: Sendable, Codable, Hashable {
        public var code: String
        public var name: String
        /// The sector committee that takes this type at district level, if any.
        public var committee: String?
    }

    public struct Committee: Sendable, Codable, Hashable {
        public var code: String
        public var name: String
        /// The unit that hosts it (its staff mediate there).
        public var unit: String
    }

    public struct Rule: Sendable, Codable, Hashable {
        public var name: String
        public var types: [String]?
        public var minAmountFen: Int64?
        public var minRisk: RiskLevel?
        public var minParties: Int?
        public var level: MediationLevel
        /// Send to the type's sector committee (at district level).
        public var sector: Bool?

        enum CodingKeys: String, CodingKey {
            case name, types, level, sector
            case minAmountFen = "min_amount_fen", minRisk = "min_risk", minParties = "min_parties"
        }

        func matches(type: String, amountFen: Int64?, risk: RiskLevel, parties: Int) -> Bool {
            if let types, !types.contains(type) { return false }
            if let minAmountFen, (amountFen ?? 0) < minAmountFen { return false }
            if let minRisk, risk < minRisk { return false }
            if let minParties, parties < minParties { return false }
            return true
        }
    }

    /// Calendar days a mediation has from registration (人民调解法 第二十八条 sets none; the
    /// district's own limit, 30 by default).
    public var limitDays: Int
    /// The district's centre (区矛调中心): district-level disputes without a committee.
    public var centreUnit: String
    /// The petition office (信访局) that decides on acceptance.
    public var petitionOffice: String
    public var types: [DisputeType]
    public var committees: [Committee]
    public var rules: [Rule]

    enum CodingKeys: String, CodingKey {
        case types, committees, rules
        case limitDays = "limit_days", centreUnit = "centre_unit", petitionOffice = "petition_office"
    }

    public func type(_ code: String) -> DisputeType? { types.first { $0.code == code } }
    public func committee(_ code: String) -> Committee? { committees.first { $0.code == code } }

    /// The level and committee for a new dispute: the first rule that matches; community when none does.
    public func route(type: String, amountFen: Int64?, risk: RiskLevel, parties: Int) -> (level: MediationLevel, committee: String?, rule: String?) {
        guard let rule = rules.first(where: { $0.matches(type: type, amountFen: amountFen, risk: risk, parties: parties) }) else {
            return (.community, nil, nil)
        }
        let committee = rule.level == .district && rule.sector == true ? self.type(type)?.committee : nil
        return (rule.level, committee, rule.name)
    }

    /// The unit that mediates at `level`: the community's or street's own unit (falling back to
    /// the street, then the centre, where the area has none), or the committee's host.
    public func unit(level: MediationLevel, committee: String?, street: String?, community: String?, units: OrgDirectory) -> String {
        switch level {
        case .community:
            if let c = community, let u = units.unit(forArea: c) { return u.code }
            return unit(level: .street, committee: nil, street: street, community: nil, units: units)
        case .street:
            if let s = street, let u = units.unit(forArea: s) { return u.code }
            return centreUnit
        case .district:
            return committee.flatMap { self.committee($0)?.unit } ?? centreUnit
        }
    }

    /// Checks the file against the org tree: every unit it names exists, every committee a type
    /// names is defined, codes are unique.
    public func validate(units: OrgDirectory) throws(ReferenceError) {
        guard limitDays >= 1, limitDays <= 365 else { throw ReferenceError("limit_days must be 1–365") }
        for code in [centreUnit, petitionOffice] + committees.map(\.unit) where units[code] == nil {
            throw ReferenceError("mediation rules name unknown unit \(code)")
        }
        guard Set(types.map(\.code)).count == types.count, Set(committees.map(\.code)).count == committees.count else {
            throw ReferenceError("mediation rules repeat a type or committee code")
        }
        for t in types { if let c = t.committee, committee(c) == nil { throw ReferenceError("type \(t.code) names unknown committee \(c)") } }
        for r in rules { for t in r.types ?? [] where type(t) == nil { throw ReferenceError("rule \(r.name) names unknown type \(t)") } }
    }
}
