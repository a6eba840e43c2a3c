/// Checks a body against RFC 8259 before any decoder sees it, because decoders are lenient
/// where the API must not be: Foundation's accepts trailing commas, keeps the first of two
/// equal keys, and lets a `\u0000` escape through to the store. Also applies `TextRule`'s
/// control-character rule to every string, naming the field, so no route can forget it.
///
/// Accepts exactly the grammar: one value; `{}` and `[]` without trailing commas; strings with
/// valid escapes, no raw control byte, surrogates in pairs; numbers without leading zeros; the
/// four whitespace bytes; valid UTF-8 without a byte-order mark. Nesting is bounded.
public enum StrictJSON {
    public static let maxDepth = 64

    public enum Problem: Error, Sendable, Equatable {
        /// Not JSON: what was wrong and where (a byte offset from 0).
        case malformed(String, offset: Int)
        /// An object with the same key twice: the key's path.
        case duplicateKey(path: String)
        /// A string holding a control character other than a line break or tab.
        case controlCharacter(path: String, scalar: String)
    }

    /// `refusingControls: false` leaves control characters in strings to the caller, for a
    /// batch whose items are each refused on their own.
    public static func check(_ bytes: [UInt8], refusingControls: Bool = true) throws(Problem) {
        try bytes.withUnsafeBufferPointer { buffer throws(Problem) in try check(buffer, refusingControls: refusingControls) }
    }

