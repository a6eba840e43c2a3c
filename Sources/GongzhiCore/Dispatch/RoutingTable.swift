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

    /// Where a report goes: the most specific matching rule that resolves a unit at the
    /// report's location. A rule that names the `street` or `community` of the location cannot
    /// resolve where that level has no area (the demo has no community polygons); it is skipped
    /// for the next less specific rule, and the match says so, so neither the dry run nor the
    /// history hides the fallback. When no matching rule resolves, the most specific one still
    /// gives the deadline and the case waits for a dispatcher to choose the unit.
    public func route(category: String?, area: AreaPath?, source: ReportSource, units: OrgDirectory) -> RouteMatch? {
        let matching = rules.filter { $0.matches(category: category, area: area, source: source) }
            .sorted { $0.specificity > $1.specificity }
        guard let best = matching.first else { return nil }
        var skipped: [RouteMatch.Skip] = []
        for rule in matching {
            switch rule.resolveUnit(at: area, units: units) {
            case .success(let unit):
                return RouteMatch(rule: rule, unit: unit, skipped: skipped, beaten: matching.filter { $0.id != rule.id })
            case .failure(let why):
                skipped.append(RouteMatch.Skip(ruleID: rule.id, why: why.description))
            }
        }
        return RouteMatch(rule: best, unit: nil, skipped: skipped, beaten: Array(matching.dropFirst()))
    }

    /// Rules that can never resolve a unit with the area levels in force (a rule sending cases
    /// to the `community` of the location when no community areas are loaded). Not an error:
    /// their cases fall back to less specific rules; the server warns at start and on reload.
    public func warnings(levelsInForce levels: Set<Area.Level>) -> [String] {
        rules.compactMap { r in
            guard let level = Area.Level(rawValue: r.unit), level == .street || level == .community, !levels.contains(level) else { return nil }
            return "rule \(r.id) sends cases to the \(r.unit) of their location, but no \(r.unit) areas are loaded: "
                + "its cases fall back to the next less specific rule that names a unit"
        }
    }
}

public struct RouteMatch: Sendable, Hashable {
    /// A more specific rule that matched but could not name a unit here, and why.
    public struct Skip: Sendable, Hashable {
        public var ruleID: String
        public var why: String
    }

    /// The rule in force: the most specific matching rule that resolves a unit, else the most
    /// specific matching rule.
    public var rule: RoutingRule
    /// The unit the rule sends the case to; nil when no matching rule resolves one here.
    public var unit: String?
    /// More specific rules passed over because they could not resolve a unit, most specific first.
    public var skipped: [Skip]
    /// Every other matching rule, most specific first.
    public var beaten: [RoutingRule]

    /// Why this rule, in words.
    public var explanation: String {
        var text = "rule \(rule.id) matches with \(rule.specificity)"
        if !skipped.isEmpty {
            let list = skipped.map { "\($0.ruleID) (\($0.why))" }.joined(separator: "; ")
            text += unit == nil ? "; no matching rule names a unit here: \(list); a dispatcher must choose the unit"
                : "; it stands in for the more specific \(list)"
        }
        let others = beaten.filter { b in !skipped.contains { $0.ruleID == b.id } }
        if let next = others.first {
            let rules = others.count == 1 ? "rule" : "rules"
            text += "; it is more specific than \(others.count) other matching \(rules), the next being \(next.id) (\(next.specificity))"
        } else if skipped.isEmpty {
            text += "; it is the only matching rule"
        }
        return text
    }

    /// What the auto-dispatch event says about the rule that chose the unit.
    public var dispatchNote: String {
        var note = "auto-dispatched by rule \(rule.id)"
        if !skipped.isEmpty { note += " (in place of \(skipped.map { "\($0.ruleID): \($0.why)" }.joined(separator: "; ")))" }
        return note
    }
}

extension RoutingRule {
    enum Unresolved: Error, CustomStringConvertible {
        case noArea(String)
        case noUnit(level: String, code: String)

        var description: String {
            switch self {
            case .noArea(let level): "the location has no \(level) area"
            case .noUnit(let level, let code): "no unit answers for \(level) \(code)"
            }
        }
    }

    /// The unit this rule sends a case at `area` to.
    func resolveUnit(at area: AreaPath?, units: OrgDirectory) -> Result<String, Unresolved> {
        let kind: OrgUnit.Kind, code: String?
        switch unit {
        case "street": (kind, code) = (.street, area?.street)
        case "community": (kind, code) = (.community, area?.community)
        default: return .success(unit)
        }
        guard let code else { return .failure(.noArea(unit)) }
        if let u = units.unit(forArea: code), u.kind == kind { return .success(u.code) }
        if units[code]?.kind == kind { return .success(code) }
        return .failure(.noUnit(level: unit, code: code))
    }
}
