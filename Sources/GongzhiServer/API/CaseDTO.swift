import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore

/// The body of `POST /api/v1/reports`. Every field is optional here so that a missing one is
/// a 422 naming it, and a wrongly typed one a 400 naming it.
struct ReportBody: Decodable {
    struct Location: Decodable { var lat: Double?; var lon: Double?; var crs: String? }
    struct ReporterBody: Decodable { var name: String?; var phone: String? }

    var source: String?
    var category: String?
    var description: String?
    var location: Location?
    var address: String?
    var reporter: ReporterBody?
    var external_id: String?
    var media_urls: [String]?

    /// What intake takes from any channel.
    var draft: ReportDraft {
        ReportDraft(source: source, category: category, description: description,
                    location: location.map { ReportDraft.Location(lat: $0.lat, lon: $0.lon, crs: $0.crs) }, address: address,
                    reporterName: reporter?.name, reporterPhone: reporter?.phone, externalID: external_id, mediaURLs: media_urls ?? [])
    }
}

/// The body of `POST /api/v1/cases/{id}/{action}`.
struct ActionBody: Decodable {
    var unit: String?
    var reason: String?
    var note: String?
    var passed: Bool?
    var media_urls: [String]?
    var deadline_hours: Double?
    /// The case a duplicate is merged into.
    var into: Int64?
    /// The category chosen when registering.
    var category: String?
    /// The resident's verdict (evaluate): satisfied, basically_satisfied or dissatisfied.
    var satisfaction: String?

    /// The verdict, refused with 422 naming the field when it is not one of the three.
    func verdict() throws -> Satisfaction? {
        guard let text = satisfaction else { return nil }
        guard let v = Satisfaction(rawValue: text) else {
            throw APIError(.unprocessableContent, code: "unknown_value",
                           message: "satisfaction must be one of \(Satisfaction.allCases.map(\.rawValue).joined(separator: ", "))", field: "satisfaction")
        }
        return v
    }
}

/// A case as the API shows it. Personal fields are masked.
struct CaseDTO: Encodable {
    struct Named: Encodable { var code: String; var name: String? }
    struct Location: Encodable { var lat: Double; var lon: Double; var crs = "wgs84" }
    /// The reporter's personal fields, masked unless revealed (and the reveal logged).
    struct ReporterDTO: Encodable {
        var name: String?
        var phone: String?
        var email: String?
        var device_id: String?
        var account_id: String?
        var masked = true

        init(_ r: Reporter, reveal: Bool) {
            name = reveal ? r.name : r.name.map(Masking.name)
            phone = reveal ? r.phone : r.phone.map(Masking.phone)
            email = reveal ? r.email : r.email.map(Masking.email)
            device_id = reveal ? r.deviceID : r.deviceID.map(Masking.identifier)
            account_id = reveal ? r.accountID : r.accountID.map(Masking.identifier)
            masked = !reveal
        }
    }

    var id: Int64
    var tracking_code: String
    var status: String
    var source: String
    var category: Named?
    /// What the classifier proposed for a report that came without a category.
    var classification: ClassificationDTO?
    var description: String
    var location: Location?
    var address: String?
    var reporter: ReporterDTO?
    var external_id: String?
    var media_urls: [String]
    var area: Area?
    var unit: Named?
    var due_at: String?
    var warn_at: String?
    var rule_id: String?
    var overdue: Bool
    var created_at: String
    var updated_at: String
    var closed_at: String?
    var rework_count: Int
    var return_count: Int
    var escalation_count: Int
    var supervision_count: Int
    var reopen_count: Int
    var disputed: Bool
    /// The holder has accepted it (签收).
    var accepted: Bool
    /// The resident's verdict since it last closed (群众评价).
    var satisfaction: String?
    /// The reports the case gathers, by channel.
    var reports: Tally
    /// The co-governance branch: the scenario and merchant told, its confirmation, the outcome.
    var scenario: String?
    var merchant: String?
    var merchant_confirmed: Bool?
    var self_corrected: Bool?
    /// The case this duplicate is merged into.
    var merged_into: Int64?
    var event_count: Int
    var last_hash: String
    var allowed_actions: [String]
    var history: [EventDTO]?

