import Foundation
import GongzhiCore
import GongzhiGeo

/// One imported version of a level's polygons.
public struct AreaLayerInfo: Sendable, Hashable {
    public var version: Int64
    public var level: Area.Level
    public var source: String
    public var importedAt: Date
    public var featureCount: Int
    public var approximate: Bool

    public init(version: Int64, level: Area.Level, source: String, importedAt: Date, featureCount: Int, approximate: Bool) {
        self.version = version
        self.level = level
        self.source = source
        self.importedAt = importedAt
        self.featureCount = featureCount
        self.approximate = approximate
    }
}

/// Versioned area layers: each import of a level is a new version, in force from then on; old
/// versions stay for the cases located with them.
public protocol AreaStore: Sendable {
    @discardableResult
    func importLayer(_ layer: AreaLayerImport, at: Date) async throws -> AreaLayerInfo
    /// The newest version of each level.
    func currentLayers() async throws -> [AreaLayerInfo]
    func shapes(version: Int64) async throws -> [StoredShape]
    /// The area hierarchy as stored (including imported grids), optionally one level.
    func areas(level: Area.Level?) async throws -> [Area]
    /// Code → GeoJSON geometry of the layers in force.
    func currentGeometries(level: Area.Level?) async throws -> [String: String]
}

extension AreaStore {
    /// The atlas (spatial indexes) of the layers in force.
    public func atlas() async throws -> Atlas {
        var layers: [Atlas.Layer] = []
        for info in try await currentLayers() {
            let shapes = try await shapes(version: info.version)
            layers.append(Atlas.Layer(level: info.level, version: info.version, approximate: info.approximate,
                                      features: try shapes.map { ($0.code, $0.name, try GeoJSON.geometry($0.geometry)) }))
        }
        return Atlas(layers: layers)
    }
}

/// Reference data in the database: seeding adds what is missing and changes nothing that
/// exists (idempotent, keeps local edits); loading gives what the server uses.
public protocol ReferenceStore: Sendable {
    @discardableResult
    func seed(_ data: ReferenceData) async throws -> Int
    func load() async throws -> ReferenceData
    /// A setting kept in the database (`meta`), e.g. when the demo was loaded.
    func meta(_ key: String) async throws -> String?
}
