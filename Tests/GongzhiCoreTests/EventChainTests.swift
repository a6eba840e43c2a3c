import Foundation
@testable import GongzhiCore
import Testing

@Suite struct EventChainTests {
    @Test func eachEventChainsToTheOneBefore() {
        let (record, events) = Fixtures.caseIn(.closed)
        #expect(events.first?.prevHash == EventChain.genesis)
        for (a, b) in zip(events, events.dropFirst()) { #expect(b.prevHash == a.hash) }
        #expect(record.lastHash == events.last?.hash)
        #expect(Set(events.map(\.hash)).count == events.count)
    }

    /// Replaying a history gives the case as the design's table says it must be, field by field
    /// (the fixture steps one hour apart from t0; 06010 has a 48-hour deadline, warning at 80 %).
    @Test func replayRebuildsTheRecord() throws {
        let hour: TimeInterval = 3600
        let expectations: [(CaseStatus, unit: String?, events: Int, due: TimeInterval?, closed: TimeInterval?)] = [
            (.reported, nil, 1, nil, nil), (.registered, nil, 2, nil, nil), (.rejected, nil, 2, nil, nil),
            (.dispatched, "C1", 3, 50, nil), (.handled, "C1", 4, 50, nil), (.verified, "C1", 5, 50, nil), (.closed, "C1", 6, 50, 5),
        ]
        for (status, unit, count, due, closed) in expectations {
            let (_, events) = Fixtures.caseIn(status)
            let r = try #require(CaseMachine.replay(events))
            #expect(r.status == status && r.unit == unit && r.eventCount == count, "\(status)")
            #expect(r.dueAt == due.map { Fixtures.t0.addingTimeInterval($0 * hour) }, "\(status)")
            #expect(r.warnAt == due.map { _ in Fixtures.t0.addingTimeInterval(2 * hour + 0.8 * 48 * hour) }, "\(status)")
            #expect(r.closedAt == closed.map { Fixtures.t0.addingTimeInterval($0 * hour) }, "\(status)")
            #expect(r.updatedAt == Fixtures.t0.addingTimeInterval(Double(count - 1) * hour), "\(status)")
            #expect(r.lastHash == events.last?.hash && r.trackingCode == "GS-TEST-0000-0001" && r.category == "06010", "\(status)")
            #expect(r.reworkCount + r.returnCount + r.escalationCount + r.supervisionCount + r.reopenCount == 0 && !r.disputed)
        }
        #expect(CaseMachine.replay([]) == nil)
        #expect(CaseMachine.replay(Array(Fixtures.caseIn(.closed).1.dropFirst())) == nil)  // no opening report
    }

    /// Fixed vectors, hashed by hand (Python's hashlib over the canonical text written out
    /// below), so a change to the canonical encoding fails here before it breaks `verify` on
    /// every existing database.
    @Test func goldenChain() {
        let report = Report(source: .hotline, category: "06010", description: "市民来电：小区门口垃圾堆积\n已持续两天",
                            location: GeoPoint(lat: 30.3192, lon: 120.1414), reporter: Reporter(name: "王芳", phone: "13812345678"))
        let opening = EventChain.canonicalJSON(EventPayload(report: report, trackingCode: "GS-7KQ2-M9XH-4TRA"))
        #expect(opening == #"{"report":{"category":"06010","description":"市民来电：小区门口垃圾堆积\n已持续两天","location":{"lat":30.3192,"lon":120.1414},"#
                + #""media_urls":[],"reporter":{"name":"王芳","phone":"13812345678"},"source":"hotline"},"tracking_code":"GS-7KQ2-M9XH-4TRA"}"#)
        let dispatch = EventChain.canonicalJSON(EventPayload(unit: "330105003", note: "派遣至小河街道", dueAt: 1_795_512_600_000,
                                                             warnAt: 1_795_492_083_135, ruleID: "environment"))
        #expect(dispatch == #"{"due_at":1795512600000,"note":"派遣至小河街道","rule_id":"environment","unit":"330105003","warn_at":1795492083135}"#)
        let h0 = "d691c677c03c976e5cb81211773476a1d49a38785f4f0d80ea78f32d12ebd3d4"
        let h1 = "ddb2401dd029a4baf3f5a0a795d3ad5518f6f2ab62ecf593329a37e64630537d"
        let h2 = "3b0ca309bca03ec04bb8a4bc838b0df32bfa128a26fdc3b925ad31d81bf3ad0e"
        #expect(EventChain.digest(caseID: 7, seq: 0, action: "report", actorID: "key:abcdefghij", actorUnit: "330105", atMillis: 1_795_140_000_000,
                                  from: nil, to: "reported", payloadJSON: opening, prevHash: EventChain.genesis) == h0)
        #expect(EventChain.digest(caseID: 7, seq: 1, action: "register", actorID: "user:demo-dispatcher", actorUnit: "330105",
                                  atMillis: 1_795_140_060_000, from: "reported", to: "registered", payloadJSON: "{}", prevHash: h0) == h1)
        #expect(EventChain.digest(caseID: 7, seq: 2, action: "dispatch", actorID: "user:demo-dispatcher", actorUnit: "330105",
                                  atMillis: 1_795_140_120_000, from: "registered", to: "dispatched", payloadJSON: dispatch, prevHash: h1) == h2)
        // Sealing produces the same hash from the typed values.
        let sealed = EventChain.seal(EventDraft(action: .report, from: nil, to: .reported, payload: EventPayload(report: report, trackingCode: "GS-7KQ2-M9XH-4TRA")),
                                     caseID: 7, seq: 0, prevHash: EventChain.genesis, actor: Actor(id: "key:abcdefghij", unit: "330105"),
                                     at: Timestamp.date(millis: 1_795_140_000_000))
        #expect(sealed.hash == h0 && sealed.payloadJSON == opening)
    }

    @Test func anyChangedFieldChangesTheHash() {
        let (_, events) = Fixtures.caseIn(.dispatched)
        let e = events[2]
        func digest(_ mutate: (inout (Int64, Int, String, String, String?, Int64, String?, String, String, String)) -> Void) -> String {
            var f = (e.caseID, e.seq, e.action.rawValue, e.actor.id, e.actor.unit, Timestamp.millis(e.at), e.from?.rawValue, e.to.rawValue, e.payloadJSON, e.prevHash)
            mutate(&f)
            return EventChain.digest(caseID: f.0, seq: f.1, action: f.2, actorID: f.3, actorUnit: f.4, atMillis: f.5, from: f.6, to: f.7, payloadJSON: f.8, prevHash: f.9)
        }
        #expect(digest { _ in } == e.hash)
        let mutations: [(inout (Int64, Int, String, String, String?, Int64, String?, String, String, String)) -> Void] = [
            { $0.0 += 1 }, { $0.1 += 1 }, { $0.2 = "close" }, { $0.3 = "user:mallory" }, { $0.4 = "S1" }, { $0.5 += 1 },
            { $0.6 = "reported" }, { $0.7 = "closed" }, { $0.8 = $0.8.replacingOccurrences(of: "C1", with: "S1") }, { $0.9 = EventChain.genesis },
        ]
        for m in mutations { #expect(digest(m) != e.hash) }
    }

    @Test func canonicalPayloadIsStable() throws {
        let p = EventPayload(unit: "S1", reason: "原因 / \"quoted\"\nline", dueAt: 1_795_613_153_123)
        let json = EventChain.canonicalJSON(p)
        #expect(json == #"{"due_at":1795613153123,"reason":"原因 / \"quoted\"\nline","unit":"S1"}"#)
        let decoded = try JSONDecoder().decode(EventPayload.self, from: Data(json.utf8))
        #expect(EventChain.canonicalJSON(decoded) == json)
    }
}
