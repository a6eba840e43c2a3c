import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiSQL
import GongzhiStore

/// Point location throughput over the bundled hierarchy with generated unit grids, on one
/// core. Writes the same polygons and points for the Shapely peer (Benchmarks/shapely_peer.py).
struct BenchLocate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locate", abstract: "Measure point-in-polygon lookups per second over the area hierarchy.")

    @Option(help: "Unit grid size in metres (150 gives over 5,000 cells in Gongshu).")
    var cell = 150.0

    @Option(help: "Random points per round.")
    var points = 1_000_000

    @Option(help: "Rounds to run; the best is reported.")
    var rounds = 5

    @Option(help: "Write the grid polygons and the points here (GeoJSON and CSV) for a peer to run on.")
    var export: String?

    func validate() throws {
        guard points >= 1, points <= 100_000_000 else { throw ValidationError("--points must be between 1 and 100000000") }
        guard rounds >= 1, rounds <= 100 else { throw ValidationError("--rounds must be between 1 and 100") }
        guard cell >= 20, cell <= 5_000 else { throw ValidationError("--cell must be between 20 and 5000 metres") }
    }

    func run() async throws {
        try await withTemporaryDatabase { opened, _ in try await measure(opened) }
    }

    private func measure(_ opened: OpenedDatabase) async throws {
        let built = ContinuousClock.now
        _ = try await opened.generateGrids(cellMetres: cell)
        let atlas = opened.atlas.current
        guard let grid = atlas.layers[.grid], let district = atlas.layers[.district] else { throw CommandFailure("no grid layer") }
        print("index built in \(seconds(ContinuousClock.now - built)) s (including grid generation): \(grid.codes.count) grid cells of \(Int(cell)) m")

        // Uniform random points over the district's bounding box: some outside, many on cell borders' neighbourhoods.
        let shapes = try await opened.areas.shapes(version: district.version)
        let box = try GeoJSON.geometry(shapes[0].geometry).boundingBox
        var rng = SystemRandomNumberGenerator()
        let lons = (0..<points).map { _ in Double.random(in: box.minLon...box.maxLon, using: &rng) }
        let lats = (0..<points).map { _ in Double.random(in: box.minLat...box.maxLat, using: &rng) }

        var best = Double.infinity
        var found = 0
        for _ in 0..<rounds {
            let t = ContinuousClock.now
            var hits = 0
            for i in 0..<points where grid.index.locate(lon: lons[i], lat: lats[i]) != nil { hits += 1 }
            best = min(best, seconds(ContinuousClock.now - t))
            found = hits
        }
        print(String(format: "grid layer: %.0f lookups/s on one core (%d points, %d inside a cell, best of %d)", Double(points) / best, points, found, rounds))

        var fullBest = Double.infinity
        for _ in 0..<rounds {
            let t = ContinuousClock.now
            var located = 0
            for i in 0..<points where (try? atlas.locate(GeoPoint(lat: lats[i], lon: lons[i]))) != nil { located += 1 }
            fullBest = min(fullBest, seconds(ContinuousClock.now - t))
            _ = located
        }
        print(String(format: "full path (district, street, grid): %.0f locates/s on one core", Double(points) / fullBest))

        if let export {
            let gridShapes = try await opened.areas.shapes(version: grid.version)
            let fc = "{\"type\":\"FeatureCollection\",\"features\":[" + gridShapes.map {
                "{\"type\":\"Feature\",\"properties\":{\"code\":\"\($0.code)\"},\"geometry\":\($0.geometry)}"
            }.joined(separator: ",") + "]}"
            try fc.write(toFile: export + ".geojson", atomically: true, encoding: .utf8)
            var csv = "lon,lat,code\n"
            for i in 0..<min(points, 1_000_000) { csv += "\(lons[i]),\(lats[i]),\(grid.locate(lon: lons[i], lat: lats[i]) ?? "")\n" }
            try csv.write(toFile: export + ".csv", atomically: true, encoding: .utf8)
            print("wrote \(export).geojson and \(export).csv")
        }
    }
}

/// A duration in seconds, for printing rates.
func seconds(_ d: Duration) -> Double { d.seconds }
