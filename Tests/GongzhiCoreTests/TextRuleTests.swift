import Foundation
@testable import GongzhiCore
import Testing

@Suite struct TextRuleTests {
    func refusal(_ text: String, _ shape: TextRule.Shape = .line, max: Int = 100) -> FieldError? {
        do { _ = try TextRule.checked(text, field: "f", max: max, shape: shape); return nil } catch { return error }
    }

    @Test func everyControlCharacterIsRefusedInALine() {
        for v in Array(0x00...0x1F) + Array(0x7F...0x9F) {
            let s = "a" + String(Unicode.Scalar(UInt32(v))!) + "b"
            #expect(refusal(s)?.code == "control_character", "U+\(String(v, radix: 16))")
        }
        #expect(refusal("a\u{2028}b")?.code == "control_character")
        #expect(refusal("a\u{2029}b")?.code == "control_character")
        #expect(refusal("ghost\u{0}tail")?.message.contains("U+0000 at character 6") == true)
    }

    @Test func multiLineTextKeepsBreaksAndTabsAndFoldsCarriageReturns() throws {
        #expect(try TextRule.checked("一\r\n二\r三\n\t四", field: "f", max: 100, shape: .multiline) == "一\n二\n三\n\t四")
        #expect(try TextRule.checked("a\u{2028}b", field: "f", max: 100, shape: .multiline) == "a\u{2028}b")
        for bad in ["a\u{0}b", "a\u{1B}[31mb", "a\u{7F}", "a\u{85}b", "a\u{8}b"] {
            #expect(refusal(bad, .multiline)?.code == "control_character", "\(bad.unicodeScalars.map(\.value))")
        }
    }

    @Test func ordinaryTextPassesTrimmed() throws {
        #expect(try TextRule.checked("  拱墅区湖墅南路 “88号”—东门 👨‍👩‍👧 ", field: "f", max: 100) == "拱墅区湖墅南路 “88号”—东门 👨‍👩‍👧")
        #expect(try TextRule.optional(" \n ", field: "f", max: 10) == nil)
        #expect(try TextRule.optional(nil, field: "f", max: 10) == nil)
        // Leading and trailing line breaks of a one-line field are trimmed, not refused.
        #expect(try TextRule.checked("name\n", field: "f", max: 10) == "name")
    }

    @Test func limitsCountCharactersAndBytes() {
        #expect(refusal(String(repeating: "长", count: 100)) == nil)
        #expect(refusal(String(repeating: "长", count: 101))?.code == "too_long")
        // Each family emoji is one character of 18 bytes: 25 of them pass 100 characters but not 400 bytes.
        #expect(refusal(String(repeating: "👨‍👩‍👧", count: 25))?.message.contains("bytes") == true)
        // The tester's text: one visible character and 60,000 zero-width joiners.
        let zwj = "a" + String(repeating: "\u{200D}", count: 60_000)
        #expect(zwj.count == 1)
        #expect(refusal(zwj, .multiline, max: 4_000)?.message.contains("180001 bytes") == true)
    }

    @Test func reportsApplyTheRuleToEveryTextField() throws {
        let categories = CategoryDirectory([])
        func field(_ r: Report) -> String? {
            do { _ = try r.validated(categories: categories); return nil } catch { return error.code == "control_character" ? error.field : "other" }
        }
        let base = Report(source: .resident, description: "路灯不亮\r\n已两天", address: "湖墅南路")
        #expect(try base.validated(categories: categories).description == "路灯不亮\n已两天")
        var r = base; r.description = "a\u{0}b"
        #expect(field(r) == "description")
        r = base; r.address = "x\u{0}"
        #expect(field(r) == "address")
        r = base; r.address = "一\n二"
        #expect(field(r) == "address")
        r = base; r.reporter = Reporter(name: "王\u{1}芳")
        #expect(field(r) == "reporter.name")
        r = base; r.externalID = "id\u{0}"
        #expect(field(r) == "external_id")
        r = base; r.attributes = [ReportAttribute(code: "floor", values: ["3\u{0}"])]
        #expect(field(r) == "attribute[floor]")
        r = base; r.mediaURLs = ["https://example.cn/a\u{0}.jpg"]
        #expect(field(r) == "other")
    }

    @Test func caseNotesFollowTheRule() {
        let message = "note holds the control character U+0000 at character 2; only line breaks and tabs are allowed"
        #expect(throws: CaseError.invalid(FieldError(field: "note", code: "control_character", message: message))) {
            try CaseMachine.decide(Fixtures.caseIn(.dispatched).0, CaseCommand(.handle, note: "a\u{0}b"), at: Fixtures.t0.addingTimeInterval(86_400),
                                   context: Fixtures.context)
        }
    }
}
