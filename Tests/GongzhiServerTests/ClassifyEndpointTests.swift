import Foundation
import GongzhiClassifier
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing

/// The shipped classifier, trained once for the suites that need it (about two seconds).
enum TrainedClassifier {
    static let shared: HotlineClassifier = {
        let reference = try! ReferenceData.bundled()
        return try! HotlineClassifier.bundled(categories: reference.categories, keywords: try! ReferenceData.bundledKeywords())
    }()
}

@Suite struct ClassifyEndpointTests {
    @Test func suggestsThreeCategoriesForAHotlineCall() async throws {
        let f = try await ServerFixture(classifier: TrainedClassifier.shared)
        let merchant = try await f.key(.merchant, "330105")
        try await f.test { client in
            let r = try await client.post("/api/v1/classify", #"{"text":"喂你好，我们小区门口那盏路灯已经好几天晚上都不亮了，黑乎乎的走路很不安全"}"#)
            #expect(r.status == .ok)
            let s = try #require(r["suggestions"] as? [[String: Any]])
            #expect(s.count == 3)
            #expect(s.first?["code"] as? String == "01037")
            #expect(s.first?["name"] as? String == "路灯异常")
            let confidences = s.compactMap { $0["confidence"] as? Double }
            #expect(confidences == confidences.sorted(by: >) && confidences.allSatisfy { (0...1).contains($0) })
            #expect(r["auto_min_confidence"] as? Double == IntakeRules.none.autoClassifyMinConfidence)
            #expect((r["model"] as? String)?.hasPrefix("lr-char12/") == true)
            // Nothing known: an empty list, not an error.
            #expect((try await client.post("/api/v1/classify", #"{"text":"xyzzy"}"#)["suggestions"] as? [Any])?.isEmpty == true)
            // Bad input names the field; nothing else is touched.
            #expect(try await client.post("/api/v1/classify", #"{"text":"   "}"#).errorField == "text")
            #expect(try await client.post("/api/v1/classify", "{}").errorField == "text")
            #expect(try await client.post("/api/v1/classify", #"{"text":42}"#).status == .badRequest)
            #expect(try await client.post("/api/v1/classify", "{not json").status == .badRequest)
            let long = String(repeating: "井", count: 4_001)
            let tooLong = try await client.post("/api/v1/classify", #"{"text":"\#(long)"}"#)
            #expect(tooLong.status == .unprocessableContent && tooLong.errorCode == "too_long")
            #expect(try await client.as(nil).post("/api/v1/classify", #"{"text":"井盖"}"#).status == .unauthorized)
            #expect(try await client.as(merchant).post("/api/v1/classify", #"{"text":"井盖"}"#).status == .forbidden)
        }
    }

    @Test func withoutAClassifierTheRouteSaysSo() async throws {
        try await ServerFixture().test { client in
            let r = try await client.post("/api/v1/classify", #"{"text":"井盖没了"}"#)
            #expect(r.status == .serviceUnavailable && r.errorCode == "no_classifier")
        }
    }

    /// Pasting a hotline complaint as a new user would: it lands classified, in the right unit's
    /// queue once registered, and the case shows the classifier's verdict and suggestions.
    @Test(arguments: Backend.all) func aHotlineCallIsClassifiedInIntake(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true, classifier: TrainedClassifier.shared)
        try await f.test { client in
            let text = "你好，我要反映湖墅南路和大关路口那个下水道井盖没了，一个大洞，晚上骑电瓶车很危险，麻烦尽快处理"
            let call = #"{"source":"hotline","description":"\#(text)","location":{"lat":30.3192,"lon":120.1414}}"#
            let r = try await client.post("/api/v1/reports", call)
            #expect(r.status == .created)
            let c = try #require(r["classification"] as? [String: Any])
            let suggestions = try #require(c["suggestions"] as? [[String: Any]])
            #expect(suggestions.count == 3)
            #expect(suggestions.contains { $0["code"] as? String == "01002" })
            if c["automatic"] as? Bool == true {
                #expect((r["category"] as? [String: Any])?["code"] as? String == suggestions[0]["code"] as? String)
            } else {
                #expect(r["category"] == nil)
            }
            let id = try #require(r["id"] as? Int)
            // The dispatcher confirms the category when registering.
            let reg = try await client.post("/api/v1/cases/\(id)/register", #"{"category":"01002"}"#)
            #expect(reg.status == .ok)
            #expect((reg["category"] as? [String: Any])?["code"] as? String == "01002")
            let history = try #require(reg["history"] as? [[String: Any]])
            #expect((history.first?["classification"] as? [String: Any])?["model"] as? String == TrainedClassifier.shared.modelID)
            let bad = try await client.post("/api/v1/cases/\(id)/comment", #"{"note":"x","category":"01003"}"#)
            #expect(bad.status == .unprocessableContent && bad.errorField == "category")
        }
    }
}

@Suite struct ImportEndpointTests {
    @Test(arguments: Backend.all) func aDispatcherUploadsASpreadsheet(backend: Backend) async throws {
        let f = try await ServerFixture(backend, classifier: TrainedClassifier.shared)
        let handler = try await f.key(.handler, "330105003")
        try await f.test { client in
            let csv = "工单编号,诉求内容,纬度,经度\nB-1,大关路上有个大坑电瓶车差点摔了,30.3192,120.1414\nB-2,井盖没了,30.25,120.15\n"
            func upload(_ uri: String, _ body: String, as key: String? = nil) async throws -> JSONResponse {
                try await client.as(key ?? f.adminKey).call(.post, uri, body: body, headers: [.contentType: "text/csv"])
            }
            let r = try await upload("/api/v1/imports?source=hotline", csv)
            #expect(r.status == .ok)
            #expect(r["rows"] as? Int == 2 && r["opened"] as? Int == 1 && r["refused"] as? Int == 1 && r["encoding"] as? String == "utf-8")
            let errors = try #require(r["errors"] as? [[String: Any]])
            #expect(errors.first?["row"] as? Int == 3 && errors.first?["field"] as? String == "location")
            #expect((try await upload("/api/v1/imports", csv))["repeated"] as? Int == 1)
            #expect(try await upload("/api/v1/imports", csv, as: handler).status == .forbidden)
            #expect(try await upload("/api/v1/imports?source=fax", csv).errorField == "source")
            #expect(try await upload("/api/v1/imports?encoding=latin1", csv).errorField == "encoding")
            #expect(try await upload("/api/v1/imports?mapping=nope", csv).status == .badRequest)
            let noColumn = try await upload("/api/v1/imports", "地址\n大关路\n")
            #expect(noColumn.status == .unprocessableContent && noColumn.errorCode == "unreadable_file")
            #expect(try await f.db.count("SELECT COUNT(*) FROM cases") == 1)
        }
    }
}
