import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// `/api/v1/categories`, `/api/v1/units`, `/api/v1/areas`: the reference data cases refer to.
struct ReferenceRoutes {
    let reference: ReferenceData
    let areas: any AreaStore

    func register(on router: Router<AppRequestContext>) {
        let categories = categoryTree()
        router.get("/api/v1/categories") { _, _ in JSONBody.response(categories) }
        router.get("/api/v1/units") { request, _ in try units(request.uri.queryParameters) }
        router.get("/api/v1/areas") { request, _ in try await areas(request.uri.queryParameters) }
    }

    struct CategoryTree: Encodable {
        struct Defaults: Encodable { var deadline_hours: Double; var department_type: String }
        struct Item: Encodable { var code: String; var name: String; var local_defaults: Defaults? }
        struct MajorClass: Encodable { var code: String; var name: String; var items: [Item] }
        struct Kind: Encodable { var kind: String; var name: String; var classes: [MajorClass] }
        var standard = "GB/T 47678.5-2026"
        var note = "Codes and names follow GB/T 47678.5-2026. local_defaults (deadline, department type) and the extension kind (codes 91–95) are Gongshu's local configuration, not part of the standard. A case's category is a matter or extension code."
        var count: Int
        var kinds: [Kind]
    }

    func categoryTree() -> CategoryTree {
        let kindNames: [Category.Kind: String] = [.component: "管理部件", .matter: "管理事项", .extension_: "本地扩展"]
        var kinds: [CategoryTree.Kind] = []
        for kind in [Category.Kind.component, .matter, .extension_] {
            var classes: [CategoryTree.MajorClass] = []
            for c in reference.categories.all where c.kind == kind {
                let item = CategoryTree.Item(code: c.code, name: c.name,
                                             local_defaults: c.defaults.map { .init(deadline_hours: $0.deadlineHours, department_type: $0.departmentType) })
                if classes.last?.code == c.majorCode { classes[classes.count - 1].items.append(item) }
                else { classes.append(.init(code: c.majorCode, name: c.majorName, items: [item])) }
            }
            kinds.append(.init(kind: kind.rawValue, name: kindNames[kind] ?? kind.rawValue, classes: classes))
        }
        return CategoryTree(count: reference.categories.count, kinds: kinds)
    }

    func units(_ params: Parameters) throws -> Response {
        struct Item: Encodable { var code: String; var name: String; var kind: String; var parent_code: String?; var department_type: String?; var area_code: String? }
        struct Body: Encodable { var count: Int; var items: [Item] }
        var all = reference.units.all
        if let kind = params.get("kind") {
            guard OrgUnit.Kind(rawValue: kind) != nil else {
                throw APIError(.unprocessableContent, code: "unknown_kind", message: "kind must be district, department, street or community", field: "kind")
            }
            all = all.filter { $0.kind.rawValue == kind }
        }
        if let parent = params.get("parent") { all = all.filter { $0.parentCode == parent } }
        let items = all.map { Item(code: $0.code, name: $0.name, kind: $0.kind.rawValue, parent_code: $0.parentCode, department_type: $0.departmentType, area_code: $0.areaCode) }
        return JSONBody.response(Body(count: items.count, items: items))
    }

    func areas(_ params: Parameters) async throws -> Response {
        struct Item: Encodable {
            var code: String; var name: String; var level: String; var parent_code: String?; var approximate: Bool
            var has_geometry: Bool; var geometry: RawJSON?
        }
        struct Body: Encodable { var count: Int; var note: String; var items: [Item] }
        var level: Area.Level? = nil
        if let text = params.get("level") {
            guard let l = Area.Level(rawValue: text) else {
                throw APIError(.unprocessableContent, code: "unknown_level", message: "level must be district, street, community or grid", field: "level")
            }
            level = l
        }
        let areaStore = areas
        let all = try await areaStore.areas(level: level)
        let geometries = try await areaStore.currentGeometries(level: level)
        let withGeometry = params.get("geometry") == "true"
        let items = all.map {
            Item(code: $0.code, name: $0.name, level: $0.level.rawValue, parent_code: $0.parentCode, approximate: $0.approximate,
                 has_geometry: geometries[$0.code] != nil, geometry: withGeometry ? geometries[$0.code].map(RawJSON.init) : nil)
        }
        let note = "Geometries are WGS84 (RFC 7946). Street areas marked approximate are Voronoi cells of labelled sites, for demonstration only."
        return JSONBody.response(Body(count: items.count, note: note, items: items))
    }
}

/// JSON text embedded as-is (a stored GeoJSON geometry).
struct RawJSON: Encodable {
    let text: String
    init(_ text: String) { self.text = text }

    func encode(to encoder: any Encoder) throws {
        // Decode once to embed as structure rather than as an escaped string.
        let value = try JSONDecoder().decode(AnyJSON.self, from: Data(text.utf8))
        try value.encode(to: encoder)
    }
}

/// Any JSON value, for passing stored JSON through.
enum AnyJSON: Codable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
