import Foundation
import GongzhiCore

/// The classifier intake and `POST /api/v1/classify` use: logistic regression trained on the
/// hotline corpus at start, its confidence calibrated on calls it did not see.
public struct HotlineClassifier: TextClassifier {
    public let model: SoftmaxRegression
    public let modelID: String

    public init(model: SoftmaxRegression, fingerprint: String) {
        self.model = model
        self.modelID = "lr-char12/\(fingerprint)/t\(String(format: "%.2f", model.sharpness))"
    }

    /// Trains on `calls` plus the lexicon, choosing the confidence's sharpness on a fifth of the
    /// calls first held back, then training again on everything with it.
    public static func train(calls: [LabelledText], lexicon: [LabelledText], fingerprint: String) -> HotlineClassifier {
        let inner = HotlineCorpus(calls: calls, lexicon: lexicon).split()
        let probe = SoftmaxRegression(training: inner.train + lexicon)
        var model = SoftmaxRegression(training: calls + lexicon)
        model.sharpness = probe.fitSharpness(on: inner.heldOut)
        return HotlineClassifier(model: model, fingerprint: fingerprint)
    }

    /// The shipped model: every call and the lexicon.
    public static func bundled(categories: CategoryDirectory, keywords: [String: [String]]) throws -> HotlineClassifier {
        let corpus = try HotlineCorpus.bundled(categories: categories, keywords: keywords)
        return train(calls: corpus.calls, lexicon: corpus.lexicon, fingerprint: corpus.fingerprint)
    }

    public func suggest(_ text: String, limit: Int) -> [CategoryGuess] { model.suggest(text, limit: limit) }
}
