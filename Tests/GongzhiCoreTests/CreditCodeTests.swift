import GongzhiCore
import Testing

/// GB 32100's check character, on codes whose check characters were worked out apart from the
/// code under test: the standard's own example and codes computed by hand (weights 3^i mod 31).
@Suite struct CreditCodeTests {
    /// The standard's example first; the rest carry Gongshu's division code, 330105.
    static let valid = ["91350100M000100Y43", "91110000600037341L", "91330105MA2GL8KQ40", "92330105MA2CGK1N2L", "52330105MA28F0QP7G"]

    func code(_ text: String) -> FieldError? {
        do {
            _ = try CreditCode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: valid) func validCodesAreAccepted(_ text: String) throws {
        let code = try CreditCode(text)
        #expect(code.value == text && code.description == text)
    }

    @Test func caseSpacesAndFullWidthFormsAreForgiven() throws {
        #expect(try CreditCode(" 91350100m000100y43\n").value == "91350100M000100Y43")
        #expect(try CreditCode("９１３５０１００Ｍ０００１００Ｙ４３").value == "91350100M000100Y43")
        #expect(try CreditCode("91330105MA2GL8KQ40").division == "330105")
    }

    /// Every single wrong character, at every position, with every other character of the
    /// alphabet: 18 × 30 codes, all refused.
    @Test(arguments: valid) func everySingleWrongCharacterIsCaught(_ text: String) {
        let chars = Array(text)
        var accepted: [String] = []
        for i in chars.indices {
            for c in CreditCode.alphabet where c != chars[i] {
                var wrong = chars
                wrong[i] = c
                if code(String(wrong)) == nil { accepted.append(String(wrong)) }
            }
        }
        #expect(accepted.isEmpty, "accepted: \(accepted.prefix(5))")
    }

    @Test(arguments: valid) func everySwapOfNeighboursIsCaught(_ text: String) {
        let chars = Array(text)
        for i in 0..<(chars.count - 1) where chars[i] != chars[i + 1] {
            var swapped = chars
            swapped.swapAt(i, i + 1)
            #expect(code(String(swapped))?.code == "bad_check_character" || code(String(swapped))?.code == "bad_division",
                    "\(String(swapped))")
        }
    }

    @Test func malformedCodesAreNamedByField() {
        let cases: [(String, String)] = [
            ("", "required"), ("   ", "required"), ("91350100M000100Y4", "wrong_length"), ("91350100M000100Y431", "wrong_length"),
            ("91350100M000100I43", "bad_character"), ("91350100M000100O43", "bad_character"), ("9135010\u{0}M000100Y43", "bad_character"),
            ("91350100M000100Y4\u{7}", "bad_character"), ("9135 100M000100Y43", "bad_character"),
            // Right check character, but a letter where the division code's digits go.
            ("9135A100M000100Y4Y", "bad_division"),
            ("91350100M000100Y44", "bad_check_character"), ("91350100M000100Y34", "bad_check_character"),
        ]
        for (text, expected) in cases {
            let error = code(text)
            #expect(error?.field == "credit_code" && error?.code == expected, "\(text.debugDescription): \(String(describing: error))")
        }
        #expect(code(String(repeating: "9", count: 100_000))?.code == "wrong_length")
    }
}
