import Foundation

/// Copies a whole database to another backend (SQLite → PostgreSQL or back), row for row:
/// case histories with their hashes, the audit log, accounts, keys, areas, cameras, the
/// outbox. Ids are copied, not reissued, and each table's last issued id is carried over, so
/// `verify` finds on the copy exactly what it found on the original (a deleted case included).
///
/// The target must be empty (freshly migrated); the source should not change while it is
/// copied (stop the servers): each table is read in key order, page by page, and the row
/// counts are compared at the end, so a source that changed is reported, not copied half.
public struct StoreCopy: Sendable {
    public struct Table: Sendable {
        public let name: String
        /// The key the rows are read in (and paged by).
        let key: [String]
        /// A column naming a parent row in the same table: parents are copied first.
        let parent: String?
        /// The id column whose last issued value is carried over.
        let issued: String?

        init(_ name: String, key: [String], parent: String? = nil, issued: String? = nil) {
            self.name = name
            self.key = key
            self.parent = parent
            self.issued = issued
        }
    }

    /// Every table, parents before the rows that name them.
    public static let tables: [Table] = [
        Table("meta", key: ["key"]),
        Table("categories", key: ["kind", "code"]),
        Table("units", key: ["code"], parent: "parent_code"),
        Table("areas", key: ["code"], parent: "parent_code"),
        Table("area_layers", key: ["version"], issued: "version"),
        Table("area_shapes", key: ["version", "code"]),
        Table("cases", key: ["id"], issued: "id"),
        Table("case_events", key: ["case_id", "seq"]),
        Table("users", key: ["username"]),
        Table("api_keys", key: ["id"]),
        Table("tokens", key: ["hash"]),
        Table("login_attempts", key: ["at", "address"]),
        Table("access_log", key: ["id"], issued: "id"),
        Table("audit_log", key: ["seq"]),
        Table("reports", key: ["id"], issued: "id"),
        Table("cameras", key: ["id"]),
        Table("merchants", key: ["id"]),
        Table("merchant_cameras", key: ["camera_id", "merchant_id"]),
        Table("notices", key: ["token_hash"]),
        Table("outbox", key: ["id"], issued: "id"),
        Table("outbox_attempts", key: ["outbox_id", "at"]),
        Table("case_facts", key: ["case_id", "kind", "day", "unit"]),
        Table("stats_daily", key: FactRows.keyColumns),
        Table("plans", key: ["id"]),
        Table("plan_events", key: ["plan_id", "seq"]),
        Table("plan_reports", key: ["plan_id", "seq"]),
        Table("plan_milestones", key: ["plan_id", "seq"]),
        Table("centre_matters", key: ["id"], issued: "id"),
        Table("centre_events", key: ["matter_id", "seq"]),
        Table("centre_campaigns", key: ["id"], issued: "id"),
        Table("centre_campaign_items", key: ["campaign_id", "petition_id"]),
        Table("centre_risks", key: ["id"], issued: "id"),
        Table("enterprises", key: ["code"]),
        Table("enterprise_commissioners", key: ["code", "commissioner"]),
        Table("enterprise_visits", key: ["id"], issued: "id"),
        Table("policies", key: ["code"]),
        Table("policy_applications", key: ["id"], issued: "id"),
        Table("policy_steps", key: ["id"], issued: "id"),
        Table("policy_payments", key: ["id"], issued: "id"),
        Table("key_persons", key: ["id"], issued: "id"),
        Table("key_person_followups", key: ["person", "day"]),
        Table("joint_tasks", key: ["id"], issued: "id"),
        Table("inspection_rounds", key: ["id"], issued: "id"),
        Table("inspection_sweeps", key: ["id"], issued: "id"),
    ]

    public struct Progress: Sendable {
        public var table: String
        public var rows: Int
    }

    public enum Failure: Error, CustomStringConvertible {
        case targetNotEmpty([String])
        case sourceChanged(table: String, copied: Int, now: Int)
        case orphans(table: String, count: Int)

        public var description: String {
            switch self {
            case .targetNotEmpty(let tables):
                "the target already holds data (\(tables.joined(separator: ", "))); copy only into a new, empty database"
            case .sourceChanged(let table, let copied, let now):
                "the source changed while it was copied (\(table): \(copied) rows copied, \(now) now); stop the servers, "
                    + "empty the target and run again"
            case .orphans(let table, let count):
                "\(count) rows of \(table) name a parent that does not exist; the source is damaged"
            }
        }
    }

    let source: any SQLDatabase
    let target: any SQLDatabase
    let page: Int

    public init(from source: any SQLDatabase, to target: any SQLDatabase, page: Int = 1000) {
        self.source = source
        self.target = target
        self.page = page
    }

