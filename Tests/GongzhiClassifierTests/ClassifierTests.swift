import Foundation
@testable import GongzhiClassifier
import GongzhiCore
import GongzhiStore
import Testing

@Suite struct CharacterGramsTests {
    @Test func foldsWidthCaseAndDigitsAndBreaksAtPunctuation() {
        // Full-width letters and digits fold; digits become 0; punctuation and spaces break runs.
        let runs = CharacterGrams.runs("ＡＢ１２号楼，井盖 没了！3单元")
        let text = runs.map { String(String.UnicodeScalarView($0.compactMap(Unicode.Scalar.init))) }
        #expect(text == ["ab00号楼", "井盖", "没了", "0单元"])
        #expect(CharacterGrams.runs("").isEmpty)
        #expect(CharacterGrams.runs("，。！？\n\t\u{0}").isEmpty)
    }

    @Test func countsUniBiAndTrigramsWithinRuns() {
        let c = CharacterGrams.counts("井盖井盖", upTo: 3)
        #expect(c[CharacterGrams.key(0x4E95)] == 2)                       // 井
        #expect(c[CharacterGrams.key(0x4E95, 0x76D6)] == 2)               // 井盖
        #expect(c[CharacterGrams.key(0x76D6, 0x4E95)] == 1)               // 盖井
        #expect(c[CharacterGrams.key(0x4E95, 0x76D6, 0x4E95)] == 1)       // 井盖井
        #expect(CharacterGrams.counts("井，盖", upTo: 2)[CharacterGrams.key(0x4E95, 0x76D6)] == nil)
        #expect(CharacterGrams.counts("井盖井", upTo: 1).count == 2)
    }
}

@Suite struct SoftmaxRegressionTests {
    static let tiny = [
        LabelledText(code: "A", text: "下水道井盖没了"), LabelledText(code: "A", text: "井盖破了很危险"), LabelledText(code: "A", text: "路口窨井盖缺失"),
        LabelledText(code: "B", text: "晚上路灯不亮"), LabelledText(code: "B", text: "路灯坏了一片漆黑"), LabelledText(code: "B", text: "小区门口路灯不亮"),
    ]

    @Test func learnsTheTinyCorpusAndIsDeterministic() {
        let m = SoftmaxRegression(training: Self.tiny)
        #expect(m.suggest("这边井盖没有了", limit: 1).first?.code == "A")
        #expect(m.suggest("路灯一直不亮", limit: 1).first?.code == "B")
        let again = SoftmaxRegression(training: Self.tiny)
        #expect(again.suggest("井盖", limit: 2) == m.suggest("井盖", limit: 2))
    }

    @Test func unknownOrEmptyTextHasNoSuggestionAndConfidencesAreProbabilities() {
        let m = SoftmaxRegression(training: Self.tiny)
        #expect(m.suggest("", limit: 3).isEmpty)
        #expect(m.suggest("xyz", limit: 3).isEmpty)
        #expect(m.suggest("井盖", limit: 0).isEmpty)
        let g = m.suggest("井盖路灯", limit: 5)
        #expect(g.count == 2)
        #expect(g.allSatisfy { (0...1).contains($0.confidence) })
        #expect(abs(g.map(\.confidence).reduce(0, +) - 1) < 0.001)
        #expect(g[0].confidence >= g[1].confidence)
    }

    @Test func aHugeTextIsClassifiedWithoutTrouble() {
        let m = SoftmaxRegression(training: Self.tiny)
        let huge = String(repeating: "下水道井盖没了，", count: 500)
        #expect(m.suggest(huge, limit: 1).first?.code == "A")
    }
}

@Suite struct HotlineCorpusTests {
    static let reference = try! ReferenceData.bundled()

    @Test func aBadRowNamesItsFileAndLine() {
        #expect(throws: ReferenceError.self) {
            _ = try HotlineCorpus.parse(csv: "code,text\n01002,井盖没了\n99999,不存在的类别\n", name: "x.csv", categories: Self.reference.categories)
        }
        do {
            _ = try HotlineCorpus.parse(csv: "code,text\n01002,\n", name: "y.csv", categories: Self.reference.categories)
            Issue.record("an empty text must be refused")
        } catch {
            #expect("\(error)".contains("y.csv row 2"))
        }
    }

    @Test func theShippedCorpusCoversEveryCategoryAndSplitsStably() throws {
        let corpus = try HotlineCorpus.bundled(categories: Self.reference.categories, keywords: try ReferenceData.bundledKeywords())
        let codes = Set(corpus.calls.map(\.code))
        let reportable = Self.reference.categories.all.filter { $0.kind != .component }.map(\.code)
        #expect(reportable.allSatisfy(codes.contains), "categories without calls: \(reportable.filter { !codes.contains($0) })")
        #expect(Set(corpus.calls.map(\.text)).count == corpus.calls.count, "a call appears twice")
        let a = corpus.split(), b = HotlineCorpus(calls: corpus.calls.reversed(), lexicon: corpus.lexicon).split()
        #expect(a.heldOut.count == b.heldOut.count && Set(a.heldOut.map(\.text)) == Set(b.heldOut.map(\.text)))
        #expect(a.heldOut.count * 4 <= a.train.count + 20 && a.heldOut.count > corpus.calls.count / 8)
    }

    /// The figure the issue asks for, printed in the test output, with a floor: a model that
    /// stopped learning (or a corpus that lost its calls) fails here.
    @Test func heldOutAccuracyStaysAboveTheFloor() throws {
        let corpus = try HotlineCorpus.bundled(categories: Self.reference.categories, keywords: try ReferenceData.bundledKeywords())
        let e = ClassifierEvaluation.run(corpus: corpus, threshold: IntakeRules.defaultAutoClassify)
        var majors: [String: String] = [:]
        for c in Self.reference.categories.all { majors[c.majorCode] = c.majorName }
        print(e.report(majorNames: majors))
        #expect(e.heldOutCount >= 250)
        #expect(e.top1 >= 0.62, "top-1 \(e.top1)")
        #expect(e.top3 >= 0.85, "top-3 \(e.top3)")
        #expect(e.top1 > e.baselineTop1 + 0.2, "regression must beat naive Bayes clearly")
        // Calibrated: what is taken automatically is mostly right.
        #expect(e.autoAccuracy >= 0.8 && e.autoShare >= 0.3, "auto \(e.autoShare) at \(e.autoAccuracy)")
    }
}
