import Foundation
import GongzhiCore

/// The statistics tables, on either backend: `case_facts` keeps what each case adds (its
/// `CaseFacts`, counts as compact text, read back only to take them away again), and
/// `stats_daily` the sums by day and dimension, a column per `Measure`, which the cockpit and
/// the evaluation read. A case's facts and the sums change in the transaction that appends its
/// events, by the difference between its old and new facts.
///
/// Besides a row per day, `stats_daily` keeps rollups, so that a month's figures read a few
/// thousand rows instead of one per case: a row per month (`day` = yyyymm00) and one for what
/// is open now (`day` = 1, beside the live rows' 0), both without community and grid. A query
/// reads them only when it neither filters nor groups by community or grid (`SQLStatistics`).
public enum FactRows {
    /// `day` of the live rows, and of their rollup.
    static let liveDay: Int64 = 0
    static let liveRollupDay: Int64 = 1
    /// The layout of the sums (stored in `meta`; a different one is rebuilt on start).
    static let layout = "2-monthly-rollups"

    /// The rows of the sums a fact counts in: its own and its rollup.
    static func sumKeys(_ key: FactKey) -> [FactKey] {
        var rollup = key
        rollup.day = key.day == liveDay ? liveRollupDay : key.day / 100 * 100
        rollup.community = ""
        rollup.grid = ""
        return [key, rollup]
    }

    /// Adds a fact (or, with `sign` -1, takes it away) to sums in the making.
    static func accumulate(_ fact: Fact, into sums: inout [FactKey: Counts], sign: Int64 = 1) {
        for k in sumKeys(fact.key) {
            if sign < 0 { sums[k, default: Counts()] -= fact.counts } else { sums[k, default: Counts()] += fact.counts }
        }
    }

    static let keyColumns = ["day", "kind", "unit", "category", "source", "street", "community", "grid"]
    /// The measure columns of `stats_daily`, in `Measure.allCases` order.
    public static let measureColumns = Measure.allCases.map(\.rawValue)

    /// The DDL of both tables. `integer` is the backend's 64-bit integer type, `text` its code type.
    /// A measure added later needs a migration that adds its column.
    public static func ddl(integer: String, text: String, withoutRowID: String) -> [String] {
        let keys = "day \(integer) NOT NULL, kind \(integer) NOT NULL, unit \(text) NOT NULL, category \(text) NOT NULL, "
            + "source \(text) NOT NULL, street \(text) NOT NULL, community \(text) NOT NULL, grid \(text) NOT NULL"
        let measures = measureColumns.map { "\($0) \(integer) NOT NULL DEFAULT 0" }.joined(separator: ", ")
        return [
            "CREATE TABLE case_facts (case_id \(integer) NOT NULL, \(keys), counts TEXT NOT NULL, PRIMARY KEY (case_id, kind, day, unit))"
                + withoutRowID,
            "CREATE TABLE stats_daily (\(keys), \(measures), PRIMARY KEY (\(keyColumns.joined(separator: ", "))))" + withoutRowID,
        ]
    }

    /// Counts as text: `reported=1,assigned=1`, zeros left out.
    static func encode(_ c: Counts) -> String {
        Measure.allCases.compactMap { c[$0] == 0 ? nil : "\($0.rawValue)=\(c[$0])" }.joined(separator: ",")
    }

    static func decode(_ text: String) throws -> Counts {
        var c = Counts()
        guard !text.isEmpty else { return c }
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let m = Measure(rawValue: String(pair[0])), let v = Int64(pair[1]) else {
                throw FactError("unreadable counts '\(text)'")
            }
            c[m] = v
        }
        return c
    }

    static func keyValues(_ k: FactKey) -> [SQLValue] {
        [.int(k.day), .int(Int64(k.kind.rawValue)), .text(k.unit), .text(k.category), .text(k.source), .text(k.street),
         .text(k.community), .text(k.grid)]
    }

    static func key(_ row: SQLRow) throws -> FactKey {
        guard let kind = FactKind(rawValue: Int(try row.decode("kind") as Int64)) else { throw FactError("unknown fact kind") }
        return FactKey(kind: kind, day: try row.decode("day"), unit: try row.decode("unit"), category: try row.decode("category"),
                       source: try row.decode("source"), street: try row.decode("street"), community: try row.decode("community"),
                       grid: try row.decode("grid"))
    }

    /// A case's stored facts.
    static func facts(of id: Int64, _ db: any SQLSession) throws -> [Fact] {
        try db.query("SELECT * FROM case_facts WHERE case_id = ? ORDER BY kind, day, unit", id).map {
            Fact(key: try key($0), counts: try decode(try $0.decode("counts")))
        }
    }

    /// Facts of the cases in an id range, by case.
    static func facts(from lo: Int64, through hi: Int64, _ db: any SQLSession) throws -> [Int64: [Fact]] {
        var out: [Int64: [Fact]] = [:]
        for row in try db.query("SELECT * FROM case_facts WHERE case_id > ? AND case_id <= ?", lo, hi) {
            out[try row.decode("case_id"), default: []].append(Fact(key: try key(row), counts: try decode(try row.decode("counts"))))
        }
        return out
    }

    /// Replaces a case's facts and adds the difference to the sums.
    static func replace(of id: Int64, old: [Fact], new: [Fact], _ db: any SQLSession) throws {
        guard old != new else { return }
        if !old.isEmpty { try db.execute("DELETE FROM case_facts WHERE case_id = ?", id) }
        try insert(new.map { (id, $0) }, db)
        var delta: [FactKey: Counts] = [:]
        for f in new { accumulate(f, into: &delta) }
        for f in old { accumulate(f, into: &delta, sign: -1) }
        try add(delta.filter { !$0.value.isZero }.sorted { $0.key < $1.key }, db)
    }

    /// Inserts facts of cases (SQLite: 200 rows a statement).
    static func insert(_ facts: [(caseID: Int64, fact: Fact)], _ db: any SQLSession) throws {
        try BulkRows.insert(into: "case_facts", columns: ["case_id"] + keyColumns + ["counts"],
                            values: facts.flatMap { [SQLValue.int($0.caseID)] + keyValues($0.fact.key) + [.text(encode($0.fact.counts))] },
                            perStatement: 200, db)
    }

    /// Adds counts to the sums, creating rows as needed (SQLite: 50 rows a statement), in the
    /// order given: writers that may lock the same rows give them sorted.
    static func add(_ rows: [(key: FactKey, value: Counts)], _ db: any SQLSession) throws {
        let update = measureColumns.map { "\($0) = stats_daily.\($0) + excluded.\($0)" }.joined(separator: ", ")
        try BulkRows.insert(into: "stats_daily", columns: keyColumns + measureColumns,
                            values: rows.flatMap { keyValues($0.key) + $0.value.values.map(SQLValue.int) }, perStatement: 50,
                            suffix: "ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET \(update)", db)
    }

    /// Every non-zero row of the sums, keyed (for `verify`'s comparison with a recomputation).
    static func sums(_ db: any SQLSession) throws -> [FactKey: Counts] {
        var out: [FactKey: Counts] = [:]
        let select = "SELECT \((keyColumns + measureColumns).joined(separator: ", ")) FROM stats_daily"
        try db.each(select, []) { row in
            let counts = Counts(values: try (0..<measureColumns.count).map { try Int64.decode(row.values[keyColumns.count + $0]) })
            if !counts.isZero { out[try key(row)] = counts }
            return true
        }
        return out
    }

    struct FactError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