    public static func check(_ buffer: UnsafeBufferPointer<UInt8>, refusingControls: Bool = true) throws(Problem) {
        var scanner = Scanner(bytes: buffer, refusingControls: refusingControls)
        try scanner.document()
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        let refusingControls: Bool
        var at = 0
        /// The path to the value being read, as `JSONBody` names fields: `a.b[2].c`.
        var path: [PathPart] = []

        enum PathPart { case key(String), index(Int) }

        init(bytes: UnsafeBufferPointer<UInt8>, refusingControls: Bool) {
            self.bytes = bytes
            self.refusingControls = refusingControls
        }

        var pathText: String {
            path.reduce(into: "") { text, part in
                switch part {
                case .key(let k): text += text.isEmpty ? k : "." + k
                case .index(let i): text += "[\(i)]"
                }
            }
        }

        func fail(_ message: String) -> Problem { .malformed(message, offset: at) }

        mutating func document() throws(Problem) {
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                throw fail("the body starts with a byte-order mark; send UTF-8 without one")
            }
            skipSpace()
            try value(depth: 0)
            skipSpace()
            if at < bytes.count { throw fail("unexpected text after the JSON value") }
        }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < StrictJSON.maxDepth else { throw fail("nested deeper than \(StrictJSON.maxDepth) levels") }
            guard at < bytes.count else { throw fail("the body ends where a value should be") }
            switch bytes[at] {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): _ = try string(isKey: false)
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("unexpected character where a value should be")
            }
        }

        mutating func object(depth: Int) throws(Problem) {
            at += 1
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return }
            var keys = Set<String>()
            while true {
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else {
                    throw fail(keys.isEmpty ? "an object key must be a string" : "a comma must be followed by a key (no trailing comma)")
                }
                let key = try string(isKey: true)
                path.append(.key(key))
                guard keys.insert(key).inserted else { throw .duplicateKey(path: pathText) }
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("a key must be followed by ':'") }
                at += 1
                skipSpace()
                try value(depth: depth + 1)
                path.removeLast()
                skipSpace()
                guard at < bytes.count else { throw fail("the body ends inside an object") }
                if bytes[at] == UInt8(ascii: "}") { at += 1; return }
                guard bytes[at] == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in an object") }
                at += 1
                skipSpace()
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            at += 1
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return }
            var index = 0
            while true {
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { throw fail("a comma must be followed by a value (no trailing comma)") }
                path.append(.index(index))
                try value(depth: depth + 1)
                path.removeLast()
                skipSpace()
                guard at < bytes.count else { throw fail("the body ends inside an array") }
                if bytes[at] == UInt8(ascii: "]") { at += 1; return }
                guard bytes[at] == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in an array") }
                at += 1
                index += 1
                skipSpace()
            }
        }

        mutating func literal(_ word: StaticString) throws(Problem) {
            let n = word.utf8CodeUnitCount
            guard at + n <= bytes.count else { throw fail("unexpected end of the body") }
            for i in 0..<n where bytes[at + i] != word.utf8Start[i] { throw fail("unexpected character where a value should be") }
            at += n
        }

        /// A number as RFC 8259 writes it, and within a double's range (§6 lets a parser set the
        /// limit; Foundation's reader refuses beyond it): 1e400 or a 400-digit integer is refused
        /// here, naming where, instead of failing later without a path.
        mutating func number() throws(Problem) {
            let start = at
            if bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard at < bytes.count, isDigit(bytes[at]) else { throw fail("a number needs a digit") }
            if bytes[at] == UInt8(ascii: "0") {
                at += 1
                if at < bytes.count, isDigit(bytes[at]) { throw fail("a number must not start with 0") }
            } else {
                while at < bytes.count, isDigit(bytes[at]) { at += 1 }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                guard at < bytes.count, isDigit(bytes[at]) else { throw fail("a decimal point must be followed by a digit") }
                while at < bytes.count, isDigit(bytes[at]) { at += 1 }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard at < bytes.count, isDigit(bytes[at]) else { throw fail("an exponent needs a digit") }
                while at < bytes.count, isDigit(bytes[at]) { at += 1 }
            }
            let text = String(decoding: bytes[start..<at], as: UTF8.self)
            guard let value = Double(text), value.isFinite else {
                at = start
                throw fail("a number is out of range (beyond ±1.8e308)")
            }
        }

        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

        /// Reads a string; returns its text only for keys (values need only be checked).
        mutating func string(isKey: Bool) throws(Problem) -> String {
            at += 1
            var key = String.UnicodeScalarView()
            while true {
                guard at < bytes.count else { throw fail("the body ends inside a string") }
                let b = bytes[at]
                let scalar: Unicode.Scalar
                switch b {
                case UInt8(ascii: "\""):
                    at += 1
                    return String(key)
                case 0x00..<0x20:
                    throw fail("a string holds a raw control byte; escape it (and see the rule on control characters)")
                case UInt8(ascii: "\\"):
                    scalar = try escape()
                case 0x20..<0x80:
                    scalar = Unicode.Scalar(b)
                    at += 1
                default:
                    scalar = try utf8Scalar()
                }
                if refusingControls || isKey, scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    if !isKey, scalar == "\n" || scalar == "\t" || scalar == "\r" {
                        // Line breaks and tabs: the field's own rule decides (multi-line text keeps them).
                    } else {
                        if isKey { path.append(.key(String(key))) }
                        throw .controlCharacter(path: pathText, scalar: TextRule.name(scalar))
                    }
                }
                if isKey { key.append(scalar) }
            }
        }

        mutating func escape() throws(Problem) -> Unicode.Scalar {
            guard at + 1 < bytes.count else { throw fail("the body ends inside an escape") }
            let c = bytes[at + 1]
            at += 2
            switch c {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let high = try hex4()
                if (0xD800...0xDBFF).contains(high) {
                    guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                        throw fail("a high surrogate escape must be followed by a low one")
                    }
                    at += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("a high surrogate escape must be followed by a low one") }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
                }
                guard let s = Unicode.Scalar(high) else { throw fail("a lone low surrogate escape") }
                return s
            default:
                at -= 1
                throw fail("an invalid escape")
            }
        }

        mutating func hex4() throws(Problem) -> UInt32 {
            guard at + 4 <= bytes.count else { throw fail("the body ends inside a \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[at]
                let d: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
                default: throw fail("a \\u escape needs four hex digits")
                }
                v = v << 4 | UInt32(d)
                at += 1
            }
            return v
        }

        /// One UTF-8 sequence, strictly: no overlong form, no surrogate, nothing above U+10FFFF.
        mutating func utf8Scalar() throws(Problem) -> Unicode.Scalar {
            let b0 = bytes[at]
            let (count, minimum, initial): (Int, UInt32, UInt32) = switch b0 {
            case 0xC2...0xDF: (2, 0x80, UInt32(b0 & 0x1F))
            case 0xE0...0xEF: (3, 0x800, UInt32(b0 & 0x0F))
            case 0xF0...0xF4: (4, 0x10000, UInt32(b0 & 0x07))
            default: (0, 0, 0)
            }
            guard count > 0, at + count <= bytes.count else { throw fail("the body is not valid UTF-8") }
            var v = initial
            for i in 1..<count {
                let b = bytes[at + i]
                guard b & 0xC0 == 0x80 else { throw fail("the body is not valid UTF-8") }
                v = v << 6 | UInt32(b & 0x3F)
            }
            guard v >= minimum, let s = Unicode.Scalar(v) else { throw fail("the body is not valid UTF-8") }
            at += count
            return s
        }
    }
}
