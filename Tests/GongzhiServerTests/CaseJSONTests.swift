import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The case list and a case are written without JSONEncoder (`JSONWriter`, for speed): the text
/// must be byte for byte what JSONEncoder writes, for every field present or absent and for
/// text that needs escaping.
@Suite struct CaseJSONTests {
    static let awkward = ["引号\"与\\反斜杠/斜杠", "控制\u{01}\u{08}\u{0C}\n\r\t\u{1F}\u{7F}字符", "emoji 🚧 and 𠀀", "", "</script>"]

    @Test func theWrittenTextIsJSONEncodersText() async throws {
        let f = try await ServerFixture()
        var records: [CaseRecord] = []
        for (n, text) in Self.awkward.enumerated() {
            var r = Report(source: n % 2 == 0 ? .resident : .hotline, category: n == 3 ? nil : "06010", description: text + "描述",
                           location: n == 1 ? nil : GeoPoint(lat: n == 0 ? 30 : 30.123456789, lon: 120.15 + Double(n) / 7),
                           address: n == 2 ? nil : text, reporter: n == 4 ? nil : Reporter(name: "王" + text, phone: "13800138000",
                           email: n == 0 ? "a@b.cn" : nil, deviceID: n == 1 ? "dev-1" : nil, accountID: n == 2 ? "acc" : nil),
                           externalID: n == 0 ? nil : "ext-\(text)", mediaURLs: n == 1 ? [] : ["https://example.gov.cn/a/\(n).jpg", text])
            r.area = n == 3 ? nil : AreaPath(district: "330105", street: "330105001", community: n == 0 ? nil : "330105001051", version: 1)
            if n == 3 {
                r.classification = Classification(suggestions: [CategoryGuess(code: "06010", confidence: 0.8125),
                                                                CategoryGuess(code: "99999", confidence: 0.1)], automatic: false, model: text)
            }
            var record = try await f.services.store.create(r, actor: .system, at: ServerFixture.start).record
            if n == 1 {
                record = try await f.services.store.perform(CaseCommand(.register), on: record.id, actor: .system, at: ServerFixture.start)
                // A reason obeys the text rule; the report above, stored without intake's checks, keeps
                // the control characters a database from before the rule may hold.
                let reason = "引号\"与\\反斜杠\n\t\u{2028}原因"
                record = try await f.services.store.perform(CaseCommand(.dispatch, unit: "330105001", reason: reason, deadlineHours: 4),
                                                            on: record.id, actor: .system, at: ServerFixture.start)
            }
            records.append(record)
        }
        let now = ServerFixture.start.addingTimeInterval(86_400)
        for (n, record) in records.enumerated() {
            let history = n % 2 == 0 ? try await f.services.store.history(of: record.id) : nil
            for reveal in [false, true] {
                let dto = CaseDTO(record, services: f.services, now: now, allowed: n == 1 ? [.handle, .comment] : [], history: history,
                                  revealReporter: reveal)
                Self.same(dto, dto, "case \(n)")
            }
        }
        let items = records.map { CaseDTO($0, services: f.services, now: now, allowed: []) }
        for cursor in [nil, "abc/+="] {
            let list = CaseListDTO(items: items, next_cursor: cursor)
            Self.same(list, list, "list")
        }
        #expect(Self.written(CaseListDTO<CaseDTO>(items: [], next_cursor: nil)) == Data(#"{"items":[],"next_cursor":null}"#.utf8))
    }

    @Test func numbersAsJSONEncoderWritesThem() {
        for x in [0.0, -0.0, 1, 120, 30.5, 0.1, 1e-7, 123456789.125, -179.999999, 1e14, 2.5e15] {
            Self.same([x], [x], "\(x)")
        }
        for n in [0, -1, Int.max, Int.min] { #expect(Self.written([n]) == JSONBody.encoded([n])) }
        #expect(Self.written([Double.nan]) == Data("[null]".utf8))
    }

    /// The two texts equal, or both shown where they part.
    static func same(_ value: some JSONWritable, _ encodable: some Encodable, _ label: String) {
        let a = String(decoding: written(value), as: UTF8.self), b = String(decoding: JSONBody.encoded(encodable), as: UTF8.self)
        let at = zip(a, b).prefix { $0 == $1 }.count
        #expect(a == b, "\(label): written …\(a.dropFirst(max(0, at - 30)).prefix(80))… JSONEncoder …\(b.dropFirst(max(0, at - 30)).prefix(80))…")
    }

    static func written(_ value: some JSONWritable) -> Data {
        var text = JSONWriter()
        value.write(json: &text)
        return Data(text.bytes)
    }
}

/// The case list from `CaseItemCache`: the same text as the cases written afresh, for each
/// caller and at each moment, after every kind of change to a case.
@Suite struct CaseItemCacheTests {
    /// The list's text as the server sends it.
    static func listText(_ client: Client, _ query: String = "limit=50") async throws -> String {
        var headers: HTTPFields = [:]
        headers[.authorization] = "Bearer \(client.credential ?? "")"
        return try await client.raw.execute(uri: "/api/v1/cases?\(query)", method: .get, headers: headers, body: nil) {
            String(buffer: $0.body)
        }
    }

