import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird
import NIOCore

/// An error as every client sees it: `{"error": {"code", "message", "field"?}}` with a
/// fitting status. Whatever goes wrong inside is turned into one of these by
/// `APIErrorMiddleware`, so no route answers an error in another shape.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    /// Seconds a client should wait before trying again (503 when intake is busy).
    public var retryAfter: Int?
    /// The methods a 405's resource serves (its `Allow` header).
    public var allow: String?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, retryAfter: Int? = nil,
                allow: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retryAfter = retryAfter
        self.allow = allow
    }

    static func badRequest(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, code: code, message: message, field: field)
    }

    static func unprocessable(_ error: FieldError) -> APIError {
        APIError(.unprocessableContent, code: error.code, message: error.message, field: error.field)
    }

    /// Maps the domain's and the store's errors to HTTP.
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let e as APIError:
            return e
        case let e as FieldError:
            return .unprocessable(e)
        case let e as IntakeError:
            switch e {
            case .invalid(let f): return .unprocessable(f)
            case .outsideDistrict(_, let field): return APIError(.unprocessableContent, code: "outside_district", message: e.description, field: field)
            case .noAreaData: return APIError(.serviceUnavailable, code: "no_area_data", message: e.description)
            case .busy(let seconds): return APIError(.serviceUnavailable, code: "busy", message: e.description, retryAfter: seconds)
            case .refused(let c): return from(c)
            case .storage: return nil
            }
        case let e as CoGovernanceError:
            switch e {
            case .unknownNotice: return APIError(.notFound, code: "unknown_notice", message: e.description)
            case .noticeExpired: return APIError(.gone, code: "notice_expired", message: e.description)
            }
        case let e as CaseError:
            switch e {
            case .invalid(let f): return .unprocessable(f)
            case .illegalTransition: return APIError(.conflict, code: "illegal_transition", message: e.description)
            case .reopenWindowExpired: return APIError(.conflict, code: "reopen_window_expired", message: e.description)
            case .noParentUnit: return APIError(.conflict, code: "no_parent_unit", message: e.description)
            case .alreadyHeld: return APIError(.conflict, code: "already_held", message: e.description)
            case .noScenario: return APIError(.conflict, code: "no_scenario", message: e.description)
            case .merchantStillHasTime: return APIError(.conflict, code: "merchant_still_has_time", message: e.description)
            case .jointPartsPending: return APIError(.conflict, code: "joint_parts_pending", message: e.description)
            }
        case let e as StoreError:
            if case .caseNotFound = e { return APIError(.notFound, code: "case_not_found", message: e.description) }
            if case .notFound = e { return APIError(.notFound, code: "not_found", message: e.description) }
            return nil
        case let e as CentreError:
            switch e {
            case .invalid(let f): return .unprocessable(f)
            case .conflict: return APIError(.conflict, code: "not_allowed_now", message: e.description)
            case .forbidden: return APIError(.forbidden, code: "forbidden", message: e.description)
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than \(JSONBody.maxBytes / 1024) KiB")
        case let e as HTTPError:
            switch e.status {
            case .notFound: return APIError(.notFound, code: "not_found", message: "no such resource; see /openapi.json")
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", message: "method not allowed here; see /openapi.json")
            default: return APIError(e.status, code: "http_\(e.status.code)", message: e.body ?? e.status.reasonPhrase)
            }
        default:
            return nil
        }
    }

    var response: Response {
        struct Body: Encodable {
            struct Inner: Encodable { var code: String; var message: String; var field: String? }
            var error: Inner
        }
        var r = JSONBody.response(Body(error: .init(code: code, message: message, field: field)), status: status)
        if status == .methodNotAllowed { r.headers[.allow] = allow }
        if let retryAfter { r.headers[.retryAfter] = "\(retryAfter)" }
        return r
    }
}

/// Turns every error into the JSON error body. Unknown errors are logged with their detail and
/// answered as a 500 without it, so internals never reach a client.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let api = APIError.from(error) { return api.response }
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return APIError(.internalServerError, code: "internal", message: "internal error; the server log has the details").response
        }
    }
}
