import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiSQLite
import GongzhiStore

/// A database opened, migrated and seeded with reference data and the bundled area layers,
/// with the rules, calendar and area index in force.
struct OpenedDatabase {
    let database: GongzhiDatabase
    let reference: ReferenceData
    let store: SQLiteCaseStore
    let atlas: Live<Atlas>

    /// Only `serve` (and the benchmarks, on their own temporary file) may create a database:
    /// any other command run in the wrong folder would otherwise make an empty one and act on it.
    static func open(path: String, mustExist: Bool = true, rulesPath: String? = nil,
                     officeHours: WorkingCalendar.OfficeHours = .standard) async throws -> OpenedDatabase {
        if mustExist, !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("no database at \(path); gongzhi serve --db \(path) creates one")
        }
        let database: GongzhiDatabase
        do { database = try GongzhiDatabase(path: path) } catch { throw CommandFailure("\(error)") }
        let references = SQLiteReferenceStore(database: database)
        try await references.seed(try ReferenceData.bundled())
        let reference = try await references.load()
        let areas = SQLiteAreaStore(database: database)
        if try await areas.currentLayers().isEmpty {
            for layer in try ReferenceData.bundledLayers() { try await areas.importLayer(layer, at: Date()) }
        }
        let rules: RoutingTable
        do { rules = try RulesFile.load(path: rulesPath, units: reference.units, categories: reference.categories) } catch {
            throw CommandFailure("\(error)")
        }
        let context = CaseContext(units: reference.units, categories: reference.categories, rules: rules,
                                  calendar: try ReferenceData.bundledCalendar(officeHours: officeHours),
                                  coGovernance: try ReferenceData.bundledScenarios(units: reference.units, categories: reference.categories))
        let store = SQLiteCaseStore(database: database, context: context)
        return OpenedDatabase(database: database, reference: reference, store: store, atlas: Live(try await areas.atlas()))
    }

    /// Generates unit grids over the street layer in force and makes them the grid layer.
    func generateGrids(cellMetres: Double) async throws -> AreaLayerInfo {
        let areas = SQLiteAreaStore(database: database)
        guard let streets = try await areas.currentLayers().first(where: { $0.level == .street }) else {
            throw CommandFailure("there is no street layer to tile; import one with gongzhi areas import FILE --level street")
        }
        let names = Dictionary(reference.areas.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let layer: AreaLayerImport
        do { layer = try UnitGrids.generate(streets: try await areas.shapes(version: streets.version), names: names, cellMetres: cellMetres) } catch {
            throw CommandFailure("\(error)")
        }
        let info = try await areas.importLayer(layer, at: Date())
        atlas.replace(try await areas.atlas())
        return info
    }
}
