import Foundation
@testable import GongzhiCore
import Testing

@Suite struct ReportValidationTests {
    func validate(_ r: Report) throws(FieldError) -> Report { try r.validated(categories: Fixtures.categories) }

    func field(of r: Report) -> String? {
        do { _ = try validate(r); return nil } catch { return error.field }
    }

    @Test func trimsAndKeepsAGoodReport() throws {
        let r = try validate(Report(source: .hotline, category: " 06010 ", description: "  垃圾  ", address: "  ", reporter: Reporter(name: " ", phone: " ")))
        #expect(r.description == "垃圾")
        #expect(r.category == "06010")
        #expect(r.address == nil)
        #expect(r.reporter == nil)
    }

    @Test func descriptionLimits() throws {
        #expect(field(of: Report(source: .resident, description: " \n ")) == "description")
        let max = String(repeating: "字", count: ReportLimits.descriptionMax)
        #expect(try validate(Report(source: .resident, description: max)).description.count == 4_000)
        #expect(field(of: Report(source: .resident, description: max + "字")) == "description")
    }

    @Test func categoryMustBeAMatterNotAComponentOrUnknown() {
        #expect(field(of: Report(source: .camera, category: "01001", description: "x")) == nil)
        #expect(field(of: Report(source: .camera, category: "99999", description: "x")) == "category")
        #expect(field(of: Report(source: .camera, category: "  ", description: "x")) == nil)  // empty means unclassified
        #expect(try! validate(Report(source: .camera, category: " ", description: "x")).category == nil)
    }

    @Test(arguments: [(91.0, 0.0, "location.lat"), (-90.5, 0.0, "location.lat"), (Double.nan, 0.0, "location.lat"),
                      (0.0, 180.01, "location.lon"), (0.0, -.infinity, "location.lon")])
    func coordinatesOutOfRange(lat: Double, lon: Double, expected: String) {
        #expect(field(of: Report(source: .camera, description: "x", location: GeoPoint(lat: lat, lon: lon))) == expected)
    }

    @Test func reporterAndLinks() {
        #expect(field(of: Report(source: .hotline, description: "x", reporter: Reporter(phone: "138-1234 5678"))) == nil)
        #expect(field(of: Report(source: .hotline, description: "x", reporter: Reporter(phone: "call me"))) == "reporter.phone")
        #expect(field(of: Report(source: .hotline, description: "x", reporter: Reporter(name: String(repeating: "名", count: 51)))) == "reporter.name")
        #expect(field(of: Report(source: .camera, description: "x", mediaURLs: ["https://a.example/1.jpg"])) == nil)
        #expect(field(of: Report(source: .camera, description: "x", mediaURLs: ["https://a.example/1.jpg", "javascript:alert(1)"])) == "media_urls[1]")
        #expect(field(of: Report(source: .camera, description: "x", mediaURLs: Array(repeating: "https://a.example/1.jpg", count: 21))) == "media_urls")
        #expect(field(of: Report(source: .camera, description: "x", externalID: String(repeating: "x", count: 129))) == "external_id")
    }

    @Test func masking() {
        #expect(Masking.phone("13812345678") == "138****5678")
        // However it was written, a mobile number masks as a person reads it.
        #expect(Masking.phone("+86 138-1234-5678") == "138****5678")
        #expect(Masking.phone(" \t\u{3000}+8613812345678") == "138****5678")  // spaces before the plus, an ideographic one too
        #expect(Masking.phone("\n+8613812345678") == "861****5678")  // a line break is not a space before it
        #expect(Masking.phone("0086 138 1234 5678") == "138****5678")
        #expect(Masking.phone("138 1234 5678") == "138****5678")
        #expect(Masking.phone("0571-88123456") == "057****3456")
        #expect(Masking.phone("12345") == "*****")
        #expect(Masking.name("张三丰") == "张**")
        #expect(Masking.name("李") == "李*")
    }
}
