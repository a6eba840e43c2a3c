import Foundation
@testable import GongzhiCore
import Testing

/// The petition clocks of the 2022 信访工作条例 and the dispute centre's rules, each worked out
/// by hand on 2026's official calendar (Spring Festival 15–23 February, Labour Day 1–5 May with
/// Saturday 9 May worked, National Day 1–7 October).
@Suite struct CentreClockTests {
    static let calendar = WorkingCalendarTests.calendar

    static func at(_ s: String) -> Date { Timestamp.parse(s)! }
    static func day(_ s: String) -> PlanDay { PlanDays.parse(s)! }
    static let applicant = Party(name: "王小明", phone: "13812345678")

    static func registered(_ when: String) throws -> Petition {
        let draft = PetitionDraft(title: "小区加装电梯补贴未发放", content: "申请人反映……", form: .visit, petitioners: [applicant])
        let e = try PetitionMachine.register(draft, id: 1, office: "330105-XFJ", at: at(when), calendar: calendar)
        return try Petition.replay([e])
    }

    static func step(_ p: Petition, _ c: PetitionCommand, _ when: String, actor: String = "user:xfj") throws -> Petition {
        p.applying(try PetitionMachine.decide(c, on: p, actor: actor, at: at(when), calendar: calendar))
    }

    @Test(arguments: [
        // Registered, the last of 15 days, why.
        ("2026-03-02T10:00:00+08:00", "2026-03-17"),  // an ordinary Tuesday
        ("2026-02-01T09:00:00+08:00", "2026-02-24"),  // 16 February falls in the Spring Festival: the next working day
        ("2026-09-16T16:00:00+08:00", "2026-10-08"),  // 1 October is National Day: after the week off
        ("2026-04-24T23:59:00+08:00", "2026-05-09"),  // 9 May is a Saturday worked for Labour Day: the period ends then
        ("2026-02-28T00:30:00+08:00", "2026-03-16"),  // counted from the next day, whatever the hour; 15 March is a Sunday
    ])
    func acceptanceIsDecidedWithinFifteenDays(registered: String, lastDay: String) throws {
        let p = try Self.registered(registered)
        #expect(PlanDays.text(p.acceptBy) == lastDay)
        #expect(p.nextDue == Self.day(lastDay) && p.status == .registered)
    }

    @Test func theAcceptanceClockWarnsThenRunsOutAtMidnight() throws {
        let p = try Self.registered("2026-03-02T10:00:00+08:00")
        #expect(ClockState.of(p.acceptBy, at: Self.at("2026-03-13T12:00:00+08:00")) == .running)
        #expect(ClockState.of(p.acceptBy, at: Self.at("2026-03-14T00:00:00+08:00")) == .dueSoon)
        #expect(ClockState.of(p.acceptBy, at: Self.at("2026-03-17T23:59:59+08:00")) == .dueSoon)
        #expect(ClockState.of(p.acceptBy, at: Self.at("2026-03-18T00:00:00+08:00")) == .overdue)
    }

