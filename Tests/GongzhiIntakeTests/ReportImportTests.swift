import Foundation
import GongzhiCore
@testable import GongzhiIntake
@testable import GongzhiSQL
import GongzhiStore
import GongzhiTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// CSV import through the one intake: encodings, headers, bad rows that do not stop good ones,
/// duplicates and a second import of the same file, on both backends.
@Suite struct ReportImportTests {
    static let header = "工单编号,来源,问题类别,诉求内容,纬度,经度,地址,联系人,联系电话,受理时间"
    static let rows = [
        "H-001,12345热线,道路破损,大关路上有个大坑，电瓶车开过去差点摔了,30.3192,120.1414,大关路88号,张先生,13800001111,2026-11-20 14:30",
        "H-002,网格员,,路口那个下水道井盖没了，晚上很危险,30.3300,120.1500,湖墅南路,,,2026/11/21 9:05",
        "H-003,市民APP,暴露垃圾,小区门口的垃圾好几天没人收了,北纬三十度,120.1414,,,,",          // bad lat
        "H-004,12345热线,暴露垃圾,西湖边的垃圾,30.2500,120.1500,,,,",                           // outside the district
        "H-005,12345热线,不存在的类别,什么问题,30.3192,120.1414,,,,",                         // unknown category name
        "H-006,12345热线,暴露垃圾,多了一列,30.3192,120.1414,,,,,extra",                        // too many fields
        "H-007,12345热线,暴露垃圾,,30.3192,120.1414,,,,",                                     // no description
        "H-008,12345热线,暴露垃圾,时间不对,30.3192,120.1414,,,,明天",                           // bad time
        "H-001,12345热线,道路破损,重复的一行（同一编号）,30.3192,120.1414,,,,",                      // duplicate id in the file
    ]
    static var file: String { ([header] + rows).joined(separator: "\r\n") + "\r\n" }

    func importer(_ f: IntakeFixture, mapping: ReportImport.Mapping = .init()) -> ReportImport {
        ReportImport(intake: f.intake, categories: f.reference.categories, atlas: f.atlas, clock: f.clock, mapping: mapping)
    }

    @Test(arguments: Backend.all) func goodRowsImportBadRowsAreListedAndASecondImportOpensNothing(backend: Backend) async throws {
        let sure = FixedClassifier(guesses: [CategoryGuess(code: "01002", confidence: 0.95)])
        let f = try await IntakeFixture(backend, rules: IntakeRules.none, classifier: sure)
        let data = Data([0xEF, 0xBB, 0xBF]) + Data(Self.file.utf8)
        let s = try await importer(f).run(data, actor: .system)
        #expect(s.encoding == .utf8 && s.rows == 9 && !s.derivedIDs)
        #expect(s.opened == 2 && s.repeated == 1)
        #expect(s.errors.map(\.row) == [4, 5, 6, 7, 8, 9])
        #expect(s.errors.map(\.field) == ["lat", "location", "category_name", "-", "description", "reported_at"])
        #expect(try await f.count("SELECT COUNT(*) FROM cases") == 2)
        // The time of receipt is the row's, in China time; the classifier filled the missing category.
        let first = try #require(try await f.store.list(CaseQuery()).items.first { $0.report.externalID == "H-001" })
        #expect(first.createdAt == Timestamp.parse("2026-11-20T14:30:00+08:00"))
        #expect(first.report.source == .hotline && first.category == "06013" && first.report.reporter?.phone == "13800001111")
        let second = try #require(try await f.store.list(CaseQuery()).items.first { $0.report.externalID == "H-002" })
        #expect(second.report.source == .gridWorker && second.category == "01002" && second.report.classification?.automatic == true)
        // Again: nothing new.
        let again = try await importer(f).run(data, actor: .system)
        #expect(again.opened == 0 && again.repeated == 3 && again.errors.count == 6)
        #expect(try await f.count("SELECT COUNT(*) FROM cases") == 2)
        #expect(try await f.verify().isIntact)
    }

