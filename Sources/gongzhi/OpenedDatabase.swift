import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiPostgres
import GongzhiSQL
import GongzhiSQLite
import GongzhiStore

/// Where the data is: a SQLite file (the default) or a PostgreSQL database, by URL.
enum DatabaseLocation: Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    static let help = ArgumentHelp("SQLite database file, or a postgres://user@host:5432/name URL (default: $GONGZHI_DB, else ./gongzhi.sqlite).")
    static var fromEnvironment: String { ProcessInfo.processInfo.environment["GONGZHI_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "./gongzhi.sqlite" }

    init(_ text: String) {
        self = text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") ? .postgres(url: text) : .sqlite(path: text)
    }

    /// Opens (and migrates) the database. Only `serve` may create a SQLite file: any other
    /// command run in the wrong folder would otherwise make an empty one and act on it.
    func connect(mustExist: Bool) async throws -> (db: any SQLDatabase, close: @Sendable () async -> Void) {
        switch self {
        case .sqlite(let path):
            if mustExist, !FileManager.default.fileExists(atPath: path) {
                throw CommandFailure("no database at \(path); gongzhi serve --db \(path) creates one")
            }
            do { return (try GongzhiDatabase(path: path).sql, {}) } catch { throw CommandFailure("\(error)") }
        case .postgres(let url):
            do {
                let db = try await PostgresDatabase.connect(url: url)
                return (db, { await db.close() })
            } catch { throw CommandFailure("\(error)") }
        }
    }
}

/// A database opened, migrated and seeded with reference data and the bundled area layers,
/// with the rules, calendar and area index in force.
struct OpenedDatabase {
    let db: any SQLDatabase
    let reference: ReferenceData
    let store: SQLStorage
    let atlas: Live<Atlas>
    /// Closes the connections (PostgreSQL); nothing to do for SQLite.
    let close: @Sendable () async -> Void

    var accounts: SQLAccountStore { SQLAccountStore(db: db) }
    var areas: SQLAreaStore { SQLAreaStore(db: db) }

    /// Opens the database, runs `body` and closes it again, whether `body` throws or not.
    static func using(_ location: String, mustExist: Bool = true, _ body: (OpenedDatabase) async throws -> Void) async throws {
        let opened = try await open(location, mustExist: mustExist)
        do {
            try await body(opened)
            await opened.close()
        } catch {
            await opened.close()
            throw error
        }
    }

    static func open(_ location: String, mustExist: Bool = true, rulesPath: String? = nil,
                     officeHours: WorkingCalendar.OfficeHours = .standard) async throws -> OpenedDatabase {
        let (db, close) = try await DatabaseLocation(location).connect(mustExist: mustExist)
        do {
            return try await open(db, close: close, rulesPath: rulesPath, officeHours: officeHours)
        } catch {
            await close()
            throw error
        }
    }

    static func open(_ db: any SQLDatabase, close: @escaping @Sendable () async -> Void, rulesPath: String?,
                     officeHours: WorkingCalendar.OfficeHours) async throws -> OpenedDatabase {
        let areas = SQLAreaStore(db: db)
        // Several instances starting on one new database seed it once.
        try await db.exclusively("gongzhi.seed") {
            try await SQLReferenceStore(db: db).seed(try ReferenceData.bundled())
            if try await areas.currentLayers().isEmpty {
                for layer in try ReferenceData.bundledLayers() { try await areas.importLayer(layer, at: Date()) }
            }
        }
        let reference = try await SQLReferenceStore(db: db).load()
        let rules: RoutingTable
        do { rules = try RulesFile.load(path: rulesPath, units: reference.units, categories: reference.categories) } catch {
            throw CommandFailure("\(error)")
        }
        let context = CaseContext(units: reference.units, categories: reference.categories, rules: rules,
                                  calendar: try ReferenceData.bundledCalendar(officeHours: officeHours),
                                  coGovernance: try ReferenceData.bundledScenarios(units: reference.units, categories: reference.categories))
        // The statistics count office hours: computed afresh when first added or the calendar changed.
        try await db.exclusively("gongzhi.statistics") {
            if try await !StatisticsBuild.isCurrent(db, calendar: context.calendar) {
                let started = ContinuousClock.now
                let n = try await StatisticsBuild.rebuild(db, calendar: context.calendar) { n in
                    if n % 100_000 == 0 { print("statistics: \(n) cases counted") }
                }
                if n > 0 { print("statistics: computed from \(n) cases' histories in \(ContinuousClock.now - started)") }
            }
        }
        return OpenedDatabase(db: db, reference: reference, store: SQLStorage(db: db, context: context), atlas: Live(try await areas.atlas()),
                              close: close)
    }

    /// Generates unit grids over the street layer in force and makes them the grid layer.
    func generateGrids(cellMetres: Double) async throws -> AreaLayerInfo {
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
