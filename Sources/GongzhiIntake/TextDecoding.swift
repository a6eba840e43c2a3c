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
        let cd = iconv_open("UTF-8", from)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = [UInt8](data)
        // A GB18030 character is 1, 2 or 4 bytes and becomes at most 4 bytes of UTF-8.
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
        return ok ? String(decoding: output.prefix(used), as: UTF8.self) : nil
    }
}
