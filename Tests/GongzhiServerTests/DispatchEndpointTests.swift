import Foundation
import GongzhiCore
import GongzhiGeo
@testable import GongzhiServer
import HummingbirdTesting
import GongzhiTestSupport
import Testing

@Suite struct DispatchEndpointTests {
    /// 上塘街道未来社区 (a real 2022 sampling site, WGS84) and a site in 祥符街道.
    static let shangtang = (lat: 30.342135, lon: 120.142877)
    static let xiangfu: (lat: Double, lon: Double) = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/GongzhiStore/Resources/reference/gongshu_sampling_points_2022.geojson")
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let f = (root["features"] as! [[String: Any]]).first { ($0["properties"] as! [String: Any])["street_code_in_name"] as? String == "330105009" }!
        let c = (f["geometry"] as! [String: Any])["coordinates"] as! [Double]
        return (c[1], c[0])
    }()

    @Test(arguments: Backend.all) func locateInsideOutsideAndGCJ02(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let r = try await client.get("/api/v1/locate?lat=\(Self.shangtang.lat)&lon=\(Self.shangtang.lon)")
            #expect(r.status == .ok)
            #expect((r["district"] as? [String: Any])?["code"] as? String == "330105")
            #expect((r["street"] as? [String: Any])?["name"] as? String == "上塘街道")
            #expect(r["approximate"] as? Bool == true)
            let g = GCJ02.fromWGS84(lat: Self.shangtang.lat, lon: Self.shangtang.lon)
            let viaGCJ = try await client.get("/api/v1/locate?lat=\(g.lat)&lon=\(g.lon)&crs=gcj02")
            #expect((viaGCJ["street"] as? [String: Any])?["code"] as? String == "330105008")
            // Just outside: a point in 西湖区, 300 m west of the district's westernmost vertex.
            let out = try await client.get("/api/v1/locate?lat=30.2900&lon=120.0830")
            #expect(out.status == .unprocessableContent && out.errorCode == "outside_district" && out.errorField == "location")
            #expect(try await client.get("/api/v1/locate?lat=north&lon=1").status == .badRequest)
            #expect(try await client.get("/api/v1/locate?lon=1").errorField == "lat")
            #expect(try await client.get("/api/v1/locate?lat=95&lon=1").errorCode == "out_of_range")
        }
    }

    @Test(arguments: Backend.all) func reportsAreLocatedAndOutsidePointsRefused(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            let inside = try await client.post("/api/v1/reports", #"{"source":"camera","category":"09006","description":"占道经营","location":{"lat":\#(Self.shangtang.lat),"lon":\#(Self.shangtang.lon)}}"#)
            let area = try #require(inside["area"] as? [String: Any])
            #expect((area["street"] as? [String: Any])?["code"] as? String == "330105008")
            #expect(area["version"] as? Int == 2)
            let out = try await client.post("/api/v1/reports", #"{"source":"camera","description":"x","location":{"lat":30.2,"lon":120.0}}"#)
            #expect(out.status == .unprocessableContent && out.errorCode == "outside_district")
            #expect(try await f.eventCount() == 1)
            let listed = try await client.get("/api/v1/cases?street=330105008")
            #expect((listed["items"] as? [Any])?.count == 1)
            #expect((try await client.get("/api/v1/cases?street=330105003")["items"] as? [Any])?.count == 0)
        }
    }

    @Test(arguments: Backend.all) func routeDryRunExplainsTheWinner(backend: Backend) async throws {
        try await ServerFixture(backend, bundledRules: true).test { client in
            let here = try await client.get("/api/v1/route?lat=\(Self.xiangfu.lat)&lon=\(Self.xiangfu.lon)&category=06010&source=camera")
            #expect(here.status == .ok)
            #expect(here["rule_id"] as? String == "environment-camera-xiangfu")
            #expect((here["unit"] as? [String: Any])?["code"] as? String == "330105009")
            #expect(here["deadline"] as? String == "2 working hours")
            #expect((here["beaten_rules"] as? [String])?.first == "environment-camera")
            #expect((here["why"] as? String)?.contains("environment-camera-xiangfu") == true)
            let elsewhere = try await client.get("/api/v1/route?lat=\(Self.shangtang.lat)&lon=\(Self.shangtang.lon)&category=06010&source=camera")
            #expect(elsewhere["rule_id"] as? String == "environment-camera")
            let signal = try await client.get("/api/v1/route?lat=\(Self.shangtang.lat)&lon=\(Self.shangtang.lon)&category=02014&source=hotline")
            #expect((signal["unit"] as? [String: Any])?["code"] as? String == "330105-JJDD")
            #expect(try await client.get("/api/v1/route?lat=30.3&lon=120.15&category=06010").errorField == "source")
            #expect(try await client.get("/api/v1/route?lat=30.3&lon=120.15&category=99999&source=camera").errorCode == "unknown_category")
        }
    }

    /// The bundled rules send disputes to the community of the location, which the demo's area
    /// data cannot resolve (it has no community polygons): they fall back to the street, the dry
    /// run and the history say so, and the rules list warns. Every category goes somewhere real.
    @Test(arguments: Backend.all) func rulesThatCannotResolveFallBackAndSayWhy(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        try await f.test { client in
            let r = try await client.get("/api/v1/route?lat=30.291384&lon=120.146347&category=91001&source=dispute")
            #expect(r["rule_id"] as? String == "disputes" && (r["unit"] as? [String: Any])?["code"] as? String == "330105001")
            let skipped = try #require(r["skipped_rules"] as? [[String: Any]])
            #expect(skipped.count == 1 && skipped[0]["rule_id"] as? String == "disputes-community"
                    && skipped[0]["why"] as? String == "the location has no community area")
            #expect((r["why"] as? String)?.contains("stands in for the more specific disputes-community") == true)
            let warnings = try #require(try await client.get("/api/v1/rules")["warnings"] as? [String])
            #expect(warnings.count == 2 && warnings[0].hasPrefix("rule disputes-community sends cases to the community"))
            let id = try #require(try await client.post("/api/v1/reports", #"{"source":"dispute","category":"91001","description":"邻里噪音纠纷","location":{"lat":30.291384,"lon":120.146347}}"#)["id"] as? Int)
            let registered = try await client.post("/api/v1/cases/\(id)/register")
            #expect(registered["status"] as? String == "dispatched" && (registered["unit"] as? [String: Any])?["code"] as? String == "330105001")
            let note = (registered["history"] as? [[String: Any]])?.last?["note"] as? String
            #expect(note == "auto-dispatched by rule disputes (in place of disputes-community: the location has no community area)")
            // Every category, from every source, at a real place: a unit that exists.
            let units = Set((try await client.get("/api/v1/units")["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
            let context = f.services.context.current
            for category in f.services.reference.categories.all where category.kind != .component {
                for source in ReportSource.allCases {
                    let path = AreaPath(district: "330105", street: "330105001", grid: "330105001000001")
                    let unit = context.rules.route(category: category.code, area: path, source: source, units: context.units)?.unit
                    #expect(unit.map(units.contains) == true, "\(category.code) from \(source.rawValue)")
                }
            }
        }
    }

    @Test(arguments: Backend.all) func registeringAutoDispatchesWithAHolidayAwareDeadline(backend: Backend) async throws {
        let f = try await ServerFixture(backend, bundledRules: true)
        f.clock.set(Timestamp.parse("2026-09-30T15:00:00+08:00")!)
        try await f.test { client in
            let id = try await client.newCase()  // 06010 at the 上塘 test point
            let r = try await client.post("/api/v1/cases/\(id)/register")
            #expect(r["status"] as? String == "dispatched")
            #expect(r["rule_id"] as? String == "environment")
            // Two working days from 30 Sep 15:00 skip the 1–7 Oct National Day break.
            #expect(r["due_at"] as? String == "2026-10-09T17:30:00.000+08:00")
            let actions = (r["history"] as? [[String: Any]])?.map { $0["action"] as? String }
            #expect(actions == ["report", "register", "dispatch"])
        }
    }

    @Test(arguments: Backend.all) func calendarListsDays(backend: Backend) async throws {
        try await ServerFixture(backend).test { client in
            let r = try await client.get("/api/v1/calendar?from=2026-10-01&to=2026-10-10")
            let days = try #require(r["days"] as? [[String: Any]])
            #expect(days.count == 10)
            #expect(days[0]["holiday"] as? String == "国庆节" && days[0]["working"] as? Bool == false)
            #expect(days[9]["workday_for"] as? String == "国庆节" && days[9]["working"] as? Bool == true)
            #expect((r["office_hours"] as? [String]) == ["08:30-12:00", "13:30-17:30"])
            #expect(try await client.get("/api/v1/calendar?from=2026-10-10&to=2026-10-01").errorCode == "out_of_range")
            #expect(try await client.get("/api/v1/calendar?from=2026-13-01&to=2026-10-01").status == .badRequest)
            #expect(try await client.get("/api/v1/calendar?to=2026-10-01").errorField == "from")
        }
    }

    @Test(arguments: Backend.all) func rulesReloadKeepsTheOldRulesOnABadFile(backend: Backend) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("rules.json").path
        let one = #"{"rules":[{"id":"all","unit":"street","deadline":{"amount":1,"unit":"working_days"}}]}"#
        try one.write(toFile: path, atomically: true, encoding: .utf8)
        try await ServerFixture(backend, rulesPath: path).test { client in
            #expect(try await client.get("/api/v1/rules")["count"] as? Int == 1)
            let tie = #"{"rules":[{"id":"a","unit":"street","deadline":{"amount":1,"unit":"working_days"}},{"id":"b","unit":"330105-CGJ","deadline":{"amount":1,"unit":"working_days"}}]}"#
            try tie.write(toFile: path, atomically: true, encoding: .utf8)
            let bad = try await client.post("/api/v1/rules/reload")
            #expect(bad.status == .unprocessableContent && bad.errorCode == "invalid_rules")
            #expect((bad.error?["message"] as? String)?.contains("rules a and b tie") == true)
            #expect(try await client.get("/api/v1/rules")["count"] as? Int == 1)
            try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try await client.post("/api/v1/rules/reload").errorCode == "invalid_rules")
            let two = #"{"rules":[{"id":"a","unit":"street","deadline":{"amount":1,"unit":"working_days"}},{"id":"b","category":"06","unit":"330105-CGJ","deadline":{"amount":1,"unit":"working_days"}}]}"#
            try two.write(toFile: path, atomically: true, encoding: .utf8)
            let ok = try await client.post("/api/v1/rules/reload")
            #expect(ok.status == .ok && ok["rules"] as? Int == 2)
            #expect(try await client.get("/api/v1/rules")["count"] as? Int == 2)
        }
    }

    @Test(arguments: Backend.all) func overdueListAndTimeLeft(backend: Backend) async throws {
        let f = try await ServerFixture(backend)
        try await f.test { client in
            var ids: [Int] = []
            for hours in [3, 1, 2] {
                let id = try await client.newCase()
                _ = try await client.post("/api/v1/cases/\(id)/register")
                _ = try await client.post("/api/v1/cases/\(id)/dispatch", #"{"unit":"330105008","deadline_hours":\#(hours)}"#)
                ids.append(id)
            }
            let order = try await client.get("/api/v1/cases?sort=time_left")
            #expect((order["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ids[1], ids[2], ids[0]])
            f.clock.advance(by: 1.5 * 3600)
            let overdue = try await client.get("/api/v1/cases?overdue=true")
            #expect((overdue["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ids[1]])
            #expect(try await client.get("/api/v1/cases?sort=biggest").errorCode == "unknown_sort")
            // Oldest first (the dispatcher's queue), paged with its own cursor.
            let oldest = try await client.get("/api/v1/cases?sort=oldest&limit=2")
            #expect((oldest["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == Array(ids.prefix(2)))
            let rest = try await client.get("/api/v1/cases?sort=oldest&cursor=\(try #require(oldest["next_cursor"] as? String))")
            #expect((rest["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ids[2]] && rest["next_cursor"] as? String == nil)
            #expect(try await client.get("/api/v1/cases?overdue=maybe").status == .badRequest)
            let page = try await client.get("/api/v1/cases?limit=1")
            let cursor = try #require(page["next_cursor"] as? String)
            #expect(try await client.get("/api/v1/cases?sort=time_left&cursor=\(cursor)").errorCode == "invalid_cursor")
            for system in ["warn", "overdue"] {
                #expect(try await client.post("/api/v1/cases/\(ids[0])/\(system)").errorCode == "unknown_action")
            }
        }
    }
}
