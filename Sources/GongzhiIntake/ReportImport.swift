import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// Old complaints from a spreadsheet (CSV), through the one intake: each row a report, checked,
/// located and classified like any other; a bad row is reported (row, field, reason) and the good
/// rows go on. Idempotent: a row's external id (its own column, or a digest of the row when the
/// file has none) makes a second import of the same file find what the first opened.
public struct ReportImport: Sendable {
    /// Which column holds which field: our field name → the file's header.
    public struct Mapping: Sendable, Hashable, Codable {
        public var columns: [String: String]

        public init(columns: [String: String] = [:]) { self.columns = columns }

        /// The fields an import understands, with the headers recognised without a mapping
        /// (case-insensitive): English names and what Chinese hotline and 数字城管 exports use.
        public static let known: [(field: String, headers: [String])] = [
            ("external_id", ["external_id", "工单编号", "工单号", "案件编号", "编号", "id"]),
            ("source", ["source", "来源", "渠道", "问题来源"]),
            ("category", ["category", "类别代码", "问题类别代码", "小类代码", "分类代码"]),
            ("category_name", ["category_name", "问题类别", "类别", "小类", "问题分类"]),
            ("description", ["description", "问题描述", "诉求内容", "描述", "内容", "来电内容"]),
            ("lat", ["lat", "latitude", "纬度"]),
            ("lon", ["lon", "lng", "longitude", "经度"]),
            ("crs", ["crs", "坐标系"]),
            ("address", ["address", "地址", "发生地址", "事发地址", "地点"]),
            ("reporter_name", ["reporter_name", "姓名", "联系人", "来电人", "反映人"]),
            ("reporter_phone", ["reporter_phone", "电话", "联系电话", "来电号码", "手机"]),
            ("reported_at", ["reported_at", "受理时间", "来电时间", "反映时间", "上报时间", "时间"]),
            ("media_urls", ["media_urls", "media_url", "图片", "照片"]),
        ]

        /// Column index per field for `header`; a mapped header that is missing is an error.
        func resolve(_ header: [String]) throws(ImportError) -> [String: Int] {
            let folded = header.map { $0.trimmed.lowercased() }
            var out: [String: Int] = [:]
            for (field, name) in columns {
                guard Self.known.contains(where: { $0.field == field }) else {
                    throw .mapping("the mapping names '\(field)', which is not a field; fields: \(Self.known.map(\.field).joined(separator: ", "))")
                }
                guard let i = folded.firstIndex(of: name.lowercased()) else {
                    throw .mapping("the mapping's column '\(name)' (\(field)) is not in the header")
                }
                out[field] = i
            }
            for (field, headers) in Self.known where out[field] == nil {
                if let i = folded.firstIndex(where: { headers.contains($0) }), !out.values.contains(i) { out[field] = i }
            }
            guard out["description"] != nil else {
                let names = Self.known.first { $0.field == "description" }!.headers.joined(separator: ", ")
                throw .mapping("no description column: name one \(names) or map it with --mapping")
            }
            return out
        }
    }

    /// One refused row: its line in the file (the header is line 1), the field, why.
    public struct RowError: Sendable, Hashable {
        public var row: Int
        public var field: String
        public var reason: String
    }

    public struct Summary: Sendable {
        public var encoding: TextDecoding.Encoding = .utf8
        public var rows = 0
        public var opened = 0
        public var joined = 0
        /// Rows imported before (same external id): nothing written.
        public var repeated = 0
        public var errors: [RowError] = []
        public var refused: Int { errors.count }
        /// Rows without an external id column: their ids are digests of the row.
        public var derivedIDs = false
        public var seconds = 0.0
    }

    let intake: Intake
    let categories: CategoryDirectory
    let atlas: Atlas
    let clock: any TimeSource
    /// The source of rows that do not say.
    let defaultSource: ReportSource
    let mapping: Mapping
    let batchSize: Int

    public init(intake: Intake, categories: CategoryDirectory, atlas: Atlas, clock: any TimeSource, defaultSource: ReportSource = .hotline,
                mapping: Mapping = .init(), batchSize: Int = 1_000) {
        self.intake = intake
        self.categories = categories
        self.atlas = atlas
        self.clock = clock
        self.defaultSource = defaultSource
        self.mapping = mapping
        self.batchSize = max(1, batchSize)
    }

