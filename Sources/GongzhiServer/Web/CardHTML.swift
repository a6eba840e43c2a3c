import Foundation
import GongzhiCore

/// One form that acts on a case: what it needs is decided by the action (see `actionForms`).
struct ActionForm {
    struct Choice { var code: String; var name: String; var confidence: String?; var checked: Bool }
    struct Dispatch { var unit: String; var unitName: String?; var due: String?; var left: String?; var why: String }

    var caseID: Int64
    var action: CaseAction
    var label: String
    var back: String
    var csrf: String
    var categories: [Choice]?
    var dispatch: Dispatch?

    var needsReason: Bool { WebRoutes.reasonActions.contains(action) }
    var needsPassed: Bool { action == .verify || action == .recheck }
    /// Comments and supervision say nothing without their text.
    var quiet: Bool { action == .comment || action == .supervise }
}

/// The cards of the queues and the action forms, written as HTML here rather than by Mustache:
/// at a million cases a worklist of a hundred cards spent about 60 of its 88 ms in the template
/// engine's lookups (a dynamic cast at each level of its context stack, for each of some ten
/// thousand names). Everything users typed goes through `Markup.escape`.
struct CardHTML {
    let t: [String: String]
    private var out = ""

    init(texts: [String: String]) { t = texts }

    private mutating func raw(_ s: String) { out += s }
    private mutating func text(_ s: String) { out += Markup.escape(s) }
    private func word(_ key: String) -> String { Markup.escape(t[key] ?? key) }

    /// A case as a card: what, where, when, the flags, and its forms.
    static func card(_ r: CaseRecord, _ view: CaseView, forms: [ActionForm], texts: [String: String]) -> String {
        var h = CardHTML(texts: texts)
        let overdue = view.overdue(r), returned = r.lastReturn != nil && r.status == .registered
        h.raw("<article class=\"card\(overdue ? " overdue" : "")\(r.disputed || returned ? " flagged" : "")\" id=\"case-\(r.id)\">\n")
        h.raw("<h3><a href=\"/cases/\(r.id)\">\(h.word("case")) \(r.id)</a> <span class=\"status s-\(r.status.rawValue)\">")
        h.text(view.texts.status(r.status, view.lang))
        h.raw("</span>")
        if r.accepted && r.status == .dispatched { h.raw(" <span class=\"status\">\(h.word("accepted"))</span>") }
        h.raw(" <small>")
        h.text(view.texts.source(r.report.source, view.lang) + " · " + WebText.time(r.createdAt, view.lang))
        if let street = view.street(r) { h.text(" · " + street) }
        h.raw("</small></h3>\n<p class=\"text\">")
        h.text(CaseView.excerpt(r.report.description, 80))
        h.raw("</p>\n<p class=\"meta\">\(h.word("category")): ")
        h.text(view.categoryName(r.category))
        if r.unit != nil { h.raw(" · \(h.word("unit")): "); h.text(view.unitName(r.unit)) }
        if let due = r.dueAt, r.status.isOpen {
            h.raw(" · \(h.word("due")): ")
            h.text(WebText.time(due, view.lang))
            h.raw(" <strong class=\"\(overdue ? "late" : "")\">")
            h.text(WebText.timeLeft(until: due, now: view.now, view.lang))
            h.raw("</strong>")
        }
        h.raw(" · \(h.word("reports")): \(r.tally.total)")
        if r.merchantConfirmed && r.status == .selfCorrecting { h.raw(" · \(h.word("merchant_confirmed"))") }
        h.raw("</p>\n")
        if returned, let back = r.lastReturn {
            h.raw("<p class=\"flag\">\(h.word("returned_by")) ")
            h.text(view.unitName(back.unit) + ": " + back.reason)
            h.raw("</p>\n")
        }
        if r.disputed { h.raw("<p class=\"flag\">\(h.word("disputed_explained"))</p>\n") }
        h.forms(forms)
        h.raw("</article>\n")
        return h.out
    }

    /// The forms alone (the case's page).
    static func forms(_ forms: [ActionForm], texts: [String: String]) -> String {
        var h = CardHTML(texts: texts)
        h.forms(forms)
        return h.out
    }

    private mutating func input(_ label: String, _ name: String, value: String = "", required: Bool = false, extra: String = "") {
        raw("<label>\(word(label)) <input name=\"\(name)\"")
        if !value.isEmpty { raw(" value=\""); text(value); raw("\"") }
        raw("\(extra)\(required ? " required" : "")></label>\n")
    }

    private mutating func forms(_ forms: [ActionForm]) {
        for f in forms {
            raw("<form method=\"post\" action=\"/cases/\(f.caseID)/\(f.action.rawValue)\" class=\"action\(f.quiet ? " quiet" : "")\">\n")
            raw("<input type=\"hidden\" name=\"csrf\" value=\"")
            text(f.csrf)
            raw("\">\n<input type=\"hidden\" name=\"back\" value=\"")
            text(f.back)
            raw("\">\n")
            if let choices = f.categories {
                raw("<fieldset class=\"categories\"><legend>\(word("choose_category"))</legend>\n")
                for c in choices {
                    raw("<label class=\"choice\"><input type=\"radio\" name=\"category\" value=\"")
                    text(c.code)
                    raw("\"\(c.checked ? " checked" : "")> ")
                    text(c.code + " " + c.name)
                    if let confidence = c.confidence { raw(" <small>\(word("suggested")) "); text(confidence); raw("</small>") }
                    raw("</label>\n")
                }
                input("other_category", "category_other", extra: " list=\"categories\" autocomplete=\"off\"")
                raw("</fieldset>\n")
            }
            if let d = f.dispatch {
                raw("<p class=\"rule\">\(word("rules_choose")) <strong>")
                text(d.unitName ?? "")
                raw("</strong>")
                if let due = d.due { raw(" · \(word("due")) "); text(due + " (" + (d.left ?? "") + ")") }
                raw("<br><small>")
                text(d.why)
                raw("</small></p>\n")
                input("unit_code", "unit", value: d.unit, required: true, extra: " list=\"units\" autocomplete=\"off\"")
            }
            if f.action == .merge { input("merge_into", "into", required: true, extra: " inputmode=\"numeric\"") }
            if f.action == .handle { input("photo_urls", "photos", extra: " inputmode=\"url\"") }
            if f.action == .evaluate {
                raw("<fieldset><legend>\(word("satisfaction"))</legend>\n")
                for v in Satisfaction.allCases {
                    raw("<label><input type=\"radio\" name=\"satisfaction\" value=\"\(v.rawValue)\" required> ")
                    let name = "satisfaction_" + v.rawValue
                    raw(word(name) + "</label>\n")
                }
                raw("</fieldset>\n")
            }
            input(f.needsReason ? "reason" : "note", "text", required: f.needsReason || f.quiet)
            if f.needsPassed {
                raw("<button type=\"submit\" name=\"passed\" value=\"true\">"); text(f.label + " · " + (t["passed"] ?? "")); raw("</button>\n")
                raw("<button type=\"submit\" name=\"passed\" value=\"false\" class=\"secondary\">")
                text(f.label + " · " + (t["failed"] ?? ""))
                raw("</button>\n")
            } else {
                raw("<button type=\"submit\">"); text(f.label); raw("</button>\n")
            }
            raw("</form>\n")
        }
    }
}
