import Foundation
import GongzhiCore

/// Reading a routing-rules file (`{"rules": [...]}`) into a checked table.
public enum RulesFile {
    struct File: Decodable { var rules: [RoutingRule] }

    /// Parses and checks rules; errors name the rule or the JSON position at fault.
    public static func load(_ data: Data, units: OrgDirectory, categories: CategoryDirectory) throws -> RoutingTable {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch let DecodingError.keyNotFound(key, ctx) {
            throw ReferenceError("rules file: \(path(ctx.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw ReferenceError("rules file: \(path(ctx.codingPath)) has the wrong type")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw ReferenceError("rules file: \(path(ctx.codingPath)) must not be null")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw ReferenceError("rules file: \(ctx.codingPath.isEmpty ? "not valid JSON" : path(ctx.codingPath) + " is invalid")")
        } catch {
            throw ReferenceError("rules file: \(error)")
        }
        return try RoutingTable(file.rules, units: units, categories: categories)
    }

    /// The rules from `path`, or the bundled defaults when `path` is nil.
    public static func load(path: String?, units: OrgDirectory, categories: CategoryDirectory) throws -> RoutingTable {
        let data: Data
        if let path {
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ReferenceError("cannot read rules file \(path)") }
        } else {
            data = try ReferenceData.bundledRulesData()
        }
        return try load(data, units: units, categories: categories)
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