    /// Copies every table and returns the rows copied per table.
    public func run(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> [Progress] {
        try await checkEmpty()
        var copied: [Progress] = []
        for table in Self.tables {
            let types = try await target.read { try Self.columnTypes(of: table.name, in: $0) }
            let rows = try await copy(table, types: types)
            progress(Progress(table: table.name, rows: rows))
            copied.append(Progress(table: table.name, rows: rows))
        }
        try await carryIssuedIDs()
        for done in copied {
            let now = try await source.read { try $0.scalar("SELECT COUNT(*) FROM \(done.table)", as: Int.self) ?? 0 }
            guard now == done.rows else { throw Failure.sourceChanged(table: done.table, copied: done.rows, now: now) }
        }
        return copied
    }

    func checkEmpty() async throws {
        let filled = try await target.read { db in
            try Self.tables.map(\.name).filter { try db.first("SELECT 1 FROM \($0) LIMIT 1") != nil }
        }
        guard filled.isEmpty else { throw Failure.targetNotEmpty(filled) }
    }

    /// Copies one table page by page in key order. A table whose rows name a parent row
    /// (units, areas: hundreds to a few thousand rows) is read whole and copied parents first.
    func copy(_ table: Table, types: [String: String]) async throws -> Int {
        let columns = try await source.read { try $0.columns(of: table.name) }.filter { types[$0] != nil }.sorted()
        let list = columns.joined(separator: ", "), order = table.key.joined(separator: ", ")
        let convert = { (rows: [SQLRow]) in
            rows.map { row in columns.map { Self.convert(row.value($0), to: types[$0]!, dialect: target.dialect) } }
        }
        if let parent = table.parent {
            let rows = try await source.read { try $0.query("SELECT \(list) FROM \(table.name) ORDER BY \(order)", []) }
            let ordered = try Self.parentsFirst(rows, key: table.key[0], parent: parent, table: table.name)
            for start in stride(from: 0, to: ordered.count, by: page) {
                try await insert(convert(Array(ordered[start..<min(ordered.count, start + page)])), into: table.name, columns: list)
            }
            return rows.count
        }
        var total = 0
        var after: [SQLValue]? = nil
        while true {
            let sql = "SELECT \(list) FROM \(table.name)"
                + (after == nil ? "" : " WHERE (\(order)) > (\(table.key.map { _ in "?" }.joined(separator: ", ")))")
                + " ORDER BY \(order) LIMIT \(page)"
            let rows = try await source.read { [after] in try $0.query(sql, after ?? []) }
            if rows.isEmpty { break }
            try await insert(convert(rows), into: table.name, columns: list)
            total += rows.count
            after = table.key.map { rows[rows.count - 1].value($0) }
            if rows.count < page { break }
        }
        return total
    }

    /// Rows ordered so that each comes after the row its parent column names.
    static func parentsFirst(_ rows: [SQLRow], key: String, parent: String, table: String) throws -> [SQLRow] {
        var placed = Set<SQLValue>(), ordered: [SQLRow] = [], left = rows
        while !left.isEmpty {
            let (ready, waiting) = left.reduce(into: ([SQLRow](), [SQLRow]())) { acc, row in
                let p = row.value(parent)
                if p == .null || placed.contains(p) { acc.0.append(row) } else { acc.1.append(row) }
            }
            guard !ready.isEmpty else { throw Failure.orphans(table: "\(table).\(parent)", count: waiting.count) }
            placed.formUnion(ready.map { $0.value(key) })
            ordered += ready
            left = waiting
        }
        return ordered
    }

    /// Multi-row inserts, at most 30,000 values a statement (PostgreSQL allows 65,535).
    func insert(_ rows: [[SQLValue]], into table: String, columns list: String) async throws {
        guard let width = rows.first?.count, width > 0 else { return }
        let perStatement = max(1, 30_000 / width)
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        try await target.write { db in
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                let chunk = rows[start..<min(rows.count, start + perStatement)]
                let values = Array(repeating: tuple, count: chunk.count).joined(separator: ", ")
                try db.execute("INSERT INTO \(table) (\(list)) VALUES \(values)", chunk.flatMap { $0 })
            }
        }
    }

    /// Each target column's type, lower-cased (`boolean`, `bigint`, `double precision`, `text`
    /// on PostgreSQL; the declared type on SQLite).
    static func columnTypes(of table: String, in db: any SQLSession) throws -> [String: String] {
        let rows = db.dialect == .postgres
            ? try db.query("""
                SELECT column_name::text, data_type::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ?
                """, [.text(table)])
            : try db.query("SELECT name, type FROM pragma_table_info(?)", [.text(table)])
        return Dictionary(uniqueKeysWithValues: rows.map { (($0[0] as String), ($0[1] as String).lowercased()) })
    }

    /// A value as the target column holds it: SQLite keeps booleans as integers and may hand
    /// back a whole REAL as an integer; PostgreSQL's columns are typed.
    static func convert(_ value: SQLValue, to type: String, dialect: SQLDialect) -> SQLValue {
        guard dialect == .postgres else { return value }
        switch (value, type) {
        case (.int(let i), "boolean"): return .bool(i != 0)
        case (.int(let i), "double precision"), (.int(let i), "real"): return .double(Double(i))
        case (.double(let d), "bigint") where d == d.rounded(): return .int(Int64(d))
        case (.int(let i), "text"): return .text(String(i))
        default: return value
        }
    }

    /// Each id-issuing table continues where the source stopped, deleted rows included.
    func carryIssuedIDs() async throws {
        for table in Self.tables {
            guard let column = table.issued else { continue }
            let last = try await source.read { try Self.lastIssued(table.name, column: column, in: $0) }
            guard last > 0 else { continue }
            try await target.write { db in
                switch db.dialect {
                case .postgres where table.name == "cases":
                    try db.execute("""
                        INSERT INTO id_counters (name, last) VALUES ('cases', ?)
                        ON CONFLICT (name) DO UPDATE SET last = excluded.last
                        """, last)
                case .postgres:
                    try db.execute("SELECT setval(pg_get_serial_sequence(?, ?), ?)", table.name, column, last)
                case .sqlite:
                    if try db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", last, table.name) == 0 {
                        try db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", table.name, last)
                    }
                }
            }
        }
    }

    /// The last id a table issued: its counter, not its largest row (a deleted case still counts).
    static func lastIssued(_ table: String, column: String, in db: any SQLSession) throws -> Int64 {
        if db.dialect == .sqlite || table == "cases" { return try db.lastIssuedID(of: table) }
        guard let sequence: String = try db.scalar("SELECT pg_get_serial_sequence(?, ?)", table, column) else { return 0 }
        // The name comes from the catalogue, not from input.
        return try db.scalar("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(sequence)") ?? 0
    }
}
