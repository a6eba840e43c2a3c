/// A polygon with holes, in (lon, lat) degrees as GeoJSON orders them.
public struct Polygon: Sendable, Hashable {
    /// Ring 0 is the outer boundary; the rest are holes. Rings are closed (first == last).
    public var rings: [[Position]]

    public init(rings: [[Position]]) { self.rings = rings }

    /// Even-odd containment. Points exactly on an edge or vertex of any ring count as inside
    /// the polygon (a hole's boundary belongs to the polygon), so a point on a shared border
    /// belongs to both neighbours and the caller breaks the tie deterministically.
    public func contains(_ p: Position) -> Bool {
        var inside = false
        for ring in rings {
            switch Self.locate(p, in: ring) {
            case .boundary: return true
            case .inside: inside.toggle()
            case .outside: break
            }
        }
        return inside
    }

    public var boundingBox: BoundingBox {
        var box = BoundingBox.empty
        for p in rings.first ?? [] { box.extend(p) }
        return box
    }

    enum Location { case inside, outside, boundary }

    static func locate(_ p: Position, in ring: [Position]) -> Location {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            // On the segment a–b?
            let cross = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon)
            if cross == 0, min(a.lon, b.lon) <= p.lon, p.lon <= max(a.lon, b.lon), min(a.lat, b.lat) <= p.lat, p.lat <= max(a.lat, b.lat) {
                return .boundary
            }
            if (a.lat > p.lat) != (b.lat > p.lat) {
                let x = (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon
                if p.lon < x { inside.toggle() }
            }
            j = i
        }
        return inside ? .inside : .outside
    }
}

/// One or more polygons.
public struct MultiPolygon: Sendable, Hashable {
    public var polygons: [Polygon]

    public init(polygons: [Polygon]) { self.polygons = polygons }

    public func contains(_ p: Position) -> Bool { polygons.contains { $0.boundingBox.contains(p) && $0.contains(p) } }

    public var boundingBox: BoundingBox {
        var box = BoundingBox.empty
        for poly in polygons { box.extend(poly.boundingBox) }
        return box
    }
}

/// A (lon, lat) pair in degrees.
public struct Position: Sendable, Hashable {
    public var lon: Double
    public var lat: Double

    public init(lon: Double, lat: Double) {
        self.lon = lon
        self.lat = lat
    }
}

public struct BoundingBox: Sendable, Hashable {
    public var minLon, minLat, maxLon, maxLat: Double

    public static let empty = BoundingBox(minLon: .infinity, minLat: .infinity, maxLon: -.infinity, maxLat: -.infinity)

    public func contains(_ p: Position) -> Bool { p.lon >= minLon && p.lon <= maxLon && p.lat >= minLat && p.lat <= maxLat }

    mutating func extend(_ p: Position) {
        minLon = min(minLon, p.lon); maxLon = max(maxLon, p.lon)
        minLat = min(minLat, p.lat); maxLat = max(maxLat, p.lat)
    }

    mutating func extend(_ b: BoundingBox) {
        minLon = min(minLon, b.minLon); maxLon = max(maxLon, b.maxLon)
        minLat = min(minLat, b.minLat); maxLat = max(maxLat, b.maxLat)
    }
}
