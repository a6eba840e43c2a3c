import Foundation

/// Cuts areas into square unit grids (单元网格) of a given size, each clipped to its area.
///
/// Cells are laid on one grid for the whole district (origin at the district's south-west
/// corner, metres from a local equirectangular projection), so cells of neighbouring streets
/// line up. Every piece of an area with a positive area becomes a cell, however small, so the
/// cells cover the area without gaps; a cell that only touches the area is left out.
public enum GridTiler {
    public struct Cell: Sendable {
        /// Index of the area it belongs to, in the input order.
        public var area: Int
        /// Its number within the area, 1…, counted west to east, then north to south.
        public var sequence: Int
        public var shape: MultiPolygon
    }

    public static func tile(_ areas: [MultiPolygon], cellMetres: Double) -> [Cell] {
        var box = BoundingBox.empty
        for a in areas { box.extend(a.boundingBox) }
        guard cellMetres > 0, box.minLon <= box.maxLon else { return [] }
        let midLat = (box.minLat + box.maxLat) / 2
        let dLat = cellMetres / 110_574.0
        let dLon = cellMetres / (111_320.0 * cos(midLat * .pi / 180))
        var cells: [Cell] = []
        for (i, area) in areas.enumerated() {
            let b = area.boundingBox
            let c0 = Int(((b.minLon - box.minLon) / dLon).rounded(.down)), c1 = Int(((b.maxLon - box.minLon) / dLon).rounded(.down))
            let r0 = Int(((b.minLat - box.minLat) / dLat).rounded(.down)), r1 = Int(((b.maxLat - box.minLat) / dLat).rounded(.down))
            var sequence = 0
            for r in stride(from: r1, through: r0, by: -1) {  // north to south
                for c in c0...c1 {
                    let x0 = box.minLon + Double(c) * dLon, y0 = box.minLat + Double(r) * dLat
                    let rect = BoundingBox(minLon: x0, minLat: y0, maxLon: x0 + dLon, maxLat: y0 + dLat)
                    let pieces = area.polygons.compactMap { clip($0, to: rect) }
                    let clipped = MultiPolygon(polygons: pieces)
                    guard !pieces.isEmpty, clipped.area > 0 else { continue }
                    sequence += 1
                    cells.append(Cell(area: i, sequence: sequence, shape: clipped))
                }
            }
        }
        return cells
    }

    /// Sutherland–Hodgman clipping of each ring against an axis-aligned rectangle. A concave
    /// area may come back as one ring joined along the rectangle's edge; containment tests
    /// stay exact inside the cell.
    static func clip(_ polygon: Polygon, to rect: BoundingBox) -> Polygon? {
        var rings: [[Position]] = []
        for (k, ring) in polygon.rings.enumerated() {
            var pts = Array(ring.dropLast())
            for edge in 0..<4 {
                guard !pts.isEmpty else { break }
                func inside(_ p: Position) -> Bool {
                    switch edge {
                    case 0: p.lon >= rect.minLon
                    case 1: p.lon <= rect.maxLon
                    case 2: p.lat >= rect.minLat
                    default: p.lat <= rect.maxLat
                    }
                }
                func cross(_ a: Position, _ b: Position) -> Position {
                    switch edge {
                    case 0, 1:
                        let x = edge == 0 ? rect.minLon : rect.maxLon
                        return Position(lon: x, lat: a.lat + (b.lat - a.lat) * (x - a.lon) / (b.lon - a.lon))
                    default:
                        let y = edge == 2 ? rect.minLat : rect.maxLat
                        return Position(lon: a.lon + (b.lon - a.lon) * (y - a.lat) / (b.lat - a.lat), lat: y)
                    }
                }
                var out: [Position] = []
                for j in 0..<pts.count {
                    let cur = pts[j], prev = pts[(j + pts.count - 1) % pts.count]
                    if inside(cur) {
                        if !inside(prev) { out.append(cross(prev, cur)) }
                        out.append(cur)
                    } else if inside(prev) {
                        out.append(cross(prev, cur))
                    }
                }
                pts = out
            }
            guard pts.count >= 3, abs(ringArea(pts + [pts[0]])) > 0 else {
                if k == 0 { return nil }  // the outer ring vanished: nothing of this polygon is in the cell
                continue  // a hole outside the cell
            }
            rings.append(pts + [pts[0]])
        }
        return Polygon(rings: rings)
    }

    static func ringArea(_ ring: [Position]) -> Double {
        var s = 0.0
        for i in 0..<(ring.count - 1) { s += ring[i].lon * ring[i + 1].lat - ring[i + 1].lon * ring[i].lat }
        return s / 2
    }
}

extension MultiPolygon {
    /// Planar area in square degrees (outer rings minus holes): for comparisons, not for reports.
    public var area: Double {
        polygons.reduce(0) { total, p in
            total + p.rings.enumerated().reduce(0) { $0 + ($1.offset == 0 ? 1 : -1) * abs(GridTiler.ringArea($1.element)) }
        }
    }
}
