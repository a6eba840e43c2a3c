import GongzhiCore

/// Many rows into one table, as few statements as each backend does best. SQLite takes rows of
/// `?` in multi-row statements. PostgreSQL takes a column at a time as one array parameter,
/// turned into rows by `unnest`: parsing, analysing and planning a statement of a thousand
/// `VALUES` rows took PostgreSQL longer than inserting them (a third of its time in a bulk
/// load), and rows as one JSON parameter (`json_populate_recordset`) spent a third of it parsing
/// the JSON, each row's column names included (BENCHMARKS.md, issue 11).
enum BulkRows {
    /// `values` holds `columns.count` values a row. `perStatement` bounds the rows of one SQLite
    /// statement (its limit is 32,766 values); `suffix` follows the rows (`ON CONFLICT …`).
    static func insert(into table: String, columns: [String], values: [SQLValue], perStatement: Int, suffix: String = "",
                       _ db: any SQLSession) throws {
        let width = columns.count, rows = values.count / max(1, width)
        precondition(width > 0 && values.count == rows * width, "values must fill whole rows")
        guard rows > 0 else { return }
        let names = columns.joined(separator: ", ")
        let tail = suffix.isEmpty ? "" : " " + suffix
        if db.dialect == .postgres {
            for start in stride(from: 0, to: rows, by: 20_000) {
                let chunk = values[(start * width)..<(min(rows, start + 20_000) * width)]
                try db.execute(unnest(table, columns, chunk) + tail, (0..<width).map { .text(arrayLiteral(chunk, column: $0, width: width)) })
            }
            return
        }
        let marks = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        for start in stride(from: 0, to: rows, by: perStatement) {
            let count = min(rows, start + perStatement) - start
            let sql = "INSERT INTO \(table) (\(names)) VALUES " + Array(repeating: marks, count: count).joined(separator: ", ")
            try db.execute(sql + tail, Array(values[(start * width)..<((start + count) * width)]))
        }
    }

    /// `INSERT … SELECT … FROM unnest(?::bigint[], ?::text[], …)`, each array typed by the values
    /// in its column. A column of NULLs only is written as an untyped NULL, which takes the
    /// table's type for the column.
    static func unnest(_ table: String, _ columns: [String], _ values: ArraySlice<SQLValue>) -> String {
        let width = columns.count
        var types = [String?](repeating: nil, count: width)
        for (i, value) in values.enumerated() {
            let column = i % width
            switch (value, types[column]) {
            case (.null, _): break
            case (.int, nil): types[column] = "bigint"
            case (.double, nil), (.double, "bigint"?), (.int, "float8"?): types[column] = "float8"
            case (.bool, nil): types[column] = "boolean"
            case (.text, _): types[column] = "text"
            default: break
            }
        }
        let arrays = types.map { "?::\($0 ?? "text")[]" }.joined(separator: ", ")
        let picks = (0..<width).map { types[$0] == nil ? "NULL" : "u.c\($0)" }.joined(separator: ", ")
        let aliases = (0..<width).map { "c\($0)" }.joined(separator: ", ")
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT \(picks) FROM unnest(\(arrays)) AS u(\(aliases))"
    }

    /// One column as a PostgreSQL array literal: `{1,NULL,"text with \"quotes\""}`.
    static func arrayLiteral(_ values: ArraySlice<SQLValue>, column: Int, width: Int) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        for i in stride(from: values.startIndex + column, to: values.endIndex, by: width) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            switch values[i] {
            case .null: out.append(contentsOf: "NULL".utf8)
            case .int(let n): out.append(contentsOf: String(n).utf8)
            case .double(let d): out.append(contentsOf: (d.isFinite ? "\(d)" : "NULL").utf8)
            case .bool(let b): out.append(b ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case .text(let s):
                out.append(UInt8(ascii: "\""))
                for byte in s.utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                    out.append(byte)
                }
                out.append(UInt8(ascii: "\""))
            }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
