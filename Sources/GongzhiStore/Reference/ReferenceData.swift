import Foundation
import GongzhiCore
import GongzhiGeo

/// The district's reference data: categories, the org tree and the area hierarchy.
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
        var areas: [Area] = []

        let district = try GeoJSON.features(try Resource.data("gongshu_wgs84.geojson"))
        guard let d = district.first else { throw ReferenceError("gongshu_wgs84.geojson has no feature") }
        areas.append(Area(code: districtCode, name: d.properties["name"] ?? "拱墅区", level: .district, parentCode: nil, geometry: d.geometryJSON))

        var streetGeometry: [String: String] = [:]
        for f in try GeoJSON.features(try Resource.data("gongshu_streets_approx_wgs84.geojson")) {
            guard let code = f.properties["street_code_9"] else { throw ReferenceError("a street area has no street_code_9") }
            streetGeometry[code] = f.geometryJSON
        }
        for s in try CSV.records(try Resource.text("gongshu_streets.csv")) {
            guard let code = s["street_code_9"], let name = s["street_name"] else { throw ReferenceError("gongshu_streets.csv lacks street_code_9 or street_name") }
            areas.append(Area(code: code, name: name, level: .street, parentCode: districtCode, approximate: true, geometry: streetGeometry[code]))
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
}

/// This module's bundled resource files.
enum Resource {
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "reference") else {
            throw ReferenceError("resource \(name) is missing from the GongzhiStore bundle")
        }
        return url
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }
}
