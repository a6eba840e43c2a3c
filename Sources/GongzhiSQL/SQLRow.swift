import Foundation
import Synchronization

/// One result row: its values by position, and the column names of its statement (shared by
/// every row of a result, so a row is one array).
public struct SQLRow: Sendable {
    public let columns: SQLColumns
    public let values: [SQLValue]

    public init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of a column by position. A value of the wrong kind is a schema the code does
    /// not know: it traps, as a corrupted row should not be read as something else.
    public subscript<T: SQLDecodable>(_ index: Int) -> T {
        do { return try T.decode(values[index]) } catch {
            var e = error
            e.column = index < columns.names.count ? columns.names[index] : "#\(index)"
            fatalError("\(e)")
        }
    }

    /// The value of a column by name; a column the statement does not have reads as NULL.
    public subscript<T: SQLDecodable>(_ name: String) -> T {
        do { return try T.decode(value(name)) } catch {
            var e = error
            e.column = name
            fatalError("\(e)")
        }
    }

    /// The value of a column by name, throwing instead of trapping (for `verify`, which must
    /// report an edited row rather than stop).
    public func decode<T: SQLDecodable>(_ name: String, as: T.Type = T.self) throws -> T {
        do { return try T.decode(value(name)) } catch {
            var e = error
            e.column = name
            throw e
        }
    }

    /// The value of a column by position, throwing: for rows read by the million (a replay's
    /// events), where finding each column by its name was a lock and a hash per value.
    public func decode<T: SQLDecodable>(at index: Int, as: T.Type = T.self) throws -> T {
        do { return try T.decode(index < values.count ? values[index] : .null) } catch {
            var e = error
            e.column = index < columns.names.count ? columns.names[index] : "#\(index)"
            throw e
        }
    }

    public func value(_ name: String) -> SQLValue {
        guard let i = columns.index[name] else { return .null }
        return values[i]
    }

    public func has(_ name: String) -> Bool { columns.index[name] != nil }
}

/// Column names of a result, with their positions.
public final class SQLColumns: Sendable {
    public let names: [String]
    /// Built when a row is first read by name: rows read by position (a case, the list's
    /// revisions) never need it, and hashing every name of every statement showed in the list's profile.
    private let byName = Mutex<[String: Int]?>(nil)

    public init(_ names: [String]) { self.names = names }

    public var index: [String: Int] {
        byName.withLock { built in
            if let built { return built }
            var index: [String: Int] = [:]
            for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
            built = index
            return index
        }
    }
}
