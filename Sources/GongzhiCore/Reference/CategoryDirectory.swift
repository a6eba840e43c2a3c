/// All categories, indexed. A case's category is a matter or extension code; components share
/// codes 01xxx–05xxx with the matters about them and are kept for reference.
public struct CategoryDirectory: Sendable {
    public let all: [Category]
    private let reportableByCode: [String: Category]

    public init(_ categories: [Category]) {
        all = categories
        var map: [String: Category] = [:]
        for c in categories where c.kind != .component { map[c.code] = c }
        reportableByCode = map
    }

    /// The matter or extension with this code, or nil.
    public func reportable(_ code: String) -> Category? { reportableByCode[code] }

    public var count: Int { all.count }

    /// Builds the directory from the standard's CSV (`code,kind,major_class,name`) and the
    /// district's local configuration.
    ///
    /// Every matter must have local defaults (from its own code or its major class), so a
    /// missing setting fails at load time rather than when the first case arrives.
    public static func load(standardCSV: String, local: LocalCategoryConfig) throws -> CategoryDirectory {
        var categories: [Category] = []
        for record in try CSV.records(standardCSV) {
            guard let code = record["code"], let kindName = record["kind"], let major = record["major_class"],
                  let name = record["name"] else { throw ReferenceError("category directory lacks code, kind, major_class or name") }
            guard code.count == 5, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else {
                throw ReferenceError("category code '\(code)' is not five digits")
            }
            let kind: Category.Kind
            switch kindName {
            case "管理部件": kind = .component
            case "管理事项": kind = .matter
            default: throw ReferenceError("category \(code) has unknown kind '\(kindName)'")
            }
            let majorCode = String(code.prefix(2))
            var defaults: LocalDefaults? = nil
            if kind == .matter {
                guard let d = local.items[code] ?? local.majors[majorCode] else {
                    throw ReferenceError("matter \(code) \(name) has no local defaults (neither by code nor by major class \(majorCode))")
                }
                defaults = d
            }
            categories.append(Category(code: code, kind: kind, majorCode: majorCode, majorName: major, name: name, defaults: defaults))
        }
        for e in local.extensions {
            guard e.code.count == 5, e.code.allSatisfy(\.isNumber), !e.code.hasPrefix("0"), !e.code.hasPrefix("10") else {
                throw ReferenceError("extension code '\(e.code)' must be five digits outside the standard's classes 01–10")
            }
            categories.append(Category(code: e.code, kind: .extension_, majorCode: String(e.code.prefix(2)), majorName: e.majorName,
                                       name: e.name, defaults: LocalDefaults(deadlineHours: e.deadlineHours, departmentType: e.departmentType)))
        }
        var seen = Set<String>()
        for c in categories where c.kind != .component {
            guard seen.insert(c.code).inserted else { throw ReferenceError("category code \(c.code) appears twice") }
        }
        return CategoryDirectory(categories)
    }
}

/// The district's local configuration of categories (a JSON resource).
public struct LocalCategoryConfig: Sendable, Codable {
    public struct Extension: Sendable, Codable {
        public var code: String
        public var majorName: String
        public var name: String
        public var deadlineHours: Double
        public var departmentType: String
    }

    /// Defaults per major class (`"06"`).
    public var majors: [String: LocalDefaults]
    /// Overrides per matter code (`"02013"`).
    public var items: [String: LocalDefaults]
    public var extensions: [Extension]
}

/// Reference data that cannot be loaded; the message names what is wrong.
public struct ReferenceError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
