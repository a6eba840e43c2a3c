import GongzhiCore

/// Many rows into one table, as few statements as each backend does best. SQLite takes rows of
/// `?` in multi-row statements. PostgreSQL takes the rows as one JSON parameter, turned into
/// rows by `json_populate_recordset` with the table's own column types: parsing, analysing and
/// planning a statement of a thousand `VALUES` rows took PostgreSQL longer than inserting them
/// (a third of its time in a bulk load; BENCHMARKS.md, issue 11).
enum BulkRows {
    /// `values` holds `columns.count` values a row. `perStatement` bounds the rows of one SQLite
    /// statement (its limit is 32,766 values); `suffix` follows the rows (`ON CONFLICT …`).
    static func insert(into table: String, columns: [String], values: [SQLValue], perStatement: Int, suffix: String = "",
                       _ db: any SQLSession) throws {
        let width = columns.count, rows = values.count / max(1, width)
        precondition(width > 0 && values.count == rows * width, "values must fill whole rows")
        guard rows > 0 else { return }
        let names = columns.joined(separator: ", ")
        if db.dialect == .postgres {
            // Each row's text is kept under PostgreSQL's 1 GB a value by 20,000 rows a statement.
            for start in stride(from: 0, to: rows, by: 20_000) {
                let json = json(columns, values[(start * width)..<(min(rows, start + 20_000) * width)])
                try db.execute("INSERT INTO \(table) (\(names)) SELECT \(names) FROM json_populate_recordset(NULL::\(table), ?::json)"
                               + (suffix.isEmpty ? "" : " " + suffix), [.text(json)])
            }
            return
        }
        let marks = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        for start in stride(from: 0, to: rows, by: perStatement) {
            let count = min(rows, start + perStatement) - start
            let sql = "INSERT INTO \(table) (\(names)) VALUES " + Array(repeating: marks, count: count).joined(separator: ", ")
            try db.execute(sql + (suffix.isEmpty ? "" : " " + suffix), Array(values[(start * width)..<((start + count) * width)]))
        }
    }

    /// `[{"column": value, …}, …]`: integers and booleans as JSON numbers and literals, doubles in
    /// their shortest exact form, text escaped as `JSONText` escapes it.
    static func json(_ columns: [String], _ values: ArraySlice<SQLValue>) -> String {
        let keys = columns.map { column -> [UInt8] in
            var key: [UInt8] = []
            JSONText.string(column, into: &key)
            key.append(UInt8(ascii: ":"))
            return key
        }
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(values.count * 16)
        let width = columns.count
        for (i, value) in values.enumerated() {
            let column = i % width
            if column == 0 {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "{"))
            } else {
                out.append(UInt8(ascii: ","))
            }
            out.append(contentsOf: keys[column])
            switch value {
            case .null: out.append(contentsOf: "null".utf8)
            case .int(let n): out.append(contentsOf: String(n).utf8)
            case .double(let d): out.append(contentsOf: (d.isFinite ? "\(d)" : "null").utf8)
            case .text(let s): JSONText.string(s, into: &out)
            case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
            }
            if column == width - 1 { out.append(UInt8(ascii: "}")) }
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
