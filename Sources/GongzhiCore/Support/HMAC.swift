/// HMAC-SHA256 (RFC 2104), on the core's own SHA-256: the signature on every webhook delivery,
/// so a receiver (an SMS gateway, the district's messaging platform) knows the message came
/// from the platform and was not changed on the way.
public enum HMAC {
    public static func sha256<Key: Collection, Message: Collection>(key: Key, message: Message) -> [UInt8]
    where Key.Element == UInt8, Message.Element == UInt8 {
        var k = Array(key)
        if k.count > 64 { k = SHA256.digest(k) }
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = SHA256.digest(k.map { $0 ^ 0x36 } + Array(message))
        return SHA256.digest(k.map { $0 ^ 0x5c } + inner)
    }

    /// Lowercase hex of HMAC-SHA256 over UTF-8 text.
    public static func sha256Hex(key: String, message: String) -> String {
        SHA256.hexString(sha256(key: Array(key.utf8), message: Array(message.utf8)))
    }
}
