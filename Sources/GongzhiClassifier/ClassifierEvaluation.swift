import Foundation
import GongzhiCore

/// How well the hotline classifier does on calls it did not see: trained on four fifths of the
/// corpus (the split is `HotlineCorpus.split`), measured on the rest.
public struct ClassifierEvaluation: Sendable {
    public var trainCount = 0
    public var heldOutCount = 0
    public var categories = 0
    public var vocabulary = 0
    public var top1 = 0.0
    public var top3 = 0.0
    /// The first suggestion is in the right major class (the unit usually follows from it).
    public var majorTop1 = 0.0
    /// At the intake's threshold: the share of held-out calls classified automatically, and how
    /// many of those were right.
    public var threshold = 0.0
    public var autoShare = 0.0
    public var autoAccuracy = 0.0
    /// True major class → predicted major class → calls.
    public var majorConfusion: [String: [String: Int]] = [:]
    public var microsecondsPerText = 0.0
    public var trainingMilliseconds = 0.0
    /// The baseline on the same split: naive Bayes over character 1–3-grams.
    public var baselineTop1 = 0.0
    public var baselineTop3 = 0.0

    public static func run(corpus: HotlineCorpus, threshold: Double) -> ClassifierEvaluation {
        var e = ClassifierEvaluation()
        let (train, heldOut) = corpus.split()
        let clock = ContinuousClock()
        let t0 = clock.now
        let classifier = HotlineClassifier.train(calls: train, lexicon: corpus.lexicon, fingerprint: "eval")
        e.trainingMilliseconds = Self.millis(clock.now - t0)
        e.trainCount = train.count
        e.heldOutCount = heldOut.count
        e.categories = Set(corpus.calls.map(\.code)).count
        e.vocabulary = classifier.model.vocabularySize
        e.threshold = threshold
        var hit1 = 0, hit3 = 0, major = 0, auto = 0, autoRight = 0
        let t1 = clock.now
        let guesses = heldOut.map { classifier.suggest($0.text, limit: 3) }
        e.microsecondsPerText = heldOut.isEmpty ? 0 : Self.millis(clock.now - t1) * 1_000 / Double(heldOut.count)
        let baseline = NaiveBayes(training: train + corpus.lexicon)
        let baseGuesses = heldOut.map { baseline.suggest($0.text, limit: 3) }
        let n = Double(max(heldOut.count, 1))
        e.baselineTop1 = Double(zip(heldOut, baseGuesses).filter { $1.first?.code == $0.code }.count) / n
        e.baselineTop3 = Double(zip(heldOut, baseGuesses).filter { t, g in g.contains { $0.code == t.code } }.count) / n
        for (t, g) in zip(heldOut, guesses) {
            let first = g.first?.code ?? "-"
            if first == t.code { hit1 += 1 }
            if g.contains(where: { $0.code == t.code }) { hit3 += 1 }
            if first.prefix(2) == t.code.prefix(2) { major += 1 }
            if let c = g.first?.confidence, c >= threshold {
                auto += 1
                if first == t.code { autoRight += 1 }
            }
            e.majorConfusion[String(t.code.prefix(2)), default: [:]][String(first.prefix(2)), default: 0] += 1
        }
        e.top1 = Double(hit1) / n
        e.top3 = Double(hit3) / n
        e.majorTop1 = Double(major) / n
        e.autoShare = Double(auto) / n
        e.autoAccuracy = auto == 0 ? 0 : Double(autoRight) / Double(auto)
        return e
    }

    static func millis(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1_000 + Double(d.components.attoseconds) / 1e15
    }

    /// The report `gongzhi classifier eval` prints.
    public func report(majorNames: [String: String]) -> String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        var lines = [
            "hotline classifier: logistic regression over TF-IDF character 1–2-grams, calibrated confidence",
            "corpus: \(trainCount) calls to train, \(heldOutCount) held out (every fifth per category), \(categories) categories, "
                + "\(vocabulary) n-grams",
            "top-1 accuracy: \(pct(top1))   top-3 accuracy: \(pct(top3))   right major class: \(pct(majorTop1))",
            "baseline (naive Bayes, character 1–3-grams, same split): top-1 \(pct(baselineTop1)), top-3 \(pct(baselineTop3))",
            "automatic at confidence ≥ \(String(format: "%.2f", threshold)): \(pct(autoShare)) of calls, \(pct(autoAccuracy)) of those right",
            "time: training \(String(format: "%.0f", trainingMilliseconds)) ms, "
                + "classification \(String(format: "%.0f", microsecondsPerText)) µs per text",
            "",
            "confusion by major class (held-out calls; rows: true class, columns: first suggestion's class):",
        ]
        let majors = majorConfusion.keys.sorted()
        let columns = Set(majorConfusion.values.flatMap(\.keys)).union(majors).sorted()
        lines.append("      " + columns.map { $0.padding(toLength: 5, withPad: " ", startingAt: 0) }.joined() + " right  class")
        for m in majors {
            let row = majorConfusion[m] ?? [:]
            let total = row.values.reduce(0, +)
            let cells = columns.map { c in (row[c].map(String.init) ?? ".").padding(toLength: 5, withPad: " ", startingAt: 0) }
            let right = total == 0 ? "-" : pct(Double(row[m] ?? 0) / Double(total))
            lines.append("  \(m)  " + cells.joined() + " \(right.padding(toLength: 6, withPad: " ", startingAt: 0)) \(majorNames[m] ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}
