import Foundation
import GongzhiCore
import GongzhiGeo

/// The pages' maps, drawn from the area layers in force: a case's street with its unit grids and
/// the point; a worker's own streets to tap a finding on; the district with its streets for the
/// public form. Nothing comes from a tile server.
struct MapView {
    let atlas: Atlas

    /// The street a case lies in, its grids (the case's own highlighted) and the point; the
    /// district when the street has no shape; nil when nothing is known of where it is.
    func caseMap(_ r: CaseRecord, label: String) -> String? {
        let point = r.report.location.map { Position(lon: $0.lon, lat: $0.lat) }
        let streetCode = r.area?.street
        guard let (code, shape) = streetCode.flatMap({ c in atlas.shape(of: c).map { (c, $0) } }) ?? district() else { return nil }
        var layers = [SVGMap.Layer(code: code, name: atlas.name(of: code) ?? code, shape: shape, style: .base)]
        if code == streetCode { layers += grids(within: [shape], highlight: r.area?.grid) }
        return SVGMap(frame: SVGMap.frame(of: [shape])).render(layers, point: point, label: label)
    }

    /// The streets of `areaCodes` (a community's or grid's street when that is all there is) with
    /// their grids, to tap a location on. The district when none of them has a shape.
    func areaMap(_ areaCodes: Set<String>, label: String) -> String? {
        var streets = Set<String>()
        for code in areaCodes {
            if let layer = atlas.layers[.street], layer.shapes[code] != nil { streets.insert(code) }
            else if code.count > 9, atlas.layers[.street]?.shapes[String(code.prefix(9))] != nil { streets.insert(String(code.prefix(9))) }
        }
        let shapes = streets.sorted().compactMap { c in atlas.shape(of: c).map { (c, $0) } }
        guard !shapes.isEmpty else { return districtMap(label: label) }
        var layers = shapes.map { SVGMap.Layer(code: $0.0, name: atlas.name(of: $0.0) ?? $0.0, shape: $0.1, style: .base) }
        layers += grids(within: shapes.map(\.1), highlight: nil)
        return SVGMap(frame: SVGMap.frame(of: shapes.map(\.1))).render(layers, label: label, pickable: true)
    }

    /// The district and its streets, to click a location on.
    func districtMap(label: String) -> String? {
        guard let (code, shape) = district() else { return nil }
        var layers = [SVGMap.Layer(code: code, name: atlas.name(of: code) ?? code, shape: shape, style: .base)]
        if let streets = atlas.layers[.street] {
            layers += streets.codes.compactMap { c in streets.shapes[c].map { .init(code: c, name: streets.names[c] ?? c, shape: $0, style: .grid) } }
        }
        return SVGMap(frame: SVGMap.frame(of: [shape])).render(layers, label: label, pickable: true)
    }

    func district() -> (String, MultiPolygon)? {
        guard let layer = atlas.layers[.district], let code = layer.codes.first, let shape = layer.shapes[code] else { return nil }
        return (code, shape)
    }

    /// The unit grids whose centre lies in one of `shapes`, the highlighted one last (on top).
    func grids(within shapes: [MultiPolygon], highlight: String?) -> [SVGMap.Layer] {
        guard let layer = atlas.layers[.grid] else { return [] }
        let boxes = shapes.map(\.boundingBox)
        let inside = layer.codes.compactMap { code -> SVGMap.Layer? in
            guard let shape = layer.shapes[code] else { return nil }
            let b = shape.boundingBox
            let centre = Position(lon: (b.minLon + b.maxLon) / 2, lat: (b.minLat + b.maxLat) / 2)
            guard code == highlight || zip(boxes, shapes).contains(where: { $0.contains(centre) && $1.contains(centre) }) else { return nil }
            return SVGMap.Layer(code: code, name: layer.names[code] ?? code, shape: shape, style: code == highlight ? .highlight : .grid)
        }
        return inside.filter { $0.style == .grid } + inside.filter { $0.style == .highlight }
    }
}
