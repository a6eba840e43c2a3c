import Foundation
import GongzhiCore
@testable import GongzhiGeo
import Testing

@Suite struct PolygonIndexTests {
    /// A deterministic generator so failures reproduce.
    struct LCG: RandomNumberGenerator {
        var s: UInt64
        mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s }
    }

    /// Random star-shaped polygons, some with holes, overlapping each other.
    static func polygons(_ n: Int, rng: inout LCG) -> [MultiPolygon] {
        (0..<n).map { _ in
            let cx = Double.random(in: 0...10, using: &rng), cy = Double.random(in: 0...10, using: &rng)
            let k = Int.random(in: 3...12, using: &rng)
            var outer = (0..<k).map { i -> Position in
                let a = Double(i) / Double(k) * 2 * .pi, r = Double.random(in: 0.3...1.5, using: &rng)
                return Position(lon: cx + r * cos(a), lat: cy + r * sin(a))
            }
            outer.append(outer[0])
            var rings = [outer]
            if Bool.random(using: &rng) {
                let hole = [Position(lon: cx - 0.1, lat: cy - 0.1), Position(lon: cx + 0.1, lat: cy - 0.1), Position(lon: cx + 0.1, lat: cy + 0.1),
                            Position(lon: cx - 0.1, lat: cy + 0.1), Position(lon: cx - 0.1, lat: cy - 0.1)]
                rings.append(hole)
            }
            return MultiPolygon(polygons: [Polygon(rings: rings)])
        }
    }

    @Test func agreesWithBruteForceOnRandomPointsAndVertices() {
        var rng = LCG(s: 42)
        let shapes = Self.polygons(300, rng: &rng)
        let index = PolygonIndex(shapes)
        var points = (0..<50_000).map { _ in Position(lon: Double.random(in: -1...11, using: &rng), lat: Double.random(in: -1...11, using: &rng)) }
        // Every vertex and every edge midpoint: the boundary cases.
        for s in shapes {
            for ring in s.polygons[0].rings {
                for (a, b) in zip(ring, ring.dropFirst()) { points.append(a); points.append(Position(lon: (a.lon + b.lon) / 2, lat: (a.lat + b.lat) / 2)) }
            }
        }
        var mismatches = 0
        for p in points {
            let expected = shapes.firstIndex { $0.contains(p) }
            if index.locate(lon: p.lon, lat: p.lat) != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func holesBoundariesAndTheFirstPolygonWinning() {
        let square = { (x: Double, y: Double, s: Double) in
            [Position(lon: x, lat: y), Position(lon: x + s, lat: y), Position(lon: x + s, lat: y + s), Position(lon: x, lat: y + s), Position(lon: x, lat: y)]
        }
        let a = MultiPolygon(polygons: [Polygon(rings: [square(0, 0, 10), square(4, 4, 2)])])
        let b = MultiPolygon(polygons: [Polygon(rings: [square(10, 0, 10)])])  // shares the edge x = 10 with a
        let index = PolygonIndex([a, b])
        #expect(index.locate(lon: 5, lat: 5) == nil)       // in a's hole
        #expect(index.locate(lon: 4, lat: 5) == 0)         // on the hole's edge: a
        #expect(index.locate(lon: 10, lat: 5) == 0)        // on the shared edge: the first polygon
        #expect(index.locate(lon: 10.0000001, lat: 5) == 1)
        #expect(index.locate(lon: 20, lat: 10) == 1)       // the far corner of the whole box
        #expect(index.locate(lon: 20.0000001, lat: 10) == nil)
        #expect(index.locate(lon: -0.0000001, lat: 0) == nil)
        #expect(PolygonIndex([]).locate(lon: 0, lat: 0) == nil)
    }

    @Test func gridTilesCoverTheAreaWithoutGaps() {
        let street = MultiPolygon(polygons: [Polygon(rings: [[Position(lon: 120.10, lat: 30.30), Position(lon: 120.13, lat: 30.30), Position(lon: 120.12, lat: 30.33),
                                                               Position(lon: 120.10, lat: 30.32), Position(lon: 120.10, lat: 30.30)]])])
        let cells = GridTiler.tile([street], cellMetres: 250)
        #expect(cells.count > 50)
        #expect(cells.map(\.sequence) == Array(1...cells.count))
        #expect(abs(cells.reduce(0) { $0 + $1.shape.area } - street.area) / street.area < 1e-6)
        let index = PolygonIndex(cells.map(\.shape))
        var rng = LCG(s: 7)
        for _ in 0..<20_000 {
            let p = Position(lon: Double.random(in: 120.10...120.13, using: &rng), lat: Double.random(in: 30.30...30.33, using: &rng))
            #expect((index.locate(lon: p.lon, lat: p.lat) != nil) == street.contains(p))
        }
    }

    @Test func atlasLocatesThePathAndRefusesOutside() throws {
        let district = MultiPolygon(polygons: [Polygon(rings: [[Position(lon: 0, lat: 0), Position(lon: 10, lat: 0), Position(lon: 10, lat: 10),
                                                                 Position(lon: 0, lat: 10), Position(lon: 0, lat: 0)]])])
        let west = MultiPolygon(polygons: [Polygon(rings: [[Position(lon: 0, lat: 0), Position(lon: 5, lat: 0), Position(lon: 5, lat: 10),
                                                             Position(lon: 0, lat: 10), Position(lon: 0, lat: 0)]])])
        let atlas = Atlas(layers: [
            Atlas.Layer(level: .district, version: 1, approximate: false, features: [("330105", "拱墅区", district)]),
            Atlas.Layer(level: .street, version: 2, approximate: true, features: [("330105001", "西", west)]),
            Atlas.Layer(level: .street, version: 1, approximate: true, features: []),  // an older version: ignored
        ])
        #expect(atlas.version == 2)
        let p = try atlas.locate(GeoPoint(lat: 5, lon: 2))
        #expect(p == AreaPath(district: "330105", street: "330105001", version: 2))
        #expect(try atlas.locate(GeoPoint(lat: 5, lon: 7)).street == nil)
        #expect(throws: Atlas.LocateError.outsideDistrict) { try atlas.locate(GeoPoint(lat: 5, lon: 11)) }
        #expect(throws: Atlas.LocateError.noDistrictLayer) { try Atlas.empty.locate(GeoPoint(lat: 5, lon: 5)) }
        #expect(atlas.name(of: "330105001") == "西")
    }

    @Test func geoJSONRoundTrip() throws {
        let m = MultiPolygon(polygons: [Polygon(rings: [[Position(lon: 120.1, lat: 30.2), Position(lon: 120.2, lat: 30.2), Position(lon: 120.2, lat: 30.3),
                                                          Position(lon: 120.1, lat: 30.2)]])])
        let text = GeoJSON.encode([(["code": "1", "name": "拱\"墅"], m), (["code": "2"], MultiPolygon(polygons: m.polygons + m.polygons))])
        let back = try GeoJSON.features(Data(text.utf8))
        #expect(back.count == 2)
        #expect(back[0].geometry == m && back[0].properties["name"] == "拱\"墅")
        #expect(back[1].geometry.polygons.count == 2)
        #expect(try GeoJSON.geometry(GeoJSON.geometryJSON(m)) == m)
    }
}
