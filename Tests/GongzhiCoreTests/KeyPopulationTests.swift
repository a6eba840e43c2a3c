import Foundation
import GongzhiCore
import Testing

/// The key-population list's pure rules: an identity number's check character, a registration
/// checked field by field, the record's steps in order with the clock passed in, the tasks'
/// clocks escalating from the community to the street and the district, who may read personal
/// fields (not admins), and what anonymisation keeps.
@Suite struct KeyPopulationTests {
    static let units = try! OrgDirectory([
        OrgUnit(code: "330105", name: "区指挥中心", kind: .district, parentCode: nil, departmentType: "command", areaCode: "330105"),
        OrgUnit(code: "330105003", name: "小河街道", kind: .street, parentCode: "330105", departmentType: "street", areaCode: "330105003"),
        OrgUnit(code: "330105003051", name: "某社区居委会", kind: .community, parentCode: "330105003", departmentType: "community",
                areaCode: "330105003051"),
        OrgUnit(code: "330105003052", name: "另一社区居委会", kind: .community, parentCode: "330105003", departmentType: "community",
                areaCode: "330105003052"),
        OrgUnit(code: "330105-WJJ", name: "卫健局", kind: .department, parentCode: "330105", departmentType: "weijian", areaCode: nil),
    ])
    static let rules = KeyPopulationRules(commandUnit: "330105-WJJ", retentionDays: 30, districtAfterHours: 24, measures: [
        .init(code: "risk_area_arrival", name: "中高风险地区来返人员", verifyHours: 2, monitorDays: 14),
        .init(code: "verification_only", name: "核查", verifyHours: 2, monitorDays: 0),
    ])
    static let t0 = Timestamp.parse("2026-11-23T09:00:00+08:00")!

    func person(measure: String = "risk_area_arrival") throws -> KeyPerson {
        try KeyPersonDraft(measure: measure, name: "张三", idNumber: "11010519491231002x", phone: "13912345678", address: "小河路 1 号 3 幢",
                           community: "330105003051").validated(rules: Self.rules, units: Self.units, by: "user:sq", at: Self.t0)
    }

    func field(_ d: KeyPersonDraft) -> String? {
        do {
            _ = try d.validated(rules: Self.rules, units: Self.units, by: "u", at: Self.t0)
            return nil
        } catch let CentreError.invalid(f) {
            return "\(f.field) \(f.code)"
        } catch {
            return "\(error)"
        }
    }

    @Test func identityNumbersCarryTheirCheckCharacter() {
        #expect(ResidentID.isValid("11010519491231002X") && ResidentID.isValid("11010519491231002x") && ResidentID.isValid("330105198001010017"))
        let good = Array("330105198001010017")
        for i in 0..<17 {
            for digit in "0123456789" where digit != good[i] {
                var bad = good
                bad[i] = digit
                #expect(!ResidentID.isValid(String(bad)), "\(String(bad))")
            }
        }
        for bad in ["", "33010519800101001", "3301051980010100170", "33010519800101001A", "X30105198001010017", "33010519800101001７"] {
            #expect(!ResidentID.isValid(bad), "\(bad)")
        }
    }

