import Foundation

/// The features of a text: character uni-, bi- and trigrams, no word segmenter. Chinese has no
/// spaces, and a segmenter trained on news splits colloquial complaints badly; character
/// n-grams catch 井盖, 下水道 and 油烟 whatever the words around them.
public enum CharacterGrams {
    /// The text folded for matching: compatibility forms (full-width ＡＢＣ１２３) to their plain
    /// forms, lower case, every digit to 0 (house numbers say nothing about the category), and
    /// anything that is not a letter or digit to a break that no n-gram crosses.
    public static func runs(_ text: String) -> [[UInt32]] {
        var runs: [[UInt32]] = [], run: [UInt32] = []
        for scalar in text.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            let p = scalar.properties
            if p.numericType != nil, scalar.isASCII || p.generalCategory == .decimalNumber {
                run.append(0x30)
            } else if p.isAlphabetic {
                run.append(scalar.value)
            } else if !run.isEmpty {
                runs.append(run)
                run = []
            }
        }
        if !run.isEmpty { runs.append(run) }
        return runs
    }

    /// Each n-gram as one 64-bit key: up to three scalars of 21 bits each, so distinct n-grams
    /// never collide (no scalar is 0 after folding, so a unigram differs from any bigram).
    @inline(__always)
    static func key(_ a: UInt32, _ b: UInt32 = 0, _ c: UInt32 = 0) -> UInt64 {
        UInt64(a) << 42 | UInt64(b) << 21 | UInt64(c)
    }

    /// The n-gram keys of a text (n from 1 to `upTo`, at most 3) with their counts.
    public static func counts(_ text: String, upTo n: Int = 3) -> [UInt64: Int] {
        var counts: [UInt64: Int] = [:]
        for run in runs(text) {
            for i in run.indices {
                counts[key(run[i]), default: 0] += 1
                if n >= 2, i + 1 < run.count { counts[key(run[i], run[i + 1]), default: 0] += 1 }
                if n >= 3, i + 2 < run.count { counts[key(run[i], run[i + 1], run[i + 2]), default: 0] += 1 }
            }
        }
        return counts
    }
}
