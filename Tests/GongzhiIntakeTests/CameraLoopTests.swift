import Foundation
import GongzhiCore
@testable import GongzhiIntake
@testable import GongzhiSQL
import GongzhiStore
import GRDB
import GongzhiTestSupport
import Testing

/// 城市眼·云共治 through the one intake, on a real database with an injected clock.
@Suite struct CameraLoopTests {
    /// A thousand detections of one problem, one second apart, in one batch: one case collects
    /// them all; the history summarises them (every 10 minutes of observation), every detection
    /// is listed and counted; a retried batch adds nothing and answers what each became.
    @Test(arguments: Backend.all) func aThousandDetectionsOfOneProblemMakeOneCase(backend: Backend) async throws {
        let f = try await IntakeFixture(backend)
        let events = (0..<1000).map { f.event("e\($0)", seconds: Double($0) - 1000) }
        let results = try await f.detect(events)
        let outcomes = results.compactMap(\.value)
        #expect(outcomes.count == 1000)
        #expect(outcomes.map(\.kind) == [.opened] + Array(repeating: .joined, count: 999))
        let id = try #require(outcomes[0].record?.id)
        #expect(Set(outcomes.compactMap(\.caseID)) == [id] && outcomes.allSatisfy { $0.caseID != nil })
        let record = try #require(try await f.store.find(id: id))
        #expect(record.tally.bySource == [.camera: 1000] && record.tally.summary == "1000 camera detections")
        // Opened, registered and dispatched by the rule, the merchant told; one summary at 600 s.
        #expect(try await f.history(id) == [.report, .register, .dispatch, .notify, .detections])
        let summary = try #require(try await f.store.history(of: id).last?.payload)
        #expect(summary.count == 600 && summary.cameraID == "CAM-ST-001")
        #expect(summary.lastAt! - summary.firstAt! == 599_000)
        #expect(try await f.count("SELECT COUNT(*) FROM reports WHERE case_id = \(id)") == 1000)
        #expect(record.status == .selfCorrecting && record.merchant == "M-001" && record.scenario == "out-of-store")
        // The retry.
        let again = try await f.detect(events).compactMap(\.value)
        #expect(again.count == 1000 && again.allSatisfy(\.repeated) && again[0].kind == .opened && again[1].kind == .joined)
        #expect(try await f.count("SELECT COUNT(*) FROM reports") == 1000)
        #expect(try await f.count("SELECT COUNT(*) FROM cases") == 1)
        #expect(try await f.verify().isIntact)
    }

    /// Stream `cleared` and watch it close as self-corrected.
    @Test(arguments: Backend.all) func clearedInTimeClosesAsSelfCorrected(backend: Backend) async throws {
        let f = try await IntakeFixture(backend)
        let opened = try #require(try await f.detect([f.event("a1")])[0].value?.record)
        #expect(opened.status == .selfCorrecting && opened.unit == "330105008")
        #expect(opened.dueAt == IntakeFixture.start.addingTimeInterval(30 * 60))  // 出店经营: 30 minutes
        f.clock.advance(by: 10 * 60)
        let cleared = try #require(try await f.detect([f.event("a2", "cleared")])[0].value)
        #expect(cleared.kind == .rechecked)
        let r = try #require(cleared.record)
        #expect(r.status == .closed && r.selfCorrected && r.tally.bySource == [.camera: 2])
        #expect(try await f.history(r.id) == [.report, .register, .dispatch, .notify, .recheck, .close])
        let stats = try await f.store.selfCorrectionStats(by: .scenario, since: nil, until: nil)
        #expect(stats == [SelfCorrectionStats(key: "out-of-store", notified: 1, selfCorrected: 1, enforced: 0, pending: 0)])
        // A `cleared` with nothing open is recorded, nothing more.
        let nothing = try #require(try await f.detect([f.event("a3", "cleared")])[0].value)
        #expect(nothing.kind == .noOpenCase && nothing.record == nil)
        #expect(try await f.verify().isIntact)
    }

