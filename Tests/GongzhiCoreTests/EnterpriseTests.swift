import Foundation
import GongzhiCore
import Testing

/// The enterprise registry's pure rules: a registration checked field by field, the contact
/// masked, a visit's day held to the past year, the catalogue refused when it names what the
/// org tree lacks, and who may do what.
@Suite struct EnterpriseTests {
    static let units = try! OrgDirectory([
        OrgUnit(code: "330105", name: "区指挥中心", kind: .district, parentCode: nil, departmentType: "command", areaCode: "330105"),
        OrgUnit(code: "330105003", name: "小河街道办事处", kind: .street, parentCode: "330105", departmentType: "street", areaCode: "330105003"),
        OrgUnit(code: "330105-FGJ", name: "发改局", kind: .department, parentCode: "330105", departmentType: "fagai", areaCode: nil),
    ])
    static let catalogue = EnterpriseCatalogue(
        industries: [.init(code: "C", name: "制造业")],
        difficulties: [.init(code: "funding", name: "融资难", category: "93012")], financeUnit: "330105-FGJ")
    static let categories = CategoryDirectory([
        Category(code: "93012", kind: .extension_, majorCode: "93", majorName: "企业诉求类", name: "融资难",
                 defaults: LocalDefaults(deadlineHours: 120, departmentType: "fagai")),
        Category(code: "06010", kind: .matter, majorCode: "06", majorName: "市容环境类", name: "暴露垃圾",
                 defaults: LocalDefaults(deadlineHours: 48, departmentType: "street")),
    ])
    static let now = Timestamp.parse("2026-11-23T09:00:00+08:00")!

    func draft(code: String? = "91330105MA2GL8KQ40", street: String? = "330105003", industry: String? = "C",
               phone: String? = "13912345678") -> Enterprise.Draft {
        Enterprise.Draft(code: code, name: "某机械有限公司", address: "小河路 88 号", street: street, industry: industry, contactName: "陈经理",
                         contactPhone: phone)
    }

    func field(_ d: Enterprise.Draft) -> String? {
        do {
            _ = try d.validated(units: Self.units, catalogue: Self.catalogue, by: "user:a", at: Self.now)
            return nil
        } catch let EnterpriseError.invalid(f) {
            return "\(f.field) \(f.code)"
        } catch {
            return "\(error)"
        }
    }

    @Test func aRegistrationIsCheckedFieldByField() throws {
        let e = try draft().validated(units: Self.units, catalogue: Self.catalogue, by: "user:a", at: Self.now)
        #expect(e.code == "91330105MA2GL8KQ40" && e.commissioners.isEmpty)
        #expect(e.masked.contactPhone == "139****5678" && e.masked.contactName == "陈**" && e.masked.name == e.name)
        #expect(field(draft(code: "91330105MA2GL8KQ41")) == "credit_code bad_check_character")
        #expect(field(draft(street: "330105-FGJ")) == "street invalid")
        #expect(field(draft(street: nil)) == "street required")
        #expect(field(draft(industry: "Z")) == "industry invalid")
        #expect(field(draft(phone: "call me")) == "contact_phone invalid")
    }

    @Test func aVisitsDayIsInThePastYear() throws {
        func visit(_ day: String?, _ raised: [String]? = nil) -> String? {
            do {
                _ = try EnterpriseVisit.validated(code: "x", commissioner: "user:a", day: day, note: "走访", difficulties: raised,
                                                  catalogue: Self.catalogue, at: Self.now)
                return nil
            } catch let EnterpriseError.invalid(f) {
                return "\(f.field) \(f.code)"
            } catch {
                return "\(error)"
            }
        }
        #expect(visit("2026-11-23") == nil && visit("2025-11-22") == nil)
        #expect(visit("2026-11-24") == "day invalid")
        #expect(visit("2025-11-20") == "day invalid")
        #expect(visit("2026-02-30") == "day invalid" && visit(nil) == "day required")
        #expect(visit("2026-11-23", ["funding", "funding"]) == "difficulties invalid")
        #expect(visit("2026-11-23", ["weather"]) == "difficulties invalid")
    }

    @Test func aCatalogueNamingAnUnknownCategoryOrPayerIsRefused() {
        var unknown = Self.catalogue
        unknown.difficulties[0].category = "93099"
        #expect(throws: ReferenceError.self) { try unknown.validate(units: Self.units, categories: Self.categories) }
        var notAnEnterpriseRequest = Self.catalogue
        notAnEnterpriseRequest.difficulties[0].category = "06010"
        #expect(throws: ReferenceError.self) { try notAnEnterpriseRequest.validate(units: Self.units, categories: Self.categories) }
        var twice = Self.catalogue
        twice.difficulties.append(twice.difficulties[0])
        #expect(throws: ReferenceError.self) { try twice.validate(units: Self.units, categories: Self.categories) }
        var payer = Self.catalogue
        payer.financeUnit = "330105003"
        #expect(throws: ReferenceError.self) { try payer.validate(units: Self.units, categories: Self.categories) }
        #expect(throws: Never.self) { try Self.catalogue.validate(units: Self.units, categories: Self.categories) }
    }

    @Test func whoMayDoWhat() {
        let e = Enterprise(code: "91330105MA2GL8KQ40", name: "x", address: "y", street: "330105003", industry: "C", contactName: nil,
                           contactPhone: nil, commissioners: ["user:chen"], registeredAt: Self.now, registeredBy: "user:a")
        let chen = Principal(kind: .user, id: "user:chen", role: .handler, unit: "330105-FGJ")
        let clerk = Principal(kind: .user, id: "user:clerk", role: .handler, unit: "330105003")
        let leader = Principal(kind: .user, id: "user:boss", role: .leader, unit: "330105")
        #expect(EnterpriseAccess.logsVisits(chen, on: e) && !EnterpriseAccess.logsVisits(clerk, on: e))
        #expect(EnterpriseAccess.reveals(chen, on: e) && !EnterpriseAccess.reveals(clerk, on: e) && !EnterpriseAccess.reveals(leader, on: e))
        #expect(EnterpriseAccess.assigns(.leader) && !EnterpriseAccess.assigns(.handler))
        #expect(EnterpriseAccess.registers(.handler) && !EnterpriseAccess.registers(.gridWorker) && !EnterpriseAccess.reads(.merchant))
    }
}
