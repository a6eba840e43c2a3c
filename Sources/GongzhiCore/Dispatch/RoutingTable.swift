/// The routing rules in force, checked when loaded: every rule is well formed, names units
/// that exist, and no two rules could match the same report with the same specificity.
public struct RoutingTable: Sendable {
    public let rules: [RoutingRule]

    public static let empty = RoutingTable(unchecked: [])

    init(unchecked rules: [RoutingRule]) { self.rules = rules }

    public init(_ rules: [RoutingRule], units: OrgDirectory, categories: CategoryDirectory) throws(ReferenceError) {
        var ids = Set<String>()
        for r in rules {
            guard !r.id.isEmpty, ids.insert(r.id).inserted else { throw ReferenceError("rule id '\(r.id)' is empty or used twice") }
            if r.category != "*", r.majorCode == nil, categories.reportable(r.category) == nil {
                throw ReferenceError("rule \(r.id): category '\(r.category)' is not a code, a major class (06 or 06*) or *")
            }
            if r.area != "*", r.area.isEmpty || !r.area.allSatisfy({ $0.isNumber }) {
                throw ReferenceError("rule \(r.id): area '\(r.area)' must be digits (an area-code prefix) or *")
            }
            if r.source != "*", ReportSource(rawValue: r.source) == nil {
                throw ReferenceError("rule \(r.id): source '\(r.source)' is not one of \(ReportSource.allCases.map(\.rawValue).joined(separator: ", ")) or *")
            }
            if r.unit != "street", r.unit != "community", units[r.unit] == nil {
                throw ReferenceError("rule \(r.id): unit '\(r.unit)' does not exist (use a unit code, street or community)")
            }
            guard r.deadline.amount.isFinite, r.deadline.amount > 0, r.deadline.amount <= 8_784 else {
                throw ReferenceError("rule \(r.id): the deadline must be more than 0 and at most 8784")
            }
            if r.deadline.unit == .workingDays, r.deadline.amount != r.deadline.amount.rounded() {
                throw ReferenceError("rule \(r.id): working days must be a whole number")
            }
            guard r.warningShare > 0, r.warningShare < 1 else { throw ReferenceError("rule \(r.id): warning_share must be between 0 and 1") }
        }
        // Equal specificity can only overlap when the three patterns are the same (exact codes,
        // major classes and prefixes of equal length either coincide or are disjoint).
        var seen: [String: String] = [:]
        for r in rules {
            let key = "\(r.majorCode.map { $0 + "*" } ?? r.category)|\(r.area)|\(r.source)"
            if let other = seen[key] {
                throw ReferenceError("rules \(other) and \(r.id) tie: both match category \(r.category), area \(r.area), source \(r.source) with the same specificity")
            }
            seen[key] = r.id
        }
        self.rules = rules
    }

    public func rule(id: String) -> RoutingRule? { rules.first { $0.id == id } }

    /// The most specific rule matching a report, and the rules it beat.
    public func route(category: String?, area: AreaPath?, source: ReportSource) -> RouteMatch? {
        let matching = rules.filter { $0.matches(category: category, area: area, source: source) }
        guard let best = matching.max(by: { $0.specificity < $1.specificity }) else { return nil }
        return RouteMatch(rule: best, beaten: matching.filter { $0.id != best.id }.sorted { $0.specificity > $1.specificity })
    }
}

public struct RouteMatch: Sendable, Hashable {
    public var rule: RoutingRule
    /// Other matching rules, most specific first.
    public var beaten: [RoutingRule]

    /// Why the rule won, in words.
    public var explanation: String {
        var text = "rule \(rule.id) matches with \(rule.specificity)"
        if let next = beaten.first {
            text += "; it is more specific than \(beaten.count) other matching rule\(beaten.count == 1 ? "" : "s"), the next being \(next.id) (\(next.specificity))"
        } else {
            text += "; it is the only matching rule"
        }
        return text
    }

    /// The unit the rule sends a case at `area` to, or nil when the rule names the street or
    /// community of the location and the location has none.
    public func unit(for area: AreaPath?, units: OrgDirectory) -> String? {
        switch rule.unit {
        case "street": return area?.street.flatMap { code in units.all.first { $0.kind == .street && $0.areaCode == code }?.code ?? (units[code] != nil ? code : nil) }
        case "community": return area?.community.flatMap { code in units.all.first { $0.kind == .community && $0.areaCode == code }?.code ?? (units[code] != nil ? code : nil) }
        default: return rule.unit
        }
    }
}
