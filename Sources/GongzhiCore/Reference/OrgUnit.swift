/// A unit that receives, handles or supervises cases: the district command centre, a
/// department, a street office (街道办事处) or a community (社区居委会).
///
/// Units form a tree; a unit's parent is where its cases escalate to ("小事不出社区、
/// 大事不出街道").
public struct OrgUnit: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case district, department, street, community
    }

    /// Streets and communities use their official division codes (9 and 12 digits);
    /// departments a district-local code (`330105-CGJ`).
    public var code: String
    public var name: String
    public var kind: Kind
    public var parentCode: String?
    /// What the unit does (`chengguan`, `zhujian`…), matched against category defaults.
    public var departmentType: String?
    /// The area the unit is responsible for, when it is territorial.
    public var areaCode: String?

    public init(code: String, name: String, kind: Kind, parentCode: String?, departmentType: String? = nil, areaCode: String? = nil) {
        self.code = code
        self.name = name
        self.kind = kind
        self.parentCode = parentCode
        self.departmentType = departmentType
        self.areaCode = areaCode
    }
}

/// The org tree, indexed by code. Construction checks that every parent exists and that there
/// are no cycles, so escalation always terminates.
public struct OrgDirectory: Sendable {
    public let all: [OrgUnit]
    private let byCode: [String: OrgUnit]
    private let byArea: [String: OrgUnit]
    private let childrenByCode: [String: [OrgUnit]]

    public init(_ units: [OrgUnit]) throws(ReferenceError) {
        var map: [String: OrgUnit] = [:]
        for u in units {
            guard map.updateValue(u, forKey: u.code) == nil else { throw ReferenceError("unit code \(u.code) appears twice") }
        }
        for u in units {
            if let p = u.parentCode, map[p] == nil { throw ReferenceError("unit \(u.code) names unknown parent \(p)") }
            var seen: Set<String> = [u.code]
            var cursor = u.parentCode
            while let c = cursor {
                guard seen.insert(c).inserted else { throw ReferenceError("unit \(u.code) is in a parent cycle") }
                cursor = map[c]?.parentCode
            }
        }
        all = units
        byCode = map
        var areas: [String: OrgUnit] = [:]
        var children: [String: [OrgUnit]] = [:]
        for u in units {
            if let a = u.areaCode, areas[a] == nil { areas[a] = u }
            if let p = u.parentCode { children[p, default: []].append(u) }
        }
        byArea = areas
        childrenByCode = children
    }

    /// The units directly below `code`.
    public func children(of code: String) -> [OrgUnit] { childrenByCode[code] ?? [] }

    /// The territorial unit responsible for an area (a street office for its street).
    public func unit(forArea code: String) -> OrgUnit? { byArea[code] }

    public subscript(code: String) -> OrgUnit? { byCode[code] }

    public func parent(of code: String) -> OrgUnit? { byCode[code]?.parentCode.flatMap { byCode[$0] } }

    public var count: Int { all.count }

    /// A unit's code from its code or its full name (as a spreadsheet names it); nil when none
    /// or more than one unit has the name.
    public func code(of text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if byCode[t] != nil { return t }
        let named = all.filter { $0.name == t }
        return named.count == 1 ? named[0].code : nil
    }
}
