import Foundation

/// The co-governance scenarios of 城市眼·云共治: for which categories a shop or owner is told to
/// correct a problem itself, how long it has, and which enforcement unit takes over when it does
/// not. Local configuration (`cogovernance_scenarios.json`), checked when loaded.
public struct CoGovernanceScenario: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// Exact category codes.
    public var categories: [String]
    /// The merchant's own deadline, in minutes of clock time.
    public var merchantMinutes: Double
    /// The unit that enforces (综合执法) when the merchant does not correct in time.
    public var enforcementUnit: String
    public var enforcementDeadline: DeadlineSpec

    public init(id: String, name: String, categories: [String], merchantMinutes: Double, enforcementUnit: String,
                enforcementDeadline: DeadlineSpec) {
        self.id = id
        self.name = name
        self.categories = categories
        self.merchantMinutes = merchantMinutes
        self.enforcementUnit = enforcementUnit
        self.enforcementDeadline = enforcementDeadline
    }

    enum CodingKeys: String, CodingKey {
        case id, name, categories
        case merchantMinutes = "merchant_minutes"
        case enforcementUnit = "enforcement_unit"
        case enforcementDeadline = "enforcement_deadline"
    }
}

public struct CoGovernance: Sendable {
    public let scenarios: [CoGovernanceScenario]
    private let byCategory: [String: CoGovernanceScenario]

    public static let none = CoGovernance(unchecked: [])

    init(unchecked scenarios: [CoGovernanceScenario]) {
        self.scenarios = scenarios
        var map: [String: CoGovernanceScenario] = [:]
        for s in scenarios { for c in s.categories { map[c] = s } }
        byCategory = map
    }

    /// Checks that ids are unique, categories exist and belong to one scenario only, units exist,
    /// and deadlines are sane (a merchant gets between a minute and a week).
    public init(_ scenarios: [CoGovernanceScenario], units: OrgDirectory, categories: CategoryDirectory) throws(ReferenceError) {
        var ids = Set<String>(), seen: [String: String] = [:]
        for s in scenarios {
            guard !s.id.isEmpty, ids.insert(s.id).inserted else { throw ReferenceError("scenario id '\(s.id)' is empty or used twice") }
            guard !s.categories.isEmpty else { throw ReferenceError("scenario \(s.id) names no category") }
            for c in s.categories {
                guard categories.reportable(c) != nil else { throw ReferenceError("scenario \(s.id): category '\(c)' does not exist") }
                if let other = seen.updateValue(s.id, forKey: c) { throw ReferenceError("category \(c) is in scenarios \(other) and \(s.id)") }
            }
            guard s.merchantMinutes.isFinite, s.merchantMinutes >= 1, s.merchantMinutes <= 7 * 24 * 60 else {
                throw ReferenceError("scenario \(s.id): merchant_minutes must be between 1 and 10080")
            }
            guard units[s.enforcementUnit] != nil else { throw ReferenceError("scenario \(s.id): unit '\(s.enforcementUnit)' does not exist") }
            guard s.enforcementDeadline.amount.isFinite, s.enforcementDeadline.amount > 0 else {
                throw ReferenceError("scenario \(s.id): the enforcement deadline must be more than 0")
            }
        }
        self.init(unchecked: scenarios)
    }

    public func scenario(for category: String?) -> CoGovernanceScenario? { category.flatMap { byCategory[$0] } }

    public func scenario(id: String) -> CoGovernanceScenario? { scenarios.first { $0.id == id } }
}
