import GongzhiCore
import GongzhiStore

/// Why intake did not take a report. The server maps these to HTTP in the one place it maps
/// every error; a camera batch reports them per event.
public enum IntakeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field is missing or wrong (422, naming the field).
    case invalid(FieldError)
    /// The point is outside the district (422, field `location`).
    case outsideDistrict(GeoPoint, field: String)
    /// No district boundary is loaded, so nothing can be located (503).
    case noAreaData
    /// The writer's queue is full: try again after a moment (503 with Retry-After).
    case busy(retryAfterSeconds: Int)
    /// The state machine refused what the report asked (409).
    case refused(CaseError)
    /// The store failed; nothing of the report was written (500).
    case storage(String)

    public var description: String {
        switch self {
        case .invalid(let e): e.message
        case .outsideDistrict(let p, _): "the point (\(p.lat), \(p.lon)) WGS84 is outside the district's boundary"
        case .noAreaData: "no district boundary is loaded; import one with gongzhi areas import"
        case .busy(let s): "intake is busy; try again in \(s) s"
        case .refused(let e): e.description
        case .storage(let why): "the report could not be stored: \(why)"
        }
    }

    init(_ failure: IntakeFailure) {
        switch failure {
        case .invalid(let e): self = .invalid(e)
        case .refused(let e): self = .refused(e)
        case .storage(let why): self = .storage(why)
        }
    }

    static func field(_ field: String, _ code: String, _ message: String) -> IntakeError {
        .invalid(FieldError(field: field, code: code, message: message))
    }
}