    /// An area path with names, as cases and `locate` show it.
    struct Area: Encodable {
        var district: Named?, street: Named?, community: Named?, grid: Named?
        var version: Int64

        init(_ p: AreaPath, services: GongzhiServices) {
            func named(_ code: String?) -> Named? { code.map { Named(code: $0, name: services.areaName($0)) } }
            district = named(p.district)
            street = named(p.street)
            community = named(p.community)
            grid = named(p.grid)
            version = p.version
        }
    }

    /// Whether the unit holding the case is past its deadline at `now`.
    static func isOverdue(_ r: CaseRecord, at now: Date) -> Bool { r.status == .dispatched && (r.dueAt.map { $0 < now } ?? false) }

    /// - Parameter allowed: what the caller may do to the case now (`AccessPolicy.offeredActions`).
    init(_ r: CaseRecord, services: GongzhiServices, now: Date, allowed: [CaseAction], history: [CaseEvent]? = nil, revealReporter: Bool = false) {
        let reference = services.reference
        id = r.id
        tracking_code = r.trackingCode
        status = r.status.rawValue
        source = r.report.source.rawValue
        category = r.category.map { Named(code: $0, name: reference.categories.reportable($0)?.name) }
        classification = r.report.classification.map { ClassificationDTO($0, categories: reference.categories) }
        description = r.report.description
        location = r.report.location.map { Location(lat: $0.lat, lon: $0.lon) }
        address = r.report.address
        reporter = r.report.reporter.map { ReporterDTO($0, reveal: revealReporter) }
        external_id = r.report.externalID
        media_urls = r.report.mediaURLs
        area = r.area.map { Area($0, services: services) }
        unit = r.unit.map { Named(code: $0, name: reference.units[$0]?.name) }
        due_at = r.dueAt.map(Timestamp.rfc3339)
        warn_at = r.warnAt.map(Timestamp.rfc3339)
        rule_id = r.ruleID
        overdue = Self.isOverdue(r, at: now)
        created_at = Timestamp.rfc3339(r.createdAt)
        updated_at = Timestamp.rfc3339(r.updatedAt)
        closed_at = r.closedAt.map(Timestamp.rfc3339)
        rework_count = r.reworkCount
        return_count = r.returnCount
        escalation_count = r.escalationCount
        supervision_count = r.supervisionCount
        reopen_count = r.reopenCount
        disputed = r.disputed
        accepted = r.accepted
        satisfaction = r.satisfaction?.rawValue
        reports = Tally(r.tally)
        scenario = r.scenario
        merchant = r.merchant
        merchant_confirmed = r.scenario == nil ? nil : r.merchantConfirmed
        self_corrected = r.scenario == nil ? nil : r.selfCorrected
        merged_into = r.mergedInto
        event_count = r.eventCount
        last_hash = r.lastHash
        allowed_actions = allowed.map(\.rawValue)
        self.history = history.map { $0.map(EventDTO.init) }
    }
}

/// How many reports a case has, from which channels: `3 residents + 12 camera detections`.
struct Tally: Encodable {
    var total: Int
    var by_source: [String: Int]
    var summary: String
    var last_at: String

    init(_ t: ReportTally) {
        total = t.total
        by_source = Dictionary(uniqueKeysWithValues: t.bySource.filter { $0.value > 0 }.map { ($0.key.rawValue, $0.value) })
        summary = t.summary
        last_at = Timestamp.rfc3339(t.lastAt)
    }
}

/// One of a case's reports. Personal fields are masked.
struct ReportDTO: Encodable {
    var id: Int64
    var source: String
    var external_id: String?
    var camera_id: String?
    var state: String?
    var outcome: String
    var received_at: String
    var observed_at: String?
    var confidence: Double?
    var description: String
    var location: CaseDTO.Location?
    var reporter: CaseDTO.ReporterDTO?
    var media_urls: [String]

    init(_ s: StoredReport) {
        id = s.id
        source = s.report.source.rawValue
        external_id = s.report.externalID
        camera_id = s.report.cameraID
        state = s.state?.rawValue
        outcome = s.outcome.rawValue
        received_at = Timestamp.rfc3339(s.receivedAt)
        observed_at = s.report.observedAt.map(Timestamp.rfc3339(millis:))
        confidence = s.report.confidence
        description = s.report.description
        location = s.report.location.map { .init(lat: $0.lat, lon: $0.lon) }
        reporter = s.report.reporter.map { .init($0, reveal: false) }
        media_urls = s.report.mediaURLs
    }
}

