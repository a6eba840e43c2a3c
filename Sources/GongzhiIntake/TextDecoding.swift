import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of a spreadsheet export as text: UTF-8 with or without a byte-order mark, or GB18030
/// (what Excel in China writes when it saves CSV). Decoded with the C library's iconv, which
/// every Linux and macOS has, so no table ships with the product.
public enum TextDecoding {
    public enum Encoding: String, Sendable, CaseIterable {
        case utf8 = "utf-8"
        case gb18030
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Decodes `data`; with no encoding given, UTF-8 when the bytes are valid UTF-8, else GB18030.
    public static func decode(_ data: Data, as encoding: Encoding? = nil) throws(Failure) -> (text: String, encoding: Encoding) {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard encoding != .gb18030 else { throw Failure(description: "the file starts with a UTF-8 byte-order mark but gb18030 was asked for") }
            bytes = bytes.dropFirst(3)
        }
        if encoding != .gb18030 {
            if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
            if encoding == .utf8 {
                throw Failure(description: "the file is not valid UTF-8 at byte \(firstInvalidUTF8(bytes)); is it GB18030 (--encoding gb18030)?")
            }
        }
        guard let text = convert(bytes, from: "GB18030") else {
            throw Failure(description: "the file is neither UTF-8 nor GB18030; save it from the spreadsheet as CSV (UTF-8)")
        }
        return (text, .gb18030)
    }

    /// The offset of the first byte that is not valid UTF-8.
    static func firstInvalidUTF8(_ bytes: Data) -> Int {
        var iterator = bytes.makeIterator(), parser = Unicode.UTF8.ForwardParser(), offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput, .error: return offset
            }
        }
    }

    /// Converts with iconv; nil when the bytes are not valid in `from`.
    static func convert(_ data: Data, from: String) -> String? {
        recode([UInt8](data), from: from, to: "UTF-8").map { String(decoding: $0, as: UTF8.self) }
    }

    /// Text as GB18030 bytes (for CSV exports to tools that expect it); every Unicode
    /// character has a GB18030 form, so this fails only if the C library lacks the converter.
    public static func gb18030(_ text: String) throws -> [UInt8] {
        guard let bytes = recode(Array(text.utf8), from: "UTF-8", to: "GB18030") else {
            throw Failure(description: "the C library cannot convert to GB18030")
        }
        return bytes
    }

    /// Bytes from one encoding to another with the C library's iconv; nil when invalid.
    static func recode(_ bytes: [UInt8], from: String, to: String) -> [UInt8]? {
        let cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        // GB18030 and UTF-8 characters are 1 to 4 bytes: twice the input (plus slack) always fits.
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var used = 0
        let ok: Bool = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                guard let inBase = inBuf.baseAddress, let outBase = outBuf.baseAddress else { return true }
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase).assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count, outLeft = outBuf.count
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                used = outBuf.count - outLeft
                return r != size_t.max && inLeft == 0
            }
        }
        return ok ? Array(output.prefix(used)) : nil
    }
}
