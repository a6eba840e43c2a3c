import Foundation
import GongzhiCore

/// The district's Open311 GeoReport v2 settings (`open311.json`): the one jurisdiction, which
/// categories are offered and listed publicly, the free-text service and the extra attributes
/// some categories ask for. Data, so a district changes them without a release.
public struct Open311Config: Sendable, Codable {
    public struct FreeTextService: Sendable, Codable {
        public var code: String
        public var name: String
        public var group: String
        public var description: String
        public var keywords: [String]
    }

    public struct Attribute: Sendable, Codable, Hashable {
        public struct Value: Sendable, Codable, Hashable {
            public var key: String
            public var name: String
        }

        public enum Datatype: String, Sendable, Codable, Hashable {
            case string, number, datetime, text, singlevaluelist, multivaluelist
        }

        public var code: String
        public var datatype: Datatype
        public var required: Bool
        public var order: Int
        public var description: String
        public var datatypeDescription: String?
        public var values: [Value]?

        enum CodingKeys: String, CodingKey {
            case code, datatype, required, order, description, values
            case datatypeDescription = "datatype_description"
        }
    }

    public var jurisdictionID: String
    public var changeset: String
    public var contact: String
    public var keyService: String
    public var publicMajorClasses: [String]
    public var freeTextService: FreeTextService
    /// By category code.
    public var attributes: [String: [Attribute]]

    enum CodingKeys: String, CodingKey {
        case changeset, contact, attributes
        case jurisdictionID = "jurisdiction_id"
        case keyService = "key_service"
        case publicMajorClasses = "public_major_classes"
        case freeTextService = "free_text_service"
    }

    /// Whether a category is offered as a service and its requests listed publicly.
    public func isPublic(_ category: String?) -> Bool {
        guard let category else { return false }
        return publicMajorClasses.contains(String(category.prefix(2)))
    }

    /// Checks the file against the directory: codes exist, attribute codes are unique and
    /// lists have values.
    public func checked(categories: CategoryDirectory) throws(ReferenceError) -> Open311Config {
        guard !jurisdictionID.isEmpty else { throw ReferenceError("open311.json: jurisdiction_id is empty") }
        guard categories.reportable(freeTextService.code) == nil else {
            throw ReferenceError("open311.json: the free-text service's code \(freeTextService.code) is also a category")
        }
        for (code, list) in attributes {
            guard categories.reportable(code) != nil else { throw ReferenceError("open311.json: attributes for unknown category \(code)") }
            var seen = Set<String>(), orders = Set<Int>()
            for a in list {
                guard seen.insert(a.code).inserted, orders.insert(a.order).inserted, a.order > 0 else {
                    throw ReferenceError("open311.json: category \(code) repeats attribute \(a.code) or its order")
                }
                let isList = a.datatype == .singlevaluelist || a.datatype == .multivaluelist
                guard isList == !(a.values ?? []).isEmpty else {
                    throw ReferenceError("open311.json: attribute \(code)/\(a.code) must have values if and only if it is a list")
                }
            }
        }
        return self
    }

    /// The bundled settings.
    public static func bundled(categories: CategoryDirectory) throws -> Open311Config {
        let config: Open311Config
        do { config = try JSONDecoder().decode(Open311Config.self, from: try Resource.data("open311.json")) } catch let e as ReferenceError {
            throw e
        } catch { throw ReferenceError("open311.json: \(error)") }
        return try config.checked(categories: categories)
    }
}
