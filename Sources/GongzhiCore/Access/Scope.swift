/// The part of the district a principal may see: a unit and everything below it in the org
/// tree, with the areas those units are responsible for.
///
/// A case is in scope when the unit now holding it is in scope, or when it was located in an
/// area a unit in scope is responsible for (a street office sees what happens in its street even
/// before it is dispatched there). The store turns this into a WHERE clause, so out-of-scope
/// cases are never read, counted or paged over.
public struct Scope: Sendable, Hashable {
    /// Everything: principals of the district unit (the root of the org tree).
    public var isAll: Bool
    public var units: Set<String>
    public var areas: Set<String>

    public static let all = Scope(isAll: true, units: [], areas: [])

    public init(isAll: Bool, units: Set<String>, areas: Set<String>) {
        self.isAll = isAll
        self.units = units
        self.areas = areas
    }

    /// The scope of `unit` in the org tree: itself and its descendants.
    public static func of(unit: String, in directory: OrgDirectory) -> Scope {
        guard let root = directory[unit] else { return Scope(isAll: false, units: [], areas: []) }
        if root.parentCode == nil { return .all }
        var units: Set<String> = [], areas: Set<String> = []
        var stack = [root]
        while let u = stack.popLast() {
            units.insert(u.code)
            if let a = u.areaCode { areas.insert(a) }
            stack.append(contentsOf: directory.children(of: u.code))
        }
        return Scope(isAll: false, units: units, areas: areas)
    }

    /// Whether a case is in scope (the same rule as the store's WHERE clause).
    public func contains(_ record: CaseRecord) -> Bool {
        if isAll { return true }
        if let u = record.unit, units.contains(u) { return true }
        guard let path = record.area else { return false }
        return [path.street, path.community, path.grid].contains { $0.map(areas.contains) ?? false }
    }
}
