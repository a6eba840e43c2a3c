import Foundation
import GongzhiCore
import GongzhiGeo
@testable import GongzhiSQL
import GongzhiTestSupport
@testable import GongzhiStore
import Testing

@Suite struct AreaLayerTests {
    @Test(arguments: Backend.all) func labelledSamplingSitesFallInTheirStreets(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let atlas = try await f.atlasWithGrids()
        let data = try Resource.data("gongshu_sampling_points_2022.geojson")
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var labelled = 0, right = 0, outside = 0
        for feature in root["features"] as! [[String: Any]] {
            let props = feature["properties"] as! [String: Any]
            let c = (feature["geometry"] as! [String: Any])["coordinates"] as! [Double]
            let inside = props["inside_gongshu_wgs84"] as? Bool ?? false
            let located = try? atlas.locate(GeoPoint(lat: c[1], lon: c[0]))
            #expect((located != nil) == inside, "\(props["name"] ?? "")")
            if !inside { outside += 1 }
            guard let street = props["street_code_in_name"] as? String, inside else { continue }
            labelled += 1
            if located?.street == street { right += 1 }
            #expect(located?.grid?.hasPrefix(located?.street ?? "-") == true)
        }
        #expect(outside == 15)
        // The street areas are Voronoi cells of these very sites, so nearly all must agree.
        #expect(labelled >= 100 && Double(right) / Double(labelled) >= 0.95, "\(right) of \(labelled)")
    }

    @Test(arguments: Backend.all) func importingANewVersionKeepsOldCasesOnTheirVersion(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let areas = f.areas
        let before = try await areas.atlas()
        let point = GeoPoint(lat: 30.342135, lon: 120.142877)
        var r = StoreFixture.report()
        r.area = try before.locate(point)
        let old = try await f.store.create(r, actor: .system, at: StoreFixture.t0).record
        // A district-wide single "street" 330105003 replaces the street layer.
        let district = try GeoJSON.geometry(try await areas.shapes(version: before.layers[.district]!.version)[0].geometry)
        let info = try await areas.importLayer(AreaLayerImport(level: .street, source: "test", approximate: false, shapes: [
            .init(code: "330105003", name: "小河街道", parentCode: "330105", geometry: district)]), at: StoreFixture.t0)
        let after = try await areas.atlas()
        #expect(after.version == info.version && info.version > before.version)
        #expect(try after.locate(point).street == "330105003")
        #expect(try await f.store.find(id: old.id)?.area == r.area)
        #expect(try await areas.currentLayers().filter { $0.level == .street }.map(\.version) == [info.version])
    }

    @Test(arguments: Backend.all) func importRefusesUnknownParentsAndKeepsNothing(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let areas = f.areas
        let square = MultiPolygon(polygons: [Polygon(rings: [[Position(lon: 120.1, lat: 30.3), Position(lon: 120.11, lat: 30.3),
                                                                Position(lon: 120.11, lat: 30.31), Position(lon: 120.1, lat: 30.3)]])])
        let before = try await areas.currentLayers()
        await #expect(throws: ReferenceError.self) {
            try await areas.importLayer(AreaLayerImport(level: .grid, source: "t", approximate: false, shapes: [
                .init(code: "330105999000001", name: "x", parentCode: "330105999", geometry: square)]), at: StoreFixture.t0)
        }
        #expect(try await areas.currentLayers() == before)
    }

    @Test(arguments: Backend.all) func unitGridCodesFollowTheFifteenDigitScheme(backend: Backend) async throws {
        let f = try await StoreFixture(backend)
        let atlas = try await f.atlasWithGrids()
        let grid = try #require(atlas.layers[.grid])
        #expect(grid.codes.count > 1_500)
        #expect(grid.codes.allSatisfy { $0.count == 15 && $0.hasPrefix("330105") && $0.dropFirst(9).prefix(2) == "00" })
        #expect(Set(grid.codes).count == grid.codes.count)
    }
}
