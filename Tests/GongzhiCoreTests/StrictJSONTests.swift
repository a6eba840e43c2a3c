import GongzhiCore
import Testing

/// RFC 8259 exactly: what Foundation's decoder lets through (the tester's trailing comma and
/// duplicate key among them) is refused here, and every string obeys the control rule.
@Suite struct StrictJSONTests {
    func problem(_ text: String, refusingControls: Bool = true) -> StrictJSON.Problem? {
        do { try StrictJSON.check(Array(text.utf8), refusingControls: refusingControls); return nil } catch { return error }
    }

    func isMalformed(_ text: String) -> Bool {
        if case .malformed? = problem(text) { return true }
        return false
    }

    @Test func validDocumentsPass() {
        for text in [#"{}"#, #"[]"#, #" {"a": [1, -0.5, 2e10, 1E-3, true, false, null, "x"], "b": {"c": ""}} "#, #""\u00e9\ud83d\ude00\/""#,
                     #"{"description": "一\n二\t三"}"#, "0", "-0", #"{"a":{"a":1}}"#, #"[{"a":1},{"a":2}]"#, "{\"名\":\"拱墅\"}"] {
            #expect(problem(text) == nil, "\(text)")
        }
    }

    @Test func whatLenientDecodersAcceptIsRefused() {
        for text in [#"{"note":"x",}"#, #"[1,]"#, #"{,}"#, #"[,1]"#, #"{"a" 1}"#, #"{'a':1}"#, #"{a:1}"#, "01", "1.", ".5", "+1", "1e",
                     "NaN", "Infinity", "tru", "nul", #""abc"#, "{", "[", "", "  ", #"{"a":1}x"#, #"{"a":1}{"b":2}"#, "\u{FEFF}{}",
                     #""\x41""#, #""\u12""#, #""\ud83d""#, #""\ude00""#, #""\ud83dx""#, "\"a\tb\"", "\"a\u{0}b\"", "/* c */ {}"] {
            #expect(isMalformed(text), "\(text)")
        }
        // Bytes that are not UTF-8: a UTF-16 body, a lone continuation byte, an overlong form, a surrogate.
        for bytes: [UInt8] in [[0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], [0x22, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: StrictJSON.Problem.self) { try StrictJSON.check(bytes) }
        }
    }

    /// Found by the fuzzer: a 700-digit integer passed the grammar, then Foundation could not read
    /// it. Numbers beyond a double's range are refused, where they are; the largest finite ones pass.
    @Test func numbersBeyondADoublesRangeAreRefused() {
        for text in ["1e400", "-1e309", String(repeating: "7", count: 700), #"{"amount_fen": 1\#(String(repeating: "0", count: 400))}"#] {
            #expect(isMalformed(text), "\(text.prefix(40))")
        }
        for text in ["1.7976931348623157e308", "-1.7976931348623157e308", "1e-400", String(repeating: "9", count: 300)] {
            #expect(problem(text) == nil, "\(text.prefix(40))")
        }
    }

    @Test func duplicateKeysAreNamed() {
        #expect(problem(#"{"note":"a","note":"b"}"#) == .duplicateKey(path: "note"))
        #expect(problem(#"{"location":{"lat":1,"lat":2}}"#) == .duplicateKey(path: "location.lat"))
        #expect(problem(#"{"a":[{"k":1},{"k":1,"k":2}]}"#) == .duplicateKey(path: "a[1].k"))
        // An escape spelling the same key is the same key.
        #expect(problem(#"{"a":1,"\u0061":2}"#) == .duplicateKey(path: "a"))
    }

    @Test func controlCharactersAreNamedByField() {
        #expect(problem(#"{"description":"ghost\u0000tail"}"#) == .controlCharacter(path: "description", scalar: "U+0000"))
        #expect(problem(#"{"reporter":{"name":"a\u001bb"}}"#) == .controlCharacter(path: "reporter.name", scalar: "U+001B"))
        #expect(problem(#"{"media_urls":["ok","\u0085"]}"#) == .controlCharacter(path: "media_urls[1]", scalar: "U+0085"))
        #expect(problem("{\"name\":\"a\u{80}b\"}") == .controlCharacter(path: "name", scalar: "U+0080"))
        #expect(problem(#"{"k\u0000":1}"#) == .controlCharacter(path: "k", scalar: "U+0000"))
        #expect(problem(#"{"note":"a\nb\tc\r"}"#) == nil)
        // Left to the caller (a batch refusing each item on its own), except in keys.
        #expect(problem(#"{"description":"a\u0000b"}"#, refusingControls: false) == nil)
        #expect(problem(#"{"k\u0000":1}"#, refusingControls: false) != nil)
    }

    @Test func nestingIsBounded() {
        #expect(problem(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(isMalformed(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)))
        #expect(isMalformed(String(repeating: "[", count: 100_000)))
    }
}
