import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// The work plan's pages as HTML: lights always carry their word (never colour alone), filled-in
/// figures carry the demo mark, and everything from the plan file or from users is escaped.
struct PlanHTML {
    let texts: [String: String]
    let lang: Lang
    let view: PlanReader.View
    let unitName: (String) -> String
    let areaName: (String) -> String?
    /// The form to report an indicator's value, for an indicator the viewer may report on.
    var reportForm: (String) -> String? = { _ in nil }

    var plan: PlanDocument { view.document }
    var status: PlanStatus { view.status }
    var day: String { PlanDays.text(status.asOf) }

    func word(_ key: String) -> String { Markup.escape(texts[key] ?? key) }
    func esc(_ s: String) -> String { Markup.escape(s) }

    /// Links within the plan keep the day evaluated.
    func href(_ path: String, _ extra: [(String, String)] = []) -> String {
        let items = [("as_of", day)] + extra
        return "/plans/\(StatsParams.escape(plan.id))\(path)?" + items.map { "\($0.0)=\(StatsParams.escape($0.1))" }.joined(separator: "&")
    }

    func light(_ l: Light, recovered: Bool = false) -> String {
        var h = "<span class=\"light \(l.rawValue)\">\(word("light_" + l.rawValue))</span>"
        if recovered { h += " <span class=\"badge\">\(word("light_recovered"))</span>" }
        return h
    }

    /// The mark on what the plan's text does not state (demo progress, a generated project).
    func demoMark(_ stated: Bool) -> String {
        stated ? "" : " <abbr class=\"demo\" title=\"\(word("plan_demo_hint"))\">\(word("plan_demo"))</abbr>"
    }

