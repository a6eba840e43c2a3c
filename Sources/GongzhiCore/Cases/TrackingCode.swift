/// Tracking codes the public uses to follow a case (`GS-7KQ2-M9XH-4TRA`).
///
/// Twelve symbols of Crockford's base-32 alphabet (no I, L, O, U, so nothing is misread over
/// the phone) drawn from the system's cryptographic generator: 60 bits, so guessing a valid
/// code among even ten million cases takes ~10^11 tries.
public enum TrackingCode {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    public static let prefix = "GS"

    public static func make<R: RandomNumberGenerator>(using rng: inout R) -> String {
        var out = prefix
        for _ in 0..<3 {
            out.append("-")
            for _ in 0..<4 { out.append(alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))]) }
        }
        return out
    }

    public static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        return make(using: &rng)
    }

    /// Whether `text` has the shape of a tracking code (case-insensitive).
    public static func isWellFormed(_ text: String) -> Bool {
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == prefix && parts.dropFirst().allSatisfy { $0.count == 4 && $0.allSatisfy(alphabet.contains) }
    }
}
