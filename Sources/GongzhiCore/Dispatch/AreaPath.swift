/// Where a case is, in the area hierarchy, as located when it was reported. `version` is the
/// area data in force then (the highest layer version), so a later re-import of boundaries
/// never silently moves old cases.
public struct AreaPath: Sendable, Hashable, Codable {
    public var district: String?
    public var street: String?
    public var community: String?
    public var grid: String?
    public var version: Int64

    public init(district: String? = nil, street: String? = nil, community: String? = nil, grid: String? = nil, version: Int64 = 0) {
        self.district = district
        self.street = street
        self.community = community
        self.grid = grid
        self.version = version
    }

    /// Every known code, coarse to fine.
    public var codes: [String] { [district, street, community, grid].compactMap { $0 } }
}
