import Foundation

/// `application/x-www-form-urlencoded` text as ordered pairs: Open311's multi-value attributes
/// repeat a key (`attribute[kinds][]=a&attribute[kinds][]=b`), which a dictionary would lose. A
/// malformed percent escape is an error, never a silently empty value. Pure, so the fuzzer
/// reaches it without the server.
public enum FormEncoding {
    public struct Malformed: Error, Sendable, Equatable {
        /// The start of the piece that would not decode, for the message.
        public var fragment: String
    }

    public static func pairs(_ text: String) throws(Malformed) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decode(kv[0])
            guard !key.isEmpty else { continue }
            pairs.append((key, kv.count > 1 ? try decode(kv[1]) : ""))
        }
        return pairs
    }

    static func decode(_ s: Substring) throws(Malformed) -> String {
        guard let v = s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
            throw Malformed(fragment: String(s.prefix(40)))
        }
        return v
    }
}