    /// The text the list must be: every case read now, written by `CaseDTO` for `principal`.
    static func expected(_ f: ServerFixture, ids: [Int64], principal: Principal, cursor: String? = nil) async throws -> String {
        let now = f.clock.now(), scope = f.services.scope(of: principal)
        var items: [CaseDTO] = []
        for id in ids {
            let r = try #require(try await f.services.store.find(id: id))
            let allowed = AccessPolicy.offeredActions(principal, on: r, scope: scope, at: now, context: f.services.context.current)
            items.append(CaseDTO(r, services: f.services, now: now, allowed: allowed))
        }
        return String(decoding: CaseJSONTests.written(CaseListDTO(items: items, next_cursor: cursor)), as: UTF8.self)
    }

    @Test(arguments: Backend.all) func theCachedListIsTheCasesWrittenAfresh(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        let store = f.services.store, t0 = ServerFixture.start
        var ids: [Int64] = []
        for (n, street) in ["330105001", "330105002", "330105001"].enumerated() {
            var r = Report(source: .gridWorker, category: "06010", description: "暴露垃圾 #\(n) \"引号\"", location: GeoPoint(lat: 30.3192, lon: 120.1414),
                           address: "湖墅南路", reporter: Reporter(name: "王芳", phone: "13812345678"))
            r.area = AreaPath(district: "330105", street: street, version: 1)
            ids.append(try await store.create(r, actor: .system, at: t0.addingTimeInterval(Double(n))).record.id)
        }
        _ = try await store.perform(CaseCommand(.register), on: ids[0], actor: .system, at: t0)
        _ = try await store.perform(CaseCommand(.dispatch, unit: "330105001", deadlineHours: 4), on: ids[0], actor: .system, at: t0)
        let newest = Array(ids.reversed()), caseIDs = ids
        let admin = try #require(try await f.services.accounts.authenticate(key: f.adminKey, at: t0))
        let streetKey = try await f.key(.handler, "330105001")
        let street = try #require(try await f.services.accounts.authenticate(key: streetKey, at: t0))
        try await f.test { client in
            #expect(try await Self.listText(client) == (try await Self.expected(f, ids: newest, principal: admin)))
            #expect(f.services.caseItems.count == 3)
            // Held now: the same text again, and a second page through the cursor.
            #expect(try await Self.listText(client) == (try await Self.expected(f, ids: newest, principal: admin)))
            let first = try await client.get("/api/v1/cases?limit=2")
            let cursor = try #require(first["next_cursor"] as? String)
            #expect(try await Self.listText(client, "limit=2&cursor=\(cursor)") == (try await Self.expected(f, ids: [caseIDs[0]], principal: admin)))
            // The time alone makes the dispatched case overdue, and its actions change with it.
            f.clock.advance(by: 5 * 3_600)
            let late = try await Self.listText(client), lateExpected = try await Self.expected(f, ids: newest, principal: admin)
            #expect(late.contains(#""overdue":true"#) && late == lateExpected)
            // An event changes the case; a tally counted on the row without an event changes it too.
            _ = try await store.perform(CaseCommand(.handle, note: "已清理"), on: caseIDs[0], actor: .system, at: f.clock.now())
            let tally = ReportTally(json: #"{"camera":7,"grid_worker":1}"#, lastAt: f.clock.now())!
            try await f.db.execute("UPDATE cases SET report_sources = ?, last_report_at = ? WHERE id = ?",
                                   [.text(tally.json), .int(Timestamp.millis(f.clock.now())), .int(caseIDs[2])])
            let changed = try await Self.listText(client)
            #expect(changed.contains(#""status":"handled""#) && changed.contains(#""camera":7"#))
            #expect(changed == (try await Self.expected(f, ids: newest, principal: admin)))
            // A street's handler, after the admin filled the cache: its own street's cases, its own actions.
            let mine = try await Self.listText(client.as(streetKey))
            #expect(mine == (try await Self.expected(f, ids: [caseIDs[2], caseIDs[0]], principal: street)))
            #expect(!mine.contains("#1 "))
        }
    }

    @Test func generationsHoldTwiceTheCapacityAtMost() async throws {
        let f = try await ServerFixture()
        let cache = CaseItemCache(capacity: 4)
        let record = try await f.services.store.create(StoreReport.sample, actor: .system, at: ServerFixture.start).record
        let revision = CaseRevision(eventCount: record.eventCount, tally: record.tally.json, lastReportAt: nil)
        for id in Int64(1)...20 {
            var r = record
            r.id = id
            cache.store([CaseItemCache.item(r, revision: revision, services: f.services)])
        }
        #expect(cache.count <= 8 && cache.count >= 4)
        let version = f.services.atlas.current.version
        #expect(cache.items([(20, revision)], atlasVersion: version).count == 1)
        #expect(cache.items([(1, revision)], atlasVersion: version).isEmpty)
        // Another revision, or other area layers, is a miss.
        let later = CaseRevision(eventCount: record.eventCount + 1, tally: record.tally.json, lastReportAt: nil)
        #expect(cache.items([(20, later)], atlasVersion: version).isEmpty)
        #expect(cache.items([(20, revision)], atlasVersion: version + 1).isEmpty)
    }
}

private enum StoreReport {
    static let sample = Report(source: .resident, category: "06010", description: "样例", location: GeoPoint(lat: 30.3192, lon: 120.1414))
}