/// The classifier's suggestions, as a dispatcher sees them next to an unclassified case.
struct ClassificationDTO: Encodable {
    struct Suggestion: Encodable { var code: String; var name: String?; var confidence: Double }
    var automatic: Bool
    var model: String
    var suggestions: [Suggestion]

    /// In the history: whether the category was taken automatically, with what confidence.
    struct Verdict: Encodable {
        var automatic: Bool
        var code: String?
        var confidence: Double?
        var model: String

        init(_ c: Classification) {
            automatic = c.automatic
            code = c.suggestions.first?.code
            confidence = c.suggestions.first?.confidence
            model = c.model
        }
    }

    init(_ c: Classification, categories: CategoryDirectory) {
        automatic = c.automatic
        model = c.model
        suggestions = c.suggestions.map { Suggestion(code: $0.code, name: categories.reportable($0.code)?.name, confidence: $0.confidence) }
    }
}

/// One step of a case's history. The opening report's personal fields are not repeated here.
struct EventDTO: Encodable {
    var seq: Int
    var action: String
    var actor: String
    var actor_unit: String?
    var at: String
    var from: String?
    var to: String
    var unit: String?
    var from_unit: String?
    var reason: String?
    var note: String?
    var passed: Bool?
    var media_urls: [String]?
    var due_at: String?
    var warn_at: String?
    var rule_id: String?
    var disputed: Bool?
    var merchant: String?
    var scenario: String?
    var satisfaction: String?
    /// A joining report (join): its id in the case's reports and its channel.
    var report_id: Int64?
    var report_source: String?
    /// Summarised detections (detections): the camera, how many, and their time range.
    var camera_id: String?
    var count: Int?
    var first_at: String?
    var last_at: String?
    var merged_into: Int64?
    var merged_from: Int64?
    /// The category set when registering; on the opening report, the classifier's verdict.
    var category: String?
    var classification: ClassificationDTO.Verdict?
    var prev_hash: String
    var hash: String

    init(_ e: CaseEvent) {
        seq = e.seq
        action = e.action.rawValue
        actor = e.actor.id
        actor_unit = e.actor.unit
        at = Timestamp.rfc3339(e.at)
        from = e.from?.rawValue
        to = e.to.rawValue
        unit = e.payload.unit
        from_unit = e.payload.fromUnit
        reason = e.payload.reason
        note = e.payload.note
        passed = e.payload.passed
        media_urls = e.payload.mediaURLs
        due_at = e.payload.dueAt.map(Timestamp.rfc3339(millis:))
        warn_at = e.payload.warnAt.map(Timestamp.rfc3339(millis:))
        rule_id = e.payload.ruleID
        disputed = e.payload.disputed
        merchant = e.payload.merchant
        scenario = e.payload.scenario
        satisfaction = e.payload.satisfaction?.rawValue
        report_id = e.payload.reportID
        report_source = e.action == .join ? e.payload.report?.source.rawValue : nil
        camera_id = e.payload.cameraID
        count = e.payload.count
        first_at = e.payload.firstAt.map(Timestamp.rfc3339(millis:))
        last_at = e.payload.lastAt.map(Timestamp.rfc3339(millis:))
        merged_into = e.payload.mergedInto
        merged_from = e.payload.mergedFrom
        category = e.payload.category
        classification = e.action == .report ? e.payload.report?.classification.map(ClassificationDTO.Verdict.init) : nil
        prev_hash = e.prevHash
        hash = e.hash
    }
}

/// A page of the case list: `CaseDTO`s, or the cache's text for them (`CachedCaseJSON`).
struct CaseListDTO<Item> {
    var items: [Item]
    var next_cursor: String?
}

extension CaseListDTO: Encodable where Item: Encodable {
    enum CodingKeys: String, CodingKey { case items, next_cursor }

    /// `next_cursor` is always present: null on the last page.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(next_cursor, forKey: .next_cursor)
    }
}
