import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// The statistics' query string: the period (`period` of `date`, or `from`–`to`) and the
/// filters (`street`, `community`, `grid`, `category`, `source`, `unit`). A malformed date is
/// 400; a well-formed value that names nothing, or a range the wrong way round or too long, 422.
struct StatsParams {
    var period: Period
    var query: StatsQuery

    /// The longest free range: three years of days.
    static let maxDays: Int64 = 1_100

    static func parse(_ params: Parameters, services: GongzhiServices, principal: Principal, now: Date) throws -> StatsParams {
        let today = Period.day(of: now)
        func date(_ name: String) throws -> Int64? {
            guard let text = params.get(name), !text.isEmpty else { return nil }
            guard text.utf8.count == 10, let day = WorkingCalendar.day(text), Period.text(day) == text else {
                throw APIError.badRequest("invalid_date", "\(name) must be a date like 2026-11-26", field: name)
            }
            return day
        }
        var period: Period
        let from = try date("from"), to = try date("to")
        if from != nil || to != nil {
            guard params.get("period") == nil || params.get("period") == "range" else {
                throw APIError(.unprocessableContent, code: "conflict", message: "give either period or from and to, not both", field: "period")
            }
            let first = from ?? to!, last = to ?? today
            guard first <= last else {
                throw APIError(.unprocessableContent, code: "out_of_range", message: "from must not be after to", field: "from")
            }
            guard last - first + 1 <= maxDays else {
                throw APIError(.unprocessableContent, code: "out_of_range", message: "a range covers at most \(maxDays) days", field: "to")
            }
            period = Period(kind: .range, first: first, last: last)
        } else {
            let kindText = params.get("period") ?? "month"
            guard let kind = Period.Kind(rawValue: kindText), kind != .range else {
                let names = Period.Kind.allCases.filter { $0 != .range }.map(\.rawValue).joined(separator: ", ")
                throw APIError(.unprocessableContent, code: "unknown_value", message: "period must be one of \(names) (or give from and to)",
                               field: "period")
            }
            period = Period.containing(try date("date") ?? today, kind: kind)
        }
        var q = StatsQuery(from: period.firstDate, to: period.lastDate)
        func list(_ name: String) -> [String] {
            params.getAll(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func areas(_ name: String) throws -> [String] {
            let codes = list(name)
            guard codes.count <= 50 else {
                throw APIError(.unprocessableContent, code: "too_many", message: "at most 50 \(name) codes", field: name)
            }
            for c in codes where services.areaName(c) == nil {
                throw APIError(.unprocessableContent, code: "unknown_area", message: "\(name) '\(c.prefix(40))' is not a known area", field: name)
            }
            return codes
        }
        q.streets = try areas("street")
        q.communities = try areas("community")
        q.grids = try areas("grid")
        q.sources = try list("source").map { s in
            guard let v = ReportSource(rawValue: s) else {
                throw APIError(.unprocessableContent, code: "unknown_value",
                               message: "source must be one of \(ReportSource.allCases.map(\.rawValue).joined(separator: ", "))", field: "source")
            }
            return v
        }
        let categories = services.context.current.categories
        q.categories = try list("category").map { c in
            let isMajor = c.count == 2 && categories.all.contains { $0.kind != .component && $0.majorCode == c }
            guard isMajor || categories.reportable(c) != nil else {
                throw APIError(.unprocessableContent, code: "unknown_category",
                               message: "category '\(c.prefix(40))' is neither a category code nor a major class", field: "category")
            }
            return c
        }
        let units = services.context.current.units
        q.units = try list("unit").map { u in
            guard units[u] != nil else {
                throw APIError(.unprocessableContent, code: "unknown_unit", message: "unit '\(u.prefix(40))' does not exist", field: "unit")
            }
            return u
        }
        q.scope = services.scope(of: principal)
        return StatsParams(period: period, query: q)
    }

    /// The case list's query string for the same filters over the period's reports: where a
    /// figure's "cases behind it" link points (`extra` adds e.g. `status=closed`).
    func casesQuery(_ extra: [(String, String)] = [], period: Bool = true) -> String {
        var items: [(String, String)] = []
        if period {
            items.append(("since", Period.text(self.period.first)))
            items.append(("until", Period.text(self.period.last + 1)))
        }
        items += query.streets.map { ("street", $0) } + query.communities.map { ("community", $0) } + query.grids.map { ("grid", $0) }
        items += query.categories.map { ("category", $0) } + query.sources.map { ("source", $0.rawValue) } + query.units.map { ("unit", $0) }
        items += extra
        return items.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}
