import Foundation
import GongzhiCore

/// The evaluation's sums, read from the maintained statistics (never by scanning cases).
public protocol StatisticsStore: Sendable {
    /// The period's counts (intake, unit and trend facts dated in it), summed.
    func totals(_ q: StatsQuery) async throws -> Counts
    /// The period's counts by one dimension, of the measures asked for (the others are zero:
    /// every measure summed costs time on every row read).
    func totals(_ q: StatsQuery, by: StatsDimension, measures: [Measure]) async throws -> [String: Counts]
    /// What is open now, summed, and by one dimension (the period is ignored).
    func live(_ q: StatsQuery) async throws -> Counts
    func live(_ q: StatsQuery, by: StatsDimension) async throws -> [String: Counts]
    /// Open cases with a unit whose deadline falls in `[now, until)` ("due today"), from the
    /// cases' deadline index: a figure of the moment that no daily sum can hold.
    func dueBetween(_ q: StatsQuery, now: Date, until: Date) async throws -> Int
}

extension StatisticsStore {
    /// The period's counts by one dimension, every measure.
    public func totals(_ q: StatsQuery, by: StatsDimension) async throws -> [String: Counts] {
        try await totals(q, by: by, measures: Measure.allCases)
    }
}

/// Filters of the statistics. Days are China-time dates as yyyymmdd, both ends included.
public struct StatsQuery: Sendable, Hashable {
    public var from: Int64
    public var to: Int64
    public var streets: [String] = []
    public var communities: [String] = []
    public var grids: [String] = []
    /// Exact codes or two-digit major classes, as in the case list.
    public var categories: [String] = []
    public var sources: [ReportSource] = []
    public var units: [String] = []
    /// Only what the caller may see, by the case list's rule: the row's unit, or its area, is in scope.
    public var scope: Scope = .all

    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }
}

/// What the statistics break figures down by. Raw values are the columns (and the API's `by`).
public enum StatsDimension: String, Sendable, CaseIterable, Hashable {
    case unit, street, community, grid, category, source, day
}
