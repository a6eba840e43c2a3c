import Foundation
import GongzhiCore

/// A map drawn by the server as SVG from the project's own area shapes: no tile server, no
/// script library, nothing fetched from outside (the product runs air-gapped). The projection
/// is equirectangular scaled by the cosine of the middle latitude, which at a district's size
/// (ten kilometres) distorts less than a pixel; the frame's numbers go into `data-` attributes
/// so the page's small script can turn a click back into coordinates.
public struct SVGMap: Sendable {
    public enum Style: String, Sendable {
        /// The area the map is about (a street, the district).
        case base
        /// Finer areas drawn over it (unit grids, streets on the district map).
        case grid
        /// The area the point lies in.
        case highlight
    }

    public struct Layer: Sendable {
        public var code: String
        public var name: String
        public var shape: MultiPolygon
        public var style: Style
        /// A choropleth's class, 0 (none) to 4 (most): drawn as CSS class `q0`…`q4`.
        public var fill: Int?
        /// Where a click on the area leads (a drill-down).
        public var link: String?

        public init(code: String, name: String, shape: MultiPolygon, style: Style, fill: Int? = nil, link: String? = nil) {
            self.code = code
            self.name = name
            self.shape = shape
            self.style = style
            self.fill = fill
            self.link = link
        }
    }

    /// A thing drawn over the areas: a point (a circle) or a line (a road section), with a
    /// CSS class (its status), a title and where a click leads.
    public struct Marker: Sendable {
        public var points: [Position]
        public var cssClass: String
        public var title: String
        public var link: String?

        public init(points: [Position], cssClass: String, title: String, link: String? = nil) {
            self.points = points
            self.cssClass = cssClass
            self.title = title
            self.link = link
        }
    }

    public let frame: BoundingBox
    public let width: Double
    let sx: Double, sy: Double, height: Double

    /// A map of `frame` (padded by a twentieth on each side) `width` units wide.
    public init(frame: BoundingBox, width: Double = 480) {
        let padLon = max((frame.maxLon - frame.minLon) * 0.05, 0.0005), padLat = max((frame.maxLat - frame.minLat) * 0.05, 0.0005)
        let f = BoundingBox(minLon: frame.minLon - padLon, minLat: frame.minLat - padLat,
                            maxLon: frame.maxLon + padLon, maxLat: frame.maxLat + padLat)
        self.frame = f
        self.width = width
        let k = cos((f.minLat + f.maxLat) / 2 * .pi / 180)
        sx = width / (f.maxLon - f.minLon)
        sy = sx / k
        height = ((f.maxLat - f.minLat) * sy).rounded(.up)
    }

    /// The frame of some shapes together.
    public static func frame(of shapes: [MultiPolygon]) -> BoundingBox {
        var box = BoundingBox.empty
        for s in shapes { box.extend(s.boundingBox) }
        return box
    }

    public func x(_ lon: Double) -> Double { (lon - frame.minLon) * sx }
    public func y(_ lat: Double) -> Double { (frame.maxLat - lat) * sy }

    /// The SVG element. `label` names the map for screen readers; `pickable` maps take clicks.
    public func render(_ layers: [Layer], point: Position? = nil, markers: [Marker] = [], label: String, pickable: Bool = false) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\(pickable ? " pick" : "")\" viewBox=\"0 0 \(n(width)) \(n(height))\""
        out += " role=\"img\" aria-label=\"\(Markup.escape(label))\" data-lon0=\"\(frame.minLon)\" data-lat0=\"\(frame.maxLat)\""
        out += " data-sx=\"\(sx)\" data-sy=\"\(sy)\">"
        for layer in layers {
            if let link = layer.link { out += "<a href=\"\(Markup.escape(link))\">" }
            let fill = layer.fill.map { " q\($0)" } ?? ""
            out += "<path class=\"\(layer.style.rawValue)\(fill)\" data-code=\"\(Markup.escape(layer.code))\" d=\"\(path(layer.shape))\">"
            out += "<title>\(Markup.escape(layer.name))</title></path>"
            if layer.link != nil { out += "</a>" }
        }
        for m in markers where !m.points.isEmpty {
            if let link = m.link { out += "<a href=\"\(Markup.escape(link))\">" }
            let title = "<title>\(Markup.escape(m.title))</title>"
            if m.points.count == 1 {
                let p = m.points[0]
                out += "<circle class=\"\(Markup.escape(m.cssClass))\" r=\"5\" cx=\"\(n(x(p.lon)))\" cy=\"\(n(y(p.lat)))\">\(title)"
                out += "</circle>"
            } else {
                let points = m.points.map { "\(n(x($0.lon))),\(n(y($0.lat)))" }.joined(separator: " ")
                out += "<polyline class=\"\(Markup.escape(m.cssClass))\" points=\"\(points)\">\(title)</polyline>"
            }
            if m.link != nil { out += "</a>" }
        }
        let marker = point.map { "cx=\"\(n(x($0.lon)))\" cy=\"\(n(y($0.lat)))\"" } ?? "cx=\"-99\" cy=\"-99\""
        out += "<circle class=\"point\" r=\"6\" \(marker)></circle></svg>"
        return out
    }

    func path(_ shape: MultiPolygon) -> String {
        var d = ""
        for polygon in shape.polygons {
            for ring in polygon.rings where !ring.isEmpty {
                for (i, p) in ring.enumerated() { d += "\(i == 0 ? "M" : "L")\(n(x(p.lon))) \(n(y(p.lat)))" }
                d += "Z"
            }
        }
        return d
    }

    /// One decimal: a tenth of a map unit is finer than a screen pixel.
    func n(_ v: Double) -> String { String(format: "%.1f", v) }
}

extension BoundingBox {
    /// Whether two boxes overlap.
    public func intersects(_ other: BoundingBox) -> Bool {
        minLon <= other.maxLon && other.minLon <= maxLon && minLat <= other.maxLat && other.minLat <= maxLat
    }
}
