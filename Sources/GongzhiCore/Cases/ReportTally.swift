import Foundation

/// How many reports a case gathers, from which channels, and when the latest came: "3 residents
/// + 12 camera detections". Kept beside the case, from its reports (not from its events: a burst
/// of detections is summarised in the history, while every report is counted here).
public struct ReportTally: Sendable, Hashable {
    public var bySource: [ReportSource: Int]
    public var lastAt: Date

    public init(bySource: [ReportSource: Int], lastAt: Date) {
        self.bySource = bySource
        self.lastAt = lastAt
    }

    /// The tally of a case's opening report alone.
    public init(source: ReportSource, at: Date) { self.init(bySource: [source: 1], lastAt: at) }

    public var total: Int { bySource.values.reduce(0, +) }

    public mutating func add(_ source: ReportSource, at: Date) {
        bySource[source, default: 0] += 1
        lastAt = max(lastAt, at)
    }

    /// `{"camera":12,"resident":3}`, keys sorted: how the store keeps it.
    public var json: String {
        "{" + bySource.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\"\($0.key.rawValue)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    /// Reads what `json` writes (it is read with every case, so without a JSON decoder).
    public init?(json: String, lastAt: Date) {
        guard json.hasPrefix("{"), json.hasSuffix("}") else { return nil }
        var counts: [ReportSource: Int] = [:]
        for pair in json.dropFirst().dropLast().split(separator: ",") {
            let kv = pair.split(separator: ":", maxSplits: 1)
            guard kv.count == 2, kv[0].count > 2, kv[0].first == "\"", kv[0].last == "\"",
                  let source = ReportSource(rawValue: String(kv[0].dropFirst().dropLast())), let n = Int(kv[1]), n >= 0 else { return nil }
            counts[source] = n
        }
        self.init(bySource: counts, lastAt: lastAt)
    }

    /// In words, largest count first: "12 camera detections + 3 residents".
    public var summary: String {
        bySource.filter { $0.value > 0 }.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }
            .map { "\($0.value) \($0.key.noun(plural: $0.value != 1))" }.joined(separator: " + ")
    }
}

extension ReportSource {
    func noun(plural: Bool) -> String {
        switch self {
        case .camera: plural ? "camera detections" : "camera detection"
        case .resident: plural ? "residents" : "resident"
        case .gridWorker: plural ? "grid worker reports" : "grid worker report"
        case .hotline: plural ? "hotline calls" : "hotline call"
        case .dispute: plural ? "disputes" : "dispute"
        case .petition: plural ? "petitions" : "petition"
        case .enterprise: plural ? "enterprise reports" : "enterprise report"
        case .project: plural ? "project reports" : "project report"
        }
    }
}
