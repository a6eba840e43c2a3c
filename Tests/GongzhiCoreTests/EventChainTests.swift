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

    @Test func replayRebuildsTheRecord() {
        for status in CaseStatus.allCases {
            let (record, events) = Fixtures.caseIn(status)
            #expect(CaseMachine.replay(events) == record, "\(status)")
        }
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
