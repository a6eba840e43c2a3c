/// A party to a dispute or a petitioner: a person or an organisation, with a role and a way to
/// reach them. Personal data: the API and the pages show a person's name and every phone and
/// identity number masked unless a reveal is asked for with a reason, and every reveal is logged.
public struct Party: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable { case person, organisation }
    public enum Role: String, Sendable, Codable, Hashable, CaseIterable {
        /// 申请人 / 信访人: the one who brings the matter.
        case applicant
        /// 被申请人: the other side of a dispute.
        case respondent
        /// 第三人 or a representative (代表) of a collective petition.
        case other
    }

    public var name: String
    public var kind: Kind
    public var role: Role
    public var phone: String?
    /// 身份证号 or 统一社会信用代码, as given.
    public var idNumber: String?

    enum CodingKeys: String, CodingKey { case name, kind, role, phone, idNumber = "id_number" }

    public init(name: String, kind: Kind = .person, role: Role = .applicant, phone: String? = nil, idNumber: String? = nil) {
        self.name = name
        self.kind = kind
        self.role = role
        self.phone = phone
        self.idNumber = idNumber
    }

    /// The party checked field by field; `path` names it in errors (`parties[1].phone`).
    public func validated(path: String) throws(CentreError) -> Party {
        var p = self
        p.name = try CentreError.text(name, field: "\(path).name", max: 100)
        p.phone = try CentreError.optionalText(phone, field: "\(path).phone", max: 30)
        try Self.checkPhone(p.phone, field: "\(path).phone")
        p.idNumber = try CentreError.optionalText(idNumber, field: "\(path).id_number", max: 30)
        return p
    }

    /// A phone number as people write one: at least five digits, and only digits, +, -, spaces
    /// and parentheses (the enterprise registry's contacts follow the same rule).
    public static func checkPhone(_ phone: String?, field: String) throws(CentreError) {
        if let phone, phone.filter(\.isNumber).count < 5 || phone.contains(where: { !"0123456789+-() ".contains($0) }) {
            throw CentreError.bad(field, "\(field) must be a phone number (digits, +, -, spaces)")
        }
    }

    /// The party as readers without the right to personal data see it: an organisation's name
    /// is not personal and stays.
    public var masked: Party {
        var p = self
        if kind == .person { p.name = Masking.name(name) }
        p.phone = phone.map(Masking.phone)
        p.idNumber = idNumber.map(Masking.identifier)
        return p
    }

    /// Checks a list of parties: at least one, at most `max`, the first an applicant.
    static func validated(_ parties: [Party], max: Int = 50) throws(CentreError) -> [Party] {
        guard !parties.isEmpty else { throw CentreError.bad("parties", "at least one party is required", code: "required") }
        guard parties.count <= max else { throw CentreError.bad("parties", "at most \(max) parties may be named") }
        var out: [Party] = []
        for (i, p) in parties.enumerated() { out.append(try p.validated(path: "parties[\(i)]")) }
        guard out.contains(where: { $0.role == .applicant }) else {
            throw CentreError.bad("parties", "one party must be the applicant (申请人)")
        }
        return out
    }
}
