import Foundation
import Metrics

/// A value bound to, or read from, a statement on either backend. Integers are 64-bit and
/// times epoch milliseconds everywhere, so a row reads the same from SQLite and PostgreSQL.
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    /// SQLite stores it as 0 or 1; PostgreSQL as BOOLEAN.
    case bool(Bool)
}

/// A Swift value that can be bound as a statement argument.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int64: SQLBindable { public var sqlValue: SQLValue { .int(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .int(Int64(self)) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .double(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .bool(self) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// A Swift value that can be read from a column. Reading is lenient where the backends differ
/// (a SQLite boolean is an integer; a PostgreSQL count is a BIGINT) and strict otherwise.
public protocol SQLDecodable {
    static func decode(_ value: SQLValue) throws(SQLDecodingError) -> Self
}

public struct SQLDecodingError: Error, Sendable, CustomStringConvertible {
    public var expected: String
    public var found: SQLValue
    public var column: String = "?"
    public var description: String { "column \(column): expected \(expected), found \(found)" }
}

extension Int64: SQLDecodable {
    public static func decode(_ value: SQLValue) throws(SQLDecodingError) -> Int64 {
        switch value {
        case .int(let v): return v
        case .bool(let b): return b ? 1 : 0
        case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int64(d)
        default: throw SQLDecodingError(expected: "an integer", found: value)
        }
    }
}

extension Int: SQLDecodable {
    public static func decode(_ value: SQLValue) throws(SQLDecodingError) -> Int { Int(try Int64.decode(value)) }
}

extension Double: SQLDecodable {
    public static func decode(_ value: SQLValue) throws(SQLDecodingError) -> Double {
        switch value {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: throw SQLDecodingError(expected: "a number", found: value)
        }
    }
}

extension String: SQLDecodable {
    public static func decode(_ value: SQLValue) throws(SQLDecodingError) -> String {
        guard case .text(let s) = value else { throw SQLDecodingError(expected: "text", found: value) }
        return s
    }
}

extension Bool: SQLDecodable {
    public static func decode(_ value: SQLValue) throws(SQLDecodingError) -> Bool {
        switch value {
        case .bool(let b): return b
        case .int(let v): return v != 0
        default: throw SQLDecodingError(expected: "a boolean", found: value)
        }
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func decode(_ value: SQLValue) throws(SQLDecodingError) -> Wrapped? {
        if case .null = value { return nil }
        return try Wrapped.decode(value)
    }
}

/// Text no statement may bind: it holds U+0000. SQLite reads a bound text up to its first NUL
/// and PostgreSQL refuses it, so the row would differ from the event that wrote it. Intake
/// refuses such text first (`TextRule`, a 422 naming the field); this is the last line, on
/// both backends, so that the store can never hold a cut row whatever a caller forgot.
public struct SQLTextError: Error, Sendable, CustomStringConvertible {
    /// The position of the argument, from 1.
    public var argument: Int
    public var description: String { "argument \(argument) holds U+0000, which a database would cut; nothing was written" }

    /// Refuses the arguments if any text holds U+0000.
    public static func check(_ values: [SQLValue]) throws(SQLTextError) {
        for (i, v) in values.enumerated() {
            if case .text(let s) = v, s.utf8.contains(0) { throw SQLTextError(argument: i + 1) }
        }
    }
}

/// How long a statement waited for a connection (PostgreSQL's pool) or for its turn (SQLite's
/// readers and its one writer) before it ran, by kind: the database pool's waits at `/metrics`
/// (`gongzhi_db_wait_seconds`). The timer is looked up at each use (a registry lookup, small
/// beside a statement): a database opened before the metrics factory is set still reports.
public enum PoolWaits {
    public enum Kind: String, Sendable { case read, write }

    /// Records the wait of a statement asked for at `asked` that starts now.
    public static func record(_ kind: Kind, since asked: ContinuousClock.Instant) {
        Metrics.Timer(label: "gongzhi_db_wait", dimensions: [("kind", kind.rawValue)]).record(duration: ContinuousClock.now - asked)
    }
}
