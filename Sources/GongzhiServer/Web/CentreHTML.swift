import Foundation
import GongzhiCore
import GongzhiStore

/// The centre's pages as HTML. Everything from users (summaries, names, notes) is escaped;
/// parties are masked; clocks carry their word, never colour alone.
struct CentreHTML {
    let texts: [String: String]
    let rules: MediationRules
    let now: Date
    let name: (String) -> String?
    let csrf: String
    let lang: Lang

    func word(_ key: String) -> String { Markup.escape(texts[key] ?? key) }
    func esc(_ s: String?) -> String { Markup.escape(s ?? "") }
    func place(_ code: String?) -> String { code.map { esc(name($0) ?? $0) } ?? "—" }

    func subnav(_ current: String) -> String {
        let items = [("/centre", "centre_window"), ("/centre/disputes", "centre_disputes"), ("/centre/petitions", "centre_petitions"),
                     ("/centre/campaigns", "centre_campaigns")]
        return "<nav class=\"subnav\" aria-label=\"\(word("nav_centre"))\"><ul>" + items.map { path, key in
            "<li><a href=\"\(path)\"\(path == current ? " aria-current=\"page\"" : "")>\(word(key))</a></li>"
        }.joined() + "</ul></nav>"
    }

    func clock(_ due: PlanDay?) -> String {
        guard let due else { return "—" }
        let state = ClockState.of(due, at: now)
        let left = StatutoryPeriod.daysLeft(due, at: now)
        return "<span class=\"clock \(state.rawValue)\" data-clock=\"\(state.rawValue)\">\(PlanDays.text(due)) · \(word("clock_" + state.rawValue))"
            + (state == .overdue ? "" : " (\(left) \(word("days")))") + "</span>"
    }

    func hidden(_ fields: [String: String] = [:]) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(esc(csrf))\">"
            + fields.sorted { $0.key < $1.key }.map { "<input type=\"hidden\" name=\"\(esc($0.key))\" value=\"\(esc($0.value))\">" }.joined()
    }

    func select(_ name: String, _ options: [(String, String)], selected: String? = nil, label: String, required: Bool = true) -> String {
        "<label>\(word(label)) <select name=\"\(name)\"\(required ? " required" : "")>" + options.map { v, text in
            "<option value=\"\(esc(v))\"\(v == selected ? " selected" : "")>\(esc(text))</option>"
        }.joined() + "</select></label>"
    }

    func field(_ name: String, label: String, type: String = "text", value: String? = nil, required: Bool = false, max: Int = 200) -> String {
        "<label>\(word(label)) <input type=\"\(type)\" name=\"\(name)\" value=\"\(esc(value))\"\(required ? " required" : "")"
            + (type == "text" ? " maxlength=\"\(max)\"" : "") + "></label>"
    }

    func textarea(_ name: String, label: String, required: Bool = true, max: Int = 5_000) -> String {
        "<label>\(word(label)) <textarea name=\"\(name)\" rows=\"3\" maxlength=\"\(max)\"\(required ? " required" : "")></textarea></label>"
    }

    /// Rows for up to four parties: the first is the applicant.
    func partyRows(_ roles: [Party.Role] = [.applicant, .respondent, .other, .other]) -> String {
        var h = "<fieldset><legend>\(word("centre_parties"))</legend>"
        for (i, role) in roles.enumerated() {
            h += "<div class=\"party\">" + field("party_name_\(i)", label: "party_name", required: i == 0, max: 100)
            h += select("party_kind_\(i)", Party.Kind.allCases.map { ($0.rawValue, texts["party_kind_\($0.rawValue)"] ?? $0.rawValue) },
                        label: "party_kind")
            h += select("party_role_\(i)", Party.Role.allCases.map { ($0.rawValue, texts["party_role_\($0.rawValue)"] ?? $0.rawValue) },
                        selected: role.rawValue, label: "party_role")
            h += field("party_phone_\(i)", label: "party_phone", max: 30) + "</div>"
        }
        return h + "</fieldset>"
    }

    func parties(_ list: [Party]) -> String {
        "<table class=\"parties\"><thead><tr><th>#</th><th>\(word("party_name"))</th><th>\(word("party_role"))</th><th>\(word("party_phone"))</th>"
            + "</tr></thead><tbody>" + list.enumerated().map { i, p in
                let m = p.masked
                return "<tr><td>\(i + 1)</td><td>\(esc(m.name))</td><td>\(word("party_role_" + p.role.rawValue))</td>"
                    + "<td>\(esc(m.phone ?? "—"))</td></tr>"
            }.joined() + "</tbody></table>"
    }

    func history(_ steps: [MatterStep]) -> String {
        "<h2>\(word("history"))</h2><ol class=\"history\">" + steps.map {
            "<li><time>\(esc(WebText.time($0.at, lang)))</time> \(word("centre_step_" + $0.action)) <small>\(esc($0.actor))</small></li>"
        }.joined() + "</ol>"
    }

    func form(_ action: String, _ id: String, legend: String, _ fields: String, button: String) -> String {
        "<form method=\"post\" action=\"\(esc(action))\" id=\"\(id)\" class=\"step\"><fieldset><legend>\(word(legend))</legend>\(hidden())"
            + fields + "<button type=\"submit\">\(word(button))</button></fieldset></form>"
    }

    /// A table's opening with its header row; `headers` are markup already (escaped words).
    func tableHead(_ id: String, _ headers: [String]) -> String {
        "<table class=\"matters\" id=\"\(id)\"><thead><tr>" + headers.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
    }

    /// An option's text: the key `prefix + value` in the page's language, or the value itself.
    func option(_ prefix: String, _ value: String) -> String { texts[prefix + value] ?? value }

    func percent(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }
}
