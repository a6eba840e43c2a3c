import GongzhiCore

/// The area layers in force (district, streets, communities, unit grids), each with a spatial
/// index, to locate a point in the hierarchy.
public struct Atlas: Sendable {
    public struct Layer: Sendable {
        public var level: Area.Level
        public var version: Int64
        public var approximate: Bool
        public var codes: [String]
        public var names: [String: String]
        public var index: PolygonIndex
        /// Each feature's shape, by code: what maps are drawn from.
        public var shapes: [String: MultiPolygon]

        /// Features are indexed in code order, so on a shared border the smaller code wins.
        public init(level: Area.Level, version: Int64, approximate: Bool, features: [(code: String, name: String, shape: MultiPolygon)]) {
            let sorted = features.sorted { $0.code < $1.code }
            self.level = level
            self.version = version
            self.approximate = approximate
            codes = sorted.map(\.code)
            names = Dictionary(sorted.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            index = PolygonIndex(sorted.map(\.shape))
            shapes = Dictionary(sorted.map { ($0.code, $0.shape) }, uniquingKeysWith: { a, _ in a })
        }

        @inline(__always)
        public func locate(lon: Double, lat: Double) -> String? {
            index.locate(lon: lon, lat: lat).map { codes[$0] }
        }
    }

    public private(set) var layers: [Area.Level: Layer]
    /// The newest layer version in force: recorded on each located case.
    public let version: Int64
    // The same layers as plain fields: `locate` runs millions of times a second and should not
    // hash a key per level.
    private let district, street, community, grid: Layer?

    public init(layers: [Layer]) {
        var map: [Area.Level: Layer] = [:]
        for l in layers where (map[l.level]?.version ?? -1) < l.version { map[l.level] = l }
        self.layers = map
        version = map.values.map(\.version).max() ?? 0
        district = map[.district]
        street = map[.street]
        community = map[.community]
        grid = map[.grid]
    }

    public static let empty = Atlas(layers: [])

    /// The name of an area in one of the layers.
    public func name(of code: String) -> String? {
        for layer in layers.values { if let n = layer.names[code] { return n } }
        return nil
    }


    /// The shape of an area in the newest layer that has it.
    public func shape(of code: String) -> MultiPolygon? {
        for layer in layers.values { if let s = layer.shapes[code] { return s } }
        return nil
    }

    public enum LocateError: Error, Sendable, Equatable {
        /// The point is outside the district's boundary.
        case outsideDistrict
        /// No district boundary is loaded, so nothing can be located.
        case noDistrictLayer
    }

    /// The area path of a WGS84 point. A point outside the district is an error; inside it,
    /// each finer level is filled when its layer covers the point.
    public func locate(_ p: GeoPoint) throws(LocateError) -> AreaPath {
        guard let districtLayer = district else { throw .noDistrictLayer }
        guard let code = districtLayer.locate(lon: p.lon, lat: p.lat) else { throw .outsideDistrict }
        return AreaPath(district: code,
                        street: street?.locate(lon: p.lon, lat: p.lat),
                        community: community?.locate(lon: p.lon, lat: p.lat),
                        grid: grid?.locate(lon: p.lon, lat: p.lat),
                        version: version)
    }
}
