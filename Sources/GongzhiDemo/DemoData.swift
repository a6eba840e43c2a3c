import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiIntake
import GongzhiStore

/// Realistic demo data for Gongshu, loaded once: cameras and merchants at real places (the 2022
/// sampling sites), reports from every channel and bursts of camera detections over the months
/// before `now`, all through the one intake (so they de-duplicate and self-correct as live ones
/// do), then walked through the closed loop by the real state machine with the scheduler's
/// marks at the times they fell due.
///
/// Every demo report carries an id, so a load interrupted half-way adds nothing twice when it
/// runs again; a marker in `meta`, written last, makes a later start add nothing at all.
public struct DemoData: Sendable {
    public static let marker = "demo.loaded_at"

    let store: any Storage
    let reference: ReferenceData
    let atlas: Atlas
    let rules: IntakeRules

    public init(store: any Storage, reference: ReferenceData, atlas: Atlas, rules: IntakeRules) {
        self.store = store
        self.reference = reference
        self.atlas = atlas
        self.rules = rules
    }

    public struct Loaded: Sendable, Hashable {
        public var cases = 0
        public var cameras = 0
        public var merchants = 0
        public var detections = 0
    }

    /// Loads about `count` reports (three in four from people, the rest camera problems) unless
    /// demo data was loaded before; returns what was added.
    @discardableResult
    public func loadIfNeeded(count: Int = 2_400, now: Date, seed: UInt64 = 330105) async throws -> Loaded {
        if try await store.transaction({ try $0.meta(Self.marker) }) != nil { return Loaded() }
        let places = try DemoPlaces.load(atlas: atlas)
        var rng = SeededGenerator(seed: seed)
        let (cameras, merchants) = try DemoCameras.registry(places, rng: &rng)
        try await store.saveCameras(cameras, by: "system:demo", at: now)
        try await store.saveMerchants(merchants, by: "system:demo", at: now)
        let intake = Intake(store: store, clock: ManualTimeSource(now), atlas: Live(atlas), cases: store.context, rules: Live(rules),
                            cameras: Live(Dictionary(uniqueKeysWithValues: cameras.map { ($0.id, $0) })),
                            settings: .init(maxBatch: 1_000, linger: .zero, capacity: 1_000_000))
        let writer = Task { await intake.run() }
        defer { writer.cancel() }

        var generator = DemoCaseGenerator(reference: reference, places: places)
        let people = try (0..<(count * 3 / 4)).map { _ in try generator.makeReport(now: now, rng: &rng) }
        let bursts = DemoCameras.bursts(count - people.count, cameras: cameras, scenarios: store.context.current.coGovernance, now: now, rng: &rng)
        // Everything in the order it happened: runs of reports, bursts, and `cleared` detections.
        enum Item { case report(Int), burst(Int), cleared(Int) }
        var timeline: [(Date, Item)] = people.enumerated().map { ($1.at, .report($0)) } + bursts.enumerated().map { ($1.at, .burst($0)) }
        timeline += bursts.enumerated().compactMap { i, b in b.cleared.map { ($0.at, .cleared(i)) } }
        timeline.sort { $0.0 < $1.0 }

        var loaded = Loaded(cameras: cameras.count, merchants: merchants.count)
        var walks: [(id: Int64, at: Date, seed: UInt64)] = []
        var pending: [Int] = []
        let demoActor = Actor(id: "system:demo")
        func flush() async throws {
            guard !pending.isEmpty else { return }
            let results = try await intake.submit(reports: pending.map { people[$0].report }, actor: demoActor, at: pending.map { people[$0].at })
            for (i, r) in zip(pending, results) {
                let outcome = try r.get()
                if outcome.kind == .opened, !outcome.repeated, let id = outcome.record?.id { walks.append((id, people[i].at, people[i].seed)) }
            }
            pending = []
        }
        for (at, item) in timeline {
            switch item {
            case .report(let i):
                pending.append(i)
                if pending.count == 500 { try await flush() }
            case .burst(let i), .cleared(let i):
                try await flush()
                // The scheduler's marks up to now (a merchant's deadline passing), at the time each fell due.
                _ = try await store.transaction { tx in try TimerSweep.sweep(tx, now: at, limit: 10_000, stampAtDue: true) }
                let events = if case .burst = item { bursts[i].events } else { [bursts[i].cleared!.event] }
                let results = try await intake.submit(detections: events, actor: Actor(id: "system:demo-cityeye"), at: at)
                loaded.detections += results.count
                loaded.cases += results.filter { (try? $0.get())?.kind == .opened && (try? $0.get())?.repeated == false }.count
            }
        }
        try await flush()
        loaded.cases += walks.count
        // The walks, a few hundred cases per transaction.
        for chunk in stride(from: 0, to: walks.count, by: 300).map({ Array(walks[$0..<min($0 + 300, walks.count)]) }) {
            try await store.transaction { [generator] tx in
                for w in chunk { try generator.walk(tx, id: w.id, from: w.at, now: now, seed: w.seed) }
            }
        }
        // Merchants who did not correct in time: enforcement takes over, and gets on with it.
        let enforced = try await store.transaction { tx -> [Int64] in
            _ = try TimerSweep.sweep(tx, now: now, limit: 100_000, stampAtDue: true)
            return try tx.enforcedCameraCases()
        }
        try await store.transaction { [generator] tx in
            var rng = SeededGenerator(seed: seed ^ 0x5a5a)
            for id in enforced {
                guard var at = try tx.find(id: id)?.updatedAt else { continue }
                try generator.finish(tx, id: id, at: &at, now: now, rng: &rng)
            }
            try tx.setMeta(Self.marker, Timestamp.rfc3339(now))
        }
        return loaded
    }
}

/// Real places in the district, each located in the area hierarchy.
struct DemoPlaces {
    struct Place {
        var name: String
        var point: Position
        var street: String
    }

    var all: [Place]
    var atlas: Atlas

    static func load(atlas: Atlas) throws -> DemoPlaces {
        let root = try JSONSerialization.jsonObject(with: try ReferenceData.samplingPoints()) as? [String: Any]
        var places: [Place] = []
        for f in (root?["features"] as? [[String: Any]]) ?? [] {
            guard let props = f["properties"] as? [String: Any], let name = props["name"] as? String,
                  let coords = (f["geometry"] as? [String: Any])?["coordinates"] as? [Double], coords.count == 2 else { continue }
            let p = Position(lon: coords[0], lat: coords[1])
            guard let street = (try? atlas.locate(GeoPoint(lat: p.lat, lon: p.lon)))?.street else { continue }
            let detail = (props["address_detail"] as? String).map { "（\($0)）" } ?? ""
            places.append(Place(name: name + detail, point: p, street: street))
        }
        guard !places.isEmpty else { throw ReferenceError("no demo places fall inside the district's street areas") }
        return DemoPlaces(all: places, atlas: atlas)
    }
}
