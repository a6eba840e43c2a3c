import ArgumentParser
import Foundation
import GongzhiClassifier
import GongzhiCore
import GongzhiStore

/// `gongzhi classifier eval|suggest`: the hotline classifier, measured and tried by hand.
struct ClassifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier", abstract: "The hotline text classifier: measure it, or try a text.",
        subcommands: [Eval.self, Suggest.self])

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train on four fifths of the shipped calls and measure on the rest: top-1/top-3 accuracy, confusion by major class.")

        @Option(help: "Intake rules file whose auto_classify_min_confidence is reported (default: the bundled rules).")
        var intakeRules: String?

        func run() async throws {
            let reference = try ReferenceData.bundled()
            let rules = try ReferenceData.intakeRules(path: intakeRules, categories: reference.categories)
            let corpus = try HotlineCorpus.bundled(categories: reference.categories, keywords: try ReferenceData.bundledKeywords())
            let e = ClassifierEvaluation.run(corpus: corpus, threshold: rules.autoClassifyMinConfidence)
            var majors: [String: String] = [:]
            for c in reference.categories.all where c.kind != .component { majors[c.majorCode] = c.majorName }
            print(e.report(majorNames: majors))
        }
    }

    struct Suggest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The three likeliest categories for a text.")

        @Argument(help: "The complaint's text (Chinese).")
        var text: String

        func run() async throws {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw CommandFailure("the text is empty") }
            let reference = try ReferenceData.bundled()
            let classifier = try HotlineClassifier.bundled(categories: reference.categories, keywords: try ReferenceData.bundledKeywords())
            let guesses = classifier.suggest(text, limit: 3)
            if guesses.isEmpty { throw CommandFailure("no character of the text is known to the classifier") }
            for g in guesses {
                let percent = String(format: "%5.1f%%", g.confidence * 100)
                print("\(g.code)  \(percent)  \(reference.categories.reportable(g.code)?.name ?? "?")")
            }
        }
    }
}