    /// Imports a file's bytes. Throws only for what stops the whole file (an undecodable text,
    /// a header without a description column, a store that fails); a bad row is in the summary.
    /// - Parameter progress: rows done and the total, after each batch.
    public func run(_ data: Data, encoding: TextDecoding.Encoding? = nil, actor: Actor,
                    progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Summary {
        let started = ContinuousClock.now
        var summary = Summary()
        let text: String
        do { (text, summary.encoding) = try TextDecoding.decode(data, as: encoding) } catch { throw ImportError.encoding(error.description) }
        let rows: [[String]]
        do { rows = try CSV.rows(text) } catch { throw ImportError.csv(error.description) }
        guard let header = rows.first else { throw ImportError.mapping("the file is empty") }
        let columns = try mapping.resolve(header)
        summary.derivedIDs = columns["external_id"] == nil
        summary.rows = rows.count - 1
        let names = Self.categoryNames(categories)
        let now = clock.now()
        // One batch is stored while the next is checked, located and classified: the writer and
        // the parsing each keep a core busy.
        typealias Item = (line: Int, report: Report, at: Date)
        var batch: [Item] = []
        var inFlight: (items: [Item], task: Task<[Result<IntakeOutcome, IntakeError>], any Error>)? = nil
        func settle() async throws {
            guard let (items, task) = inFlight else { return }
            inFlight = nil
            for (item, result) in zip(items, try await task.value) {
                switch result {
                case .success(let o) where o.repeated: summary.repeated += 1
                case .success(let o) where o.kind == .joined: summary.joined += 1
                case .success: summary.opened += 1
                case .failure(let e): summary.errors.append(Self.rowError(item.line, e))
                }
            }
        }
        func flush() async throws {
            try await settle()
            guard !batch.isEmpty else { return }
            let items = batch, intake = self.intake
            inFlight = (items, Task { try await intake.submit(reports: items.map(\.report), actor: actor, at: items.map(\.at)) })
            batch.removeAll(keepingCapacity: true)
        }
        for (i, row) in rows.enumerated().dropFirst() {
            let line = i + 1
            do {
                guard row.count <= header.count else {
                    throw ImportError.row(field: "-", "the row has \(row.count) fields; the header has \(header.count)")
                }
                let (report, at) = try self.report(row, columns: columns, names: names, now: now)
                batch.append((line, report, at))
            } catch let e as ImportError {
                if case .row(let field, let reason) = e { summary.errors.append(RowError(row: line, field: field, reason: reason)) } else { throw e }
            } catch let e as IntakeError {
                summary.errors.append(Self.rowError(line, e))
            }
            if batch.count >= batchSize {
                try await flush()
                progress(i, summary.rows)
            }
        }
        try await flush()
        try await settle()
        progress(summary.rows, summary.rows)
        summary.errors.sort { $0.row < $1.row }
        let took = (ContinuousClock.now - started).components
        summary.seconds = Double(took.seconds) + Double(took.attoseconds) / 1e18
        return summary
    }

    static func rowError(_ line: Int, _ e: IntakeError) -> RowError {
        switch e {
        case .invalid(let f): RowError(row: line, field: f.field, reason: f.message)
        case .outsideDistrict(_, let field): RowError(row: line, field: field, reason: e.description)
        default: RowError(row: line, field: "-", reason: e.description)
        }
    }

    /// Category names (with and without the standard's trailing 异常) to codes.
    static func categoryNames(_ categories: CategoryDirectory) -> [String: String] {
        var out: [String: String] = [:]
        for c in categories.all where c.kind != .component {
            out[c.name] = c.code
            if c.name.hasSuffix("异常") { out[String(c.name.dropLast(2))] = c.code }
        }
        return out
    }

    /// One row as a checked, located, classified report and its time of receipt.
    func report(_ row: [String], columns: [String: Int], names: [String: String], now: Date) throws -> (Report, Date) {
        func value(_ field: String) -> String? {
            guard let i = columns[field], i < row.count else { return nil }
            let v = row[i].trimmed
            return v.isEmpty ? nil : v
        }
        let source = try value("source").map(Self.source) ?? defaultSource
        var category = value("category")
        if category == nil, let name = value("category_name") {
            guard let code = names[name] else { throw ImportError.row(field: "category_name", "'\(name.prefix(40))' is not a category's name") }
            category = code
        }
        var location: ReportDraft.Location? = nil
        if value("lat") != nil || value("lon") != nil {
            guard let lat = value("lat").flatMap(Double.init) else { throw ImportError.row(field: "lat", "lat must be decimal degrees") }
            guard let lon = value("lon").flatMap(Double.init) else { throw ImportError.row(field: "lon", "lon must be decimal degrees") }
            location = ReportDraft.Location(lat: lat, lon: lon, crs: value("crs"))
        }
        var at = now
        if let text = value("reported_at") {
            guard let d = Self.time(text) else {
                throw ImportError.row(field: "reported_at",
                                      "'\(text.prefix(40))' is not a time such as 2026-11-20 14:30 or 2026-11-20T14:30:00+08:00")
            }
            guard d <= now.addingTimeInterval(300) else { throw ImportError.row(field: "reported_at", "the time is in the future") }
            at = d
        }
        let media = value("media_urls").map { $0.split(whereSeparator: { $0 == ";" || $0.isWhitespace }).map(String.init) } ?? []
        let external = value("external_id") ?? "csv-" + Self.digest(row)
        let draft = ReportDraft(source: source.rawValue, category: category, description: value("description"), location: location,
                                address: value("address"), reporterName: value("reporter_name"), reporterPhone: value("reporter_phone"),
                                externalID: external, mediaURLs: media)
        var report = try Normalise.report(draft, categories: categories)
        try Normalise.locate(&report, atlas: atlas)
        intake.classify(&report)
        return (report, at)
    }

    /// `热线`, `12345`, `市民`… or the API's own names.
    static func source(_ text: String) throws -> ReportSource {
        if let s = ReportSource(rawValue: text.lowercased()) { return s }
        let words: [(String, ReportSource)] = [("12345", .hotline), ("热线", .hotline), ("网格", .gridWorker), ("市民", .resident),
                                               ("居民", .resident), ("群众", .resident), ("app", .resident), ("信访", .petition),
                                               ("纠纷", .dispute), ("调解", .dispute), ("企业", .enterprise), ("摄像", .camera), ("城市眼", .camera)]
        if let hit = words.first(where: { text.lowercased().contains($0.0) }) { return hit.1 }
        let known = ReportSource.allCases.map(\.rawValue).joined(separator: ", ")
        throw ImportError.row(field: "source", "'\(text.prefix(40))' is not a source (\(known), 热线, 网格员, 市民…)")
    }

    /// RFC 3339, a date, or a spreadsheet's `2026-11-20 14:30[:05]` / `2026/11/20 14:30` in China time.
    static func time(_ text: String) -> Date? {
        if let d = Timestamp.parse(text) { return d }
        var t = text.replacingOccurrences(of: "/", with: "-")
        let parts = t.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        var day = parts[0].split(separator: "-").map(String.init)
        guard day.count == 3 else { return nil }
        day[1] = day[1].count == 1 ? "0" + day[1] : day[1]
        day[2] = day[2].count == 1 ? "0" + day[2] : day[2]
        var clock = parts[1].split(separator: ":").map(String.init)
        guard (2...3).contains(clock.count) else { return nil }
        if clock.count == 2 { clock.append("00") }
        clock = clock.map { $0.count == 1 ? "0" + $0 : $0 }
        t = day.joined(separator: "-") + "T" + clock.joined(separator: ":") + "+08:00"
        return Timestamp.parse(t)
    }

    /// A stable id for a row without one: the same row imported again finds its case.
    static func digest(_ row: [String]) -> String {
        let joined = row.map(\.trimmed).joined(separator: "\u{1F}")
        return String(SHA256.hex(joined).prefix(24))
    }
}

/// What stops a whole import (or, internally, one row).
public enum ImportError: Error, Sendable, CustomStringConvertible {
    case encoding(String)
    case csv(String)
    case mapping(String)
    case row(field: String, String)

    public var description: String {
        switch self {
        case .encoding(let s), .csv(let s), .mapping(let s): s
        case .row(let field, let reason): "\(field): \(reason)"
        }
    }
}
