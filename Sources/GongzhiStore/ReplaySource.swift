import Foundation
import GongzhiCore

/// What a what-if reads, and only reads: which cases a period holds and where they were
/// reported, the histories of those a proposal may change, and how long units took.
public protocol ReplaySource: Sendable {
    /// The lowest and highest id of the cases created in `[from, to)`; nil when there are none.
    func ids(_ filter: ReplayFilter) async throws -> ClosedRange<Int64>?
    /// Cases created in `[from, to)` with ids in `(after, upTo]`, in id order, at most `limit`, of
    /// these streets, communities, grids, categories (codes or major classes) and channels (all when empty).
    func routingKeys(_ filter: ReplayFilter, after: Int64, upTo: Int64, limit: Int) async throws -> [RoutingKey]
    /// The histories of these cases, in the order given (a missing case has none).
    func histories(_ ids: [Int64]) async throws -> [[CaseEvent]]
    /// Office minutes from receiving to handling, per handled case of these units whose unit
    /// facts are dated from `fromDay` to `toDay` (yyyymmdd), for the units' medians.
    func handlingMinutes(units: [String], fromDay: Int64, toDay: Int64) async throws -> [(unit: String, category: String, minutes: Int64)]
}

/// Which cases a replay reads.
public struct ReplayFilter: Sendable, Hashable {
    public var from: Date
    public var to: Date
    public var streets: [String] = []
    public var communities: [String] = []
    public var grids: [String] = []
    public var categories: [String] = []
    public var sources: [ReportSource] = []

    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }
}

/// What decides a case's route: its category, place and channel.
public struct RoutingKey: Sendable, Hashable {
    public var id: Int64
    public var category: String?
    public var source: ReportSource
    public var area: AreaPath?

    public init(id: Int64, category: String?, source: ReportSource, area: AreaPath?) {
        self.id = id
        self.category = category
        self.source = source
        self.area = area
    }
}

extension StatsQuery {
    /// Whether the statistics would count a fact under this query: dated in the days (live
    /// facts have none), of the filters' values, and in scope by the same rule as the store's
    /// WHERE clause (the fact's unit, or its area).
    public func counts(_ k: FactKey) -> Bool {
        guard k.kind == .live || (k.day >= from && k.day <= to) else { return false }
        if !streets.isEmpty, !streets.contains(k.street) { return false }
        if !communities.isEmpty, !communities.contains(k.community) { return false }
        if !grids.isEmpty, !grids.contains(k.grid) { return false }
        if !sources.isEmpty, !sources.contains(where: { $0.rawValue == k.source }) { return false }
        if !units.isEmpty, !units.contains(k.unit) { return false }
        if !categories.isEmpty, !categories.contains(where: { $0.count == 2 ? k.category.hasPrefix($0) : k.category == $0 }) { return false }
        if scope.isAll { return true }
        return scope.units.contains(k.unit) || [k.street, k.community, k.grid].contains { !$0.isEmpty && scope.areas.contains($0) }
    }
}
