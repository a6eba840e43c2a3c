import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiStore
import Hummingbird
import NIOCore

extension Open311Controller {
    /// `POST requests.{fmt}`: a key that may file reports, a service, a location, the rest
    /// optional; attributes checked against the service's definition. The request goes through
    /// the one intake as a resident's report; the answer is its case (or, for the free-text
    /// service, a token: the tracking code, since its category is decided by intake).
    func create(_ request: Request, _ format: Open311Format) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: Self.bodyMax) } catch is NIOTooManyBytesError {
            throw Open311Error.bad("the form is larger than \(Self.bodyMax / 1024) KiB")
        }
        var form = try Open311Form(encoded: String(decoding: body.readableBytesView, as: UTF8.self))
        // A key in the query (as some clients send it) counts too; the form's wins.
        form.pairs += Open311Form(query: request).pairs.filter { $0.0 == "api_key" || $0.0 == "jurisdiction_id" }
        guard let key = form["api_key"] else { throw Open311Error(.forbidden, "api_key is required to create a request") }
        guard let principal = try await accounts.authenticate(key: key, at: clock.now()) else {
            throw Open311Error(.forbidden, Self.unknownKey)
        }
        guard AccessPolicy.files(principal.role) else { throw Open311Error(.forbidden, "this api_key may not create requests") }
        try checkJurisdiction(form)
        let draft = try draft(form)
        let outcome = try await intake.submit(draft, actor: principal.actor)
        var record = outcome.record
        if record == nil, let id = outcome.caseID { record = try await store.find(id: id) }
        guard let record else { throw Open311Error(.internalServerError, "the request was stored but has no case") }
        let freeText = draft.category == nil
        var fields: [(String, Open311Node)] = freeText ? [("token", .text(record.trackingCode))] : [("service_request_id", .int(record.id))]
        fields.append(("service_notice", .text(notice(record, outcome: outcome, freeText: freeText))))
        fields.append(("account_id", .text(form["account_id"])))
        let created = outcome.kind == .opened && !outcome.repeated
        return format.response(.list(root: "service_requests", item: "request", [.object(fields)]), root: "service_requests",
                               status: created ? .created : .ok)
    }

    /// What the resident is told at once: the tracking code, whether the report joined a case
    /// already open, how it was classified, and the deadline once a unit has it.
    func notice(_ r: CaseRecord, outcome: IntakeOutcome, freeText: Bool) -> String {
        var parts = ["已受理，查询码 \(r.trackingCode)"]
        if outcome.kind == .joined { parts.append("同一问题已有案件 \(r.id) 在办理，您的反映已并入") }
        if freeText {
            if r.report.classification?.automatic == true, let name = r.category.flatMap(categories.reportable)?.name {
                parts.append("系统已自动分类为「\(name)」")
            } else {
                parts.append("将由调度员确认问题类别")
            }
        }
        if let unit = r.unit, let due = r.dueAt {
            parts.append("已派遣至\(unitName(unit) ?? unit)，处置时限 \(Open311Time.text(due))")
        }
        return parts.joined(separator: "；") + "。"
    }

    /// The form as intake's draft; Open311's field names in every error.
    func draft(_ form: Open311Form) throws(Open311Error) -> ReportDraft {
        guard let code = form["service_code"] else { throw Open311Error.bad("service_code is required") }
        let freeText = code == config.freeTextService.code
        guard freeText || (config.isPublic(code) && categories.reportable(code) != nil) else {
            throw Open311Error(.notFound, "there is no service '\(code.prefix(40))'")
        }
        var location: ReportDraft.Location? = nil
        switch (form["lat"], form["long"]) {
        case (nil, nil): break
        case (let lat?, let lon?):
            guard let la = Double(lat), let lo = Double(lon) else { throw Open311Error.bad("lat and long must be decimal degrees (WGS84)") }
            location = ReportDraft.Location(lat: la, lon: lo, crs: "wgs84")
        default: throw Open311Error.bad("lat and long must be sent together")
        }
        let address = form["address_string"]
        if location == nil, address == nil {
            if form["address_id"] != nil {
                throw Open311Error.bad("address_id is not supported: this district has no address register; send lat and long, or address_string")
            }
            throw Open311Error.bad("a location is required: lat and long, or address_string")
        }
        let description = form["description"]
        if freeText, description == nil {
            throw Open311Error.bad("description is required for service \(code): it is what the request is classified by")
        }
        let attributes = try checkedAttributes(form, service: freeText ? nil : code)
        let name = Self.fullName(first: form["first_name"], last: form["last_name"])
        return ReportDraft(source: ReportSource.resident.rawValue, category: freeText ? nil : code,
                           description: description ?? categories.reportable(code)?.name, location: location, address: address,
                           reporterName: name, reporterPhone: form["phone"], mediaURLs: form["media_url"].map { [$0] } ?? [],
                           reporterEmail: form["email"], deviceID: form["device_id"], accountID: form["account_id"], attributes: attributes)
    }

    /// Chinese names are family name first, without a space; others "first last".
    static func fullName(first: String?, last: String?) -> String? {
        switch (first, last) {
        case (nil, nil): return nil
        case (let f?, nil): return f
        case (nil, let l?): return l
        case (let f?, let l?):
            let cjk = (f + l).unicodeScalars.allSatisfy { $0.properties.isIdeographic || $0 == "·" }
            return cjk ? l + f : "\(f) \(l)"
        }
    }

    /// `attribute[code]` values against the service's definition: every code known, required
    /// ones present, list values among the keys, numbers and date-times well formed.
    func checkedAttributes(_ form: Open311Form, service: String?) throws(Open311Error) -> [ReportAttribute] {
        let defined = service.flatMap { config.attributes[$0] } ?? []
        let given = form.attributes
        var out: [ReportAttribute] = []
        for (code, raw) in given {
            guard let a = defined.first(where: { $0.code == code }) else {
                throw Open311Error.bad("attribute[\(code.prefix(40))] is not an attribute of service \(service ?? config.freeTextService.code)")
            }
            let values = raw.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            if values.isEmpty { continue }
            switch a.datatype {
            case .singlevaluelist, .multivaluelist:
                if a.datatype == .singlevaluelist, values.count > 1 { throw Open311Error.bad("attribute[\(code)] takes one value") }
                let keys = Set((a.values ?? []).map(\.key))
                for v in values where !keys.contains(v) {
                    throw Open311Error.bad("attribute[\(code)] must be one of \(keys.sorted().joined(separator: ", ")), not '\(v.prefix(40))'")
                }
            case .number:
                guard values.count == 1, let n = Double(values[0]), n.isFinite else { throw Open311Error.bad("attribute[\(code)] must be a number") }
            case .datetime:
                guard values.count == 1, Timestamp.parse(values[0]) != nil else {
                    throw Open311Error.bad("attribute[\(code)] must be a W3C date-time such as 2026-11-01T20:30:00+08:00")
                }
            case .string, .text:
                guard values.count == 1 else { throw Open311Error.bad("attribute[\(code)] takes one value") }
                let max = a.datatype == .string ? 100 : ReportLimits.attributeMax
                guard values[0].count <= max else { throw Open311Error.bad("attribute[\(code)] has at most \(max) characters") }
            }
            out.append(ReportAttribute(code: code, values: values))
        }
        for a in defined where a.required && !out.contains(where: { $0.code == a.code }) {
            throw Open311Error.bad("attribute[\(a.code)] (\(a.description)) is required for service \(service ?? "")")
        }
        return out
    }
}
