import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiSQL
import GongzhiStore

struct Areas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import, generate and list the area layers (district, street, community, unit grid).",
        discussion: "Each import is a new version of its level; cases keep the version they were located with. A running server picks up new layers on SIGHUP or POST /api/v1/rules/reload.",
        subcommands: [Import.self, Grid.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a GeoJSON FeatureCollection of (Multi)Polygons (WGS84) as a new version of a level.")

        @Argument(help: "GeoJSON file.") var file: String
        @Option(help: "district, street, community or grid.") var level: Area.Level
        @Option(help: "Feature property holding the area code.") var codeProperty = "code"
        @Option(help: "Feature property holding the name.") var nameProperty = "name"
        @Option(help: "Feature property holding the parent area's code (defaults to the code's prefix).") var parentProperty: String?
        @Flag(help: "Mark the boundaries as approximate.") var approximate = false
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func run() async throws {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw CommandFailure("cannot read \(file)") }
            let features: [GeoJSON.Feature]
            do { features = try GeoJSON.features(data) } catch { throw CommandFailure("\(file): \(error)") }
            let opened = try await OpenedDatabase.open(db)
            let known = Set(opened.reference.areas.map(\.code))
            let parentProperty = parentProperty, level = level
            let propsByCode = Dictionary(features.compactMap { f in f.properties[codeProperty].map { ($0, f.properties) } }, uniquingKeysWith: { a, _ in a })
            let layer: AreaLayerImport
            do {
                layer = try AreaLayerImport(level: level, source: URL(fileURLWithPath: file).lastPathComponent, approximate: approximate, features: features,
                                            codeProperty: codeProperty, nameProperty: nameProperty, parent: { code in
                    if let p = parentProperty { return propsByCode[code]?[p] }
                    return Self.parent(of: code, level: level, known: known)
                })
                let info = try await opened.areas.importLayer(layer, at: Date())
                print("imported \(info.featureCount) \(level.rawValue) areas as layer version \(info.version)")
            } catch let e as ReferenceError {
                throw CommandFailure("\(file): \(e.description)")
            }
        }

        /// The longest known code that prefixes this one (330105003051 → 330105003).
        static func parent(of code: String, level: Area.Level, known: Set<String>) -> String? {
            guard level != .district else { return nil }
            for n in stride(from: code.count - 1, through: 1, by: -1) where known.contains(String(code.prefix(n))) { return String(code.prefix(n)) }
            return nil
        }
    }

    struct Grid: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate unit grids by tiling each street into square cells clipped to it.")

        @Option(help: "Must be grid.") var level: Area.Level = .grid
        @Option(help: "Cell size in metres.") var cell = 250.0
        @Option(help: "Also write the grids to this GeoJSON file.") var out: String?
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func validate() throws {
            guard level == .grid else { throw ValidationError("only --level grid can be generated") }
        }

        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            let info = try await opened.generateGrids(cellMetres: cell)
            print("generated \(info.featureCount) unit grids of \(Int(cell)) m as layer version \(info.version)")
            if let out {
                let shapes = try await opened.areas.shapes(version: info.version)
                let fc = GeoJSON.encode(try shapes.map {
                    (["code": $0.code, "name": $0.name, "parent": $0.parentCode ?? ""], try GeoJSON.geometry($0.geometry))
                })
                try fc.write(toFile: out, atomically: true, encoding: .utf8)
                print("wrote \(out)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the area layer versions.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            for l in try await opened.areas.currentLayers() {
                print("v\(l.version)\t\(l.level.rawValue)\t\(l.featureCount) areas\t\(l.approximate ? "approximate" : "")\t\(Timestamp.rfc3339(l.importedAt))\t\(l.source)")
            }
        }
    }
}

extension Area.Level: ExpressibleByArgument {}