    /// The merchant confirms with a photo through its notice; the camera's `cleared` rechecks.
    @Test(arguments: Backend.all) func confirmedAndRecheckedCloses(backend: Backend) async throws {
        let f = try await IntakeFixture(backend)
        let id = try #require(try await f.detect([f.event("b1")])[0].value?.record?.id)
        let token = try await noticeToken(f, id)
        f.clock.advance(by: 5 * 60)
        let confirmed = try await f.store.confirm(noticeToken: token, mediaURLs: ["https://m.example/after.jpg"], note: "已收回", at: f.clock.now(),
                                                  context: f.store.context.current)
        #expect(confirmed.status == .selfCorrecting && confirmed.merchantConfirmed)
        #expect(try await f.store.history(of: id).last?.actor.id == "merchant:M-001")
        f.clock.advance(by: 60)
        let r = try #require(try await f.detect([f.event("b2", "cleared")])[0].value?.record)
        #expect(r.status == .closed && r.selfCorrected)
        // The notice cannot be used again once the case has moved on, nor be guessed.
        await #expect(throws: CaseError.illegalTransition(from: .closed, action: .confirm)) {
            try await f.store.confirm(noticeToken: token, mediaURLs: ["https://m.example/x.jpg"], note: nil, at: f.clock.now(),
                                      context: f.store.context.current)
        }
        await #expect(throws: CoGovernanceError.unknownNotice) {
            try await f.store.confirm(noticeToken: "gzn_guess", mediaURLs: ["https://m.example/x.jpg"], note: nil, at: f.clock.now(),
                                      context: f.store.context.current)
        }
    }

    /// Confirmed, but the camera still sees it: enforcement (综合执法) takes it with its own deadline.
    @Test(arguments: Backend.all) func confirmedButRecheckFailsGoesToEnforcement(backend: Backend) async throws {
        let f = try await IntakeFixture(backend)
        let id = try #require(try await f.detect([f.event("c1")])[0].value?.record?.id)
        // Before the merchant confirms, more `present` detections are just counted.
        f.clock.advance(by: 60)
        #expect(try await f.detect([f.event("c2")])[0].value?.kind == .joined)
        _ = try await f.store.confirm(noticeToken: try await noticeToken(f, id), mediaURLs: ["https://m.example/a.jpg"], note: nil,
                                      at: f.clock.now(), context: f.store.context.current)
        f.clock.advance(by: 60)
        let r = try #require(try await f.detect([f.event("c3")])[0].value)
        #expect(r.kind == .rechecked)
        let record = try #require(r.record)
        #expect(record.status == .dispatched && record.unit == "330105-ZFJ" && !record.selfCorrected)
        // 4 working hours from 10:02: 10:02–12:00 and 13:30–15:32.
        #expect(record.dueAt == Timestamp.parse("2026-11-24T15:32:00+08:00"))
        let last = try #require(try await f.store.history(of: id).last)
        #expect(last.action == .recheck && last.payload.passed == false && last.payload.fromUnit == "330105008")
    }

    /// Still present at the merchant's deadline: the scheduler sends it to enforcement. While
    /// the merchant's clock runs the department's is stopped (no warning, no overdue); the
    /// enforcement unit's clock starts when it gets the case.
    @Test(arguments: Backend.all) func stillPresentAtTheDeadlineGoesToEnforcement(backend: Backend) async throws {
        let f = try await IntakeFixture(backend)
        let id = try #require(try await f.detect([f.event("d1")])[0].value?.record?.id)
        let sweep = TimerSweep(store: f.store)
        f.clock.advance(by: 20 * 60)
        #expect(try await sweep.run(now: f.clock.now()).total == 0)
        f.clock.advance(by: 11 * 60)  // 10:31
        #expect(try await sweep.run(now: f.clock.now()) == TimerSweep.Result(enforced: 1))
        let record = try #require(try await f.store.find(id: id))
        #expect(record.status == .dispatched && record.unit == "330105-ZFJ")
        #expect(record.dueAt == Timestamp.parse("2026-11-24T16:01:00+08:00"))  // 10:31 + 4 working hours
        #expect(try await f.history(id) == [.report, .register, .dispatch, .notify, .uncorrected])
        #expect(try await sweep.run(now: f.clock.now()).total == 0)  // once
        let stats = try await f.store.selfCorrectionStats(by: .street, since: nil, until: nil)
        #expect(stats == [SelfCorrectionStats(key: "330105008", notified: 1, selfCorrected: 0, enforced: 1, pending: 0)])
        #expect(try await f.verify().isIntact)
    }

    /// No merchant answers for the place: the ordinary route, no notice.
    @Test(arguments: Backend.all) func withoutAMerchantTheOrdinaryRoute(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, merchants: [])
        let r = try #require(try await f.detect([f.event("n1")])[0].value?.record)
        #expect(r.status == .dispatched && r.unit == "330105008" && r.merchant == nil)
        #expect(try await f.history(r.id) == [.report, .register, .dispatch])
        #expect(try await f.count("SELECT COUNT(*) FROM outbox") == 0)
    }

    /// Good and bad events in one batch: each bad one is refused with its reason, the rest taken.
    @Test(arguments: Backend.all) func badEventsAmongGoodOnes(backend: Backend) async throws {
        let f = try await IntakeFixture(backend)
        var off = IntakeFixture.camera
        off.id = "CAM-OFF"
        off.active = false
        f.cameras.update { $0[off.id] = off }
        var outside = f.event("x9")
        outside.location = .init(lat: 30.2, lon: 120.0)
        var malformedTime = f.event("x5")
        malformedTime.detectedAt = "yesterday"
        let events = [
            f.event("x1"), f.event("x2", camera: "CAM-NOPE"), f.event("x3", camera: "CAM-OFF"), f.event("x4", category: "02014"),
            malformedTime, f.event("x6", confidence: 1.5), f.event("", seconds: 0), f.event("x7", seconds: 3600), f.event("x8", "gone"),
            outside, f.event("x10", confidence: 0.3), f.event("x11"),
        ]
        let results = try await f.detect(events)
        func code(_ i: Int) -> String? {
            switch results[i].failure {
            case .invalid(let e)?: e.code
            case .outsideDistrict?: "outside_district"
            default: nil
            }
        }
        #expect(results[0].value?.kind == .opened)
        #expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(code) == ["unknown_camera", "inactive_camera", "not_detected", "invalid", "out_of_range",
                                                           "required", "in_future", "invalid", "outside_district"])
        #expect(results[10].value?.kind == .dropped && results[10].value?.record == nil)
        #expect(results[11].value?.kind == .joined)
        #expect(try await f.store.drops() == [CameraDrops(cameraID: "CAM-ST-001", category: "09005", count: 1)])
        // The weak detection is not a report of the case.
        #expect(try await f.store.find(id: results[0].value!.record!.id)?.tally.total == 2)
    }

    /// The notice's secret, from the message waiting in the outbox.
    func noticeToken(_ f: IntakeFixture, _ caseID: Int64) async throws -> String {
        let message = try #require(try await f.store.outbox(caseID: caseID, limit: 10).first)
        #expect(message.kind == "merchant.notice" && message.recipient == "merchant:M-001")
        let notice = try JSONDecoder().decode(MerchantNotice.self, from: Data(message.payload.utf8))
        #expect(notice.phone == "13900001111" && notice.scenario == "出店经营")
        return String(try #require(notice.confirmPath.split(separator: "/").dropLast().last))
    }
}
