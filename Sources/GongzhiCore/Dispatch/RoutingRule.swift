/// A routing rule: which reports it applies to (category × area × source) and what happens
/// to them (the responsible unit, the deadline, warnings, co-governance, escalation).
///
/// Rules are data, loaded from a JSON file and reloadable without a rebuild.
public struct RoutingRule: Sendable, Hashable, Codable {
    public var id: String
    /// An exact code (`06010`), a major class (`06`, or `06*`), or `*`.
    public var category: String
    /// An area-code prefix (`330105003`) or `*`.
    public var area: String
    /// A report source or `*`.
    public var source: String
    /// A unit code, or `street` / `community`: the street's or community's unit of the
    /// case's location.
    public var unit: String
    public var deadline: DeadlineSpec
    /// Share of the time to the deadline after which a warning is marked (0 < share < 1).
    public var warningShare: Double
    /// Whether registering a matching case dispatches it at once.
    public var autoDispatch: Bool
    /// Whether intake registers (立案) a matching report at once, without a dispatcher: for
    /// structured channels whose category is known (a camera's detection).
    public var autoRegister: Bool
    /// Whether the co-governance branch (notify the owner to self-correct) applies.
    public var selfCorrection: Bool
    /// Whether an overdue case escalates to the unit's parent automatically.
    public var escalateWhenOverdue: Bool

    public init(id: String, category: String = "*", area: String = "*", source: String = "*", unit: String,
                deadline: DeadlineSpec, warningShare: Double = 0.8, autoDispatch: Bool = false, selfCorrection: Bool = false,
                escalateWhenOverdue: Bool = false, autoRegister: Bool = false) {
        self.id = id
        self.category = category
        self.area = area
        self.source = source
        self.unit = unit
        self.deadline = deadline
        self.warningShare = warningShare
        self.autoDispatch = autoDispatch
        self.autoRegister = autoRegister
        self.selfCorrection = selfCorrection
        self.escalateWhenOverdue = escalateWhenOverdue
    }

    enum CodingKeys: String, CodingKey {
        case id, category, area, source, unit, deadline
        case warningShare = "warning_share"
        case autoDispatch = "auto_dispatch"
        case autoRegister = "auto_register"
        case selfCorrection = "self_correction"
        case escalateWhenOverdue = "escalate_when_overdue"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        category = try c.decodeIfPresent(String.self, forKey: .category) ?? "*"
        area = try c.decodeIfPresent(String.self, forKey: .area) ?? "*"
        source = try c.decodeIfPresent(String.self, forKey: .source) ?? "*"
        unit = try c.decode(String.self, forKey: .unit)
        deadline = try c.decode(DeadlineSpec.self, forKey: .deadline)
        warningShare = try c.decodeIfPresent(Double.self, forKey: .warningShare) ?? 0.8
        autoDispatch = try c.decodeIfPresent(Bool.self, forKey: .autoDispatch) ?? false
        autoRegister = try c.decodeIfPresent(Bool.self, forKey: .autoRegister) ?? false
        selfCorrection = try c.decodeIfPresent(Bool.self, forKey: .selfCorrection) ?? false
        escalateWhenOverdue = try c.decodeIfPresent(Bool.self, forKey: .escalateWhenOverdue) ?? false
    }

    /// How specific the rule is, compared lexicographically: category (exact 2, class 1, any 0)
    /// first, then the length of the area prefix, then whether the source is named.
    public var specificity: Specificity {
        Specificity(category: category == "*" ? 0 : (isMajorPattern ? 1 : 2), area: area == "*" ? 0 : area.count, source: source == "*" ? 0 : 1)
    }

    public struct Specificity: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var category: Int
        public var area: Int
        public var source: Int

        public static func < (a: Self, b: Self) -> Bool { (a.category, a.area, a.source) < (b.category, b.area, b.source) }

        public var description: String {
            let c = ["any category", "a major class", "an exact category"][category]
            return "\(c), \(area == 0 ? "any area" : "an area prefix of \(area) digits"), \(source == 0 ? "any source" : "a named source")"
        }
    }

    var isMajorPattern: Bool { majorCode != nil }

    /// `06` or `06*` → `06`.
    var majorCode: String? {
        let n = category.utf8.count
        guard n == 2 || (n == 3 && category.utf8.last == UInt8(ascii: "*")) else { return nil }
        let trimmed = n == 3 ? String(category.dropLast()) : category
        return trimmed.allSatisfy(\.isNumber) ? trimmed : nil
    }

    public func matches(category code: String?, area path: AreaPath?, source: ReportSource) -> Bool {
        if self.source != "*", self.source != source.rawValue { return false }
        if category != "*" {
            guard let code else { return false }
            // An exact code first: routing a case asks every rule, and most name exact codes.
            if code != category {
                guard let major = majorCode, code.hasPrefix(major) else { return false }
            }
        }
        if area != "*" {
            // One code per rule: the coarsest of the path at least as long as the prefix (a
            // 9-digit prefix is a street's, 12 a community's). Two prefixes of equal length are then
            // tested against the same code, so they cannot both match: the load-time tie check holds
            // even where imported layers disagree (a community outside its street's polygon).
            guard let code = path?.codes.first(where: { $0.count >= area.count }), code.hasPrefix(area) else { return false }
        }
        return true
    }
}
