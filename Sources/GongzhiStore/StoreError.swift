import Foundation

/// Errors of the store that callers can act on.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case caseNotFound(Int64)
    /// Anything else looked up by id that does not exist, or is out of the caller's scope.
    case notFound(String)
    /// A write could not be made to fit what is stored (a key taken, a lock not granted).
    case conflict(String)
    /// A fault injected by a test.
    case injected(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open database \(path): \(reason)"
        case .caseNotFound(let id): "case \(id) does not exist"
        case .notFound(let what): "\(what) does not exist"
        case .conflict(let why): "conflict: \(why)"
        case .injected(let point): "injected failure at \(point)"
        }
    }
}

/// Points where tests make the store fail, to prove a failure leaves nothing behind.
public enum FaultPoint: String, Sendable {
    case afterEventInsert, afterProjectionUpdate
}

public typealias FaultInjector = @Sendable (FaultPoint) throws -> Void
