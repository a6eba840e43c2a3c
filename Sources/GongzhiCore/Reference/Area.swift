/// A place in the area hierarchy district → street → community → unit grid.
public struct Area: Sendable, Hashable, Codable {
    public enum Level: String, Sendable, Codable, Hashable, CaseIterable {
        case district, street, community, grid
    }

    public var code: String
    public var name: String
    public var level: Level
    public var parentCode: String?
    /// True when the area's boundary is an approximation (the demo's street areas are Voronoi
    /// cells of labelled points, not official boundaries).
    public var approximate: Bool

    public init(code: String, name: String, level: Level, parentCode: String?, approximate: Bool = false) {
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
        self.approximate = approximate
    }
}
