import Foundation
import GongzhiCore
import GongzhiStore
import Hummingbird

/// The weekly briefing (督查简报) that prints cleanly to PDF from the browser, and the plan's
/// tables as CSV (UTF-8 with a byte-order mark for spreadsheets, or GB18030 with `encoding=`).
extension WebRoutes {
    func briefingPage(_ request: Request, _ id: String, _ s: WebSession, _ lang: Lang) async throws -> Response {
        let (html, _) = try await planView(request, id, s, lang)
        var values = planValues(request, s, lang, html, title: pages.text("plan_briefing", lang) + " · " + html.plan.name, section: "/briefing")
        values["print"] = true
        values["generated"] = WebText.time(services.clock.now(), lang)
        var body = html.lightTiles()
        // What needs a leader's attention first: red and amber tasks, with why.
        body += "<h2>\(html.word("plan_attention"))</h2>"
        var rows = ""
        for area in html.plan.goalAreas {
            for t in area.tasks {
                guard let ts = html.status.tasks[t.id], ts.light >= .amber else { continue }
                let why = t.indicators.compactMap { si -> String? in
                    guard let p = html.status.indicators[si.indicator.id], p.light >= .amber else { return nil }
                    return "\(si.indicator.name) \(html.percent(p.progress))/\(html.percent(p.expected))"
                } + (ts.openBlockers > 0 ? ["\(html.texts["plan_open_blockers"] ?? "") \(ts.openBlockers)"] : [])
                rows += "<tr><td>\(html.light(ts.light))</td><td>\(html.esc(area.name))</td><td>\(html.esc(t.name))</td>"
                rows += "<td>\(html.esc(services.context.current.units[t.leadUnit]?.name ?? t.leadUnit))</td>"
                rows += "<td>\(html.esc(why.joined(separator: "; ")))</td></tr>"
            }
        }
        body += rows.isEmpty ? "<p>\(html.word("plan_all_on_track"))</p>"
            : "<table class=\"list\"><thead><tr><th scope=\"col\">\(html.word("plan_light"))</th>"
            + "<th scope=\"col\">\(html.word("plan_goal_area"))</th>"
            + "<th scope=\"col\">\(html.word("plan_task"))</th><th scope=\"col\">\(html.word("plan_lead_unit"))</th>"
            + "<th scope=\"col\">\(html.word("plan_why"))</th></tr></thead><tbody>\(rows)</tbody></table>"
        body += "<h2>\(html.word("plan_portfolios"))</h2>" + html.portfolios()
        let red = html.plan.projects.filter { html.status.projects[$0.id]?.light == .red }
        body += "<h2>\(html.word("plan_red_projects")) (\(red.count))</h2>" + html.projectTable(Array(red.prefix(40)))
        if red.count > 40 { body += "<p><a href=\"\(html.esc(html.href("/map", [("light", "red")])))\">\(html.word("plan_see_all"))</a></p>" }
        body += "<h2>\(html.word("plan_late_reports"))</h2>" + lateReports(html)
        values["body"] = body
        return pages.render("plan", values)
    }

    func lateReports(_ html: PlanHTML) -> String {
        var items = ""
        for si in html.plan.indicators {
            guard let p = html.status.indicators[si.indicator.id] else { continue }
            for g in p.gaps where (g.daysLate ?? 1) > 0 {
                let month = String(PlanDays.text(g.month).prefix(7))
                let state = g.daysLate.map { "\(html.word("plan_days_late")) \($0)" } ?? html.word("plan_missing")
                items += "<li>\(html.esc(si.indicator.name)) · \(month) · \(html.word("plan_report_due")) \(PlanDays.text(g.due)) · \(state)</li>"
            }
        }
        return items.isEmpty ? "<p>\(html.word("plan_no_late_reports"))</p>" : "<ul class=\"late\">\(items)</ul>"
    }

    func planExport(_ request: Request, _ id: String, _ table: String, _ s: WebSession) async throws -> Response {
        let (html, _) = try await planView(request, id, s, .zh)
        let format: StatsFormat = request.uri.queryParameters.get("encoding") == "gb18030" ? .csv(gb18030: true) : .csv(gb18030: false)
        switch table {
        case "indicators": return try format.respond([String](), name: "plan-indicators-\(html.day)", csv: indicatorRows(html))
        case "projects": return try format.respond([String](), name: "plan-projects-\(html.day)", csv: projectRows(html))
        default: throw APIError(.notFound, code: "not_found", message: "no table '\(table.prefix(50))'")
        }
    }

    func indicatorRows(_ html: PlanHTML) -> [[String]] {
        var rows = [["目标领域", "任务", "牵头单位", "配合单位", "指标", "计量单位", "基数", "目标", "截止", "实际", "实际截至", "应达",
                     "完成进度", "应达进度", "年末预测", "灯", "已恢复", "逾期未完成", "迟报", "原文所列", "评估日"]]
        let units = services.context.current.units
        for area in html.plan.goalAreas {
            for t in area.tasks {
                for si in t.indicators {
                    guard let p = html.status.indicators[si.indicator.id] else { continue }
                    let i = si.indicator
                    let late = p.gaps.filter { ($0.daysLate ?? 1) > 0 }.map { String(PlanDays.text($0.month).prefix(7)) }.joined(separator: " ")
                    let cooperating = t.cooperatingUnits.map { units[$0]?.name ?? $0 }.joined(separator: "、")
                    rows.append([area.name, t.name, units[t.leadUnit]?.name ?? t.leadUnit, cooperating,
                                 i.name, i.unitOfMeasure, html.number(i.baseline), html.number(i.target), PlanDays.text(i.deadline),
                                 p.actual.map { html.number($0) } ?? "", p.actualAsOf.map(PlanDays.text) ?? "", html.number(p.expectedValue),
                                 p.progress.map { String(format: "%.4f", $0) } ?? "", String(format: "%.4f", p.expected),
                                 p.forecast.map { html.number($0) } ?? "", p.light.rawValue, p.recovered ? "1" : "0", p.missedDeadline ? "1" : "0",
                                 late, si.stated ? "1" : "0", html.day])
                }
            }
        }
        return rows
    }

    func projectRows(_ html: PlanHTML) -> [[String]] {
        var head = ["编号", "项目", "分组", "类型", "道路", "街道", "牵头单位", "截止", "目标节点", "当前节点", "灯", "未解决堵点", "原因"]
        for m in Milestone.allCases { head += ["\(m.name)计划", "\(m.name)最迟开始", "\(m.name)最迟完成", "\(m.name)实际", "\(m.name)余量天"] }
        var rows = [head + ["原文点名", "原文所列", "评估日"]]
        let units = services.context.current.units
        for p in html.plan.projects {
            guard let s = html.status.projects[p.id] else { continue }
            let street = p.street.map { services.areaName($0) ?? $0 } ?? ""
            var row: [String] = [p.id, p.name, p.group ?? "", p.type, p.road ?? "", street, units[p.leadUnit]?.name ?? p.leadUnit,
                       PlanDays.text(p.deadline), p.target.rawValue, html.stage(p)?.rawValue ?? "", s.light.rawValue, String(s.openBlockers),
                       html.reason(p)]
            for m in Milestone.allCases {
                let sm = s.milestones.first { $0.milestone == m }
                let days: [PlanDay?] = [sm?.planned, sm?.latestStart, sm?.latestFinish, sm?.actual]
                row += days.map { $0.map(PlanDays.text) ?? "" }
                row.append(sm?.slack.map { String($0) } ?? "")
            }
            rows.append(row + [p.namedInText ? "1" : "0", p.stated ? "1" : "0", html.day])
        }
        return rows
    }
}
