import GongzhiCore
import GongzhiStore

/// WHERE clauses and their arguments, built up filter by filter: the case list and the
/// statistics filter the same way (codes, major classes, the caller's scope), so they share this.
struct FilterSQL {
    var clauses: [String] = []
    var args: [SQLValue] = []

    static func marks(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }

    /// `column` is one of `values` (no clause when empty).
    mutating func anyOf(_ column: String, _ values: [String]) {
        guard !values.isEmpty else { return }
        clauses.append("\(column) IN (\(Self.marks(values.count)))")
        args.append(contentsOf: values.map(SQLValue.text))
    }

    /// Exact category codes, or two-digit major classes matching every code in the class as an
    /// index range (codes are ASCII and compared byte-wise on both backends).
    mutating func categories(_ column: String, _ codes: [String]) {
        guard !codes.isEmpty else { return }
        var parts: [String] = []
        for c in codes {
            if c.count == 2 {
                parts.append("(\(column) >= ? AND \(column) < ?)")
                args.append(contentsOf: [.text(c), .text(c + "\u{FFFF}")])
            } else {
                parts.append("\(column) = ?")
                args.append(.text(c))
            }
        }
        clauses.append("(" + parts.joined(separator: " OR ") + ")")
    }

    /// Only rows the scope covers: their unit is in it, or one of their area codes is.
    mutating func scope(_ scope: Scope, unit: String, areas areaColumns: [String]) {
        guard !scope.isAll else { return }
        let units = scope.units.sorted(), areas = scope.areas.sorted()
        var parts: [String] = []
        if !units.isEmpty {
            parts.append("\(unit) IN (\(Self.marks(units.count)))")
            args.append(contentsOf: units.map(SQLValue.text))
        }
        if !areas.isEmpty {
            for column in areaColumns {
                parts.append("\(column) IN (\(Self.marks(areas.count)))")
                args.append(contentsOf: areas.map(SQLValue.text))
            }
        }
        clauses.append(parts.isEmpty ? "1 = 0" : "(" + parts.joined(separator: " OR ") + ")")
    }

    /// A statistics query's filters and scope, over the columns that hold each dimension (the
    /// statistics' own by default; a part of a joint case has its unit, its case the rest).
    mutating func statistics(_ q: StatsQuery, street: String = "street", community: String = "community", grid: String = "grid",
                             source: String = "source", unit: String = "unit", category: String = "category") {
        anyOf(street, q.streets)
        anyOf(community, q.communities)
        anyOf(grid, q.grids)
        anyOf(source, q.sources.map(\.rawValue))
        anyOf(unit, q.units)
        categories(category, q.categories)
        scope(q.scope, unit: unit, areas: [street, community, grid])
    }
}
