import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiIntake
import GongzhiStore

/// The demo's 城市眼: cameras at real places in Gongshu's streets watching for the 云共治
/// scenarios, the shops whose frontage they see, and bursts of detections over the past months.
enum DemoCameras {
    static let scenarioCategories = ["09005", "09006", "09022", "09021", "09010", "06007", "06036", "06010", "06029"]
    static let shops = ["便利店", "面馆", "水果店", "五金店", "理发店", "汽修店", "烧烤店", "干洗店", "药店", "早餐店", "奶茶店", "花店", "小吃店", "烟酒店"]
    static let brands = ["惠民", "鑫源", "老杭州", "运河", "湖墅", "半山", "康桥", "小河", "祥符", "和睦", "大关", "上塘", "米市", "东新"]

    /// About one camera per `every` demo places, each with two to four of the scenario
    /// categories; seven in ten see the frontage of one or two shops.
    static func registry(_ places: DemoPlaces, every: Int = 3, rng: inout SeededGenerator) throws -> (cameras: [Camera], merchants: [Merchant]) {
        var cameras: [Camera] = [], merchants: [Merchant] = []
        for (i, place) in places.all.enumerated() where i % every == 0 {
            let point = GeoPoint(lat: place.point.lat, lon: place.point.lon)
            guard let area = try? places.atlas.locate(point) else { continue }
            let id = String(format: "GS-CAM-%04d", cameras.count + 1)
            let categories = Array(scenarioCategories.shuffled(using: &rng).prefix(Int.random(in: 2...4, using: &rng)))
            cameras.append(Camera(id: id, name: "\(place.name.prefix(24))视频点位", location: point, area: area, categories: categories.sorted()))
            guard rng.chance(0.7) else { continue }
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                // 8–25 m from the camera, on its side of the street.
                let p = GeoPoint(lat: point.lat + Double.random(in: -0.0002...0.0002, using: &rng), lon: point.lon + Double.random(in: -0.0002...0.0002, using: &rng))
                guard let shopArea = try? places.atlas.locate(p) else { continue }
                let name = rng.pick(brands) + rng.pick(shops)
                let phone = "1" + rng.pick(["3", "5", "8"]) + (0..<9).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
                merchants.append(Merchant(id: String(format: "GS-M-%04d", merchants.count + 1), name: name, contactName: rng.pick(["王", "李", "周", "陈"]) + "老板",
                                          contactPhone: phone, address: "\(place.name.prefix(24))旁", location: p, area: shopArea, cameras: [id]))
            }
        }
        return (cameras, merchants)
    }

    /// A burst: a camera sees a problem again and again, then either sees it cleared (in time or
    /// late) or keeps seeing it past the merchant's deadline.
    struct Burst {
        var at: Date
        var events: [CameraEventDraft]
        var cleared: (at: Date, event: CameraEventDraft)?
    }

    static func bursts(_ count: Int, cameras: [Camera], scenarios: CoGovernance, now: Date, rng: inout SeededGenerator) -> [Burst] {
        (0..<count).map { n in
            let camera = rng.pick(cameras)
            let category = rng.pick(camera.categories)
            let minutes = scenarios.scenario(for: category)?.merchantMinutes ?? 30
            let age = pow(Double.random(in: 0..<1, using: &rng), 1.6) * 120 * 86_400
            var t = Timestamp.date(millis: Timestamp.millis(now.addingTimeInterval(-age)))
            var events: [CameraEventDraft] = []
            for i in 0..<Int.random(in: 3...30, using: &rng) {
                events.append(CameraEventDraft(eventID: "d\(n)-\(i)", cameraID: camera.id, category: category,
                                               // Mostly sure, now and then too weak to count.
                                               confidence: ((0.99 - pow(Double.random(in: 0..<1, using: &rng), 3) * 0.5) * 100).rounded() / 100,
                                               detectedAt: Timestamp.rfc3339(t), snapshotURL: "https://cityeye.gongshu.example/snapshots/\(camera.id)/\(n)-\(i).jpg",
                                               state: "present"))
                t = t.addingTimeInterval(Double.random(in: 20...60, using: &rng))
            }
            let roll = Double.random(in: 0..<1, using: &rng)
            let clearAfter: Double? = roll < 0.55 ? Double.random(in: 3...(minutes - 1), using: &rng) * 60
                : roll < 0.7 ? Double.random(in: minutes...(minutes * 4), using: &rng) * 60 : nil
            let cleared = clearAfter.map { after -> (Date, CameraEventDraft) in
                let at = Timestamp.date(millis: Timestamp.millis(t.addingTimeInterval(after)))
                return (at, CameraEventDraft(eventID: "d\(n)-c", cameraID: camera.id, category: category, confidence: 0.97,
                                             detectedAt: Timestamp.rfc3339(at), state: "cleared"))
            }
            return Burst(at: t, events: events, cleared: cleared.flatMap { $0.0 < now ? $0 : nil })
        }
    }
}
