import Foundation
import GongzhiCore
@testable import GongzhiIntake
@testable import GongzhiSQL
import GongzhiStore
import GongzhiTestSupport
import Testing

/// A classifier that answers what the test says, so the threshold's two sides are exact.
struct FixedClassifier: TextClassifier {
    var guesses: [CategoryGuess]
    var modelID: String { "fixed-test" }
    func suggest(_ text: String, limit: Int) -> [CategoryGuess] { Array(guesses.prefix(limit)) }
}

/// A hotline call without a category: classified in intake, automatically above the rules'
/// confidence, otherwise left for a dispatcher with the suggestions; either way the history and
/// the case row say so, on both backends, and `verify` agrees.
@Suite struct HotlineClassificationTests {
    static let call = ReportDraft(source: "hotline", description: "你好，湖墅南路那个下水道井盖没了，晚上很危险", location: .init(lat: 30.3192, lon: 120.1414))
    static let sure = [CategoryGuess(code: "01002", confidence: 0.93), CategoryGuess(code: "01003", confidence: 0.04),
                       CategoryGuess(code: "01023", confidence: 0.02)]
    static let unsure = [CategoryGuess(code: "01002", confidence: 0.55), CategoryGuess(code: "01003", confidence: 0.30),
                         CategoryGuess(code: "99999", confidence: 0.10), CategoryGuess(code: "01023", confidence: 0.05)]

    @Test(arguments: Backend.all) func aSureGuessBecomesTheCategoryAndTheHistorySaysSo(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, rules: IntakeRules(autoClassifyMinConfidence: 0.8),
                                        classifier: FixedClassifier(guesses: Self.sure))
        let outcome = try await f.intake.submit(Self.call, actor: .system)
        let id = try #require(outcome.caseID)
        let record = try #require(try await f.store.find(id: id))
        #expect(record.category == "01002")
        #expect(record.report.classification == Classification(suggestions: Self.sure, automatic: true, model: "fixed-test"))
        let opening = try #require(try await f.store.history(of: id).first)
        #expect(opening.payload.report?.classification?.automatic == true)
        #expect(opening.payload.report?.classification?.suggestions.first?.confidence == 0.93)
        #expect(try await f.verify().isIntact)
    }

    @Test(arguments: Backend.all) func anUnsureGuessWaitsWithThreeKnownSuggestions(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, rules: IntakeRules(autoClassifyMinConfidence: 0.8),
                                        classifier: FixedClassifier(guesses: Self.unsure))
        let id = try #require(try await f.intake.submit(Self.call, actor: .system).caseID)
        let record = try #require(try await f.store.find(id: id))
        #expect(record.category == nil && record.status == .reported)
        // An unknown code is dropped; at most three remain.
        #expect(record.report.classification?.suggestions.map(\.code) == ["01002", "01003", "01023"])
        #expect(record.report.classification?.automatic == false)
        // The dispatcher registers it with the category it chooses; routing follows.
        let registered = try await f.store.perform(CaseCommand(.register, category: "01003"), on: id, actor: .system, at: f.clock.now()) { _ in }
        #expect(registered.category == "01003")
        let register = try #require(try await f.store.history(of: id).first { $0.action == .register })
        #expect(register.payload.category == "01003")
        #expect(try await f.verify().isIntact)
    }

    @Test(arguments: Backend.all) func aGivenCategoryIsNeverOverriddenAndNoClassifierLeavesItUnclassified(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, classifier: FixedClassifier(guesses: Self.sure))
        var given = Self.call
        given.category = "06012"
        let aID = try #require(try await f.intake.submit(given, actor: .system).caseID)
        let a = try #require(try await f.store.find(id: aID))
        #expect(a.category == "06012" && a.report.classification == nil)
        let g = try await IntakeFixture(backend)
        let bID = try #require(try await g.intake.submit(Self.call, actor: .system).caseID)
        let b = try #require(try await g.store.find(id: bID))
        #expect(b.category == nil && b.report.classification == nil)
    }

    @Test(arguments: Backend.all) func theCategoryIsSetOnlyWhenRegisteringAndMustExist(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, classifier: FixedClassifier(guesses: Self.unsure))
        let id = try #require(try await f.intake.submit(Self.call, actor: .system).caseID)
        await #expect(throws: CaseError.self) {
            _ = try await f.store.perform(CaseCommand(.register, category: "99999"), on: id, actor: .system, at: f.clock.now()) { _ in }
        }
        await #expect(throws: CaseError.self) {
            _ = try await f.store.perform(CaseCommand(.reject, reason: "重复", category: "01002"), on: id, actor: .system, at: f.clock.now()) { _ in }
        }
        #expect(try await f.store.find(id: id)?.status == .reported)
        #expect(try await f.count("SELECT COUNT(*) FROM case_events WHERE case_id = \(id)") == 1)
    }

    /// Open311's personal fields and attributes survive the row and read back as the history gives.
    @Test(arguments: Backend.all) func extraReportFieldsAreStoredWhole(backend: Backend) async throws {
        let f = try await IntakeFixture(backend)
        var d = Self.call
        d.category = "06028"
        d.reporterEmail = "zhang.san@example.cn"
        d.deviceID = "dev-123456"
        d.accountID = "acct-42"
        d.attributes = [ReportAttribute(code: "source_kind", values: ["shop", "site"]), ReportAttribute(code: "period", values: ["night"])]
        let id = try #require(try await f.intake.submit(d, actor: .system).caseID)
        let r = try #require(try await f.store.find(id: id))
        #expect(r.report.reporter == Reporter(email: "zhang.san@example.cn", deviceID: "dev-123456", accountID: "acct-42"))
        #expect(r.report.attributes?.map(\.code) == ["period", "source_kind"])
        let stored = try #require(try await f.store.reports(of: id, after: nil, limit: 10).first)
        #expect(stored.report.reporter?.email == "zhang.san@example.cn" && stored.report.attributes == r.report.attributes)
        #expect(try await f.verify().isIntact)
        d.reporterEmail = "not-an-address"
        await #expect(throws: IntakeError.self) { try await f.intake.submit(d, actor: .system) }
    }
}
