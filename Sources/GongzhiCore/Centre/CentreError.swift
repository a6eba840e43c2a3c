/// Why the centre refuses a command: the field at fault, or the step the matter is not at.
public enum CentreError: Error, Equatable, CustomStringConvertible {
    /// Bad input, naming the field and a machine-readable code (422).
    case invalid(FieldError)
    /// A step the matter's state does not allow now (409), e.g. a second extension.
    case conflict(String)
    /// The principal may not take this step (403).
    case forbidden(String)

    public var description: String {
        switch self {
        case .invalid(let e): e.message
        case .conflict(let why), .forbidden(let why): why
        }
    }

    public static func bad(_ field: String, _ message: String, code: String = "invalid") -> CentreError {
        .invalid(FieldError(field: field, code: code, message: message))
    }

    /// `TextRule`'s checks in the centre's terms: a required text.
    public static func text(_ value: String?, field: String, max: Int, shape: TextRule.Shape = .line) throws(CentreError) -> String {
        guard let t = try optionalText(value, field: field, max: max, shape: shape) else {
            throw bad(field, "\(field) is required", code: "required")
        }
        return t
    }

    public static func optionalText(_ value: String?, field: String, max: Int, shape: TextRule.Shape = .line) throws(CentreError) -> String? {
        do { return try TextRule.optional(value, field: field, max: max, shape: shape) } catch { throw .invalid(error) }
    }
}
