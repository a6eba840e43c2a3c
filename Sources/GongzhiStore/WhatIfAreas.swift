import Foundation
import GongzhiCore
import GongzhiGeo

/// Other boundaries for a what-if: one level's areas (streets, communities or grids) drawn
/// differently, the other levels as they are in force. Each replayed case's point is located
/// in them and routed there. The same for the command line (a file) and the API (a body).
public struct WhatIfAreas: Sendable {
    /// Why a layer cannot be used; `field` is the part of the request at fault.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { message }
    }

    public let level: Area.Level
    public let atlas: Atlas
    /// The proposed areas' names, by code: a proposal may bring codes the district has not got.
    public let names: [String: String]
    public let count: Int

    /// `features` replace the `level` layer of `current`. The district itself is not redrawn:
    /// its boundary is not a routing choice.
    public init(current: Atlas, level: Area.Level, features: [GeoJSON.Feature], codeProperty: String = "code",
                nameProperty: String = "name", source: String) throws(Problem) {
        guard level != .district else {
            throw Problem(field: "level", message: "the level of other areas must be street, community or grid")
        }
        let layer: AreaLayerImport
        do {
            layer = try AreaLayerImport(level: level, source: source, approximate: false, features: features,
                                        codeProperty: codeProperty, nameProperty: nameProperty, parent: { _ in nil })
        } catch { throw Problem(field: "geojson", message: "\(error)") }
        let proposed = Atlas.Layer(level: level, version: current.version + 1, approximate: false,
                                   features: layer.shapes.map { ($0.code, $0.name, $0.geometry) })
        self.level = level
        atlas = Atlas(layers: current.layers.values.filter { $0.level != level } + [proposed])
        names = proposed.names
        count = layer.shapes.count
    }

    /// Where a point falls under these boundaries (nil outside the district).
    public var relocate: @Sendable (GeoPoint) -> AreaPath? {
        let atlas = atlas
        return { point in
            do { return try atlas.locate(point) } catch { return nil }
        }
    }
}
