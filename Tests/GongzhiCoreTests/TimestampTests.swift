import Foundation
import GongzhiCore
import Testing

@Suite struct TimestampTests {
    @Test func formatsInChinaStandardTime() {
        let d = Timestamp.date(millis: 1_795_613_153_123)  // 2026-11-25T13:25:53.123Z
        #expect(Timestamp.rfc3339(d) == "2026-11-25T21:25:53.123+08:00")
    }

    @Test func formatsAcrossMidnightAndLeapDay() {
        #expect(Timestamp.rfc3339(Timestamp.parse("2024-02-28T16:00:00Z")!) == "2024-02-29T00:00:00.000+08:00")
        #expect(Timestamp.rfc3339(Timestamp.parse("1969-12-31T23:59:59.999Z")!) == "1970-01-01T07:59:59.999+08:00")
        // Years outside four digits are written whole, not cut.
        #expect(Timestamp.rfc3339(millis: 253_402_272_000_000) == "10000-01-01T00:00:00.000+08:00")
        #expect(Timestamp.rfc3339(millis: 253_402_271_999_999) == "9999-12-31T23:59:59.999+08:00")
        #expect(Timestamp.rfc3339(millis: -62_135_625_600_000) == "0001-01-01T00:00:00.000+08:00")
    }

    @Test(arguments: [
        "2026-11-25T21:25:53.123+08:00", "2026-11-25T13:25:53.123Z", "2026-11-25T05:25:53.123-08:00", "2026-11-25T13:25:53.1234567z",
    ])
    func parsesOffsetsAndFractions(text: String) {
        #expect(Timestamp.parse(text).map(Timestamp.millis) == 1_795_613_153_123)
    }

    @Test func plainDateIsMidnightInChina() {
        #expect(Timestamp.parse("2026-10-01").map(Timestamp.rfc3339) == "2026-10-01T00:00:00.000+08:00")
    }

    @Test(arguments: ["", "2026", "2026-13-01", "2026-02-29", "2026-04-31", "2026-11-25T24:00:00Z", "2026-11-25T10:00:00",
                      "2026-11-25T10:00:00+8:00", "2026-11-25 10:00:00Z", "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00Zjunk", "２０２６-11-25"])
    func rejectsMalformed(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func roundTripsMillisecondsOverCenturies() {
        var ms: Int64 = -2_208_988_800_000  // 1900
        while ms < 4_102_444_800_000 {  // 2100
            #expect(Timestamp.parse(Timestamp.rfc3339(millis: ms)).map(Timestamp.millis) == ms)
            ms += 86_399_987 * 37
        }
    }
}
