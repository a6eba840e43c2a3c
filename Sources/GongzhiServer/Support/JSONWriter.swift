import Foundation
import GongzhiCore

/// A value that writes itself as JSON text.
protocol JSONWritable {
    func write(json: inout JSONWriter)
}

/// JSON written straight into bytes, for the hot responses (the case list and a case): there,
/// Foundation's JSONEncoder took 56% of the server's time (perf at a million cases: boxing
/// every value, then sorting every object's keys). Writers give an object's keys in sorted
/// order and leave out absent optionals, so the text is what JSONEncoder with `.sortedKeys`
/// and `.withoutEscapingSlashes` writes; a test holds them to it.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the next member or element needs a comma before it.
    private var comma = false

    init(capacity: Int = 4_096) { bytes.reserveCapacity(capacity) }

    mutating func object(_ members: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        comma = false
        members(&self)
        bytes.append(UInt8(ascii: "}"))
        comma = true
    }

    /// `{`, for an object written member by member (`object` is the usual way).
    mutating func openObject() {
        bytes.append(UInt8(ascii: "{"))
        comma = false
    }

    mutating func closeObject() {
        bytes.append(UInt8(ascii: "}"))
        comma = true
    }

    /// A writer for members that continue an object already begun elsewhere: the first one
    /// written gets its comma.
    static func continuing(capacity: Int = 1_024) -> JSONWriter {
        var w = JSONWriter(capacity: capacity)
        w.comma = true
        return w
    }

    /// Bytes of JSON text as they are, ending in a member or element: what follows needs a comma.
    mutating func raw(bytes more: [UInt8]) {
        bytes.append(contentsOf: more)
        comma = true
    }

    /// One member; none when `value` is nil (as `encodeIfPresent` leaves it out).
    mutating func field<V: JSONWritable>(_ key: String, _ value: V?) {
        guard let value else { return }
        member(key)
        value.write(json: &self)
        comma = true
    }

    /// One member that is `null` when `value` is nil.
    mutating func fieldOrNull<V: JSONWritable>(_ key: String, _ value: V?) {
        member(key)
        if let value { value.write(json: &self) } else { bytes.append(contentsOf: "null".utf8) }
        comma = true
    }

    private mutating func member(_ key: String) {
        if comma { bytes.append(UInt8(ascii: ",")) }
        string(key)
        bytes.append(UInt8(ascii: ":"))
        comma = false
    }

    mutating func array<S: Sequence>(_ items: S) where S.Element: JSONWritable {
        bytes.append(UInt8(ascii: "["))
        comma = false
        for item in items {
            if comma { bytes.append(UInt8(ascii: ",")) }
            item.write(json: &self)
            comma = true
        }
        bytes.append(UInt8(ascii: "]"))
        comma = true
    }

    /// JSON text written by someone else (JSONEncoder, for the parts that are not hot).
    mutating func raw(_ data: Data) {
        bytes.append(contentsOf: data)
        comma = true
    }

    /// A string, escaped as RFC 8259 requires (`JSONText.string`).
    mutating func string(_ s: String) { JSONText.string(s, into: &bytes) }

    mutating func number(_ text: String) { bytes.append(contentsOf: text.utf8) }
}

extension String: JSONWritable {
    func write(json: inout JSONWriter) { json.string(self) }
}

extension Int: JSONWritable {
    func write(json: inout JSONWriter) { json.number(String(self)) }
}

extension Int64: JSONWritable {
    func write(json: inout JSONWriter) { json.number(String(self)) }
}

extension Bool: JSONWritable {
    func write(json: inout JSONWriter) { json.number(self ? "true" : "false") }
}

extension Double: JSONWritable {
    /// The shortest form that reads back the same, without a trailing `.0` (`120`, `-0`), as
    /// JSONEncoder writes it; JSON has no NaN or infinity, so those are null.
    func write(json: inout JSONWriter) {
        guard isFinite else { return json.number("null") }
        let text = description
        json.number(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    func write(json: inout JSONWriter) { json.array(self) }
}
