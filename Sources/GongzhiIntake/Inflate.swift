import Foundation

/// DEFLATE (RFC 1951) decompression, for the spreadsheets districts keep as XLSX (ZIP archives of
/// XML). Written here rather than linking zlib: the product builds on a bare Swift toolchain.
/// Stored, fixed-Huffman and dynamic-Huffman blocks; refuses malformed input and output beyond
/// `limit` bytes (a ZIP bomb) with an error, never a crash.
public enum Inflate {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    struct Bits {
        let bytes: [UInt8]
        var position = 0  // in bits

        mutating func bit() throws(Failure) -> Int {
            guard position >> 3 < bytes.count else { throw Failure(description: "the compressed data ends early") }
            let b = Int(bytes[position >> 3] >> UInt8(position & 7)) & 1
            position += 1
            return b
        }

        mutating func bits(_ n: Int) throws(Failure) -> Int {
            var v = 0
            for i in 0..<n { v |= try bit() << i }
            return v
        }

        mutating func alignToByte() { position = (position + 7) & ~7 }
    }

    /// A canonical Huffman code: counts of codes per length and the symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws(Failure) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var left = 1
            for len in 1..<16 {
                left <<= 1
                left -= counts[len]
                guard left >= 0 else { throw Failure(description: "an over-subscribed Huffman code") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offsets[len + 1] = offsets[len] + counts[len] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
        }

        func decode(_ s: inout Bits) throws(Failure) -> Int {
            var code = 0, first = 0, index = 0
            for len in 1..<16 {
                code |= try s.bit()
                let count = counts[len]
                if code - count < first { return symbols[index + (code - first)] }
                index += count
                first += count
                first <<= 1
                code <<= 1
            }
            throw Failure(description: "an invalid Huffman code")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which a dynamic block sends its code-length code's lengths.
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    public static func decompress(_ data: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        var s = Bits(bytes: data)
        var out: [UInt8] = []
        var last = 0
        repeat {
            last = try s.bit()
            switch try s.bits(2) {
            case 0:
                s.alignToByte()
                let at = s.position >> 3
                guard at + 4 <= data.count else { throw Failure(description: "a stored block ends early") }
                let len = Int(data[at]) | Int(data[at + 1]) << 8, nlen = Int(data[at + 2]) | Int(data[at + 3]) << 8
                guard len == ~nlen & 0xFFFF, at + 4 + len <= data.count else { throw Failure(description: "a broken stored block") }
                out += data[(at + 4)..<(at + 4 + len)]
                s.position = (at + 4 + len) << 3
            case 1:
                var lengths = [Int](repeating: 8, count: 288)
                for i in 144..<256 { lengths[i] = 9 }
                for i in 256..<280 { lengths[i] = 7 }
                try inflateBlock(&s, &out, try Huffman(lengths: lengths), try Huffman(lengths: [Int](repeating: 5, count: 30)), limit: limit)
            case 2:
                let (literals, distances) = try dynamicCodes(&s)
                try inflateBlock(&s, &out, literals, distances, limit: limit)
            default:
                throw Failure(description: "an invalid block type")
            }
            guard out.count <= limit else { throw Failure(description: "the data expands beyond \(limit) bytes") }
        } while last == 0
        return out
    }

    static func dynamicCodes(_ s: inout Bits) throws(Failure) -> (Huffman, Huffman) {
        let nlen = try s.bits(5) + 257, ndist = try s.bits(5) + 1, ncode = try s.bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw Failure(description: "too many codes in a dynamic block") }
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<ncode { codeLengths[codeLengthOrder[i]] = try s.bits(3) }
        let lengthCode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < nlen + ndist {
            let symbol = try lengthCode.decode(&s)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw Failure(description: "a repeat with nothing before it") }
                lengths += [Int](repeating: previous, count: 3 + (try s.bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try s.bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try s.bits(7)))
            }
        }
        guard lengths.count == nlen + ndist, lengths[256] != 0 else { throw Failure(description: "broken code lengths") }
        return (try Huffman(lengths: Array(lengths[0..<nlen])), try Huffman(lengths: Array(lengths[nlen...])))
    }

    static func inflateBlock(_ s: inout Bits, _ out: inout [UInt8], _ literals: Huffman, _ distances: Huffman, limit: Int) throws(Failure) {
        while true {
            let symbol = try literals.decode(&s)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let i = symbol - 257
                guard i < lengthBase.count else { throw Failure(description: "an invalid length code") }
                let length = lengthBase[i] + (try s.bits(lengthExtra[i]))
                let d = try distances.decode(&s)
                guard d < distanceBase.count else { throw Failure(description: "an invalid distance code") }
                let distance = distanceBase[d] + (try s.bits(distanceExtra[d]))
                guard distance <= out.count else { throw Failure(description: "a distance back past the start") }
                guard out.count + length <= limit else { throw Failure(description: "the data expands beyond \(limit) bytes") }
                let start = out.count - distance
                for k in 0..<length { out.append(out[start + k]) }
            }
        }
    }
}
