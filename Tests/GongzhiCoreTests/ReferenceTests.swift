@testable import GongzhiCore
import Testing

@Suite struct ReferenceTests {
    @Test func csvQuotesNewlinesAndCRLF() throws {
        let rows = try CSV.rows("a,b,c\r\n1,\"x, \"\"y\"\"\",\"two\nlines\"\n\n3,,\n")
        #expect(rows == [["a", "b", "c"], ["1", "x, \"y\"", "two\nlines"], ["3", "", ""]])
        #expect(throws: CSV.ParseError.self) { try CSV.rows("a,\"b\n") }
        #expect(throws: CSV.ParseError.self) { try CSV.records("a,b\n1,2,3\n") }
    }

    /// Found by the fuzzer (scripts/fuzz): a header naming one column twice crashed the reader.
    @Test func aHeaderNamingAColumnTwiceIsRefused() {
        for text in ["id,id\n1,2\n", ",\n1,2\n", "id,name,id\n"] {
            #expect(throws: CSV.ParseError(line: 1, message: "the header names the column '\(text.hasPrefix(",") ? "" : "id")' twice")) {
                try CSV.records(text)
            }
        }
    }

    @Test func orgTreeRejectsUnknownParentsDuplicatesAndCycles() {
        #expect(throws: ReferenceError.self) { try OrgDirectory([OrgUnit(code: "A", name: "A", kind: .street, parentCode: "X")]) }
        #expect(throws: ReferenceError.self) {
            try OrgDirectory([OrgUnit(code: "A", name: "A", kind: .street, parentCode: nil), OrgUnit(code: "A", name: "A2", kind: .street, parentCode: nil)])
        }
        #expect(throws: ReferenceError.self) {
            try OrgDirectory([OrgUnit(code: "A", name: "A", kind: .street, parentCode: "B"), OrgUnit(code: "B", name: "B", kind: .street, parentCode: "A")])
        }
    }

    @Test func everyMatterNeedsLocalDefaults() throws {
        let csv = "code,kind,major_class,name\n01001,管理部件,市政公用设施,井盖\n01001,管理事项,市政公用设施类,井盖异常\n06001,管理事项,市容环境类,私搭乱建\n"
        let d = LocalDefaults(deadlineHours: 24, departmentType: "street")
        let ok = try CategoryDirectory.load(standardCSV: csv, local: LocalCategoryConfig(majors: ["01": d, "06": d], items: [:], extensions: []))
        #expect(ok.count == 3)
        #expect(ok.reportable("01001")?.kind == .matter)
        #expect(throws: ReferenceError.self) {
            try CategoryDirectory.load(standardCSV: csv, local: LocalCategoryConfig(majors: ["01": d], items: [:], extensions: []))
        }
        let clash = LocalCategoryConfig.Extension(code: "06001", majorName: "x", name: "x", deadlineHours: 1, departmentType: "street")
        #expect(throws: ReferenceError.self) {
            try CategoryDirectory.load(standardCSV: csv, local: LocalCategoryConfig(majors: ["01": d, "06": d], items: [:], extensions: [clash]))
        }
    }

    @Test func trackingCodesAreWellFormedAndDistinct() {
        var seen = Set<String>()
        for _ in 0..<20_000 {
            let code = TrackingCode.make()
            #expect(TrackingCode.isWellFormed(code))
            seen.insert(code)
        }
        #expect(seen.count == 20_000)
        #expect(!TrackingCode.isWellFormed("GS-0000-0000-000I"))
        #expect(!TrackingCode.isWellFormed("GS-0000-0000"))
    }
}
