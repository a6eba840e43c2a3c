import Foundation
@testable import GongzhiCore
import Testing

/// The fast payload reader gives exactly what `JSONDecoder` gives, or nothing (and the caller
/// then asks `JSONDecoder`): on every payload the state machine writes, on hand-made edge cases,
/// and on thousands of corrupted texts.
@Suite struct PayloadReaderTests {
    static func decoded(_ text: String) -> EventPayload? { try? JSONDecoder().decode(EventPayload.self, from: Data(text.utf8)) }

    /// Payloads of every shape the state machine writes, as stored (`EventChain.canonicalJSON`).
    static let written: [String] = {
        var report = Fixtures.report()
        report.area = AreaPath(district: "D", street: "S1", community: "C1", grid: "G1", version: 3)
        report.address = "拱墅区 \"湖墅\" 路\n1 号"
        report.reporter = Reporter(name: "王", phone: "13900000000")
        report.mediaURLs = ["https://x.example/a.jpg"]
        report.confidence = 0.875
        let payloads = [
            EventPayload(report: report, trackingCode: "GS-T"),
            EventPayload(unit: "C1", note: "auto", dueAt: 1_790_155_800_000, warnAt: 1_790_145_000_000, ruleID: "environment"),
            EventPayload(passed: false, dueAt: -5), EventPayload(passed: true), EventPayload(reason: "not ours", disputed: true),
            EventPayload(mediaURLs: [], merchant: "M1", scenario: "frontage"), EventPayload(mediaURLs: ["https://a/1.jpg", "https://a/2.jpg"]),
            EventPayload(reportID: 42, cameraID: "CAM-1", count: 7, firstAt: 1, lastAt: 9_007_199_254_740_993), EventPayload(mergedInto: 3),
            EventPayload(mergedFrom: 4, category: "06010"), EventPayload(satisfaction: .basicallySatisfied), EventPayload(),
            EventPayload(fromUnit: "S1", note: "中文 note, with \"quotes\" and a\ttab"),
        ]
        return payloads.map(EventChain.canonicalJSON)
    }()

    @Test func everyWrittenPayloadReadsAsJSONDecoderReadsIt() throws {
        for text in Self.written {
            let expected = try #require(Self.decoded(text), "\(text)")
            if let fast = PayloadReader.read(text) { #expect(fast == expected, "\(text)") }
        }
        // The plain ones (no escapes) take the fast path: a reader that gave up on everything would pass the loop above.
        #expect(Self.written.filter { PayloadReader.read($0) != nil }.count >= 11)
        #expect(PayloadReader.read(Self.written[0])?.report?.address == "拱墅区 \"湖墅\" 路\n1 号")
    }

    /// A report in the common shape: read without `JSONDecoder`, numbers and all.
    static let plainReport = #"{"report":{"source":"hotline","description":"井盖缺失","media_urls":[],"#
        + #""location":{"lat":30.291384,"lon":120.146347},"confidence":0.875,"reporter":{"name":"王","phone":"13900000000"},"#
        + #""area":{"district":"330105","street":"330105001","version":2}},"tracking_code":"GS-1"}"#

    @Test(arguments: [
        (#"{ "unit" : "C1" , "due_at":5 }"#, true), (#"{"unit":null,"passed":true}"#, true), ("{}", true), (" {\n} ", true),
        (#"{"due_at":-0}"#, true), (#"{"count":3}"#, true),
        (#"{"note":"a\"b"}"#, false), (#"{"due_at":1.5}"#, false), (#"{"due_at":1e3}"#, false), (#"{"due_at":01}"#, false),
        (#"{"due_at":99999999999999999999}"#, false), (#"{"unit":"C1","unit":"C2"}"#, false), (#"{"extra":1}"#, false),
        (#"{"unit":"C1"} x"#, false), (#"{"unit":"C1",}"#, false), (#"{"passed":1}"#, false), (#"{"satisfaction":"thrilled"}"#, false),
        (#"{"media_urls":["a",]}"#, false), ("{\"note\":\"a\u{01}b\"}", false), (#"["unit"]"#, false), ("", false),
        (#"{"report":{"source":"hotline"}}"#, false),
        (Self.plainReport, true), (Self.plainReport.replacingOccurrences(of: "0.875", with: "8.75e-1"), true),
        (Self.plainReport.replacingOccurrences(of: "0.875", with: "-05"), false),
        (Self.plainReport.replacingOccurrences(of: "0.875", with: ".5"), false),
        (Self.plainReport.replacingOccurrences(of: "0.875", with: "1e400"), false),
        (Self.plainReport.replacingOccurrences(of: #""version":2"#, with: #""version":2.5"#), false),
        (Self.plainReport.replacingOccurrences(of: #","media_urls":[]"#, with: ""), false),
        (Self.plainReport.replacingOccurrences(of: #""source":"hotline""#, with: #""source":"pigeon""#), false),
    ])
    func edgeCases(text: String, fast: Bool) {
        let read = PayloadReader.read(text)
        #expect((read != nil) == fast, "\(text)")
        if let read { #expect(read == Self.decoded(text), "\(text)") }
    }

    /// Corrupted texts: where the reader answers at all, `JSONDecoder` answers the same.
    @Test func corruptedTextsNeverReadDifferently() {
        var rng = SeededGenerator(seed: 20_261_128)
        let alphabet = Array(#"{}[]":,0123456789-.etruefalsn \"#.utf8)
        var answered = 0
        for n in 0..<4_000 {
            var bytes = Array(Self.written[n % Self.written.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = alphabet.randomElement(using: &rng)!
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &rng)!, at: at)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if let read = PayloadReader.read(text) {
                answered += 1
                #expect(read == Self.decoded(text), "\(text)")
            }
        }
        #expect(answered > 100)
    }
}
