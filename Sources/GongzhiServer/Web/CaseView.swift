import Foundation
import GongzhiCore
import GongzhiStore

/// How a case reads on a page, in the page's language: statuses, channels and times in words,
/// names instead of codes. Built from the record alone, so a list of fifty costs no queries.
struct CaseView {
    let services: GongzhiServices
    let texts: WebText
    let lang: Lang
    let now: Date

    func categoryName(_ code: String?) -> String {
        guard let code else { return texts("uncategorised", lang) }
        return services.context.current.categories.reportable(code)?.name ?? code
    }

    func unitName(_ code: String?) -> String {
        guard let code else { return "" }
        return services.context.current.units[code]?.name ?? code
    }

    /// Whether the unit holding the case is past its deadline.
    func overdue(_ r: CaseRecord) -> Bool { r.status == .dispatched && (r.dueAt.map { $0 <= now } ?? false) }

    /// Where a case is, in words: its street, else the address given.
    func street(_ r: CaseRecord) -> String? {
        let s = r.area?.street.flatMap(services.areaName) ?? r.report.address
        return s?.isEmpty == false ? s : nil
    }

    /// A case as the list and case-page templates take it.
    func row(_ r: CaseRecord) -> [String: Any] {
        var row: [String: Any] = [
            "id": r.id, "tracking_code": r.trackingCode, "status": texts.status(r.status, lang), "status_code": r.status.rawValue,
            "category": categoryName(r.category), "street": street(r) ?? "", "unit": unitName(r.unit),
            "source": texts.source(r.report.source, lang), "description": Self.excerpt(r.report.description, 80),
            "overdue": overdue(r), "disputed": r.disputed,
        ]
        if let due = r.dueAt, r.status.isOpen {
            row["due"] = WebText.time(due, lang)
            row["left"] = WebText.timeLeft(until: due, now: now, lang)
        }
        // An empty text is no value: sections such as {{#unit}} must not open for it.
        return row.filter { ($0.value as? String)?.isEmpty != true }
    }

    /// At most `n` characters of a description, on one line.
    static func excerpt(_ text: String, _ n: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count <= n ? line : String(line.prefix(n)) + "…"
    }
}
