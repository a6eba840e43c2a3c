import Foundation

/// A plan's goal areas, tasks and indicators as districts keep them in a spreadsheet (重点工作
/// 任务清单): one row per indicator, or per task that has none, with the goal area, task, lead
/// and cooperating units, deadline, indicator and target. Rows are merged into a plan file by
/// name: a goal area, task or indicator already there keeps its id (so the progress reported
/// against it stays), new ones get new ids; nothing is removed. Each row is checked on its own:
/// a bad row is reported (line, column, reason) and the good rows are taken.
public enum PlanSheet {
    public struct RowError: Sendable, Hashable, CustomStringConvertible {
        /// The line in the file (the header is line 1).
        public var line: Int
        public var field: String
        public var message: String

        public var description: String { line > 0 ? "line \(line), \(field): \(message)" : "\(field): \(message)" }

        public init(line: Int, field: String, message: String) {
            self.line = line
            self.field = field
            self.message = message
        }
    }

    public struct Outcome: Sendable, Hashable {
        public var rows: Int
        public var taken: Int
        public var errors: [RowError]
        public var added: Int
        public var updated: Int
    }

    /// Each field's headers as districts write them, Chinese or English.
    static let headers: [(field: String, names: [String])] = [
        ("goal_area", ["目标领域", "领域", "工作板块", "goal_area", "goal area"]),
        ("task", ["任务", "重点任务", "工作任务", "task"]),
        ("lead_unit", ["牵头单位", "责任单位", "lead_unit", "lead unit"]),
        ("cooperating_units", ["配合单位", "协同单位", "cooperating_units", "cooperating units"]),
        ("deadline", ["完成时限", "截止时间", "时间节点", "deadline"]),
        ("indicator", ["指标", "指标名称", "indicator"]),
        ("unit_of_measure", ["计量单位", "单位名称", "unit_of_measure", "unit of measure"]),
        ("target", ["目标值", "目标", "target"]),
        ("baseline", ["基数", "基期值", "baseline"]),
        ("start", ["起始日期", "开始时间", "start"]),
        ("direction", ["方向", "direction"]),
        ("accumulation", ["口径", "统计口径", "accumulation"]),
    ]

    /// The rows of a sheet exported as CSV, or copied out of a spreadsheet (tab-separated).
    public static func rows(_ text: String) throws(CSV.ParseError) -> [[String]] {
        let first = text.prefix { $0 != "\n" && $0 != "\r\n" }
        if first.contains("\t") && !first.contains(",") {
            return text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
                .filter { !($0.count == 1 && $0[0].isEmpty) }
        }
        return try CSV.rows(text)
    }

