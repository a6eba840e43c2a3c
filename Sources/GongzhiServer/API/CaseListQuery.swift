import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// Parses the case list's query string. Values that are not of the right form (a limit that
/// is not a number, an unreadable time or cursor) are 400; well-formed but unknown values
/// (a status that does not exist, a limit out of range) are 422.
enum CaseListQuery {
    static func parse(_ params: Parameters, categories: CategoryDirectory, now: Date) throws -> CaseQuery {
        var q = CaseQuery()
        func list(_ name: String) -> [String] {
            params.getAll(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        q.statuses = try list("status").map { s in
            guard let v = CaseStatus(rawValue: s) else { throw unknown("status", s, CaseStatus.allCases.map(\.rawValue)) }
            return v
        }
        q.sources = try list("source").map { s in
            guard let v = ReportSource(rawValue: s) else { throw unknown("source", s, ReportSource.allCases.map(\.rawValue)) }
            return v
        }
        q.categories = try list("category").map { c in
            let isMajor = c.count == 2 && categories.all.contains { $0.kind != .component && $0.majorCode == c }
            guard isMajor || categories.reportable(c) != nil else {
                throw APIError(.unprocessableContent, code: "unknown_category", message: "category '\(c)' is neither a category code nor a major class", field: "category")
            }
            return c
        }
        // Codes of units and areas: an unknown one finds nothing, but one that cannot be a code
        // (a control character, which the database would cut at a NUL, or a long text) is refused.
        func codes(_ name: String) throws -> [String] {
            try list(name).map { c in
                guard c.count <= 64, TextRule.forbidden(in: c, shape: .line) == nil else {
                    throw APIError(.unprocessableContent, code: "invalid_value", message: "\(name) must list codes of at most 64 characters, "
                                   + "without control characters", field: name)
                }
                return c
            }
        }
        q.units = try codes("unit")
        q.streets = try codes("street")
        q.communities = try codes("community")
        q.grids = try codes("grid")
        if let overdue = try flag("overdue", params), overdue { q.overdueAt = now }
        q.disputed = try flag("disputed", params)
        if let text = params.get("sort") {
            guard let s = CaseSort(rawValue: text) else { throw unknown("sort", text, CaseSort.allCases.map(\.rawValue)) }
            q.sort = s
        }
        q.since = try time("since", params)
        q.until = try time("until", params)
        if let text = params.get("limit") {
            guard let n = Int(text) else { throw APIError.badRequest("wrong_type", "limit must be an integer", field: "limit") }
            guard (1...CaseQuery.maxLimit).contains(n) else {
                throw APIError(.unprocessableContent, code: "out_of_range", message: "limit must be between 1 and \(CaseQuery.maxLimit)", field: "limit")
            }
            q.limit = n
        }
        if let token = params.get("cursor"), !token.isEmpty {
            guard let c = CaseCursor(token: token), c.sort == q.sort else {
                throw APIError.badRequest("invalid_cursor", "cursor is not one this server issued; pass next_cursor from a previous page", field: "cursor")
            }
            q.cursor = c
        }
        return q
    }

    /// `true`, `false`, or absent (empty counts as absent).
    private static func flag(_ name: String, _ params: Parameters) throws -> Bool? {
        switch params.get(name) {
        case nil, "": return nil
        case "true": return true
        case "false": return false
        default: throw APIError.badRequest("wrong_type", "\(name) must be true or false", field: name)
        }
    }

    private static func time(_ name: String, _ params: Parameters) throws -> Date? {
        guard let text = params.get(name), !text.isEmpty else { return nil }
        guard let d = Timestamp.parse(text) else {
            throw APIError.badRequest("wrong_type", "\(name) must be an RFC 3339 time (2026-11-25T09:00:00+08:00) or a date (2026-11-25)", field: name)
        }
        return d
    }

    private static func unknown(_ field: String, _ value: String, _ allowed: [String]) -> APIError {
        APIError(.unprocessableContent, code: "unknown_\(field)", message: "\(field) '\(value)' is not one of \(allowed.joined(separator: ", "))", field: field)
    }
}