    /// The text rule on a file: a row with a control character is listed, naming the field, and
    /// the rows around it are taken; a quoted description keeps its line break.
    @Test(arguments: Backend.all) func rowsWithControlCharactersAreListedNotStored(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, rules: IntakeRules.none)
        let rows = [
            "C-1,12345热线,暴露垃圾,\"垃圾桶满了\r\n已三天\",30.3192,120.1414,,,,",
            "C-2,12345热线,暴露垃圾,垃圾\u{0}桶满了,30.3192,120.1414,,,,",
            "C-3,12345热线,暴露垃圾,垃圾桶满了,30.3192,120.1414,大关路\u{1B}[2J,,,",
            "C-4,12345热线,暴露垃圾,垃圾桶满了,30.3192,120.1414,,王\u{7}先生,,",
        ]
        let s = try await importer(f).run(Data(([Self.header] + rows).joined(separator: "\r\n").utf8), actor: .system)
        #expect(s.opened == 1 && s.errors.map(\.row) == [3, 4, 5])
        #expect(s.errors.map(\.field) == ["description", "address", "reporter.name"])
        let stored = try await f.store.list(CaseQuery()).items
        #expect(stored.map(\.report.description) == ["垃圾桶满了\n已三天"])
        #expect(try await f.verify().isIntact)
    }

    @Test(arguments: Backend.all) func gb18030WithoutIDsAndAMapping(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, rules: IntakeRules.none)
        let text = "来电内容,位置,纬度,经度,类别代码\r\n大关路上有个大坑,大关路,30.3192,120.1414,06013\r\n井盖不见了,湖墅南路,30.33,120.15,01002\r\n"
        let data = try #require(Self.gb18030(text))
        #expect(String(data: data, encoding: .utf8) == nil, "the test file must not be valid UTF-8")
        let mapping = ReportImport.Mapping(columns: ["description": "来电内容", "address": "位置"])
        let s = try await importer(f, mapping: mapping).run(data, actor: .system)
        #expect(s.encoding == .gb18030 && s.opened == 2 && s.errors.isEmpty && s.derivedIDs)
        let items = try await f.store.list(CaseQuery()).items
        #expect(Set(items.map(\.report.description)) == ["大关路上有个大坑", "井盖不见了"])
        #expect(Set(items.compactMap(\.report.address)) == ["大关路", "湖墅南路"])
        #expect(items.allSatisfy { $0.report.externalID?.hasPrefix("csv-") == true })
        // Digests make the file idempotent too.
        let again = try await importer(f, mapping: mapping).run(data, actor: .system)
        #expect(again.repeated == 2 && again.opened == 0)
        // Asked for UTF-8, the same bytes are refused as a whole, naming the byte.
        await #expect(throws: ImportError.self) { _ = try await importer(f).run(data, encoding: .utf8, actor: .system) }
    }

    @Test func wholeFileProblemsAreRefusedWithAReason() async throws {
        let f = try await IntakeFixture(.sqlite, rules: IntakeRules.none)
        func refusal(_ text: String, mapping: ReportImport.Mapping = .init()) async -> String? {
            do { _ = try await importer(f, mapping: mapping).run(Data(text.utf8), actor: .system) } catch let e as ImportError {
                return e.description
            } catch { return "\(error)" }
            return nil
        }
        #expect(await refusal("")?.contains("empty") == true)
        #expect(await refusal("地址,纬度\n大关路,30.3\n")?.contains("no description column") == true)
        #expect(await refusal("内容\n\"unterminated\n") != nil)
        #expect(await refusal("内容\nx\n", mapping: .init(columns: ["description": "来电内容"]))?.contains("not in the header") == true)
        #expect(await refusal("内容\nx\n", mapping: .init(columns: ["colour": "内容"]))?.contains("not a field") == true)
        // A header alone imports nothing and is not an error.
        let s = try await importer(f).run(Data("描述\n".utf8), actor: .system)
        #expect(s.rows == 0 && s.opened == 0)
        #expect(try await f.count("SELECT COUNT(*) FROM cases") == 0)
    }

    @Test func spreadsheetTimesAndSourcesAreUnderstood() throws {
        #expect(ReportImport.time("2026-11-20 14:30") == Timestamp.parse("2026-11-20T14:30:00+08:00"))
        #expect(ReportImport.time("2026/1/5 9:05:07") == Timestamp.parse("2026-01-05T09:05:07+08:00"))
        #expect(ReportImport.time("2026-11-20") == Timestamp.parse("2026-11-20"))
        #expect(ReportImport.time("2026-02-30 10:00") == nil)
        #expect(ReportImport.time("yesterday") == nil)
        #expect(try ReportImport.source("12345市民热线") == .hotline)
        #expect(try ReportImport.source("grid_worker") == .gridWorker)
        #expect(throws: ImportError.self) { try ReportImport.source("传真") }
    }

    static func gb18030(_ text: String) -> Data? {
        let cd = iconv_open("GB18030", "UTF-8")
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = Array(text.utf8), output = [UInt8](repeating: 0, count: input.count * 2 + 8)
        var used = 0
        input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                var ip: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(i.baseAddress!).assumingMemoryBound(to: CChar.self)
                var op: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(o.baseAddress!).assumingMemoryBound(to: CChar.self)
                var il = i.count, ol = o.count
                _ = iconv(cd, &ip, &il, &op, &ol)
                used = o.count - ol
            }
        }
        return Data(output.prefix(used))
    }
}
