/// A raster index over a set of polygons, for locating points in constant time on average.
///
/// The bounding box of all polygons is cut into a raster. Each raster cell holds either the
/// one polygon that covers it entirely (answered without any geometry), nothing, or the short
/// list of polygons whose boundary crosses it (answered with exact point-in-polygon tests on
/// those few). Cost per lookup therefore depends on how many boundaries meet in one cell, not
/// on how many polygons there are.
///
/// Boundary rule: a point on an edge or vertex belongs to the polygon. When several polygons
/// contain a point (a shared border), the one added first wins, so callers add polygons in a
/// deterministic order (by code).
public struct PolygonIndex: Sendable {
    public let count: Int
    let box: BoundingBox
    let columns: Int
    let rows: Int
    let cellWidth: Double
    let cellHeight: Double
    /// Per raster cell: `>= 0` the polygon covering it; `-1` none; `<= -2` candidates at
    /// `candidateStart[-(v + 2)]`.
    let cells: [Int32]
    let candidateStart: [Int32]
    let candidates: [Int32]
    let shapes: [PreparedPolygon]

    /// - Parameter targetCellsPerPolygon: raster density; higher means more cells answered
    ///   without geometry, at more memory. At least 64 cells per vertex of the longest outline; capped at 4 million.
    public init(_ polygons: [MultiPolygon], targetCellsPerPolygon: Int = 64) {
        count = polygons.count
        var box = BoundingBox.empty
        for p in polygons { box.extend(p.boundingBox) }
        if polygons.isEmpty || !(box.minLon <= box.maxLon) {
            box = BoundingBox(minLon: 0, minLat: 0, maxLon: 0, maxLat: 0)
        }
        self.box = box
        let width = max(box.maxLon - box.minLon, 1e-9), height = max(box.maxLat - box.minLat, 1e-9)
        // Dense enough that a boundary cell holds few polygons and, for a few large polygons with
        // long boundaries (a district outline), that few points land in a boundary cell at all.
        let longest = polygons.map { $0.polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } } }.max() ?? 0
        let target = Double(min(max(polygons.count * targetCellsPerPolygon, longest * 64, 1_024), 4_000_000))
        let side = (width * height / target).squareRoot()
        columns = max(1, min(4_096, Int((width / side).rounded(.up))))
        rows = max(1, min(4_096, Int((height / side).rounded(.up))))
        cellWidth = width / Double(columns)
        cellHeight = height / Double(rows)
        shapes = polygons.map(PreparedPolygon.init)

        var full = [Int32](repeating: -1, count: columns * rows)
        var lists = [[Int32]](repeating: [], count: columns * rows)
        for (id, shape) in shapes.enumerated() {
            Self.rasterize(shape, id: Int32(id), into: &full, lists: &lists, box: box, columns: columns, rows: rows,
                           cellWidth: cellWidth, cellHeight: cellHeight)
        }
        var cells = [Int32](repeating: -1, count: columns * rows)
        var starts: [Int32] = []
        var flat: [Int32] = []
        for i in 0..<cells.count {
            var list = lists[i]
            if full[i] >= 0 {
                // A polygon covering the cell wins only if no earlier polygon's boundary crosses it.
                if list.allSatisfy({ $0 > full[i] }) { cells[i] = full[i]; continue }
                list.append(full[i])
            }
            guard !list.isEmpty else { continue }
            list.sort()
            cells[i] = -Int32(starts.count) - 2
            starts.append(Int32(flat.count))
            flat.append(contentsOf: list)
        }
        starts.append(Int32(flat.count))
        self.cells = cells
        candidateStart = starts
        candidates = flat
    }

    /// The first polygon (in the order given) containing the point, or nil.
    @inline(__always)
    public func locate(lon: Double, lat: Double) -> Int? {
        // Compare with the box itself (not the cell arithmetic, which can round past the last
        // column); points on its far edge belong to the last column or row.
        guard lon >= box.minLon, lon <= box.maxLon, lat >= box.minLat, lat <= box.maxLat else { return nil }
        let cx = min(max(Int((lon - box.minLon) / cellWidth), 0), columns - 1)
        let cy = min(max(Int((lat - box.minLat) / cellHeight), 0), rows - 1)
        let v = cells[cy * columns + cx]
        if v >= 0 { return Int(v) }
        if v == -1 { return nil }
        let slot = Int(-(v + 2))
        let point = Position(lon: lon, lat: lat)
        for i in Int(candidateStart[slot])..<Int(candidateStart[slot + 1]) {
            let id = Int(candidates[i])
            if shapes[id].contains(point) { return id }
        }
        return nil
    }

    /// Every raster cell a polygon's edges touch is marked as a candidate for it; the cells
    /// strictly inside it are found per row from the crossings of the row's centre line.
    static func rasterize(_ shape: PreparedPolygon, id: Int32, into full: inout [Int32], lists: inout [[Int32]], box: BoundingBox,
                          columns: Int, rows: Int, cellWidth: Double, cellHeight: Double) {
        var boundary = Set<Int>()
        func col(_ lon: Double) -> Int { max(0, min(columns - 1, Int(((lon - box.minLon) / cellWidth).rounded(.down)))) }
        func row(_ lat: Double) -> Int { max(0, min(rows - 1, Int(((lat - box.minLat) / cellHeight).rounded(.down)))) }
        for ring in shape.rings {
            for k in 0..<(ring.count - 1) {
                let a = ring[k], b = ring[k + 1]
                // Cells in the segment's box, widened by one to be safe at cell borders,
                // kept when the segment meets the (closed) cell rectangle.
                let c0 = max(0, col(min(a.lon, b.lon)) - 1), c1 = min(columns - 1, col(max(a.lon, b.lon)) + 1)
                let r0 = max(0, row(min(a.lat, b.lat)) - 1), r1 = min(rows - 1, row(max(a.lat, b.lat)) + 1)
                for r in r0...r1 {
                    for c in c0...c1 {
                        let x0 = box.minLon + Double(c) * cellWidth, y0 = box.minLat + Double(r) * cellHeight
                        if segmentMeetsRect(a, b, x0 - cellWidth * 1e-9, y0 - cellHeight * 1e-9,
                                            x0 + cellWidth * (1 + 1e-9), y0 + cellHeight * (1 + 1e-9)) {
                            boundary.insert(r * columns + c)
                        }
                    }
                }
            }
        }
        for cell in boundary { lists[cell].append(id) }
        // Interior: cells whose centre is inside and that no edge touches.
        let bb = shape.box
        for r in row(bb.minLat)...row(bb.maxLat) {
            let y = box.minLat + (Double(r) + 0.5) * cellHeight
            var xs: [Double] = []
            for ring in shape.rings {
                for k in 0..<(ring.count - 1) {
                    let a = ring[k], b = ring[k + 1]
                    if (a.lat > y) != (b.lat > y) { xs.append(a.lon + (y - a.lat) * (b.lon - a.lon) / (b.lat - a.lat)) }
                }
            }
            xs.sort()
            var i = 0
            while i + 1 < xs.count {
                let from = col(xs[i]), to = col(xs[i + 1])
                if from <= to {
                    for c in from...to {
                        let x = box.minLon + (Double(c) + 0.5) * cellWidth
                        let cell = r * columns + c
                        if x >= xs[i], x <= xs[i + 1], !boundary.contains(cell), full[cell] < 0 { full[cell] = id }
                    }
                }
                i += 2
            }
        }
    }

    /// Whether segment a–b meets the closed rectangle [x0, x1] × [y0, y1] (Liang–Barsky).
    static func segmentMeetsRect(_ a: Position, _ b: Position, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Bool {
        let dx = b.lon - a.lon, dy = b.lat - a.lat
        var t0 = 0.0, t1 = 1.0
        for (p, q) in [(-dx, a.lon - x0), (dx, x1 - a.lon), (-dy, a.lat - y0), (dy, y1 - a.lat)] {
            if p == 0 {
                if q < 0 { return false }
            } else {
                let t = q / p
                if p < 0 { if t > t1 { return false }; if t > t0 { t0 = t } }
                else { if t < t0 { return false }; if t < t1 { t1 = t } }
            }
        }
        return t0 <= t1
    }
}

/// A multipolygon flattened for fast containment tests: all rings in one list, with the box.
struct PreparedPolygon: Sendable {
    /// Each polygon's rings in turn; even-odd over all of them is the multipolygon's interior,
    /// since the parts of a valid multipolygon do not overlap.
    let rings: [[Position]]
    let box: BoundingBox
    let parts: [Polygon]

    init(_ m: MultiPolygon) {
        rings = m.polygons.flatMap(\.rings)
        box = m.boundingBox
        parts = m.polygons
    }

    @inline(__always)
    func contains(_ p: Position) -> Bool {
        guard box.contains(p) else { return false }
        for part in parts where part.contains(p) { return true }
        return false
    }
}