    func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "—" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v)
    }

    func percent(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }

    func milestoneName(_ m: Milestone) -> String { word("milestone_" + m.rawValue) }

    // MARK: Plan view

    func subnav(current: String, editable: Bool) -> String {
        var h = "<nav class=\"subnav\" aria-label=\"\(word("plan_sections"))\"><ul>"
        let sections = [("", "plan_overview"), ("/map", "plan_map"), ("/briefing", "plan_briefing")] + (editable ? [("/edit", "plan_edit")] : [])
        for (path, key) in sections {
            h += "<li><a href=\"\(esc(href(path)))\"\(path == current ? " aria-current=\"page\"" : "")>\(word(key))</a></li>"
        }
        for (table, key) in [("indicators", "plan_export_indicators"), ("projects", "plan_export_projects")] {
            h += "<li><a href=\"\(esc(href("/export/\(table)")))\" download>\(word(key))</a></li>"
        }
        return h + "</ul></nav>"
    }

    func picker(action: String, hidden: [(String, String)] = []) -> String {
        var h = "<form method=\"get\" action=\"\(esc(action))\" class=\"picker\">"
        for (k, v) in hidden { h += "<input type=\"hidden\" name=\"\(esc(k))\" value=\"\(esc(v))\">" }
        h += "<label>\(word("plan_as_of")) <input type=\"date\" name=\"as_of\" value=\"\(day)\"></label>"
        return h + "<button type=\"submit\">\(word("apply"))</button></form>"
    }

    /// Tasks by light: the plan's summary tiles.
    func lightTiles() -> String {
        var h = "<ul class=\"tiles lights\">"
        for l in [Light.red, .amber, .green, .none] {
            h += "<li class=\"tile light-\(l.rawValue)\"><span class=\"label\">\(word("plan_tasks")) · \(word("light_" + l.rawValue))</span>"
            h += "<span class=\"value\">\(status.taskLights[l] ?? 0)</span></li>"
        }
        return h + "</ul>"
    }

    func portfolios() -> String {
        guard !plan.portfolioTargets.isEmpty else { return "" }
        var h = "<div class=\"scroll\"><table class=\"list\"><thead><tr><th scope=\"col\">\(word("plan_portfolio"))</th>"
        h += "<th scope=\"col\">\(word("plan_projects"))</th><th scope=\"col\">\(word("plan_reached"))</th>"
        h += "<th scope=\"col\">\(word("plan_share"))</th><th scope=\"col\">\(word("plan_forecast"))</th>"
        h += "<th scope=\"col\">\(word("plan_light"))</th></tr></thead><tbody>"
        for t in plan.portfolioTargets {
            guard let s = status.portfolios[t.id] else { continue }
            let milestones = t.target.milestones.sorted().map(milestoneName).joined(separator: "/")
            h += "<tr><td><a href=\"\(esc(href("/map", [("group", t.group)])))\">\(esc(t.name))</a>\(demoMark(t.stated))"
            h += "<br><small>\(milestones) · \(word("plan_by")) \(PlanDays.text(t.target.by))</small></td>"
            h += "<td>\(s.projects)</td><td>\(s.reached) / \(s.targetCount)</td>"
            h += "<td>\(paceBar(actual: s.share, expected: t.target.share, label: "\(percent(s.share)) / \(percent(t.target.share))"))</td>"
            h += "<td>\(s.forecastReached) (\(percent(s.forecastShare)))</td><td>\(light(s.light))</td></tr>"
        }
        return h + "</tbody></table></div>"
    }

    /// A bar: the filled part is the progress, the tick is where the pace says it should be. SVG
    /// attributes, not inline styles, which the pages' content security policy does not allow.
    func paceBar(actual: Double?, expected: Double, label: String) -> String {
        let a = min(1, max(0, actual ?? 0)) * 100, e = min(1, max(0, expected)) * 100
        var h = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pace\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\""
        h += " aria-label=\"\(esc(label))\"><rect class=\"track\" width=\"100\" height=\"10\"></rect>"
        h += "<rect class=\"done\" width=\"\(String(format: "%.1f", a))\" height=\"10\"></rect>"
        h += "<rect class=\"due\" x=\"\(String(format: "%.1f", max(0, e - 0.75)))\" width=\"1.5\" height=\"10\"></rect></svg>"
        return h + " <small>\(esc(label))</small>"
    }

    func goalAreas() -> String {
        var h = ""
        for area in plan.goalAreas {
            h += "<section class=\"goal-area\"><h2>\(esc(area.name)) \(light(status.goalAreas[area.id] ?? .none))</h2>"
            for task in area.tasks { h += self.task(task) }
            h += "</section>"
        }
        return h.isEmpty ? "<p>\(word("no_data"))</p>" : h
    }

    func task(_ t: PlanDocument.PlanTask) -> String {
        let s = status.tasks[t.id]
        var h = "<article class=\"task\" id=\"task-\(esc(t.id))\"><h3>\(esc(t.name))\(demoMark(t.stated)) \(light(s?.light ?? .none))</h3>"
        h += "<p class=\"meta\">\(word("plan_lead_unit")): \(esc(unitName(t.leadUnit)))"
        if !t.cooperatingUnits.isEmpty {
            h += " · \(word("plan_cooperating")): \(esc(t.cooperatingUnits.map(unitName).joined(separator: "、")))"
        }
        h += " · \(word("plan_deadline")): \(PlanDays.text(t.deadline))"
        if let open = s?.openBlockers, open > 0 { h += " · <strong class=\"blockers\">\(word("plan_open_blockers")): \(open)</strong>" }
        if let g = t.projectGroup { h += " · <a href=\"\(esc(href("/map", [("group", g)])))\">\(word("plan_map"))</a>" }
        h += "</p>"
        guard !t.indicators.isEmpty else { return h + "</article>" }
        h += "<div class=\"scroll\"><table class=\"list indicators\"><thead><tr><th scope=\"col\">\(word("plan_indicator"))</th>"
        h += "<th scope=\"col\">\(word("plan_target"))</th><th scope=\"col\">\(word("plan_actual"))</th>"
        h += "<th scope=\"col\">\(word("plan_pace"))</th><th scope=\"col\">\(word("plan_forecast"))</th>"
        h += "<th scope=\"col\">\(word("plan_light"))</th></tr></thead><tbody>"
        for si in t.indicators {
            guard let p = status.indicators[si.indicator.id] else { continue }
            let i = si.indicator
            let unit = esc(i.unitOfMeasure)
            h += "<tr><td>\(esc(i.name))\(demoMark(si.stated))<br><small>\(word("plan_deadline")) \(PlanDays.text(i.deadline))</small></td>"
            h += "<td>\(number(i.target)) \(unit)</td>"
            h += "<td>\(number(p.actual)) \(unit)\(p.actualAsOf.map { "<br><small>\(PlanDays.text($0))</small>" } ?? "")</td>"
            let label = "\(percent(p.progress)) / \(percent(p.expected)) (\(word("plan_expected")) \(number(p.expectedValue)))"
            h += "<td>\(paceBar(actual: p.progress, expected: p.expected, label: label))</td>"
            h += "<td>\(number(p.forecast)) \(unit)</td><td>\(light(p.light, recovered: p.recovered))"
            if p.missedDeadline { h += " <span class=\"badge\">\(word("plan_missed_deadline"))</span>" }
            let late = p.gaps.filter { ($0.daysLate ?? 1) > 0 }
            if !late.isEmpty {
                let months = late.map { String(PlanDays.text($0.month).prefix(7)) + ($0.daysLate.map { " +\($0)d" } ?? " ✗") }
                h += "<br><small class=\"late\">\(word("plan_late_reports")): \(esc(months.joined(separator: ", ")))</small>"
            }
            h += "</td></tr>"
            if let form = reportForm(i.id) { h += "<tr class=\"report-row\"><td colspan=\"6\">\(form)</td></tr>" }
        }
        return h + "</tbody></table></div></article>"
    }

    // MARK: Projects

    /// Why a project has its light: its worst milestone, or its blockers. Plain text (escape it for a page).
    func reason(_ p: PlanProject) -> String {
        func text(_ key: String) -> String { texts[key] ?? key }
        guard let s = status.projects[p.id] else { return "" }
        var parts: [String] = []
        if let worst = s.milestones.filter({ $0.light >= .amber }).max(by: { $0.light < $1.light }) {
            var why = text("milestone_" + worst.milestone.rawValue)
            if let slack = worst.slack { why += " " + text("plan_slack") + " \(slack)d" }
            if worst.actual == nil, let start = worst.latestStart, start < status.asOf { why += " · " + text("plan_past_latest_start") }
            parts.append(why)
        }
        if s.openBlockers > 0 { parts.append("\(text("plan_open_blockers")) \(s.openBlockers)") }
        return parts.joined(separator: "; ")
    }

    func stage(_ p: PlanProject) -> Milestone? { status.projects[p.id]?.milestones.last { $0.actual != nil }?.milestone }

    func projectTable(_ projects: [PlanProject]) -> String {
        guard !projects.isEmpty else { return "<p>\(word("no_data"))</p>" }
        var h = "<div class=\"scroll\"><table class=\"list projects\"><thead><tr><th scope=\"col\">\(word("plan_project"))</th>"
        h += "<th scope=\"col\">\(word("plan_road"))</th><th scope=\"col\">\(word("area_street"))</th>"
        h += "<th scope=\"col\">\(word("plan_stage"))</th><th scope=\"col\">\(word("plan_target"))</th>"
        h += "<th scope=\"col\">\(word("plan_light"))</th><th scope=\"col\">\(word("plan_why"))</th></tr></thead><tbody>"
        let order = projects.sorted { (status.projects[$0.id]?.light ?? .none, $1.id) > (status.projects[$1.id]?.light ?? .none, $0.id) }
        for p in order {
            h += "<tr data-light=\"\((status.projects[p.id]?.light ?? .none).rawValue)\">"
            h += "<td><a href=\"\(esc(href("/projects/\(StatsParams.escape(p.id))")))\">\(esc(p.name))</a>\(demoMark(p.stated))</td>"
            h += "<td>\(esc(p.road ?? "—"))</td><td>\(esc(p.street.map { areaName($0) ?? $0 } ?? "—"))</td>"
            h += "<td>\(stage(p).map(milestoneName) ?? "—")</td><td>\(milestoneName(p.target)) \(PlanDays.text(p.deadline))</td>"
            h += "<td>\(light(status.projects[p.id]?.light ?? .none))</td><td>\(esc(reason(p)))</td></tr>"
        }
        return h + "</tbody></table></div>"
    }

    /// The battle map (挂图作战): the district and its streets, each project a dot or a road
    /// section in the colour of its light, linking to its page.
    func battleMap(_ projects: [PlanProject], atlas: Atlas) -> String {
        let mapView = MapView(atlas: atlas)
        guard let (code, shape) = mapView.district() else { return "<p>\(word("no_map"))</p>" }
        var layers = [SVGMap.Layer(code: code, name: atlas.name(of: code) ?? code, shape: shape, style: .base)]
        if let streets = atlas.layers[.street] {
            layers += streets.codes.compactMap { c in
                streets.shapes[c].map { SVGMap.Layer(code: c, name: streets.names[c] ?? c, shape: $0, style: .grid) }
            }
        }
        // Red last, so it is drawn on top.
        let order = projects.sorted { (status.projects[$0.id]?.light ?? .none) < (status.projects[$1.id]?.light ?? .none) }
        let markers = order.compactMap { p -> SVGMap.Marker? in
            guard let location = p.location else { return nil }
            let l = status.projects[p.id]?.light ?? .none
            let why = reason(p)
            return SVGMap.Marker(points: location.points.map { Position(lon: $0.lon, lat: $0.lat) }, cssClass: "project light-\(l.rawValue)",
                                 title: "\(p.name) · \(texts["light_" + l.rawValue] ?? l.rawValue)\(why.isEmpty ? "" : " · " + why)",
                                 link: href("/projects/\(StatsParams.escape(p.id))"))
        }
        let svg = SVGMap(frame: SVGMap.frame(of: [shape]), width: 640).render(layers, markers: markers, label: texts["plan_map"] ?? "map")
        var legend = "<ol class=\"legend\">"
        for l in [Light.red, .amber, .green, .none] {
            let n = projects.filter { (status.projects[$0.id]?.light ?? .none) == l }.count
            legend += "<li><span class=\"swatch light-\(l.rawValue)\"></span>\(word("light_" + l.rawValue)) \(n)</li>"
        }
        return "<figure class=\"battle-map\">\(svg)<figcaption>\(legend + "</ol>")</figcaption></figure>"
    }

    /// Planned, latest and actual dates of each milestone on one time axis, with the day evaluated.
    func timeline(_ p: PlanProject) -> String {
        guard let s = status.projects[p.id], !s.milestones.isEmpty else { return "" }
        var days: [PlanDay] = [p.entered, p.deadline, status.asOf]
        for m in s.milestones { days += [m.planned, m.latestStart, m.latestFinish, m.actual, m.forecast].compactMap { $0 } }
        let first = days.min()!, last = max(days.max()!, first + 1)
        let w = 640.0, left = 110.0, right = 16.0, rowH = 34.0, top = 26.0
        let hgt = top + rowH * Double(s.milestones.count) + 10
        func x(_ d: PlanDay) -> String { String(format: "%.1f", left + (w - left - right) * Double(d - first) / Double(last - first)) }
        var h = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 \(Int(w)) \(Int(hgt))\" role=\"img\""
        h += " aria-label=\"\(word("plan_timeline"))\">"
        h += "<text x=\"\(left)\" y=\"14\">\(PlanDays.text(first))</text>"
        h += "<text x=\"\(w - right)\" y=\"14\" text-anchor=\"end\">\(PlanDays.text(last))</text>"
        h += "<line class=\"today\" x1=\"\(x(status.asOf))\" y1=\"18\" x2=\"\(x(status.asOf))\" y2=\"\(Int(hgt))\">"
        h += "<title>\(word("plan_as_of")) \(day)</title></line>"
        for (i, m) in s.milestones.enumerated() {
            let y = top + rowH * Double(i) + rowH / 2
            h += "<text x=\"4\" y=\"\(y + 4)\">\(milestoneName(m.milestone))</text>"
            if let a = m.latestStart, let b = m.latestFinish {
                h += "<line class=\"window light-\(m.light.rawValue)\" x1=\"\(x(a))\" y1=\"\(y)\" x2=\"\(x(b))\" y2=\"\(y)\">"
                h += "<title>\(word("plan_latest")) \(PlanDays.text(a)) – \(PlanDays.text(b))</title></line>"
            }
            if let d = m.planned {
                h += "<rect class=\"planned\" x=\"\(x(d))\" y=\"\(y - 12)\" width=\"3\" height=\"24\">"
                h += "<title>\(word("plan_planned")) \(PlanDays.text(d))</title></rect>"
            }
            if let d = m.actual {
                h += "<circle class=\"actual\" cx=\"\(x(d))\" cy=\"\(y)\" r=\"6\">"
                h += "<title>\(word("plan_actual_date")) \(PlanDays.text(d))</title></circle>"
            } else {
                h += "<circle class=\"forecast\" cx=\"\(x(m.forecast))\" cy=\"\(y)\" r=\"5\">"
                h += "<title>\(word("plan_forecast")) \(PlanDays.text(m.forecast))</title></circle>"
            }
        }
        h += "</svg><p class=\"keys\"><span class=\"key planned\">\(word("plan_planned"))"
        h += "</span> <span class=\"key window\">\(word("plan_latest"))</span>"
        return h + " <span class=\"key actual\">\(word("plan_actual_date"))</span> <span class=\"key forecast\">\(word("plan_forecast"))</span></p>"
    }

    func milestoneTable(_ p: PlanProject) -> String {
        guard let s = status.projects[p.id] else { return "" }
        var h = "<div class=\"scroll\"><table class=\"list\"><thead><tr><th scope=\"col\">\(word("plan_milestone"))</th>"
        for key in ["plan_planned", "plan_latest_start", "plan_latest_finish", "plan_actual_date", "plan_forecast", "plan_slack", "plan_light"] {
            h += "<th scope=\"col\">\(word(key))</th>"
        }
        h += "</tr></thead><tbody>"
        func d(_ day: PlanDay?) -> String { day.map(PlanDays.text) ?? "—" }
        for m in s.milestones {
            h += "<tr><td>\(milestoneName(m.milestone))</td><td>\(d(m.planned))</td><td>\(d(m.latestStart))</td><td>\(d(m.latestFinish))</td>"
            h += "<td>\(d(m.actual))</td><td>\(PlanDays.text(m.forecast))</td>"
            h += "<td>\(m.slack.map { "\($0)" } ?? "—")</td><td>\(light(m.light))</td></tr>"
        }
        return h + "</tbody></table></div>"
    }
}
