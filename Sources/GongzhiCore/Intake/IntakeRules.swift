import Foundation

/// The intake's rules, as data (`intake_rules.json`): when a new report is the same matter as an
/// open case (distance and time window per category or major class), which camera detections
/// are too weak to count (a confidence threshold per category), and how often a burst of
/// detections is summarised in a case's history.
public struct IntakeRules: Sendable, Hashable, Codable {
    public struct Dedup: Sendable, Hashable, Codable {
        /// An exact code, a major class (`06`), or `*`.
        public var category: String
        /// A report within this distance of an open case of the same category joins it…
        public var distanceMetres: Double
        /// …when that case's latest report is at most this old.
        public var windowHours: Double

        public init(category: String, distanceMetres: Double, windowHours: Double) {
            self.category = category
            self.distanceMetres = distanceMetres
            self.windowHours = windowHours
        }

        enum CodingKeys: String, CodingKey {
            case category
            case distanceMetres = "distance_m"
            case windowHours = "window_hours"
        }
    }

    public struct Threshold: Sendable, Hashable, Codable {
        public var category: String
        public var minConfidence: Double

        public init(category: String, minConfidence: Double) {
            self.category = category
            self.minConfidence = minConfidence
        }

        enum CodingKeys: String, CodingKey {
            case category
            case minConfidence = "min_confidence"
        }
    }

    public var dedup: [Dedup]
    public var thresholds: [Threshold]
    /// A detection joining a case writes a summary event when this much time has passed since
    /// the last one; in between it is only listed and counted.
    public var detectionSummaryMinutes: Double
    /// A report without a category takes the classifier's first suggestion when its confidence
    /// is at least this; below, a dispatcher chooses from the suggestions. 1 turns it off.
    public var autoClassifyMinConfidence: Double

    public init(dedup: [Dedup] = [], thresholds: [Threshold] = [], detectionSummaryMinutes: Double = 10,
                autoClassifyMinConfidence: Double = Self.defaultAutoClassify) {
        self.dedup = dedup
        self.thresholds = thresholds
        self.detectionSummaryMinutes = detectionSummaryMinutes
        self.autoClassifyMinConfidence = autoClassifyMinConfidence
    }

    public static let defaultAutoClassify = 0.8

    enum CodingKeys: String, CodingKey {
        case dedup, thresholds
        case detectionSummaryMinutes = "detection_summary_minutes"
        case autoClassifyMinConfidence = "auto_classify_min_confidence"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dedup = try c.decodeIfPresent([Dedup].self, forKey: .dedup) ?? []
        thresholds = try c.decodeIfPresent([Threshold].self, forKey: .thresholds) ?? []
        detectionSummaryMinutes = try c.decodeIfPresent(Double.self, forKey: .detectionSummaryMinutes) ?? 10
        autoClassifyMinConfidence = try c.decodeIfPresent(Double.self, forKey: .autoClassifyMinConfidence) ?? Self.defaultAutoClassify
    }

    /// No spatial joins, every detection counts, summaries every ten minutes.
    public static let none = IntakeRules()

    /// Checks the rules: patterns well formed and not repeated, values in range.
    public func checked(categories: CategoryDirectory) throws(ReferenceError) -> IntakeRules {
        func pattern(_ p: String, _ what: String) throws(ReferenceError) {
            let ok = p == "*" || (p.count == 2 && p.allSatisfy(\.isNumber)) || categories.reportable(p) != nil
            guard ok else { throw ReferenceError("\(what): category '\(p)' is not a code, a major class or *") }
        }
        var seen = Set<String>()
        for d in dedup {
            try pattern(d.category, "dedup")
            guard seen.insert(d.category).inserted else { throw ReferenceError("dedup: category \(d.category) appears twice") }
            guard d.distanceMetres.isFinite, d.distanceMetres >= 0, d.distanceMetres <= 5_000 else {
                throw ReferenceError("dedup \(d.category): distance_m must be between 0 and 5000")
            }
            guard d.windowHours.isFinite, d.windowHours > 0, d.windowHours <= 24 * 90 else {
                throw ReferenceError("dedup \(d.category): window_hours must be more than 0 and at most 2160")
            }
        }
        seen = []
        for t in thresholds {
            try pattern(t.category, "thresholds")
            guard seen.insert(t.category).inserted else { throw ReferenceError("thresholds: category \(t.category) appears twice") }
            guard t.minConfidence >= 0, t.minConfidence <= 1 else { throw ReferenceError("thresholds \(t.category): min_confidence must be 0…1") }
        }
        guard autoClassifyMinConfidence.isFinite, (0...1).contains(autoClassifyMinConfidence) else {
            throw ReferenceError("auto_classify_min_confidence must be 0…1")
        }
        guard detectionSummaryMinutes >= 0.1, detectionSummaryMinutes <= 24 * 60 else {
            throw ReferenceError("detection_summary_minutes must be between 0.1 and 1440")
        }
        return self
    }

    /// The most specific entry for a category: exact code, then major class, then `*`.
    static func mostSpecific<T>(_ items: [T], _ key: (T) -> String, _ category: String?) -> T? {
        guard let category else { return items.first { key($0) == "*" } }
        return items.first { key($0) == category } ?? items.first { key($0) == String(category.prefix(2)) } ?? items.first { key($0) == "*" }
    }

    public func dedup(for category: String?) -> Dedup? { Self.mostSpecific(dedup, \.category, category) }

    public func minConfidence(for category: String?) -> Double { Self.mostSpecific(thresholds, \.category, category)?.minConfidence ?? 0 }
}
