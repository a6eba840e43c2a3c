import Foundation

// The case as JSON text without JSONEncoder (see `JSONWriter`): keys in sorted order, absent
// optionals left out. `CaseJSONTests` holds every writer here to JSONEncoder's text.

extension CaseDTO: JSONWritable {
    func write(json: inout JSONWriter) {
        json.openObject()
        writeHead(&json)
        json.field("allowed_actions", allowed_actions)
        writeMiddle(&json)
        json.field("overdue", overdue)
        writeTail(&json)
        json.closeObject()
    }

    // The members in three runs around the two that depend on the caller and the time
    // (`allowed_actions`, `overdue`), so that `CaseItemCache` can keep the runs of a case.

    /// `accepted` and `address`, the members before `allowed_actions`.
    func writeHead(_ o: inout JSONWriter) {
        o.field("accepted", accepted)
        o.field("address", address)
    }

    /// From `area` to `merged_into`, between `allowed_actions` and `overdue`.
    func writeMiddle(_ o: inout JSONWriter) {
        o.field("area", area)
        o.field("category", category)
        o.field("classification", classification)
        o.field("closed_at", closed_at)
        o.field("created_at", created_at)
        o.field("description", description)
        o.field("disputed", disputed)
        o.field("due_at", due_at)
        o.field("escalation_count", escalation_count)
        o.field("event_count", event_count)
        o.field("external_id", external_id)
        // The history is not the hot path (one case at a time): JSONEncoder writes it.
        o.field("history", history.map { EncodedJSON(JSONBody.encoded($0)) })
        o.field("id", id)
        o.field("last_hash", last_hash)
        o.field("location", location)
        o.field("media_urls", media_urls)
        o.field("merchant", merchant)
        o.field("merchant_confirmed", merchant_confirmed)
        o.field("merged_into", merged_into)
    }

    /// From `reopen_count` to the end, after `overdue`.
    func writeTail(_ o: inout JSONWriter) {
        o.field("reopen_count", reopen_count)
        o.field("reporter", reporter)
        o.field("reports", reports)
        o.field("return_count", return_count)
        o.field("rework_count", rework_count)
        o.field("rule_id", rule_id)
        o.field("satisfaction", satisfaction)
        o.field("scenario", scenario)
        o.field("self_corrected", self_corrected)
        o.field("source", source)
        o.field("status", status)
        o.field("supervision_count", supervision_count)
        o.field("tracking_code", tracking_code)
        o.field("unit", unit)
        o.field("updated_at", updated_at)
        o.field("warn_at", warn_at)
    }
}

extension CaseDTO.Named: JSONWritable {
    func write(json: inout JSONWriter) {
        json.object { o in
            o.field("code", code)
            o.field("name", name)
        }
    }
}

extension CaseDTO.Location: JSONWritable {
    func write(json: inout JSONWriter) {
        json.object { o in
            o.field("crs", crs)
            o.field("lat", lat)
            o.field("lon", lon)
        }
    }
}

extension CaseDTO.ReporterDTO: JSONWritable {
    func write(json: inout JSONWriter) {
        json.object { o in
            o.field("account_id", account_id)
            o.field("device_id", device_id)
            o.field("email", email)
            o.field("masked", masked)
            o.field("name", name)
            o.field("phone", phone)
        }
    }
}

extension CaseDTO.Area: JSONWritable {
    func write(json: inout JSONWriter) {
        json.object { o in
            o.field("community", community)
            o.field("district", district)
            o.field("grid", grid)
            o.field("street", street)
            o.field("version", version)
        }
    }
}

extension Tally: JSONWritable {
    func write(json: inout JSONWriter) {
        json.object { o in
            o.field("by_source", SortedCounts(by_source))
            o.field("last_at", last_at)
            o.field("summary", summary)
            o.field("total", total)
        }
    }
}

extension ClassificationDTO: JSONWritable {
    func write(json: inout JSONWriter) {
        json.object { o in
            o.field("automatic", automatic)
            o.field("model", model)
            o.field("suggestions", suggestions)
        }
    }
}

extension ClassificationDTO.Suggestion: JSONWritable {
    func write(json: inout JSONWriter) {
        json.object { o in
            o.field("code", code)
            o.field("confidence", confidence)
            o.field("name", name)
        }
    }
}

extension CaseListDTO: JSONWritable where Item: JSONWritable {
    func write(json: inout JSONWriter) {
        json.object { o in
            o.field("items", items)
            o.fieldOrNull("next_cursor", next_cursor)
        }
    }
}

/// A dictionary of counts as an object with its keys sorted.
struct SortedCounts: JSONWritable {
    let counts: [String: Int]
    init(_ counts: [String: Int]) { self.counts = counts }

    func write(json: inout JSONWriter) {
        json.object { o in
            for key in counts.keys.sorted() { o.field(key, counts[key]) }
        }
    }
}

/// JSON text made elsewhere, written as it is.
struct EncodedJSON: JSONWritable {
    let data: Data
    init(_ data: Data) { self.data = data }
    func write(json: inout JSONWriter) { json.raw(data) }
}
