import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import HTTPTypes
import Hummingbird

/// The pages anyone can open: the report form, a case's status by its tracking code, and a
/// merchant's self-correction notice by the secret in its link. They show public fields only.
/// Their forms carry a token that must match a cookie (double submit), so another site cannot
/// post them from a visitor's browser; the report form is also limited per address.
extension WebRoutes {
    static let formCSRFCookie = "gz_form_csrf"

    func registerPublicPages(on router: Router<AppRequestContext>) {
        router.get("/") { request, _ in reportPage(request) }
        router.post("/report") { request, context in try await fileReport(request, from: context.remoteIP) }
        router.get("/status") { request, _ in
            Pages.redirect("/status/" + (request.uri.queryParameters.get("code") ?? "").filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(40))
        }
        router.get("/status/{code}") { request, context in try await statusPage(request, context.parameters.get("code") ?? "") }
        router.post("/status/{code}/evaluate") { request, context in try await evaluate(request, context.parameters.get("code") ?? "") }
        router.get("/notice/{token}") { request, context in try await noticePage(request, context.parameters.get("token") ?? "") }
        router.post("/notice/{token}") { request, context in try await confirmNotice(request, context.parameters.get("token") ?? "") }
    }

    /// A public page whose form needs the double-submit token: the browser's token when it has a
    /// well-formed one (so a form open in another tab stays good), else a new one.
    func formPage(_ request: Request, _ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let sent = FormData.cookies(request)[Self.formCSRFCookie]
        let csrf = sent.flatMap { $0.count == 32 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? $0 : nil }
            ?? Credentials.random(32)
        var values = values
        values["csrf"] = csrf
        return pages.render(template, values, status: status,
                            headers: [.setCookie: Self.cookie(Self.formCSRFCookie, csrf, secure: Self.isSecure(request), maxAge: 3600)])
    }

    func publicForm(_ request: Request, _ lang: Lang) async throws -> [String: String] {
        let form = try await FormData.parse(request)
        guard let sent = form["csrf"], let expected = FormData.cookies(request)[Self.formCSRFCookie], !sent.isEmpty,
              Credentials.constantTimeEquals(sent, expected) else {
            throw APIError(.forbidden, code: "csrf", message: pages.text("form_expired", lang))
        }
        return form
    }

    func reportPage(_ request: Request, error: String? = nil, form: [String: String] = [:], status: HTTPResponse.Status = .ok) -> Response {
        let lang = Lang.of(request)
        var values = publicBase(request, lang, title: pages.text("report_title", lang))
        values["majors"] = categoryGroups(selected: form["category"])
        values["form"] = form
        values["map"] = MapView(atlas: services.atlas.current).districtMap(label: pages.text("map_pick", lang))
        values["streets"] = services.reference.areas.filter { $0.level == .street }.map { street -> [String: Any] in
            ["name": street.name, "communities": services.reference.areas.filter { $0.parentCode == street.code }
                .map { ["value": "\(street.name)\($0.name)", "label": $0.name, "selected": form["address"] == "\(street.name)\($0.name)"] }]
        }
        if let error { values["error"] = error }
        return formPage(request, "report", values, status: status)
    }

    /// A resident's report: the same intake as every channel, as `resident`, by the public actor.
    func fileReport(_ request: Request, from address: String) async throws -> Response {
        let lang = Lang.of(request)
        do {
            let form = try await publicForm(request, lang)
            guard try await services.accounts.allowAttempt(from: "report:" + address, at: services.clock.now()) else {
                return reportPage(request, error: pages.text("report_too_many", lang), form: form, status: .tooManyRequests)
            }
            let outcome: IntakeOutcome
            do {
                outcome = try await services.intake.submit(try Self.draft(from: form, source: .resident, lang: lang, texts: pages.texts),
                                                           actor: Actor(id: "public:web"))
            } catch {
                return reportPage(request, error: error.description, form: form, status: Self.status(of: error))
            }
            guard let id = outcome.caseID, let r = try await services.store.find(id: id) else { throw IntakeError.storage("the report has no case") }
            return Pages.redirect("/status/\(r.trackingCode)?filed=1")
        } catch let e as APIError {
            return errorPage(request, nil, lang, status: e.status, message: e.message)
        }
    }

    /// A case's public status: what, where (the street), when, and the steps in plain words.
    func statusPage(_ request: Request, _ code: String, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = Lang.of(request)
        guard TrackingCode.isWellFormed(code), let r = try await services.store.find(trackingCode: code.uppercased()) else {
            return errorPage(request, nil, lang, status: .notFound, message: pages.text("no_such_code", lang))
        }
        // Once closed, the resident holding the tracking code says how it was handled (群众评价),
        // once per closing; a reopened and closed-again case asks again.
        let view = caseView(lang)
        var values = publicBase(request, lang, title: r.trackingCode)
        values["code"] = r.trackingCode
        values["status"] = pages.texts.status(r.status, lang)
        values["closed"] = r.status == .closed
        values["category"] = view.categoryName(r.category)
        values["street"] = r.area?.street.flatMap(services.areaName) ?? ""
        values["reported_at"] = WebText.time(r.createdAt, lang)
        values["filed"] = request.uri.queryParameters.get("filed") != nil
        values["steps"] = try await services.store.history(of: r.id).filter { $0.from != $0.to }.map {
            ["at": WebText.time($0.at, lang), "status": pages.texts.status($0.to, lang)]
        }
        values["evaluate"] = r.status == .closed && r.satisfaction == nil
        values["choices"] = Satisfaction.allCases.map { ["value": $0.rawValue, "label": pages.text("satisfaction_" + $0.rawValue, lang)] }
        values["verdict"] = r.satisfaction.map { pages.text("satisfaction_" + $0.rawValue, lang) }
        values["error"] = error
        return formPage(request, "status", values, status: status)
    }

