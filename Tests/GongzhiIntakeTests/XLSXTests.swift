import Foundation
import GongzhiCore
@testable import GongzhiIntake
import Testing

/// Spreadsheets as districts save them: DEFLATE read without zlib (stored, fixed and dynamic
/// blocks, against streams Python's zlib wrote), broken input refused, and the first worksheet of
/// a workbook (`Fixtures/plan-sheet.xlsx`, written by `scripts/make-xlsx-fixture.py`) read as rows.
@Suite struct XLSXTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let text = String(repeating: "拱墅区城市运行管理服务中心", count: 3)

    static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }

    @Test func storedFixedAndDynamicBlocksInflate() throws {
        let stored = Self.bytes("AXUAiv/mi7HlooXljLrln47luILov5DooYznrqHnkIbmnI3liqHkuK3lv4Pmi7HlooXljLrln47luILov5DooYznrqHnkIbmnI3liqHkuK3lv4Pm"
                                + "i7HlooXljLrln47luILov5DooYznrqHnkIbmnI3liqHkuK3lv4M=")
        #expect(String(decoding: try Inflate.decompress(stored), as: UTF8.self) == Self.text)
        let fixed = Self.bytes("e9a98emi1qc9u57O73u6o+nF/gkvFvY8X7fw+YS2Z3N6n3YtfLJj7dP9zc+oqgwA")
        let fixedText = String(decoding: try Inflate.decompress(fixed), as: UTF8.self)
        #expect(fixed[0] >> 1 & 3 == 1 && fixedText == Self.text)
        let dynamic = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("rows.deflate")))
        let rows = (0..<200).map { "<row r=\"\($0)\"><c r=\"A\($0)\" t=\"s\"><v>\($0 * 7 % 13)</v></c></row>" }.joined()
        let dynamicText = String(decoding: try Inflate.decompress(dynamic), as: UTF8.self)
        #expect(dynamic[0] >> 1 & 3 == 2 && dynamicText == rows)
    }

    @Test func brokenStreamsAreRefusedNotCrashedOn() throws {
        let dynamic = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("rows.deflate")))
        #expect(throws: Inflate.Failure.self) { try Inflate.decompress(Array(dynamic.prefix(dynamic.count / 2))) }
        #expect(throws: Inflate.Failure.self) { try Inflate.decompress([0x07]) }  // block type 3
        #expect(throws: Inflate.Failure.self) { try Inflate.decompress([]) }
        #expect(throws: Inflate.Failure.self) { try Inflate.decompress(dynamic, limit: 1_000) }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let noise = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? Inflate.decompress(noise, limit: 1 << 16)
        }
    }

    @Test func theFirstWorksheetReadsAsRows() throws {
        let rows = try XLSXSheet.rows(try Data(contentsOf: Self.fixtures.appendingPathComponent("plan-sheet.xlsx")))
        #expect(rows.count == 4 && rows[0] == ["目标领域", "任务", "牵头单位", "完成时限", "指标", "计量单位", "目标值"])
        #expect(rows[1] == ["全面小康成色（民生）", "回迁安置", "拱墅区住房和城乡建设局", "44561", "回迁户数", "户", "10000"])
        #expect(rows[2] == ["全面小康成色（民生）", "", "拱墅区住房和城乡建设局", "2021-06-30", "新建<食堂>"])
        #expect(rows[3] == ["全面小康成色（民生）", "老年食堂建设 & 运营", "拱墅区住房和城乡建设局", "44377"])
        #expect(PlanSheet.day("44561") == PlanDays.parse("2021-12-31") && PlanSheet.day("44377.0") == PlanDays.parse("2021-06-30"))
        #expect(XLSXSheet.columnIndex("A1") == 0 && XLSXSheet.columnIndex("AB12") == 27 && XLSXSheet.columnIndex("12") == nil)
    }

    @Test func whatIsNotAWorkbookSaysSo() {
        #expect(throws: XLSXSheet.Failure.self) { try XLSXSheet.rows(Data("目标领域,任务\n".utf8)) }
        #expect(throws: XLSXSheet.Failure.self) { try XLSXSheet.rows(Data([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 40))) }
        #expect(!XLSXSheet.looksLikeXLSX(Data("a,b".utf8)))
    }
}
