import Foundation
import GongzhiCore
import GongzhiDemo
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

/// The dispute and petition centre stored on both backends: level routing and escalation, the
/// resolved-at-level figures on a hand-built history, petitions with repeats and collective
/// visits, scope inside every query, campaigns cleared only by the rule, and `verify` catching
/// a row edited behind its chain.
@Suite struct CentreStoreTests {
    static let centreDesk = Principal(kind: .user, id: "user:window", role: .dispatcher, unit: "330105")
    /// 米市巷街道 and its community 夹城巷社区 (official codes).
    static let street = "330105001", community = "330105001051"
    static let otherStreet = "330105002"

    static func at(_ s: String) -> Date { Timestamp.parse(s)! }

    struct Env {
        let f: StoreFixture
        let centre: SQLCentreStore
        let context: CentreContext

        init(_ backend: Backend) async throws {
            f = try await StoreFixture(backend)
            centre = SQLCentreStore(db: f.sql)
            let rules = try ReferenceData.mediationRules(units: f.reference.units)
            context = CentreContext(rules: rules, units: f.reference.units, calendar: StoreFixture.calendar)
        }

        func scope(_ p: Principal) -> Scope { Scope.of(unit: p.unit, in: f.reference.units) }

        func staff(_ unit: String, role: Role = .handler) -> Principal { Principal(kind: .user, id: "user:\(unit)", role: role, unit: unit) }

        func dispute(_ type: String = "neighbour", street: String? = CentreStoreTests.street, community: String? = CentreStoreTests.community,
                     risk: RiskLevel = .low, at: String = "2026-03-02T10:00:00+08:00") async throws -> Dispute {
            let draft = DisputeDraft(type: type, summary: "楼上漏水纠纷", channel: .window,
                                     parties: [Party(name: "张三", phone: "13800000001"), Party(name: "李四", role: .respondent)],
                                     risk: risk, street: street, community: community)
            return try await centre.registerDispute(draft, by: CentreStoreTests.centreDesk, context: context, at: CentreStoreTests.at(at))
        }

        func act(_ id: Int64, _ c: DisputeCommand, by p: Principal = CentreStoreTests.centreDesk, at: String) async throws -> Dispute {
            try await centre.act(onDispute: id, c, by: p, scope: scope(p), context: context, at: CentreStoreTests.at(at))
        }

        func petition(people: Int? = nil, repeatOf: Int64? = nil, street: String? = CentreStoreTests.street,
                      at: String = "2026-03-02T10:00:00+08:00") async throws -> Petition {
            let draft = PetitionDraft(title: "加装电梯补贴", content: "反映补贴未发放", form: .visit, petitioners: [Party(name: "王五")],
                                      people: people, street: street, repeatOf: repeatOf)
            return try await centre.registerPetition(draft, by: CentreStoreTests.centreDesk, scope: .all, context: context,
                                                     at: CentreStoreTests.at(at))
        }

        func act(_ id: Int64, _ c: PetitionCommand, by p: Principal = CentreStoreTests.centreDesk, at: String) async throws -> Petition {
            try await centre.act(onPetition: id, c, by: p, scope: scope(p), context: context, at: CentreStoreTests.at(at))
        }
    }

