/// A point in WGS84 degrees. Everything the store keeps is WGS84; other datums are converted
/// at the edge (see GongzhiGeo).
public struct GeoPoint: Sendable, Hashable, Codable {
    public var lat: Double
    public var lon: Double

    public init(lat: Double, lon: Double) {
        self.lat = lat
        self.lon = lon
    }
}
