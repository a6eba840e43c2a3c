/// One category a classifier proposes for a text, with how sure it is (0…1).
public struct CategoryGuess: Sendable, Hashable, Codable {
    public var code: String
    public var confidence: Double

    public init(code: String, confidence: Double) {
        self.code = code
        self.confidence = confidence
    }
}

/// What intake's classifier said about a report that came without a category. Kept on the
/// report, so the opening event records whether the category was taken automatically, from
/// which model and with what confidence, and the dispatcher sees the suggestions when it was not.
public struct Classification: Sendable, Hashable, Codable {
    /// The best guesses, most likely first (at most three).
    public var suggestions: [CategoryGuess]
    /// True when the first suggestion became the report's category without a dispatcher.
    public var automatic: Bool
    /// The model that guessed (name and training-set fingerprint), so a later audit can tell
    /// which classifier decided.
    public var model: String

    public init(suggestions: [CategoryGuess], automatic: Bool, model: String) {
        self.suggestions = suggestions
        self.automatic = automatic
        self.model = model
    }
}

/// Proposes categories for free text. Pure and synchronous: intake calls it before the store's
/// transaction, so a slow model never holds the writer.
public protocol TextClassifier: Sendable {
    /// A short identification of the model (recorded with each automatic classification).
    var modelID: String { get }
    /// The `limit` most likely categories, most likely first; confidences sum to at most 1.
    func suggest(_ text: String, limit: Int) -> [CategoryGuess]
}
