import Foundation
import GongzhiCore

/// The labelled texts the hotline classifier learns from, shipped with the project: colloquial
/// calls written for it (`Resources/hotline/*.csv`, `code,text`), plus each category's name and
/// the project's everyday keywords for it (the reference data's `category_keywords.json`).
public struct HotlineCorpus: Sendable {
    /// The written calls.
    public var calls: [LabelledText]
    /// Names and keywords: short, so they teach the vocabulary without being mistaken for calls;
    /// never held out, since they are not what the hotline hands over.
    public var lexicon: [LabelledText]

    public init(calls: [LabelledText], lexicon: [LabelledText]) {
        self.calls = calls
        self.lexicon = lexicon
    }

    /// Loads the bundled calls; every code must be a reportable category of `categories`.
    public static func bundled(categories: CategoryDirectory, keywords: [String: [String]]) throws -> HotlineCorpus {
        guard let folder = Bundle.module.url(forResource: "hotline", withExtension: nil) else {
            throw ReferenceError("the hotline corpus is missing from the bundle")
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "csv" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        var calls: [LabelledText] = []
        for file in files {
            calls += try parse(csv: String(contentsOf: file, encoding: .utf8), name: file.lastPathComponent, categories: categories)
        }
        return try HotlineCorpus(calls: calls, lexicon: lexicon(categories: categories, keywords: keywords))
    }

    /// Rows of `code,text`; a wrong code or an empty text names its file and line.
    public static func parse(csv: String, name: String, categories: CategoryDirectory) throws -> [LabelledText] {
        var out: [LabelledText] = []
        for (i, record) in try CSV.records(csv).enumerated() {
            guard let code = record["code"], let text = record["text"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                throw ReferenceError("\(name) row \(i + 2): needs code and text")
            }
            guard categories.reportable(code) != nil else { throw ReferenceError("\(name) row \(i + 2): '\(code)' is not a category") }
            out.append(LabelledText(code: code, text: text))
        }
        return out
    }

    /// One short text per category name (without the standard's trailing 异常) and per keyword.
    static func lexicon(categories: CategoryDirectory, keywords: [String: [String]]) throws -> [LabelledText] {
        var out: [LabelledText] = []
        for c in categories.all where c.kind != .component {
            out.append(LabelledText(code: c.code, text: c.name.hasSuffix("异常") ? String(c.name.dropLast(2)) : c.name))
        }
        for (code, words) in keywords.sorted(by: { $0.key < $1.key }) {
            guard categories.reportable(code) != nil else { throw ReferenceError("category_keywords.json: '\(code)' is not a category") }
            out += words.map { LabelledText(code: code, text: $0) }
        }
        return out
    }

    /// The calls split for measurement: per category, ordered by a hash of the text (stable
    /// across runs and machines, independent of file order), every fifth held out. Categories
    /// with fewer than five calls stay whole in training.
    public func split() -> (train: [LabelledText], heldOut: [LabelledText]) {
        var byCode: [String: [LabelledText]] = [:]
        for t in calls { byCode[t.code, default: []].append(t) }
        var train: [LabelledText] = [], heldOut: [LabelledText] = []
        for code in byCode.keys.sorted() {
            let items = byCode[code]!.sorted { Self.fnv1a($0.text) < Self.fnv1a($1.text) }
            for (i, t) in items.enumerated() {
                if i % 5 == 4 { heldOut.append(t) } else { train.append(t) }
            }
        }
        return (train, heldOut)
    }

    /// A fingerprint of the whole corpus, recorded with every automatic classification.
    public var fingerprint: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for t in calls + lexicon { h = Self.fnv1a(t.code + "\u{1F}" + t.text + "\u{1E}", seed: h) }
        return String(h, radix: 16)
    }

    static func fnv1a(_ s: String, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
