import Foundation

/// Reading the parts of GeoJSON (RFC 7946) that areas need: Features and FeatureCollections
/// of Polygon and MultiPolygon geometries. Errors name the feature and what is wrong.
public enum GeoJSON {
    public struct Feature: Sendable {
        /// String-valued properties (numbers and booleans are given as text).
        public var properties: [String: String]
        public var geometry: MultiPolygon
    }

    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var feature: Int?
        public var message: String
        public var description: String { feature.map { "feature #\($0): \(message)" } ?? message }
    }

    public static func features(_ data: Data) throws(Error) -> [Feature] {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw Error(feature: nil, message: "not valid JSON")
        }
        return try features(json: root)
    }

    /// The same from JSON already parsed (`JSONSerialization`'s objects): a layer sent inside
    /// a larger request body.
    public static func features(json root: Any) throws(Error) -> [Feature] {
        guard let object = root as? [String: Any], let type = object["type"] as? String else {
            throw Error(feature: nil, message: "the top level must be a GeoJSON object with a type")
        }
        switch type {
        case "FeatureCollection":
            guard let list = object["features"] as? [Any] else { throw Error(feature: nil, message: "a FeatureCollection needs a features array") }
            var out: [Feature] = []
            for (i, item) in list.enumerated() { out.append(try feature(item, index: i)) }
            return out
        case "Feature":
            return [try feature(object, index: 0)]
        default:
            throw Error(feature: nil, message: "expected a FeatureCollection or a Feature, found \(type)")
        }
    }

    /// A FeatureCollection of (multi)polygons with string properties, as compact RFC 7946 text.
    public static func encode(_ features: [(properties: [String: String], geometry: MultiPolygon)]) -> String {
        var out = #"{"type":"FeatureCollection","features":["#
        for (i, f) in features.enumerated() {
            if i > 0 { out += "," }
            let props = (try? JSONSerialization.data(withJSONObject: f.properties, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            out += #"{"type":"Feature","properties":\#(props),"geometry":\#(geometryJSON(f.geometry))}"#
        }
        return out + "]}"
    }

    /// A geometry as GeoJSON: a Polygon when there is one part, else a MultiPolygon.
    public static func geometryJSON(_ m: MultiPolygon) -> String {
        func ring(_ r: [Position]) -> String { "[" + r.map { "[\($0.lon),\($0.lat)]" }.joined(separator: ",") + "]" }
        func polygon(_ p: Polygon) -> String { "[" + p.rings.map(ring).joined(separator: ",") + "]" }
        if m.polygons.count == 1 { return #"{"type":"Polygon","coordinates":\#(polygon(m.polygons[0]))}"# }
        return #"{"type":"MultiPolygon","coordinates":[\#(m.polygons.map(polygon).joined(separator: ","))]}"#
    }

    /// Reads one stored geometry (the `geometry` member of a feature).
    public static func geometry(_ json: String) throws(Error) -> MultiPolygon {
        guard let f = try features(Data(#"{"type":"Feature","properties":{},"geometry":\#(json)}"#.utf8)).first else {
            throw Error(feature: nil, message: "empty geometry")
        }
        return f.geometry
    }

    static func feature(_ any: Any, index: Int) throws(Error) -> Feature {
        guard let f = any as? [String: Any], f["type"] as? String == "Feature" else {
            throw Error(feature: index, message: "not a Feature object")
        }
        var props: [String: String] = [:]
        for (k, v) in (f["properties"] as? [String: Any]) ?? [:] {
            switch v {
            case let s as String: props[k] = s
            case let n as NSNumber: props[k] = n.stringValue
            default: continue
            }
        }
        guard let g = f["geometry"] as? [String: Any], let type = g["type"] as? String, let coords = g["coordinates"] else {
            throw Error(feature: index, message: "missing geometry or coordinates")
        }
        let polygons: [Polygon]
        switch type {
        case "Polygon": polygons = [try polygon(coords, feature: index)]
        case "MultiPolygon":
            guard let list = coords as? [Any], !list.isEmpty else { throw Error(feature: index, message: "MultiPolygon needs at least one polygon") }
            var ps: [Polygon] = []
            for p in list { ps.append(try polygon(p, feature: index)) }
            polygons = ps
        default:
            throw Error(feature: index, message: "geometry type \(type) is not a Polygon or MultiPolygon")
        }
        return Feature(properties: props, geometry: MultiPolygon(polygons: polygons))
    }

    static func polygon(_ any: Any, feature: Int) throws(Error) -> Polygon {
        guard let ringList = any as? [Any], !ringList.isEmpty else { throw Error(feature: feature, message: "a polygon needs at least one ring") }
        var rings: [[Position]] = []
        for (r, ringAny) in ringList.enumerated() {
            guard let points = ringAny as? [Any] else { throw Error(feature: feature, message: "ring \(r) is not an array of positions") }
            var ring: [Position] = []
            for pAny in points {
                guard let p = pAny as? [Any], p.count >= 2, let lon = (p[0] as? NSNumber)?.doubleValue, let lat = (p[1] as? NSNumber)?.doubleValue else {
                    throw Error(feature: feature, message: "ring \(r) has a position that is not [lon, lat]")
                }
                guard lon.isFinite, lat.isFinite, (-180...180).contains(lon), (-90...90).contains(lat) else {
                    throw Error(feature: feature, message: "ring \(r) has an out-of-range position [\(lon), \(lat)]")
                }
                ring.append(Position(lon: lon, lat: lat))
            }
            guard ring.count >= 4 else { throw Error(feature: feature, message: "ring \(r) has \(ring.count) positions; a closed ring needs at least 4") }
            guard ring.first == ring.last else { throw Error(feature: feature, message: "ring \(r) is not closed (its first and last positions differ)") }
            rings.append(ring)
        }
        return Polygon(rings: rings)
    }
}
