import Foundation

/// What a camera saw: the problem is there, or it is gone.
public enum DetectionState: String, Sendable, Hashable, Codable {
    case present, cleared
}

/// What intake does with one report, decided from the open cases it could belong to.
public enum IntakePlan: Sendable, Hashable {
    /// A new matter: open a case.
    case open
    /// The same matter as an open case: the report joins it.
    case join(caseID: Int64)
    /// A camera rechecks a self-correcting case it watches: the problem is gone (passed) or,
    /// after the merchant said it was corrected, still there (failed).
    case recheck(caseID: Int64, passed: Bool)
    /// A `cleared` detection with no open case to clear: recorded, nothing else.
    case noOpenCase
}

/// What the planner needs of a camera's open case (the store reads no more for a detection).
public struct OpenCase: Sendable, Hashable {
    public var id: Int64
    public var status: CaseStatus
    public var merchantConfirmed: Bool

    public init(id: Int64, status: CaseStatus, merchantConfirmed: Bool) {
        self.id = id
        self.status = status
        self.merchantConfirmed = merchantConfirmed
    }

    public init(_ r: CaseRecord) { self.init(id: r.id, status: r.status, merchantConfirmed: r.merchantConfirmed) }
}

/// De-duplication as a pure function: the store fetches the candidates inside its transaction
/// (so reports in one batch see each other) and asks this which plan applies.
public enum IntakePlanner {
    /// - Parameters:
    ///   - cameraCase: the open case of the same camera and category, if any.
    ///   - nearby: open cases of the same category around the report's location whose latest
    ///     report falls in the rule's window (the store's coarse query); the exact distance is
    ///     checked here.
    public static func plan(_ report: Report, state: DetectionState?, cameraCase: OpenCase?, nearby: [CaseRecord],
                            rules: IntakeRules, at: Date) -> IntakePlan {
        if let c = cameraCase, c.status.isOpen {
            switch state {
            case .cleared?:
                return c.status == .selfCorrecting ? .recheck(caseID: c.id, passed: true) : .join(caseID: c.id)
            case .present?, nil:
                return c.status == .selfCorrecting && c.merchantConfirmed ? .recheck(caseID: c.id, passed: false) : .join(caseID: c.id)
            }
        }
        if state == .cleared { return .noOpenCase }
        if let match = nearest(report, nearby, rules: rules, at: at) { return .join(caseID: match.id) }
        return .open
    }

    /// The closest open case of the same category within the rule's distance and window (the
    /// newest on a tie), or nil.
    public static func nearest(_ report: Report, _ candidates: [CaseRecord], rules: IntakeRules, at: Date) -> CaseRecord? {
        guard let point = report.location, let category = report.category, let rule = rules.dedup(for: category) else { return nil }
        let since = at.addingTimeInterval(-rule.windowHours * 3600)
        var best: (CaseRecord, Double)? = nil
        for c in candidates where c.status.isOpen && c.category == category && c.tally.lastAt >= since {
            guard let p = c.report.location else { continue }
            let d = GeoPoint.metres(point, p)
            guard d <= rule.distanceMetres else { continue }
            if let b = best, b.1 < d || (b.1 == d && b.0.id > c.id) { continue }
            best = (c, d)
        }
        return best?.0
    }
}

extension GeoPoint {
    /// Great-circle distance in metres (haversine, mean Earth radius): ample for tens of metres.
    public static func metres(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let r = 6_371_008.8, rad = Double.pi / 180
        let dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.lat * rad) * cos(b.lat * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }

    /// The latitude and longitude spans of a box of `metres` around the point, for a coarse
    /// index query before the exact distance.
    public func box(metres: Double) -> (lat: ClosedRange<Double>, lon: ClosedRange<Double>) {
        let dLat = metres / 111_195, dLon = metres / (111_195 * max(0.01, cos(lat * Double.pi / 180)))
        return ((lat - dLat)...(lat + dLat), (lon - dLon)...(lon + dLon))
    }
}
