import GongzhiCore
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 example vectors, including messages that need one and two padding blocks.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        // UTF-8 input, checked against Python hashlib.
        ("拱墅区", "bff3b0f5aee81f5d1796623d6373516abad1f196c462c622082564b4e4d798e8"),
    ])
    func knownDigests(message: String, expected: String) {
        #expect(SHA256.hex(message) == expected)
    }

    @Test func everyPaddingLength() {
        // Lengths around the 55/56/64-byte padding boundaries must all hash differently and stably.
        var seen = Set<String>()
        for n in 50...130 {
            let h = SHA256.hex(String(repeating: "a", count: n))
            #expect(h.count == 64)
            #expect(seen.insert(h).inserted)
        }
        #expect(SHA256.hex(String(repeating: "a", count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}