    @Test(arguments: Backend.all) func aDisputeIsMediatedInItsCommunityEscalatedAndAgreed(backend: Backend) async throws {
        let e = try await Env(backend)
        let d = try await e.dispute()
        #expect(d.level == .community && d.unit == Self.community && d.routedBy == "everything-else-in-community")
        #expect(PlanDays.text(d.due) == "2026-04-01")
        // The community's mediator records a session, then sends it up to the street.
        let mediator = e.staff(Self.community)
        _ = try await e.act(d.id, .session(day: PlanDays.parse("2026-03-03")!, mediator: "赵调解员", present: [0, 1], note: "双方到场"),
                            by: mediator, at: "2026-03-03T16:00:00+08:00")
        let up = try await e.act(d.id, .escalate(reason: "涉及物业维修基金", committee: nil), by: mediator, at: "2026-03-05T10:00:00+08:00")
        #expect(up.level == .street && up.unit == Self.street)
        // The community no longer holds it: it may read it (its area) but not act.
        await #expect(throws: CentreError.forbidden("only the unit holding the matter (\(Self.street)) may act on it")) {
            try await e.act(d.id, .agree(agreement: "x", note: nil), by: mediator, at: "2026-03-06T10:00:00+08:00")
        }
        #expect(try await e.centre.dispute(d.id, scope: e.scope(mediator)) != nil)
        // Another street's staff cannot even see it.
        let other = e.staff(Self.otherStreet)
        #expect(try await e.centre.dispute(d.id, scope: e.scope(other)) == nil)
        await #expect(throws: StoreError.notFound("dispute \(d.id)")) {
            try await e.act(d.id, .agree(agreement: "x", note: nil), by: other, at: "2026-03-06T10:00:00+08:00")
        }
        let agreed = try await e.act(d.id, .agree(agreement: "调解协议书 拱米调〔2026〕12号", note: nil), by: e.staff(Self.street),
                                     at: "2026-03-10T10:00:00+08:00")
        #expect(agreed.status == .agreed && agreed.outcome?.level == .street && agreed.nextDue == nil)
        await #expect(throws: CentreError.conflict("dispute \(d.id) has ended (agreed)")) {
            try await e.act(d.id, .extend(days: 5, reason: "r"), at: "2026-03-11T10:00:00+08:00")
        }
        let kept = try await e.act(d.id, .honoured(true, note: "已赔付"), at: "2026-04-10T10:00:00+08:00")
        #expect(kept.honoured?.honoured == true)
        #expect(try await e.centre.history(of: d.id).map(\.action) == ["registered", "session_held", "escalated", "agreed", "honoured"])
        #expect(try await e.centre.verify().problem == nil)
    }

    @Test(arguments: Backend.all) func sectorDisputesGoToTheirCommitteeAndTheLimitExtends(backend: Backend) async throws {
        let e = try await Env(backend)
        let d = try await e.dispute("medical")
        #expect(d.level == .district && d.committee == "medical" && d.unit == "330105-SZZX")
        let later = try await e.act(d.id, .extend(days: 15, reason: "等待医疗鉴定"), at: "2026-03-25T10:00:00+08:00")
        // 1 April + 15 = 16 April, a Thursday.
        #expect(PlanDays.text(later.due) == "2026-04-16")
        await #expect(throws: CentreError.conflict("the dispute is at district level already; name a sector committee")) {
            try await e.act(d.id, .escalate(reason: "r", committee: nil), at: "2026-03-26T10:00:00+08:00")
        }
        let referred = try await e.act(d.id, .refer(to: .litigation, note: "当事人起诉"), at: "2026-04-01T10:00:00+08:00")
        #expect(referred.status == .referred && referred.outcome?.referral == .litigation)
    }

    @Test(arguments: Backend.all) func theResolvedAtLevelFigureComesFromAHandBuiltHistory(backend: Backend) async throws {
        let e = try await Env(backend)
        // March in 米市巷: three agreed in the community, one in the street, one referred; one still open.
        for _ in 0..<3 {
            let d = try await e.dispute()
            _ = try await e.act(d.id, .agree(agreement: "协议", note: nil), at: "2026-03-20T10:00:00+08:00")
        }
        let s = try await e.dispute()
        _ = try await e.act(s.id, .escalate(reason: "升级", committee: nil), at: "2026-03-05T10:00:00+08:00")
        _ = try await e.act(s.id, .agree(agreement: "协议", note: nil), at: "2026-03-21T10:00:00+08:00")
        let r = try await e.dispute()
        _ = try await e.act(r.id, .refer(to: .hotline, note: "转12345"), at: "2026-03-22T10:00:00+08:00")
        _ = try await e.dispute()
        // April, another street: one agreed in its community.
        let o = try await e.dispute(street: Self.otherStreet, community: nil, at: "2026-04-01T10:00:00+08:00")
        _ = try await e.act(o.id, .agree(agreement: "协议", note: nil), at: "2026-04-02T10:00:00+08:00")
        let all = try await e.centre.levelShares(scope: .all, from: PlanDays.parse("2026-03-01")!, to: PlanDays.parse("2026-04-30")!)
        let march = try #require(all[Self.street]?[PlanDays.parse("2026-03-01")!])
        #expect(march.concluded == 5 && march.agreed[.community] == 3 && march.agreed[.street] == 1)
        #expect(march.share(.community) == 0.6 && march.withinStreet == 0.8)
        let april = try #require(all[Self.otherStreet]?[PlanDays.parse("2026-04-01")!])
        // Without a community, it was mediated by the street office: agreed at street level.
        #expect(april.concluded == 1 && april.agreed[.street] == 1)
        // A street's staff see their street's figure only.
        let mine = try await e.centre.levelShares(scope: e.scope(e.staff(Self.street)), from: PlanDays.parse("2026-03-01")!,
                                                  to: PlanDays.parse("2026-04-30")!)
        #expect(Set(mine.keys) == [Self.street])
        let counts = try await e.centre.counts(scope: .all, at: Self.at("2026-05-01T10:00:00+08:00"))
        #expect(counts.openDisputes == 1 && counts.overdueDisputes == 1)
    }

    @Test(arguments: Backend.all) func petitionsRunTheirClocksRepeatsLinkAndCollectivesAreFlagged(backend: Backend) async throws {
        let e = try await Env(backend)
        let p = try await e.petition()
        #expect(p.status == .registered && PlanDays.text(p.acceptBy) == "2026-03-17" && p.unit == "330105-XFJ")
        // Let the clock run past 15 days without a decision: overdue on the ledger and in the counts.
        let late = Self.at("2026-03-18T09:00:00+08:00")
        #expect(try await e.centre.petitions(MatterQuery(state: .overdue), scope: .all, at: late).map(\.id) == [p.id])
        #expect(try await e.centre.petitions(MatterQuery(state: .overdue), scope: .all, at: Self.at("2026-03-17T23:00:00+08:00")).isEmpty)
        var counts = try await e.centre.counts(scope: .all, at: late)
        #expect(counts.overduePetitions == 1 && counts.undecidedOverdue == 1)
        // The same matter again: linked, not counted twice.
        let again = try await e.petition(repeatOf: p.id, at: "2026-03-05T10:00:00+08:00")
        #expect(again.status == .repeat && again.repeatOf == p.id)
        let thrice = try await e.petition(repeatOf: again.id, at: "2026-03-06T10:00:00+08:00")
        #expect(thrice.repeatOf == p.id)
        #expect(try await e.centre.petition(p.id, scope: .all)?.repeats == [again.id, thrice.id])
        counts = try await e.centre.counts(scope: .all, at: late)
        #expect(counts.openPetitions == 1)
        // Five people: a collective visit.
        let group = try await e.petition(people: 5)
        #expect(group.collective)
        #expect(try await e.centre.petitions(MatterQuery(collective: true), scope: .all, at: late).map(\.id) == [group.id])
        // Accepted by the office, handled by 住建局 only.
        let accepted = try await e.act(p.id, .decide(accept: true, unit: "330105-ZJJ", notice: "书面告知", reason: nil), at: "2026-03-10T10:00:00+08:00")
        #expect(accepted.unit == "330105-ZJJ")
        // The street reads it (its area) but may not answer for 住建局; 城管局 does not even learn it exists.
        await #expect(throws: CentreError.forbidden("only the unit holding the matter (330105-ZJJ) may act on it")) {
            try await e.act(p.id, .answer(text: "答复"), by: e.staff(Self.street), at: "2026-03-20T10:00:00+08:00")
        }
        await #expect(throws: StoreError.notFound("petition \(p.id)")) {
            try await e.act(p.id, .answer(text: "答复"), by: e.staff("330105-CGJ"), at: "2026-03-20T10:00:00+08:00")
        }
        // A handler cannot grant the extension; supervision can, without holding it.
        await #expect(throws: CentreError.forbidden("an extension needs approval: a handler may not grant one")) {
            try await e.act(p.id, .extend(days: 10, reason: "r", notice: "n"), by: e.staff("330105-ZJJ"), at: "2026-03-20T10:00:00+08:00")
        }
        let supervisor = Principal(kind: .user, id: "user:dub", role: .supervisor, unit: "330105")
        _ = try await e.act(p.id, .extend(days: 10, reason: "需要现场踏勘", notice: "电话告知"), by: supervisor, at: "2026-03-20T10:00:00+08:00")
        _ = try await e.act(p.id, .answer(text: "补贴已发放"), by: e.staff("330105-ZJJ"), at: "2026-04-01T10:00:00+08:00")
        _ = try await e.act(p.id, .close, by: e.staff("330105-ZJJ"), at: "2026-04-02T10:00:00+08:00")
        #expect(try await e.centre.petition(p.id, scope: .all)?.isCleared == true)
        await #expect(throws: CentreError.bad("repeat_of", "petition 999 does not exist", code: "unknown_value")) {
            try await e.petition(repeatOf: 999)
        }
        #expect(try await e.centre.verify() == (4, nil))
    }

    @Test(arguments: Backend.all) func campaignsCountClearedPetitionsOnlyAndRefuseDuplicates(backend: Backend) async throws {
        let e = try await Env(backend)
        let a = try await e.petition(), b = try await e.petition(), out = try await e.petition(street: Self.otherStreet)
        let c = try await e.centre.createCampaign(name: "书记领衔信访积案清零", start: PlanDays.parse("2026-03-01")!,
                                                  end: PlanDays.parse("2026-06-30")!, by: Self.centreDesk, at: Self.at("2026-03-02T11:00:00+08:00"))
        let target = PlanDays.parse("2026-04-30")!
        _ = try await e.centre.addItems([.init(petition: a.id, leader: "张书记", unit: Self.street, target: target),
                                         .init(petition: b.id, leader: "李书记", unit: Self.street, target: target),
                                         .init(petition: out.id, leader: "王书记", unit: Self.otherStreet, target: target)],
                                        to: c.id, by: Self.centreDesk, scope: .all, at: Self.at("2026-03-02T11:00:00+08:00"))
        await #expect(throws: CentreError.bad("items[0].petition", "petition \(a.id) is in the campaign already", code: "duplicate")) {
            try await e.centre.addItems([.init(petition: a.id, leader: "张书记", unit: Self.street, target: target)], to: c.id,
                                        by: Self.centreDesk, scope: .all, at: Self.at("2026-03-02T11:00:00+08:00"))
        }
        await #expect(throws: CentreError.forbidden("a handler may not change campaigns")) {
            try await e.centre.addItems([.init(petition: a.id, leader: "x", unit: Self.street, target: target)], to: c.id,
                                        by: e.staff(Self.street), scope: .all, at: Self.at("2026-03-02T11:00:00+08:00"))
        }
        // a: answered and closed (cleared); b: answered only (not cleared).
        for (id, close) in [(a.id, true), (b.id, false)] {
            _ = try await e.act(id, .decide(accept: true, unit: Self.street, notice: "n", reason: nil), at: "2026-03-03T10:00:00+08:00")
            _ = try await e.act(id, .answer(text: "答复"), at: "2026-03-20T10:00:00+08:00")
            if close { _ = try await e.act(id, .close, at: "2026-03-21T10:00:00+08:00") }
        }
        let (board, petitions) = try #require(try await e.centre.campaign(c.id, scope: .all))
        let byLeader = CampaignBoard.tally(board, petitions: petitions, at: Self.at("2026-05-02T10:00:00+08:00")) { $0.leader }
        #expect(byLeader.map { "\($0.key) \($0.cleared)/\($0.total) late \($0.late)" } == ["张书记 1/1 late 0", "李书记 0/1 late 1", "王书记 0/1 late 1"])
        // The street's staff see only their street's items.
        let (mine, _) = try #require(try await e.centre.campaign(c.id, scope: e.scope(e.staff(Self.street))))
        #expect(Set(mine.items.map(\.petition)) == [a.id, b.id])
        // The board reads the row's status only: at every step it agrees with the petition's own rule.
        for (command, at) in [(PetitionCommand.requestReview, "2026-04-01T10:00:00+08:00"), (.answerReview(text: "维持"), "2026-04-10T10:00:00+08:00"),
                              (.close, "2026-04-11T10:00:00+08:00")] {
            let full = try await e.act(a.id, command, at: at)
            let entry = try #require(try await e.centre.campaign(c.id, scope: .all)?.1[a.id])
            #expect(entry.isCleared == full.isCleared && entry.status == full.status, "\(command)")
        }
        let audit = try await f(e).read { try $0.query("SELECT action FROM audit_log ORDER BY seq").map { $0["action"] as String } }
        #expect(audit == ["campaign_created", "campaign_items_added"])
    }

    func f(_ e: Env) -> any SQLDatabase { e.f.sql }

    @Test(arguments: Backend.all) func theSweepWarnsAndMarksOverdueOnceAsEvents(backend: Backend) async throws {
        let e = try await Env(backend)
        let p = try await e.petition()
        let d = try await e.dispute()
        #expect(try await e.centre.sweep(at: Self.at("2026-03-13T12:00:00+08:00")) == 0)
        #expect(try await e.centre.sweep(at: Self.at("2026-03-14T08:00:00+08:00")) == 1)
        #expect(try await e.centre.sweep(at: Self.at("2026-03-15T08:00:00+08:00")) == 0)
        // 18 March: the petition's 15 days are over; 29 March: the dispute's warning (due 1 April).
        #expect(try await e.centre.sweep(at: Self.at("2026-03-18T00:00:01+08:00")) == 1)
        #expect(try await e.centre.sweep(at: Self.at("2026-03-29T08:00:00+08:00")) == 1)
        #expect(try await e.centre.sweep(at: Self.at("2026-04-05T08:00:00+08:00")) == 1)
        #expect(try await e.centre.sweep(at: Self.at("2026-04-06T08:00:00+08:00")) == 0)
        let steps = try await e.centre.history(of: p.id)
        #expect(steps.map(\.action) == ["registered", "warned", "overdue"] && steps.dropFirst().allSatisfy { $0.actor == "system:scheduler" })
        #expect(try await e.centre.history(of: d.id).map(\.action) == ["registered", "warned", "overdue"])
        #expect(try await e.centre.verify().problem == nil)
    }

    @Test(arguments: Backend.all) func verifyCatchesARowEditedBehindItsChain(backend: Backend) async throws {
        let e = try await Env(backend)
        let p = try await e.petition()
        _ = try await e.act(p.id, .decide(accept: true, unit: "330105-ZJJ", notice: "n", reason: nil), at: "2026-03-03T10:00:00+08:00")
        #expect(try await e.centre.verify().problem == nil)
        // Someone pushes the deadline out in the row only.
        try await e.f.sql.write { try $0.execute("UPDATE centre_matters SET next_due = next_due + 30 WHERE id = ?", p.id) }
        #expect(try await e.centre.verify().problem == "petition \(p.id): its column next_due differs from the fold of its events")
        // Or in the state, with the column made to agree: the fold still differs.
        try await e.f.sql.write { s in
            let state: String = try s.first("SELECT state FROM centre_matters WHERE id = ?", p.id)!["state"]
            let edited = state.replacingOccurrences(of: "330105-ZJJ", with: "330105-CGJ")
            try s.execute("UPDATE centre_matters SET state = ?, unit = '330105-CGJ', next_due = next_due - 30 WHERE id = ?", edited, p.id)
        }
        #expect(try await e.centre.verify().problem == "petition \(p.id): its row differs from the fold of its events")
        // The events themselves cannot be changed.
        await #expect(throws: (any Error).self) {
            try await e.f.sql.write { try $0.execute("UPDATE centre_events SET actor = 'x' WHERE matter_id = ?", p.id) }
        }
    }

    @Test(arguments: Backend.all) func revealsAreLoggedWithTheMatter(backend: Backend) async throws {
        let e = try await Env(backend)
        let d = try await e.dispute()
        try await e.centre.logReveal(of: d.id, kind: "dispute", actor: "user:window", reason: "回访当事人", at: Self.at("2026-03-03T10:00:00+08:00"))
        let rows = try await e.f.sql.read { try $0.query("SELECT actor, field, reason, subject FROM access_log") }
        #expect(rows.map { "\($0["actor"] as String) \($0["field"] as String) \($0["reason"] as String) \($0["subject"] as String)" }
                == ["user:window parties 回访当事人 dispute:\(d.id)"])
    }
}

