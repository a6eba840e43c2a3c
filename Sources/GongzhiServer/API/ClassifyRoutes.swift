import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird

/// `POST /api/v1/classify`: the hotline classifier's three suggestions for a text, for an
/// operator typing up a call or a dispatcher choosing a category.
struct ClassifyController {
    /// nil when the server runs without one (some tests): the route answers 503.
    let classifier: (any TextClassifier)?
    let categories: CategoryDirectory
    let rules: Live<IntakeRules>

    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("classify") { request, context in try await classify(request, by: try context.caller()) }
        return routes
    }

    struct Body: Decodable { var text: String? }

    struct Suggestion: Encodable {
        var code: String
        var name: String
        var major_class: String
        var confidence: Double
    }

    struct Answer: Encodable {
        var suggestions: [Suggestion]
        /// Whether intake would take the first suggestion without a dispatcher.
        var automatic: Bool
        var auto_min_confidence: Double
        var model: String
    }

    func classify(_ request: Request, by principal: Principal) async throws -> Response {
        guard AccessPolicy.files(principal.role) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(principal.role.rawValue) may not classify reports")
        }
        guard let classifier else {
            throw APIError(.serviceUnavailable, code: "no_classifier", message: "this server runs without a text classifier")
        }
        let body = try await JSONBody.decode(Body.self, from: request)
        guard let text = body.text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            throw APIError(.unprocessableContent, code: "required", message: "text is required", field: "text")
        }
        guard text.count <= ReportLimits.descriptionMax else {
            throw APIError(.unprocessableContent, code: "too_long",
                           message: "text has \(text.count) characters; at most \(ReportLimits.descriptionMax) are allowed", field: "text")
        }
        let threshold = rules.current.autoClassifyMinConfidence
        let suggestions = classifier.suggest(text, limit: 3).compactMap { g in
            categories.reportable(g.code).map { Suggestion(code: g.code, name: $0.name, major_class: $0.majorName, confidence: g.confidence) }
        }
        return JSONBody.response(Answer(suggestions: suggestions, automatic: (suggestions.first?.confidence ?? 0) >= threshold,
                                        auto_min_confidence: threshold, model: classifier.modelID))
    }
}
