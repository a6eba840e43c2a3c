import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// One detection as a camera system sends it (城市眼): every field as given.
public struct CameraEventDraft: Sendable, Hashable {
    public var eventID: String?
    public var cameraID: String?
    public var category: String?
    public var confidence: Double?
    /// RFC 3339.
    public var detectedAt: String?
    public var location: ReportDraft.Location?
    public var snapshotURL: String?
    /// `present` or `cleared`.
    public var state: String?

    public init(eventID: String?, cameraID: String?, category: String?, confidence: Double?, detectedAt: String?,
                location: ReportDraft.Location? = nil, snapshotURL: String? = nil, state: String?) {
        self.eventID = eventID
        self.cameraID = cameraID
        self.category = category
        self.confidence = confidence
        self.detectedAt = detectedAt
        self.location = location
        self.snapshotURL = snapshotURL
        self.state = state
    }
}

/// A checked detection, ready for the store.
public struct Detection: Sendable, Hashable {
    public var report: Report
    public var state: DetectionState
    /// Below the category's confidence threshold: recorded and counted, opens nothing.
    public var dropped: Bool
}

/// Turns camera events into reports: the camera must be registered and active and detect the
/// category; the event's own location (else the camera's) must be in the district.
public enum CameraEvents {
    public static let eventIDMax = 64
    /// How far ahead of the server's clock a detection's time may be (camera clocks drift).
    public static let futureSkew: TimeInterval = 300

    public static func detection(_ e: CameraEventDraft, cameras: [String: Camera], categories: CategoryDirectory, atlas: Atlas,
                                 rules: IntakeRules, now: Date) throws(IntakeError) -> Detection {
        guard let eventID = e.eventID?.trimmingCharacters(in: .whitespaces), !eventID.isEmpty else {
            throw .field("event_id", "required", "event_id is required: it makes a retried event count once")
        }
        guard eventID.count <= eventIDMax, eventID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .field("event_id", "invalid", "event_id must be 1–\(eventIDMax) printable ASCII characters without spaces")
        }
        guard let cameraID = e.cameraID, !cameraID.isEmpty else { throw .field("camera_id", "required", "camera_id is required") }
        guard let camera = cameras[cameraID] else {
            throw .field("camera_id", "unknown_camera", "camera '\(cameraID)' is not registered; see GET /api/v1/cameras")
        }
        guard camera.active else { throw .field("camera_id", "inactive_camera", "camera '\(cameraID)' is registered as inactive") }
        guard let category = e.category, let matter = categories.reportable(category) else {
            throw .field("category", e.category == nil ? "required" : "unknown_category", "category must be a matter code; see GET /api/v1/categories")
        }
        guard camera.categories.contains(category) else {
            throw .field("category", "not_detected", "camera '\(cameraID)' does not detect category \(category)")
        }
        guard let confidence = e.confidence else { throw .field("confidence", "required", "confidence (0 to 1) is required") }
        guard confidence.isFinite, (0...1).contains(confidence) else { throw .field("confidence", "out_of_range", "confidence must be between 0 and 1") }
        guard let text = e.detectedAt else { throw .field("detected_at", "required", "detected_at (RFC 3339) is required") }
        guard let detected = Timestamp.parse(text), text.contains("T") else {
            throw .field("detected_at", "invalid", "detected_at must be an RFC 3339 time such as 2026-11-25T09:00:00+08:00")
        }
        guard detected.timeIntervalSince(now) <= futureSkew else {
            throw .field("detected_at", "in_future", "detected_at is more than \(Int(futureSkew / 60)) minutes ahead of the server's clock")
        }
        guard let stateText = e.state, let state = DetectionState(rawValue: stateText) else {
            throw .field("state", e.state == nil ? "required" : "invalid", "state must be \"present\" or \"cleared\"")
        }
        var point = camera.location, area = camera.area
        if let l = e.location {
            guard let lat = l.lat, let lon = l.lon else { throw .field("location", "required", "location needs lat and lon") }
            point = try Normalise.wgs84(lat: lat, lon: lon, crs: l.crs, field: "location.")
            area = nil
        }
        let media = e.snapshotURL.map { [$0] } ?? []
        do { try Report.checkMediaURLs(media, field: "snapshot_url") } catch { throw .invalid(FieldError(field: "snapshot_url", code: error.code, message: error.message)) }
        let seen = state == .present ? "检测到" : "复核已消除"
        var report = Report(source: .camera, category: category, description: "AI视频识别：\(camera.name)\(seen)“\(matter.name)”",
                            location: point, address: camera.name, externalID: "\(cameraID)/\(eventID)", mediaURLs: media, area: area,
                            cameraID: cameraID, observedAt: Timestamp.millis(detected), confidence: confidence)
        if report.area == nil { try Normalise.locate(&report, atlas: atlas) }
        return Detection(report: report, state: state, dropped: confidence < rules.minConfidence(for: category))
    }
}