/// The centre's demo: loaded once through the centre's own commands, every chain intact, with
/// something to see on each page (agreements at each level, overdue petitions, a campaign).
@Suite struct DemoCentreTests {
    @Test(arguments: Backend.all) func loadsOnceAndVerifies(backend: Backend) async throws {
        let e = try await CentreStoreTests.Env(backend)
        let demo = DemoCentre(centre: e.centre, context: e.context)
        let now = CentreStoreTests.at("2026-11-25T18:00:00+08:00")
        #expect(try await demo.loadIfEmpty(now: now) == (60, 40))
        #expect(try await demo.loadIfEmpty(now: now) == (0, 0))
        #expect(try await e.centre.verify() == (100, nil))
        let counts = try await e.centre.counts(scope: .all, at: now)
        #expect(counts.undecidedOverdue >= 1 && counts.openDisputes >= 1 && counts.collectiveOpen >= 1)
        let month = PlanDays.of(now)
        let shares = LevelShares.sum(try await e.centre.levelShares(scope: .all, from: month - 60, to: month).values.flatMap(\.values))
        #expect((shares.agreed[.community] ?? 0) > 0 && (shares.agreed[.street] ?? 0) > 0 && shares.concluded > shares.agreed.values.reduce(0, +))
        let campaign = try #require(try await e.centre.campaigns().first)
        #expect(try await e.centre.campaign(campaign.id, scope: .all)?.0.items.isEmpty == false)
        #expect(try await e.centre.risks(scope: .all).count == 2)
    }
}
