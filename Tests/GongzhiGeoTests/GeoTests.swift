import Foundation
import GongzhiGeo
import Testing

@Suite struct GeoTests {
    @Test func gcj02OffsetInGongshuAndRoundTrip() {
        // In Gongshu GCJ-02 sits about +0.0047° lon and −0.0023° lat from WGS84.
        let g = GCJ02.fromWGS84(lat: 30.3192, lon: 120.1414)
        #expect(abs((g.lon - 120.1414) - 0.0047) < 0.0003)
        #expect(abs((g.lat - 30.3192) + 0.0023) < 0.0003)
        var lat = 30.25
        while lat < 30.41 {
            var lon = 120.08
            while lon < 120.23 {
                let forward = GCJ02.fromWGS84(lat: lat, lon: lon)
                let back = GCJ02.toWGS84(lat: forward.lat, lon: forward.lon)
                #expect(abs(back.lat - lat) < 1e-8 && abs(back.lon - lon) < 1e-8)
                lon += 0.013
            }
            lat += 0.011
        }
    }

    @Test func outsideChinaIsUnchanged() {
        let p = GCJ02.toWGS84(lat: 40.7128, lon: -74.006)
        #expect(p.lat == 40.7128 && p.lon == -74.006)
    }

    @Test func polygonWithHoleAndBoundaries() {
        let square = [Position(lon: 0, lat: 0), Position(lon: 10, lat: 0), Position(lon: 10, lat: 10), Position(lon: 0, lat: 10), Position(lon: 0, lat: 0)]
        let hole = [Position(lon: 4, lat: 4), Position(lon: 6, lat: 4), Position(lon: 6, lat: 6), Position(lon: 4, lat: 6), Position(lon: 4, lat: 4)]
        let poly = Polygon(rings: [square, hole])
        #expect(poly.contains(Position(lon: 1, lat: 1)))
        #expect(!poly.contains(Position(lon: 5, lat: 5)))      // in the hole
        #expect(poly.contains(Position(lon: 4, lat: 5)))       // on the hole's edge: boundary belongs to the polygon
        #expect(poly.contains(Position(lon: 10, lat: 5)))      // on the outer edge
        #expect(poly.contains(Position(lon: 0, lat: 0)))       // a vertex
        #expect(!poly.contains(Position(lon: 10.000001, lat: 5)))
        #expect(!poly.contains(Position(lon: -1, lat: 0)))     // on the line of an edge, outside it
    }

    @Test func geoJSONErrorsNameTheFeature() {
        func error(_ json: String) -> String? {
            do { _ = try GeoJSON.features(Data(json.utf8)); return nil } catch { return error.description }
        }
        let ok = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1","n":2},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#
        #expect(error(ok) == nil)
        #expect(error(#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}"#)?.contains("not closed") == true)
        #expect(error(#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}"#)?.contains("at least 4") == true)
        #expect(error(#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[181,0],[1,1],[0,0]]]}}"#)?.contains("out-of-range") == true)
        #expect(error(#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}"#)?.contains("not a Polygon") == true)
        #expect(error(#"{"type":"FeatureCollection","features":[{"type":"Feature"},1]}"#)?.hasPrefix("feature #0") == true)
        #expect(error("{not json") == "not valid JSON")
        // Errors past the first feature and the first ring name where they are.
        let square = #"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#
        let openHole = #"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[2,2],[1,2]]]}}"#
        #expect(error(#"{"type":"FeatureCollection","features":[\#(square),\#(square),\#(openHole)]}"#) == "feature #2: ring 1 is not closed (its first and last positions differ)")
        let badSecond = #"{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],["x",0],[1,1],[0,0]]]]}}"#
        #expect(error(#"{"type":"FeatureCollection","features":[\#(square),\#(badSecond)]}"#) == "feature #1: ring 0 has a position that is not [lon, lat]")
        let props = try? GeoJSON.features(Data(ok.utf8)).first?.properties
        #expect(props == ["code": "1", "n": "2"])
    }
}