    @Test func aRegistrationIsCheckedFieldByField() throws {
        let p = try person()
        #expect(p.street == "330105003" && p.status == .verifying && p.idNumber == "11010519491231002X")
        func draft(measure: String? = "risk_area_arrival", id: String? = nil, phone: String? = nil, community: String? = "330105003051")
            -> KeyPersonDraft { KeyPersonDraft(measure: measure, name: "张三", idNumber: id, phone: phone, address: "小河路", community: community) }
        #expect(field(draft(measure: "quarantine")) == "measure unknown_value")
        #expect(field(draft(id: "110105194912310021")) == "id_number invalid")
        #expect(field(draft(phone: "abc")) == "phone invalid")
        #expect(field(draft(community: "330105003")) == "community unknown_value")
        #expect(field(draft(community: nil)) == "community required")
        #expect(field(KeyPersonDraft(measure: "risk_area_arrival", name: "张\u{0}三", idNumber: nil, phone: nil, address: "x",
                                     community: "330105003051")) == "name control_character")
    }

    @Test func theStepsRunInOrderOnTheClockGiven() throws {
        var p = try person()
        p.id = 9
        func step(_ c: KeyPersonCommand, _ at: String) throws(CentreError) -> KeyPerson {
            try KeyPersonMachine.apply(c, to: p, rules: Self.rules, by: "user:sq", at: Timestamp.parse(at)!)
        }
        #expect(throws: CentreError.self) { try step(.followUp(day: "2026-11-23", healthy: true, note: nil), "2026-11-23T10:00:00+08:00") }
        p = try step(.verify(found: true, note: "已上门"), "2026-11-23T10:30:00+08:00")
        #expect(p.status == .monitoring && p.monitorUntil == PlanDays.parse("2026-12-06"))
        p = try step(.followUp(day: "2026-11-23", healthy: true, note: "体温正常"), "2026-11-23T18:00:00+08:00")
        #expect(throws: CentreError.conflict("the follow-up of 2026-11-23 is recorded")) {
            try step(.followUp(day: "2026-11-23", healthy: true, note: nil), "2026-11-23T19:00:00+08:00")
        }
        #expect(throws: CentreError.self) { try step(.followUp(day: "2026-11-24", healthy: true, note: nil), "2026-11-23T19:00:00+08:00") }
        #expect(throws: CentreError.self) { try step(.followUp(day: "2026-11-22", healthy: true, note: nil), "2026-11-23T19:00:00+08:00") }
        #expect(throws: CentreError.self) { try step(.followUp(day: "2026-12-07", healthy: true, note: nil), "2026-12-07T19:00:00+08:00") }
        // Release only once the monitoring days are over (China time: 6 December is the last).
        #expect(throws: CentreError.self) { try step(.release(note: nil), "2026-12-06T23:59:00+08:00") }
        let released = try step(.release(note: "期满解除"), "2026-12-07T00:01:00+08:00")
        #expect(released.status == .released && released.endedAt == Timestamp.parse("2026-12-07T00:01:00+08:00"))
        #expect(released.erasable(after: Self.rules) == Timestamp.parse("2027-01-06T00:01:00+08:00"))
        // Not found: the health command accounts for the person, saying how.
        var lost = try person()
        lost = try KeyPersonMachine.apply(.verify(found: false, note: nil), to: lost, rules: Self.rules, by: "u", at: Self.t0)
        #expect(lost.status == .unreachable && lost.erasable(after: Self.rules) == nil)
        #expect(throws: CentreError.self) { try KeyPersonMachine.apply(.release(note: nil), to: lost, rules: Self.rules, by: "u", at: Self.t0) }
        // Verification alone: released at once.
        let checked = try KeyPersonMachine.apply(.verify(found: true, note: nil), to: try person(measure: "verification_only"), rules: Self.rules,
                                                 by: "u", at: Self.t0)
        #expect(checked.status == .released)
        // An anonymised record takes no step.
        #expect(throws: CentreError.self) {
            try KeyPersonMachine.apply(.release(note: "x"), to: released.anonymised(at: Self.t0), rules: Self.rules, by: "u", at: Self.t0)
        }
    }

    @Test func overdueTasksEscalateToTheStreetThenTheDistrict() throws {
        let p = try person()
        func levels(_ at: String) -> [KeyTask.Level] { KeyTaskClock.tasks(of: p, rules: Self.rules, now: Timestamp.parse(at)!).map(\.level) }
        #expect(levels("2026-11-23T10:59:00+08:00") == [.community])
        #expect(levels("2026-11-23T11:01:00+08:00") == [.street])
        #expect(levels("2026-11-24T11:01:00+08:00") == [.district])
        var monitored = try KeyPersonMachine.apply(.verify(found: true, note: nil), to: p, rules: Self.rules, by: "u",
                                                   at: Timestamp.parse("2026-11-23T10:00:00+08:00")!)
        monitored = try KeyPersonMachine.apply(.followUp(day: "2026-11-24", healthy: true, note: nil), to: monitored, rules: Self.rules, by: "u",
                                               at: Timestamp.parse("2026-11-24T09:00:00+08:00")!)
        // 25 November at noon: the 23rd was missed (due at midnight, 36 hours ago), the 25th is due tonight.
        let tasks = KeyTaskClock.tasks(of: monitored, rules: Self.rules, now: Timestamp.parse("2026-11-25T12:00:00+08:00")!)
        #expect(tasks.map(\.kind) == [.followUp, .followUp] && tasks.map(\.day) == [PlanDays.parse("2026-11-23"), PlanDays.parse("2026-11-25")])
        #expect(tasks.map(\.level) == [.district, .community])
        // After the last day: a release is due, and the days missed stay listed.
        let late = KeyTaskClock.tasks(of: monitored, rules: Self.rules, now: Timestamp.parse("2026-12-07T12:00:00+08:00")!)
        #expect(late.last?.kind == .release && late.count == 13 + 1)
    }

    @Test func onlyTheCommunityAndTheHealthCommandReadPersonalFields() throws {
        let p = try person()
        func entitled(_ role: Role, _ unit: String) -> Bool {
            KeyPopulationAccess.entitled(Principal(kind: .user, id: "user:x", role: role, unit: unit), to: p, rules: Self.rules, units: Self.units)
        }
        #expect(entitled(.handler, "330105003051") && entitled(.handler, "330105-WJJ") && entitled(.leader, "330105-WJJ"))
        #expect(!entitled(.handler, "330105003052") && !entitled(.handler, "330105003") && !entitled(.dispatcher, "330105"))
        #expect(!entitled(.admin, "330105") && !entitled(.gridWorker, "330105003051") && !entitled(.auditor, "330105-WJJ"))
        let m = p.masked
        #expect(m.name == "张*" && m.idNumber == "****002X" && m.phone == "139****5678" && m.address == "***")
        let a = p.anonymised(at: Self.t0)
        #expect(a.name == nil && a.idNumber == nil && a.phone == nil && a.address == nil && a.anonymisedAt == Self.t0)
        #expect(a.measure == p.measure && a.community == p.community && a.street == p.street && a.status == p.status)
    }
}