    @Test func handlingTakesSixtyDaysExtendedOnceByThirtyAtMost() throws {
        var p = try Self.registered("2026-03-02T10:00:00+08:00")
        p = try Self.step(p, .decide(accept: true, unit: "330105-ZJJ", notice: "书面告知", reason: nil), "2026-03-10T15:00:00+08:00")
        #expect(p.status == .accepted && p.unit == "330105-ZJJ")
        // 10 March + 60 = 9 May, a Saturday worked for Labour Day.
        #expect(p.nextDue == Self.day("2026-05-09"))
        #expect(throws: CentreError.bad("days", "an extension is 1–30 days", code: "out_of_range")) {
            try Self.step(p, .extend(days: 31, reason: "情况复杂", notice: "电话告知"), "2026-05-06T09:00:00+08:00", actor: "user:boss")
        }
        p = try Self.step(p, .extend(days: 30, reason: "涉及多个部门", notice: "电话告知"), "2026-05-06T09:00:00+08:00", actor: "user:boss")
        #expect(p.nextDue == Self.day("2026-06-08") && p.extended?.approvedBy == "user:boss")
        #expect(throws: CentreError.conflict("petition 1 was extended once already; the law allows one extension")) {
            try Self.step(p, .extend(days: 5, reason: "再延", notice: "电话告知"), "2026-06-01T09:00:00+08:00")
        }
    }

    @Test func eachClockIsWarnedOnceAndMarkedOverdueOnce() throws {
        var p = try Self.registered("2026-03-02T10:00:00+08:00")
        #expect(p.clockMark(at: Self.at("2026-03-13T12:00:00+08:00")) == nil)
        let warn = try #require(p.clockMark(at: Self.at("2026-03-14T08:00:00+08:00")))
        #expect(warn == ClockMark(step: "decide", due: Self.day("2026-03-17"), state: .dueSoon, day: Self.day("2026-03-14")))
        p = p.applying(.marked(mark: warn))
        #expect(p.clockMark(at: Self.at("2026-03-16T08:00:00+08:00")) == nil && p.currentMark == .dueSoon)
        let late = try #require(p.clockMark(at: Self.at("2026-03-18T00:00:00+08:00")))
        p = p.applying(.marked(mark: late))
        #expect(late.state == .overdue && p.clockMark(at: Self.at("2026-04-30T08:00:00+08:00")) == nil)
        // Decided late: the handling clock is a new one, unmarked.
        p = try Self.step(p, .decide(accept: true, unit: "330105-ZJJ", notice: "n", reason: nil), "2026-03-20T10:00:00+08:00")
        #expect(p.currentMark == nil && p.clockMark(at: Self.at("2026-03-21T10:00:00+08:00")) == nil)
        // A server down through the warning days marks it overdue only.
        #expect(p.clockMark(at: Self.at("2026-06-01T10:00:00+08:00"))?.state == .overdue)
        // An ended matter has no clock to mark.
        let answered = try Self.step(p, .answer(text: "答复"), "2026-04-01T10:00:00+08:00")
        #expect(answered.clockMark(at: Self.at("2026-12-01T10:00:00+08:00")) == nil)
    }

    @Test func anExtensionAfterTheHandlingPeriodRanOutIsRefused() throws {
        var p = try Self.registered("2026-03-02T10:00:00+08:00")
        p = try Self.step(p, .decide(accept: true, unit: "330105-ZJJ", notice: "书面告知", reason: nil), "2026-03-10T15:00:00+08:00")
        #expect(throws: CentreError.conflict("the handling period ran out; it can no longer be extended")) {
            try Self.step(p, .extend(days: 10, reason: "迟了", notice: "电话"), "2026-05-10T08:00:00+08:00")
        }
        #expect(ClockState.of(p.nextDue!, at: Self.at("2026-05-10T00:00:00+08:00")) == .overdue)
    }

    @Test func aReviewIsAskedWithinThirtyDaysOfTheAnswerAndAnsweredWithinThirty() throws {
        var p = try Self.registered("2026-03-02T10:00:00+08:00")
        p = try Self.step(p, .decide(accept: true, unit: "330105-ZJJ", notice: "书面告知", reason: nil), "2026-03-10T15:00:00+08:00")
        p = try Self.step(p, .answer(text: "已协调发放补贴"), "2026-06-01T10:00:00+08:00")
        #expect(p.status == .answered && p.reviewBy == Self.day("2026-07-01") && p.nextDue == nil)
        // One minute past midnight after 1 July is too late; the evening of 1 July is not.
        #expect(throws: CentreError.conflict("the 30 days to ask for a review ended on 2026-07-01")) {
            try Self.step(p, .requestReview, "2026-07-02T00:01:00+08:00")
        }
        let closed = try Self.step(p, .close, "2026-06-10T10:00:00+08:00")
        #expect(closed.isCleared)
        // A review asked after closing reopens the matter: no longer cleared until answered and closed again.
        var reviewing = try Self.step(closed, .requestReview, "2026-07-01T22:00:00+08:00")
        #expect(reviewing.status == .reviewing && !reviewing.isCleared && reviewing.nextDue == Self.day("2026-07-31"))
        #expect(throws: CentreError.conflict("only an answered petition with no review pending can be closed")) {
            try Self.step(reviewing, .close, "2026-07-05T10:00:00+08:00")
        }
        #expect(throws: CentreError.conflict("a review can be asked for once, of an answered petition")) {
            try Self.step(reviewing, .requestReview, "2026-07-05T10:00:00+08:00")
        }
        reviewing = try Self.step(reviewing, .answerReview(text: "维持原答复"), "2026-07-20T10:00:00+08:00")
        #expect(!reviewing.isCleared)
        #expect(try Self.step(reviewing, .close, "2026-07-21T10:00:00+08:00").isCleared)
    }

    @Test func aReviewWindowOverNationalDayEndsAfterTheHolidays() throws {
        var p = try Self.registered("2026-08-03T10:00:00+08:00")
        p = try Self.step(p, .decide(accept: true, unit: "330105-ZJJ", notice: "书面告知", reason: nil), "2026-08-05T10:00:00+08:00")
        p = try Self.step(p, .answer(text: "答复"), "2026-09-01T10:00:00+08:00")
        #expect(p.reviewBy == Self.day("2026-10-08"))
    }

    @Test func aDeclinedPetitionNeedsItsReasonAndEndsTheClock() throws {
        let p = try Self.registered("2026-03-02T10:00:00+08:00")
        #expect(throws: CentreError.bad("reason", "say why the petition is not accepted", code: "required")) {
            try Self.step(p, .decide(accept: false, unit: nil, notice: "书面告知", reason: nil), "2026-03-05T10:00:00+08:00")
        }
        let declined = try Self.step(p, .decide(accept: false, unit: nil, notice: "书面告知", reason: "属于诉讼程序"), "2026-03-05T10:00:00+08:00")
        #expect(declined.status == .declined && declined.nextDue == nil && declined.endedOn == Self.day("2026-03-05") && !declined.isCleared)
        #expect(throws: CentreError.conflict("petition 1 was decided on already (declined)")) {
            try Self.step(declined, .decide(accept: true, unit: "330105-ZJJ", notice: "x", reason: nil), "2026-03-06T10:00:00+08:00")
        }
    }

    @Test func collectiveAtFivePeopleAndRepeatsHaveNoClock() throws {
        let five = (1...5).map { Party(name: "居民\($0)") }
        let draft = PetitionDraft(title: "网贷平台爆雷", content: "出借人集体反映", form: .visit, petitioners: Array(five.prefix(2)), people: 5)
        let e = try PetitionMachine.register(draft, id: 2, office: "330105-XFJ", at: Self.at("2026-03-02T10:00:00+08:00"),
                                             calendar: Self.calendar)
        #expect(try Petition.replay([e]).collective)
        #expect(throws: CentreError.bad("people", "people cannot be fewer than the petitioners named")) {
            try PetitionMachine.register(PetitionDraft(title: "t", content: "c", form: .visit, petitioners: five, people: 4), id: 3,
                                         office: "330105-XFJ", at: Self.at("2026-03-02T10:00:00+08:00"), calendar: Self.calendar)
        }
        var repeatDraft = draft
        repeatDraft.repeatOf = 2
        let r = try Petition.replay([try PetitionMachine.register(repeatDraft, id: 4, office: "330105-XFJ",
                                                                  at: Self.at("2026-03-03T10:00:00+08:00"), calendar: Self.calendar)])
        #expect(r.status == .repeat && r.nextDue == nil && r.repeatOf == 2)
    }

    @Test func controlCharactersAndEmptyPartiesAreRefusedByField() throws {
        let bad = PetitionDraft(title: "标题\u{0}", content: "c", form: .visit, petitioners: [Self.applicant])
        #expect(throws: CentreError.self) { try PetitionMachine.register(bad, id: 1, office: "x", at: Date(), calendar: Self.calendar) }
        do {
            _ = try PetitionMachine.register(bad, id: 1, office: "x", at: Date(), calendar: Self.calendar)
        } catch let CentreError.invalid(e) {
            #expect(e.field == "title" && e.code == "control_character")
        }
        let noone = PetitionDraft(title: "t", content: "c", form: .visit, petitioners: [])
        #expect(throws: CentreError.bad("parties", "at least one party is required", code: "required")) {
            try PetitionMachine.register(noone, id: 1, office: "x", at: Date(), calendar: Self.calendar)
        }
        let badPhone = PetitionDraft(title: "t", content: "c", form: .visit, petitioners: [Party(name: "甲", phone: "call me")])
        #expect(throws: CentreError.bad("parties[0].phone", "parties[0].phone must be a phone number (digits, +, -, spaces)")) {
            try PetitionMachine.register(badPhone, id: 1, office: "x", at: Date(), calendar: Self.calendar)
        }
    }

    /// Role by role: who reads, registers, acts on what their unit holds, grants extensions and runs campaigns.
    @Test(arguments: Role.allCases) func whoMayDoWhatAtTheCentre(role: Role) {
        let reads: Set<Role> = [.admin, .dispatcher, .handler, .supervisor, .leader, .gridWorker, .auditor]
        #expect(CentreAccess.reads(role) == reads.contains(role))
        #expect(CentreAccess.registersDisputes(role) == [.admin, .dispatcher, .handler, .gridWorker].contains(role))
        #expect(CentreAccess.registersPetitions(role) == [.admin, .dispatcher, .handler].contains(role))
        #expect(CentreAccess.approvesExtensions(role) == [.admin, .dispatcher, .supervisor].contains(role))
        #expect(CentreAccess.runsCampaigns(role) == [.admin, .dispatcher].contains(role))
        let street = Scope(isAll: false, units: ["330105003", "330105003051"], areas: ["330105003", "330105003051"])
        let p = Principal(kind: .user, id: "user:x", role: role, unit: "330105003")
        let onOwn = (try? CentreAccess.acts(p, holder: "330105003051", scope: street)) != nil
        let onOther = (try? CentreAccess.acts(p, holder: "330105-ZJJ", scope: street)) != nil
        #expect(onOwn == [.admin, .dispatcher, .handler].contains(role))
        #expect(onOther == [.admin, .dispatcher].contains(role))
    }

    @Test func partiesAreMaskedButOrganisationsKeepTheirNames() {
        let p = Party(name: "王小明", phone: "13812345678", idNumber: "330105199001011234").masked
        #expect(p.name == "王**" && p.phone == "138****5678" && p.idNumber == "****1234")
        #expect(Party(name: "杭州某物业公司", kind: .organisation, role: .respondent).masked.name == "杭州某物业公司")
    }

    @Test func campaignTalliesCountOnlyClearedPetitions() throws {
        var a = try Self.registered("2026-03-02T10:00:00+08:00")
        a = try Self.step(a, .decide(accept: true, unit: "330105-ZJJ", notice: "n", reason: nil), "2026-03-03T10:00:00+08:00")
        a = try Self.step(a, .answer(text: "答复"), "2026-03-20T10:00:00+08:00")
        let answeredOnly = a
        a = try Self.step(a, .close, "2026-03-21T10:00:00+08:00")
        var b = answeredOnly
        b.id = 2
        let c = Campaign(id: 1, name: "积案清零", start: Self.day("2026-03-01"), end: Self.day("2026-06-30"), items: [
            .init(petition: 1, leader: "张书记", unit: "330105-ZJJ", target: Self.day("2026-04-30")),
            .init(petition: 2, leader: "张书记", unit: "330105001", target: Self.day("2026-03-31")),
            .init(petition: 3, leader: "李书记", unit: "330105001", target: Self.day("2026-05-31")),
        ])
        let tallies = CampaignBoard.tally(c, petitions: [1: a, 2: b], at: Self.at("2026-04-02T10:00:00+08:00")) { $0.leader }
        #expect(tallies.map(\.key) == ["张书记", "李书记"])
        #expect(tallies[0].total == 2 && tallies[0].cleared == 1 && tallies[0].late == 1 && tallies[0].rate == 0.5)
        #expect(tallies[1].cleared == 0 && tallies[1].late == 0)
    }

    static let rules: MediationRules = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/GongzhiStore/Resources/reference/mediation_rules.json")
        return try! JSONDecoder().decode(MediationRules.self, from: Data(contentsOf: url))
    }()

    @Test(arguments: [
        ("neighbour", nil, RiskLevel.low, 2, MediationLevel.community, nil, "everything-else-in-community"),
        ("neighbour", 6_000_000, .low, 2, .street, nil, "large-amount-to-street"),
        ("neighbour", nil, .medium, 2, .street, nil, "medium-risk-to-street"),
        ("neighbour", nil, .low, 12, .street, nil, "many-parties-to-street"),
        ("labour", 2_000_000, .low, 2, .street, nil, "labour-to-street"),
        ("labour", 20_000_000, .low, 2, .district, "labour", "large-labour-to-committee"),
        ("medical", nil, .low, 2, .district, "medical", "medical-to-committee"),
        ("family", nil, .high, 2, .district, nil, "high-risk-to-district"),
    ] as [(String, Int64?, RiskLevel, Int, MediationLevel, String?, String)])
    func disputesAreRoutedByTheFirstMatchingRule(type: String, amount: Int64?, risk: RiskLevel, parties: Int,
                                                 level: MediationLevel, committee: String?, rule: String) {
        let r = Self.rules.route(type: type, amountFen: amount, risk: risk, parties: parties)
        #expect(r.level == level && r.committee == committee && r.rule == rule)
    }

    @Test func aRulesFileNamingAUnitOrACommitteeThatDoesNotExistIsRefused() throws {
        let units = try OrgDirectory([OrgUnit(code: "330105", name: "区", kind: .district, parentCode: nil),
                                      OrgUnit(code: "330105-SZZX", name: "矛调中心", kind: .department, parentCode: "330105"),
                                      OrgUnit(code: "330105-XFJ", name: "信访局", kind: .department, parentCode: "330105")])
        try Self.rules.validate(units: units)
        var wrong = Self.rules
        wrong.centreUnit = "330105-NOPE"
        #expect(throws: ReferenceError.self) { try wrong.validate(units: units) }
        wrong = Self.rules
        wrong.types[0].committee = "astrology"
        #expect(throws: ReferenceError.self) { try wrong.validate(units: units) }
        wrong = Self.rules
        wrong.limitDays = 0
        #expect(throws: ReferenceError.self) { try wrong.validate(units: units) }
    }

    @Test func levelSharesCountAgreementsAtTheLevelTheyWereReached() {
        var s = LevelShares()
        s.add(status: .agreed, level: .community, count: 6)
        s.add(status: .agreed, level: .street, count: 2)
        s.add(status: .agreed, level: .district)
        s.add(status: .referred, level: .street)
        s.add(status: .open, level: .community, count: 50)
        #expect(s.concluded == 10 && s.share(.community) == 0.6 && s.withinStreet == 0.8 && s.share(.district) == 0.1)
        #expect(LevelShares().share(.community) == nil)
    }
}
