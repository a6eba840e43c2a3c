import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import Testing

/// The case list and a case are written without JSONEncoder (`JSONWriter`, for speed): the text
/// must be byte for byte what JSONEncoder writes, for every field present or absent and for
/// text that needs escaping.
@Suite struct CaseJSONTests {
    static let awkward = ["引号\"与\\反斜杠/斜杠", "控制\u{01}\u{08}\u{0C}\n\r\t\u{1F}\u{7F}字符", "emoji 🚧 and 𠀀", "", "</script>"]

    @Test func theWrittenTextIsJSONEncodersText() async throws {
        let f = try await ServerFixture()
        var records: [CaseRecord] = []
        for (n, text) in Self.awkward.enumerated() {
            var r = Report(source: n % 2 == 0 ? .resident : .hotline, category: n == 3 ? nil : "06010", description: text + "描述",
                           location: n == 1 ? nil : GeoPoint(lat: n == 0 ? 30 : 30.123456789, lon: 120.15 + Double(n) / 7),
                           address: n == 2 ? nil : text, reporter: n == 4 ? nil : Reporter(name: "王" + text, phone: "13800138000",
                           email: n == 0 ? "a@b.cn" : nil, deviceID: n == 1 ? "dev-1" : nil, accountID: n == 2 ? "acc" : nil),
                           externalID: n == 0 ? nil : "ext-\(text)", mediaURLs: n == 1 ? [] : ["https://example.gov.cn/a/\(n).jpg", text])
            r.area = n == 3 ? nil : AreaPath(district: "330105", street: "330105001", community: n == 0 ? nil : "330105001051", version: 1)
            if n == 3 {
                r.classification = Classification(suggestions: [CategoryGuess(code: "06010", confidence: 0.8125),
                                                                CategoryGuess(code: "99999", confidence: 0.1)], automatic: false, model: text)
            }
            var record = try await f.services.store.create(r, actor: .system, at: ServerFixture.start).record
            if n == 1 {
                record = try await f.services.store.perform(CaseCommand(.register), on: record.id, actor: .system, at: ServerFixture.start)
                record = try await f.services.store.perform(CaseCommand(.dispatch, unit: "330105001", reason: text, deadlineHours: 4),
                                                            on: record.id, actor: .system, at: ServerFixture.start)
            }
            records.append(record)
        }
        let now = ServerFixture.start.addingTimeInterval(86_400)
        for (n, record) in records.enumerated() {
            let history = n % 2 == 0 ? try await f.services.store.history(of: record.id) : nil
            for reveal in [false, true] {
                let dto = CaseDTO(record, services: f.services, now: now, allowed: n == 1 ? [.handle, .comment] : [], history: history,
                                  revealReporter: reveal)
                Self.same(dto, dto, "case \(n)")
            }
        }
        let items = records.map { CaseDTO($0, services: f.services, now: now, allowed: []) }
        for cursor in [nil, "abc/+="] {
            let list = CaseListDTO(items: items, next_cursor: cursor)
            Self.same(list, list, "list")
        }
        #expect(Self.written(CaseListDTO(items: [], next_cursor: nil)) == Data(#"{"items":[],"next_cursor":null}"#.utf8))
    }

    @Test func numbersAsJSONEncoderWritesThem() {
        for x in [0.0, -0.0, 1, 120, 30.5, 0.1, 1e-7, 123456789.125, -179.999999, 1e14, 2.5e15] {
            Self.same([x], [x], "\(x)")
        }
        for n in [0, -1, Int.max, Int.min] { #expect(Self.written([n]) == JSONBody.encoded([n])) }
        #expect(Self.written([Double.nan]) == Data("[null]".utf8))
    }

    /// The two texts equal, or both shown where they part.
    static func same(_ value: some JSONWritable, _ encodable: some Encodable, _ label: String) {
        let a = String(decoding: written(value), as: UTF8.self), b = String(decoding: JSONBody.encoded(encodable), as: UTF8.self)
        let at = zip(a, b).prefix { $0 == $1 }.count
        #expect(a == b, "\(label): written …\(a.dropFirst(max(0, at - 30)).prefix(80))… JSONEncoder …\(b.dropFirst(max(0, at - 30)).prefix(80))…")
    }

    static func written(_ value: some JSONWritable) -> Data {
        var text = JSONWriter()
        value.write(json: &text)
        return Data(text.bytes)
    }
}
