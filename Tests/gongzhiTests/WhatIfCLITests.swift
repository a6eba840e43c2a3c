import Foundation
import Testing

/// `gongzhi whatif` as a user runs it on the demo: a table or CSV, the database file untouched,
/// and each mistake one line with a non-zero exit.
@Suite(.serialized) struct WhatIfCLITests {
    /// The database file's bytes and the WAL's frames. A read-only connection may create an empty
    /// WAL file where the server's clean exit removed it: no frames, nothing written.
    static func files(_ db: String) throws -> [String] {
        try [db, db + "-wal"].compactMap { path in
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard !data.isEmpty else { return nil }
            return "\(path.hasSuffix("-wal") ? "wal" : "db"):\(data.count):\(data.hashValue)"
        }
    }

    @Test func aTableACSVAndNothingWritten() async throws {
        let db = try CLITests.tempDir().appendingPathComponent("g.sqlite").path
        let now = "2026-11-20T10:00:00+08:00"
        _ = try await CLITests.serving(["--db", db, "--demo-cases", "100", "--now", now]) { _ in }
        let before = try Self.files(db), verified = try CLITests.run(["verify", "--db", db]).out
        let args = ["whatif", "--db", db, "--from", "2026-11-01", "--to", "2026-11-20", "--now", now, "--merchant-minutes", "out-of-store=10",
                    "--deadline", "environment=1:working_hours"]
        let table = try CLITests.run(args)
        #expect(table.status == 0, "\(table.err)")
        #expect(table.out.hasPrefix("what-if 2026-11-01 … 2026-11-20: ") && table.out.contains("rank_before") && table.out.contains("330105-CGJ"))
        let csv = try CLITests.run(args + ["--csv"])
        #expect(csv.status == 0 && csv.out.hasPrefix("unit,name,rank_before,rank_after,score_before,score_after"))
        #expect(csv.out.contains("tracking_code,category,street,unit_before,unit_after") && csv.out.contains("street,name,score_before"))
        #expect(table.out.contains("streets (as areas; the most fallen behind first):"))
        let afterRuns = try Self.files(db), verifiedAfter = try CLITests.run(["verify", "--db", db]).out
        #expect(afterRuns == before && verifiedAfter == verified, "\(before) → \(afterRuns); \(verified) → \(verifiedAfter)")
        let mistakes: [([String], String)] = [
            (["--deadline", "nope=2:working_hours"], "gongzhi: changes[0].rule: there is no rule 'nope'\n"),
            (["--deadline", "environment=2:fortnights"], "the deadline must be AMOUNT:natural_hours|working_hours|working_days"),
            (["--merchant-minutes", "out-of-store"], "--merchant-minutes must be NAME=VALUE"),
            (["--holiday", "2026-13-01"], "--holiday 2026-13-01 must be a date"),
            (["--office-hours", "9-5"], "--office-hours must be"),
            (["--from", "2026-11-20", "--to", "2026-11-01"], "--to must be on or after --from"),
            (["--source", "pigeon"], "--source pigeon is not a channel"),
        ]
        for (extra, message) in mistakes {
            let r = try CLITests.run(["whatif", "--db", db] + extra)
            #expect(r.status == 1 && r.err.contains(message) && r.err.split(separator: "\n").count == 1 && r.out.isEmpty, "\(extra): \(r.err)")
        }
        // Other street boundaries: one street drawn over the whole district takes every located case.
        let geojson = try CLITests.tempDir().appendingPathComponent("streets.geojson")
        let text = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"330105002","name":"湖墅街道（推演）"},"#
            + #""geometry":{"type":"Polygon","coordinates":[[[120.0,30.2],[120.3,30.2],[120.3,30.45],[120.0,30.45],[120.0,30.2]]]}}]}"#
        try Data(text.utf8).write(to: geojson)
        let layers = try CLITests.run(["whatif", "--db", db, "--from", "2026-11-01", "--to", "2026-11-20", "--now", now, "--areas", geojson.path,
                                       "--level", "street", "--csv"])
        #expect(layers.status == 0, "\(layers.err)")
        let lines = layers.out.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let header = lines.firstIndex { $0.hasPrefix("street,name,score_before") } ?? lines.endIndex
        let streets = lines[min(header + 1, lines.endIndex)...].prefix { !$0.isEmpty }.map { $0.split(separator: ",") }
        // 湖墅 first (its figures move most), every other street left with no on-time rate of its own.
        #expect(streets.count > 5 && streets.first?.first == "330105002" && streets.dropFirst().allSatisfy { $0.count == 10 && $0[5] == "—" },
                "\(streets)")
        let noLevel = try CLITests.run(["whatif", "--db", db, "--areas", geojson.path])
        #expect(noLevel.status == 1 && noLevel.err == "gongzhi: --areas needs --level street, community or grid\n")
        let missing = try CLITests.run(["whatif", "--db", db + ".nope"])
        #expect(missing.status == 1 && missing.err.hasPrefix("gongzhi: no database at"))
        #expect(try Self.files(db) == before)
    }
}