    /// A date as sheets write it: 2020-12-31, 2020/12/31, 2020.12.31 or 2020年12月31日, or as an
    /// XLSX cell holds one, a serial number of days (44196 is 2020-12-31; day 0 is 1899-12-30).
    public static func day(_ text: String) -> PlanDay? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if let serial = Int(t.hasSuffix(".0") ? String(t.dropLast(2)) : t), (1...2_958_465).contains(serial) { return Int64(serial - 25_569) }
        for sep in ["/", ".", "年", "月"] { t = t.replacingOccurrences(of: sep, with: "-") }
        t = t.replacingOccurrences(of: "日", with: "")
        let parts = t.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return PlanDays.parse(String(format: "%04d-%02d-%02d", y, m, d))
    }

    /// A number as people type it (`10,500`, `10，500`), finite and below 10¹⁵; nil otherwise.
    public static func number(_ text: String) -> Double? {
        let t = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "，", with: "").trimmingCharacters(in: .whitespaces)
        guard let v = Double(t), v.isFinite, abs(v) < 1e15 else { return nil }
        return v
    }

    /// Merges the sheet into `plan` (a plan file's JSON object). `unit` resolves a unit's code or
    /// name to its code (nil when unknown).
    public static func merge(_ text: String, into plan: inout [String: Any], unit: (String) -> String?) throws(CSV.ParseError) -> Outcome {
        let table = try rows(text)
        var outcome = Outcome(rows: max(0, table.count - 1), taken: 0, errors: [], added: 0, updated: 0)
        guard let header = table.first else { return outcome }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{FEFF}", with: "").lowercased() }
        var column: [String: Int] = [:]
        for (field, aliases) in headers {
            if let i = names.firstIndex(where: { aliases.map { $0.lowercased() }.contains($0) }) { column[field] = i }
        }
        for required in ["goal_area", "task", "lead_unit", "deadline"] where column[required] == nil {
            outcome.errors.append(RowError(line: 1, field: required, message: "no column for \(required) (e.g. \(headerName(required)))"))
        }
        guard outcome.errors.isEmpty else { return outcome }
        let planStart = (plan["start"] as? String).flatMap(PlanDays.parse)
        var areas = plan["goal_areas"] as? [[String: Any]] ?? []
        for (offset, row) in table.dropFirst().enumerated() {
            let line = offset + 2
            func cell(_ field: String) -> String {
                guard let i = column[field], i < row.count else { return "" }
                return row[i].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { outcome.rows -= 1; continue }
            var errors: [RowError] = []
            func fail(_ field: String, _ message: String) { errors.append(RowError(line: line, field: field, message: message)) }
            for field in ["goal_area", "task"] where cell(field).isEmpty { fail(field, "is empty") }
            for field in ["goal_area", "task", "indicator", "unit_of_measure"] where cell(field).count > 200 {
                fail(field, "is longer than 200 characters")
            }
            for (field, value) in column.keys.map({ ($0, cell($0)) }) where TextRule.forbidden(in: value, shape: .multiline) != nil {
                fail(field, "has a control character")
            }
            let lead = unit(cell("lead_unit"))
            if lead == nil { fail("lead_unit", cell("lead_unit").isEmpty ? "is empty" : "unknown unit '\(cell("lead_unit"))'") }
            var cooperating: [String] = []
            for name in cell("cooperating_units").split(whereSeparator: { "、,，;；/".contains($0) }).map({ $0.trimmingCharacters(in: .whitespaces) })
            where !name.isEmpty {
                if let code = unit(name) {
                    if !cooperating.contains(code) { cooperating.append(code) }
                } else {
                    fail("cooperating_units", "unknown unit '\(name)'")
                }
            }
            let deadline = day(cell("deadline"))
            if deadline == nil { fail("deadline", "'\(cell("deadline"))' is not a date (2020-12-31)") }
            var indicator: [String: Any]? = nil
            if !cell("indicator").isEmpty {
                var i: [String: Any] = ["name": cell("indicator"), "curve": "linear", "report_due_day": 5, "stated": true]
                if cell("unit_of_measure").isEmpty { fail("unit_of_measure", "is empty") } else { i["unit_of_measure"] = cell("unit_of_measure") }
                let target = number(cell("target")), baseline = cell("baseline").isEmpty ? 0 : number(cell("baseline"))
                if target == nil { fail("target", "'\(cell("target"))' is not a number") }
                if baseline == nil { fail("baseline", "'\(cell("baseline"))' is not a number") }
                i["target"] = target
                i["baseline"] = baseline
                let start = cell("start").isEmpty ? planStart : day(cell("start"))
                if start == nil { fail("start", "'\(cell("start"))' is not a date") }
                if let start, let deadline, start > deadline { fail("start", "is after the deadline") }
                i["start"] = start.map(PlanDays.text)
                i["deadline"] = deadline.map(PlanDays.text)
                switch cell("direction").lowercased() {
                case "": i["direction"] = (target ?? 0) < (baseline ?? 0) ? "decrease" : "increase"
                case "increase", "提高", "增加", "上升": i["direction"] = "increase"
                case "decrease", "降低", "减少", "下降": i["direction"] = "decrease"
                default: fail("direction", "must be 提高/increase or 降低/decrease")
                }
                switch cell("accumulation").lowercased() {
                case "", "cumulative", "累计": i["accumulation"] = "cumulative"
                case "point_in_time", "时点", "当期": i["accumulation"] = "point_in_time"
                default: fail("accumulation", "must be 累计/cumulative or 时点/point_in_time")
                }
                indicator = i
            }
            guard errors.isEmpty, let lead, let deadline else { outcome.errors += errors; continue }
            outcome.taken += 1
            // Goal area, task and indicator by name; new ones get the next free id.
            let areaIndex: Int
            if let i = areas.firstIndex(where: { $0["name"] as? String == cell("goal_area") }) { areaIndex = i } else {
                areas.append(["id": freeID("ga", areas), "name": cell("goal_area"), "tasks": [[String: Any]]()])
                areaIndex = areas.count - 1
            }
            var tasks = areas[areaIndex]["tasks"] as? [[String: Any]] ?? []
            let taskIndex: Int
            if let i = tasks.firstIndex(where: { $0["name"] as? String == cell("task") }) {
                taskIndex = i
                outcome.updated += 1
            } else {
                let areaID = areas[areaIndex]["id"] as? String ?? "ga"
                tasks.append(["id": freeID(areaID + "-t", tasks), "name": cell("task"), "stated": true, "indicators": [[String: Any]]()])
                taskIndex = tasks.count - 1
                outcome.added += 1
            }
            tasks[taskIndex]["lead_unit"] = lead
            tasks[taskIndex]["cooperating_units"] = cooperating
            tasks[taskIndex]["deadline"] = PlanDays.text(deadline)
            if var new = indicator {
                var list = tasks[taskIndex]["indicators"] as? [[String: Any]] ?? []
                if let i = list.firstIndex(where: { $0["name"] as? String == new["name"] as? String }) {
                    new["id"] = list[i]["id"]
                    list[i].merge(new) { _, sheet in sheet }
                } else {
                    let taskID = tasks[taskIndex]["id"] as? String ?? "t"
                    new["id"] = freeID(taskID + "-i", list, taken: allIndicatorIDs(areas))
                    list.append(new)
                }
                tasks[taskIndex]["indicators"] = list
            }
            areas[areaIndex]["tasks"] = tasks
        }
        plan["goal_areas"] = areas
        return outcome
    }

    static func headerName(_ field: String) -> String { headers.first { $0.field == field }?.names.first ?? field }

    static func allIndicatorIDs(_ areas: [[String: Any]]) -> Set<String> {
        let tasks = areas.flatMap { $0["tasks"] as? [[String: Any]] ?? [] }
        return Set(tasks.flatMap { ($0["indicators"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } })
    }

    /// `prefix` + the first number no item (nor `taken`) uses.
    static func freeID(_ prefix: String, _ items: [[String: Any]], taken: Set<String> = []) -> String {
        let used = Set(items.compactMap { $0["id"] as? String }).union(taken)
        var n = items.count + 1
        while used.contains("\(prefix)\(n)") { n += 1 }
        return "\(prefix)\(n)"
    }
}
