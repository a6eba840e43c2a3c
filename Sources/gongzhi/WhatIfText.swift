import Foundation
import GongzhiCore
import GongzhiStore

/// A what-if's answer on the terminal: a table, or CSV for a spreadsheet.
enum WhatIfText {
    static func pct(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }

    /// Cases handled late or still overdue: what "falling behind" means for a unit.
    static func late(_ c: Counts) -> Int64 { c[.handledLate] + c[.overdueOpen] }

    static func summary(_ r: WhatIf.Report) -> [String] {
        let t = r.tally
        var lines = ["what-if \(Period.text(r.period.first)) … \(Period.text(r.period.last)): \(r.considered) cases read, "
                     + "\(r.mayChange) may change, \(t.rewritten) come out differently, \(t.changed) change unit or timeliness "
                     + "(\(String(format: "%.1f", r.seconds)) s)"]
        if !t.bases.isEmpty {
            lines.append("handling times: " + HandlingTimes.Basis.allCases.compactMap { b in t.bases[b].map { "\(b.rawValue) \($0)" } }
                .joined(separator: ", "))
        }
        let b = r.districtBefore, a = r.districtAfter
        lines.append("district: on-time close rate \(pct(Indicator.onTimeCloseRate.value(b, perspective: .area))) → "
                     + "\(pct(Indicator.onTimeCloseRate.value(a, perspective: .area))); handled late or overdue \(late(b)) → \(late(a)); "
                     + "self-correction rate \(pct(Indicator.selfCorrectionRate.value(b, perspective: .area))) → "
                     + "\(pct(Indicator.selfCorrectionRate.value(a, perspective: .area)))")
        for (cause, n) in t.causes.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).prefix(10) {
            lines.append("  \(n) changed by \(cause)")
        }
        return lines
    }

    static func unitCells(_ u: WhatIf.UnitRow, names: (String) -> String?) -> [String] {
        let b = u.countsBefore, a = u.countsAfter
        return [u.unit, names(u.unit) ?? u.unit, u.before?.rank.map(String.init) ?? "—", u.after.rank.map(String.init) ?? "—",
                u.before.map { String(format: "%.2f", $0.score) } ?? "—", String(format: "%.2f", u.after.score),
                pct(Indicator.onTimeCloseRate.value(b, perspective: .unit)), pct(Indicator.onTimeCloseRate.value(a, perspective: .unit)),
                String(late(b)), String(late(a)), String(b[.assigned]), String(a[.assigned])]
    }

    static let unitHeader = ["unit", "name", "rank_before", "rank_after", "score_before", "score_after", "on_time_close_before",
                             "on_time_close_after", "late_before", "late_after", "cases_before", "cases_after"]

    static func streetCells(_ a: WhatIf.AreaRow, names: (String) -> String?) -> [String] {
        [a.street, names(a.street) ?? a.street, String(format: "%.2f", a.scoreBefore), String(format: "%.2f", a.scoreAfter),
         pct(Indicator.onTimeCloseRate.value(a.before, perspective: .area)), pct(Indicator.onTimeCloseRate.value(a.after, perspective: .area)),
         pct(Indicator.selfCorrectionRate.value(a.before, perspective: .area)), pct(Indicator.selfCorrectionRate.value(a.after, perspective: .area)),
         String(late(a.before)), String(late(a.after))]
    }

    static let streetHeader = ["street", "name", "score_before", "score_after", "on_time_close_before", "on_time_close_after",
                               "self_correction_before", "self_correction_after", "late_before", "late_after"]

    static func changeCells(_ c: WhatIfReplay.Change, names: (String) -> String?) -> [String] {
        func unit(_ u: String?) -> String { u.map { names($0) ?? $0 } ?? "—" }
        func due(_ d: Date?) -> String { d.map(Timestamp.rfc3339) ?? "—" }
        return [c.trackingCode, c.category ?? "", c.street ?? "", unit(c.before.unit), unit(c.after.unit), due(c.before.dueAt),
                due(c.after.dueAt), c.before.state.rawValue, c.after.state.rawValue, c.ruleBefore ?? "", c.ruleAfter ?? "",
                c.basis?.rawValue ?? ""]
    }

    static let changeHeader = ["tracking_code", "category", "street", "unit_before", "unit_after", "due_before", "due_after",
                               "before", "after", "rule_before", "rule_after", "handling_time"]

    static func table(_ r: WhatIf.Report, names: (String) -> String?, areas: (String) -> String?) -> String {
        var out = summary(r).joined(separator: "\n") + "\n\n"
        let rows = [unitHeader] + r.units.map { unitCells($0, names: names) }
        out += aligned(rows)
        out += "\nstreets (as areas; the most fallen behind first):\n"
            + aligned([streetHeader] + r.streets.map { streetCells($0, names: areas) })
        if !r.tally.changes.isEmpty {
            out += "\nchanged cases (\(r.tally.changes.count) of \(r.tally.changed)):\n"
            out += aligned([changeHeader] + r.tally.changes.map { changeCells($0, names: names) })
        }
        return out
    }

    static func csv(_ r: WhatIf.Report, names: (String) -> String?, areas: (String) -> String?) -> String {
        CSV.write([unitHeader] + r.units.map { unitCells($0, names: names) }) + "\n"
            + CSV.write([streetHeader] + r.streets.map { streetCells($0, names: areas) }) + "\n"
            + CSV.write([changeHeader] + r.tally.changes.map { changeCells($0, names: names) })
    }

    /// Columns padded to their widest cell (CJK characters count two).
    static func aligned(_ rows: [[String]]) -> String {
        func width(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 2 : 1) } }
        var widths: [Int] = []
        for row in rows {
            for (i, cell) in row.enumerated() {
                if i == widths.count { widths.append(0) }
                widths[i] = max(widths[i], width(cell))
            }
        }
        return rows.map { row in
            row.enumerated().map { i, cell in cell + String(repeating: " ", count: widths[i] - width(cell)) }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
