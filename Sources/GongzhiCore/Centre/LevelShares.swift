/// The seed's "小事不出社区、大事不出街道" as a figure: of the disputes concluded in a period,
/// how many reached an agreement at each level, and how many ended without one.
public struct LevelShares: Sendable, Hashable, Codable {
    public var concluded = 0
    public var agreed: [MediationLevel: Int] = [:]

    public init() {}

    public mutating func add(status: Dispute.Status, level: MediationLevel, count: Int = 1) {
        guard status != .open else { return }
        concluded += count
        if status == .agreed { agreed[level, default: 0] += count }
    }

    /// Adds another street's or month's figures to these.
    public mutating func add(_ other: LevelShares) {
        concluded += other.concluded
        for (level, n) in other.agreed { agreed[level, default: 0] += n }
    }

    /// The sum of several streets' or months' figures.
    public static func sum(_ parts: some Sequence<LevelShares>) -> LevelShares {
        parts.reduce(into: LevelShares()) { $0.add($1) }
    }

    /// Agreements at `level` / disputes concluded (nil when none concluded).
    public func share(_ level: MediationLevel) -> Double? {
        concluded == 0 ? nil : Double(agreed[level] ?? 0) / Double(concluded)
    }

    /// Agreements at community or street level together: "大事不出街道".
    public var withinStreet: Double? {
        concluded == 0 ? nil : Double((agreed[.community] ?? 0) + (agreed[.street] ?? 0)) / Double(concluded)
    }
}
