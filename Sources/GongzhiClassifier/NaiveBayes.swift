import Foundation
import GongzhiCore

/// One labelled text: what the classifier learns from and is measured on.
public struct LabelledText: Sendable, Hashable {
    public var code: String
    public var text: String

    public init(code: String, text: String) {
        self.code = code
        self.text = text
    }
}

/// Multinomial naive Bayes over character 1–3-grams, with uniform priors: the baseline that
/// `gongzhi classifier eval` measures the hotline classifier (`SoftmaxRegression`) against.
///
/// It trains by counting and needs no tuning, which makes it the usual first model for short
/// texts; on the shipped calls it is far less accurate than regression (see `SoftmaxRegression`).
/// Priors are uniform because the corpus's proportions are the project's choice, not the
/// hotline's.
public struct NaiveBayes: Sendable {
    /// The category codes, by class index.
    public let classes: [String]
    /// n-gram key → index into `postings`.
    let vocabulary: [UInt64: Int32]
    /// Per n-gram, the classes that saw it with log((count + α) / α): the only terms that differ
    /// from an unseen n-gram's, so scoring walks these short lists instead of every class.
    let postings: [[(Int32, Float)]]
    /// Per class, log(total n-grams + α·|V|).
    let logDenominator: [Double]
    public let sharpness: Double
    /// Laplace/Lidstone smoothing.
    public let alpha: Double

    public init(training: [LabelledText], alpha: Double = 0.01, sharpness: Double = 10) {
        var classIndex: [String: Int] = [:], classes: [String] = []
        var perClass: [[UInt64: Int]] = [], totals: [Int] = []
        for item in training {
            let c: Int
            if let i = classIndex[item.code] { c = i } else {
                c = classes.count
                classIndex[item.code] = c
                classes.append(item.code)
                perClass.append([:]); totals.append(0)
            }
            for (k, n) in CharacterGrams.counts(item.text) {
                perClass[c][k, default: 0] += n
                totals[c] += n
            }
        }
        var vocabulary: [UInt64: Int32] = [:]
        var postings: [[(Int32, Float)]] = []
        for (c, counts) in perClass.enumerated() {
            for (k, n) in counts {
                let f: Int32
                if let i = vocabulary[k] { f = i } else {
                    f = Int32(postings.count)
                    vocabulary[k] = f
                    postings.append([])
                }
                postings[Int(f)].append((Int32(c), Float(log((Double(n) + alpha) / alpha))))
            }
        }
        let v = Double(vocabulary.count)
        self.classes = classes
        self.vocabulary = vocabulary
        self.postings = postings
        self.logDenominator = totals.map { log(Double($0) + alpha * v) }
        self.sharpness = sharpness
        self.alpha = alpha
    }

    /// Per class, the mean log-likelihood per known n-gram (up to a constant shared by all
    /// classes); nil when the text has no n-gram the model knows.
    func scores(_ text: String) -> [Double]? {
        var scores = [Double](repeating: 0, count: classes.count)
        var known = 0
        for (k, n) in CharacterGrams.counts(text) {
            guard let f = vocabulary[k] else { continue }
            known += n
            for (c, w) in postings[Int(f)] { scores[Int(c)] += Double(n) * Double(w) }
        }
        guard known > 0 else { return nil }
        let length = Double(known)
        for c in scores.indices { scores[c] = (scores[c] - length * logDenominator[c]) / length }
        return scores
    }

    /// Every class's probability: a softmax of the per-n-gram log-likelihood scaled by
    /// `sharpness` (the raw posteriors of naive Bayes are nearly always 0 or 1).
    func probabilities(_ text: String) -> [Double]? {
        guard let s = scores(text) else { return nil }
        let top = s.max() ?? 0
        let e = s.map { exp(($0 - top) * sharpness) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

extension NaiveBayes {
    /// The `limit` most likely classes, most likely first, confidences to four places.
    public func suggest(_ text: String, limit: Int) -> [CategoryGuess] {
        guard limit > 0, let p = probabilities(text) else { return [] }
        return p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && classes[$0] < classes[$1]) }.prefix(limit).map {
            CategoryGuess(code: classes[$0], confidence: (p[$0] * 10_000).rounded() / 10_000)
        }
    }
}