    /// The resident's verdict on a closed case, from its status page: the tracking code is the
    /// credential, the case machine allows one verdict per closing, and the event's actor says
    /// it came from the public page.
    func evaluate(_ request: Request, _ code: String) async throws -> Response {
        let lang = Lang.of(request)
        do {
            let form = try await publicForm(request, lang)
            guard TrackingCode.isWellFormed(code), let r = try await services.store.find(trackingCode: code.uppercased()) else {
                return errorPage(request, nil, lang, status: .notFound, message: pages.text("no_such_code", lang))
            }
            guard let verdict = form["satisfaction"].flatMap(Satisfaction.init(rawValue:)) else {
                return try await statusPage(request, code, error: pages.text("need_verdict", lang), status: .unprocessableContent)
            }
            do {
                _ = try await services.store.perform(CaseCommand(.evaluate, satisfaction: verdict), on: r.id, actor: Actor(id: "public:status"),
                                                     at: services.clock.now())
            } catch let e as CaseError {
                return try await statusPage(request, code, error: e.description, status: e.isConflict ? .conflict : .unprocessableContent)
            }
            return Pages.redirect("/status/\(r.trackingCode)")
        } catch let e as APIError {
            return errorPage(request, nil, lang, status: e.status, message: e.message)
        }
    }

    /// A refused report is the sender's to fix (422), except when intake is busy or broken.
    static func status(of error: IntakeError) -> HTTPResponse.Status {
        switch error {
        case .busy, .noAreaData: .serviceUnavailable
        case .storage: .internalServerError
        case .refused: .conflict
        case .invalid, .outsideDistrict: .unprocessableContent
        }
    }

    // MARK: The merchant's notice

    func notice(_ token: String, _ lang: Lang) async throws -> (notice: StoredNotice, record: CaseRecord) {
        guard token.hasPrefix("gzn_"), token.count <= 64 else {
            throw APIError(.notFound, code: "not_found", message: pages.text("notice_unknown", lang))
        }
        do {
            return try await services.store.notice(token: token, at: services.clock.now(), context: services.context.current)
        } catch CoGovernanceError.unknownNotice {
            throw APIError(.notFound, code: "not_found", message: pages.text("notice_unknown", lang))
        } catch CoGovernanceError.noticeExpired {
            throw APIError(.gone, code: "expired", message: pages.text("notice_expired", lang))
        }
    }

    func noticePage(_ request: Request, _ token: String, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = Lang.of(request)
        do {
            let (notice, r) = try await notice(token, lang)
            let now = services.clock.now()
            let view = caseView(lang, now: now)
            var values = publicBase(request, lang, title: pages.text("notice_title", lang))
            values["token"] = token
            values["merchant"] = try await services.store.merchants().first { $0.id == notice.merchantID }?.name ?? notice.merchantID
            values["scenario"] = r.scenario.flatMap(services.context.current.coGovernance.scenario(id:))?.name
            values["category"] = view.categoryName(r.category)
            values["address"] = r.report.address ?? ""
            values["map"] = MapView(atlas: services.atlas.current).caseMap(r, label: pages.text("map_of_case", lang))
            values["photos"] = r.report.mediaURLs.map { ["url": $0] }
            values["waiting"] = r.status == .selfCorrecting && !r.merchantConfirmed
            values["confirmed"] = r.merchantConfirmed || r.status != .selfCorrecting
            values["status"] = pages.texts.status(r.status, lang)
            if let due = r.dueAt, r.status == .selfCorrecting {
                values["due"] = WebText.time(due, lang)
                values["left"] = WebText.timeLeft(until: due, now: now, lang)
                values["due_ms"] = Timestamp.millis(due)
            }
            if let error { values["error"] = error }
            return formPage(request, "notice", values, status: status)
        } catch let e as APIError {
            return errorPage(request, nil, lang, status: e.status, message: e.message)
        }
    }

    func confirmNotice(_ request: Request, _ token: String) async throws -> Response {
        let lang = Lang.of(request)
        do {
            let form = try await publicForm(request, lang)
            _ = try await notice(token, lang)
            let photo = form["photo"]?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !photo.isEmpty else {
                return try await noticePage(request, token, error: pages.text("need_photo", lang), status: .unprocessableContent)
            }
            do {
                try Report.checkMediaURLs([photo], field: "photo")
                _ = try await services.store.confirm(noticeToken: token, mediaURLs: [photo], note: form["note"].flatMap { $0.isEmpty ? nil : $0 },
                                                     at: services.clock.now(), context: services.context.current)
            } catch let e as FieldError {
                return try await noticePage(request, token, error: e.message, status: .unprocessableContent)
            } catch let e as CaseError {
                return try await noticePage(request, token, error: e.description, status: e.isConflict ? .conflict : .unprocessableContent)
            }
            return Pages.redirect("/notice/\(token)")
        } catch let e as APIError {
            return errorPage(request, nil, lang, status: e.status, message: e.message)
        }
    }
}
