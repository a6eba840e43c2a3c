import Foundation
import GongzhiCore
import GongzhiGeo
import GongzhiStore

/// Makes one demo case at a time and walks it through the loop with the real state machine.
struct DemoCaseGenerator {
    let reference: ReferenceData
    let places: DemoPlaces
    private let matters: [String: [Category]]
    private let unitsByType: [String: [OrgUnit]]
    private let communitiesByStreet: [String: [OrgUnit]]
    private var sequence = 0

    init(reference: ReferenceData, places: DemoPlaces) {
        self.reference = reference
        self.places = places
        matters = Dictionary(grouping: reference.categories.all.filter { $0.kind != .component }, by: \.majorCode)
        unitsByType = Dictionary(grouping: reference.units.all.filter { $0.kind == .department }, by: { $0.departmentType ?? "" })
        communitiesByStreet = Dictionary(grouping: reference.units.all.filter { $0.kind == .community }, by: { $0.parentCode ?? "" })
    }

    /// Which major classes each channel mostly reports. Camera cases come from the camera
    /// bursts (`DemoCameras`), through the same intake.
    private static let channels: [(ReportSource, Double, [String])] = [
        (.gridWorker, 35, ["01", "03", "04", "06", "08", "09"]),
        (.hotline, 28, ["01", "02", "06", "10", "91"]),
        (.resident, 21, ["01", "02", "03", "06", "09"]),
        (.dispute, 6, ["91"]),
        (.petition, 3, ["92"]),
        (.enterprise, 4, ["93"]),
        (.project, 3, ["95"]),
    ]

    private static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾")
    private static let givenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "国平"]

    /// A report at a real place and a time in the months before `now`, with the seed of its walk.
    mutating func makeReport(now: Date, rng: inout SeededGenerator) throws -> (report: Report, at: Date, seed: UInt64) {
        sequence += 1
        let (source, majors) = rng.pick(weighted: Self.channels.map { (($0.0, $0.2), $0.1) })
        let category = rng.pick(majors.flatMap { matters[$0] ?? [] })
        let place = rng.pick(places.all)
        var point = GeoPoint(lat: place.point.lat, lon: place.point.lon)
        for _ in 0..<5 {  // within ~150 m of the site, still in the district
            let p = GeoPoint(lat: ((place.point.lat + Double.random(in: -0.0012...0.0012, using: &rng)) * 1e6).rounded() / 1e6,
                             lon: ((place.point.lon + Double.random(in: -0.0015...0.0015, using: &rng)) * 1e6).rounded() / 1e6)
            if (try? places.atlas.locate(p)) != nil { point = p; break }
        }
        let area = try places.atlas.locate(point)
        // Older cases are more likely to be far along the loop.
        let ageHours = pow(Double.random(in: 0..<1, using: &rng), 1.6) * 120 * 24
        let at = Timestamp.date(millis: Timestamp.millis(now.addingTimeInterval(-ageHours * 3600)))
        let report = Report(source: source, category: category.code, description: Self.describe(source, category, place.name, &rng),
                            location: point, address: place.name, reporter: Self.reporter(source, &rng),
                            externalID: Self.externalID(source, sequence, at), area: area)
        return (report, at, rng.next())
    }

    /// Walks an opened case through the loop from `at` with the real state machine, letting the
    /// scheduler's marks fall in between, up to `now`.
    func walk(_ tx: CaseTransaction, id: Int64, from start: Date, now: Date, seed: UInt64) throws {
        // A case its rule registered and dispatched at intake (a plan's blocker) starts with the unit.
        guard let opened = try tx.find(id: id), opened.status == .reported || opened.status == .dispatched, let code = opened.category,
              let category = reference.categories.reportable(code), let street = opened.area?.street else { return }
        var rng = SeededGenerator(seed: seed)
        var at = max(start, opened.updatedAt)
        let dispatcher = Actor(id: "user:demo-dispatcher", unit: ReferenceData.districtCode)

        /// Advances time by a few hours, letting the scheduler's marks fall in between; false when
        /// the step would be in the future.
        func step(_ hours: ClosedRange<Double>) throws -> Bool {
            at = at.addingTimeInterval(Double.random(in: hours, using: &rng) * 3600)
            try TimerSweep.markDue(tx, id: id, until: min(at, now)) { $0 }
            return at < now
        }
        func act(_ command: CaseCommand, _ actor: Actor) throws -> CaseRecord {
            try tx.perform(command, on: id, actor: actor, at: at)
        }

        guard try step(0.1...4) else { return }
        if opened.status == .reported, rng.chance(0.04) {
            _ = try act(CaseCommand(.reject, reason: rng.pick(["重复上报，已并入在办案件", "不属于城市管理受理范围", "现场核实无此问题"])), dispatcher)
            return
        }
        var record = opened.status == .reported ? try act(CaseCommand(.register, note: "信息核实，予以立案"), dispatcher) : opened
        var unit = record.unit ?? responsibleUnit(category, street: street, &rng)
        if record.status == .registered {  // no rule dispatched it at once
            guard try step(0.1...3) else { return }
            record = try act(CaseCommand(.dispatch, unit: unit), dispatcher)
        }
        if rng.chance(0.06), try step(1...12) {
            _ = try act(CaseCommand(.return, reason: "非本单位职责，请重新派遣"), Actor(id: "user:demo-handler", unit: unit))
            guard try step(0.5...6) else { return }
            unit = street
            record = try act(CaseCommand(.dispatch, unit: unit), dispatcher)
        }
        if rng.chance(0.05), try step(2...24), let current = try tx.find(id: id), current.status == .dispatched,
           let holder = current.unit, reference.units.parent(of: holder) != nil {
            record = try act(CaseCommand(.escalate, reason: "涉及多个部门，本级难以协调解决"), Actor(id: "user:demo-handler", unit: holder))
        }
        try finish(tx, id: id, at: &at, now: now, rng: &rng)
    }

    /// Supervision, handling, verification (with rework now and then) and closing: the end of
    /// every walk, and of the enforcement that takes a merchant's uncorrected problem.
    func finish(_ tx: CaseTransaction, id: Int64, at: inout Date, now: Date, rng: inout SeededGenerator) throws {
        let dispatcher = Actor(id: "user:demo-dispatcher", unit: ReferenceData.districtCode)
        func step(_ hours: ClosedRange<Double>) throws -> Bool {
            at = at.addingTimeInterval(Double.random(in: hours, using: &rng) * 3600)
            try TimerSweep.markDue(tx, id: id, until: min(at, now)) { $0 }
            return at < now
        }
        func act(_ command: CaseCommand, _ actor: Actor) throws {
            _ = try tx.perform(command, on: id, actor: actor, at: at)
        }
        if rng.chance(0.05), try step(4...30) {
            try act(CaseCommand(.supervise, note: "请加快处置进度，按时反馈"), Actor(id: "user:demo-supervisor", unit: ReferenceData.districtCode))
        }
        // Now and then the unit cannot do it in time for a reason the centre accepts (缓办).
        var postponed = false
        if rng.chance(0.03), try step(1...8), let current = try tx.find(id: id), current.status == .dispatched, current.dueAt != nil {
            try act(CaseCommand(.postpone, reason: rng.pick(["需纳入下年度维修计划", "待产权单位确认", "受季节施工条件限制"])), dispatcher)
            postponed = true
        }
        var rounds = 0
        while true {
            guard try step(postponed ? 100...400 : rng.chance(0.85) ? 1...40 : 40...140) else { return }
            guard let current = try tx.find(id: id), current.status == .dispatched else { return }
            try act(CaseCommand(.handle, note: rng.pick(["已到场处置完毕", "已清理完成，现场恢复", "已责令整改，当场改正", "已维修更换"])),
                    Actor(id: "user:demo-handler", unit: current.unit))
            guard try step(0.5...24) else { return }
            rounds += 1
            if rounds < 3, rng.chance(0.08) {
                try act(CaseCommand(.verify, reason: "复核发现问题仍存在", passed: false), Actor(id: "user:demo-inspector"))
                continue
            }
            try act(CaseCommand(.verify, note: "现场核查通过", passed: true), Actor(id: "user:demo-inspector"))
            break
        }
        guard try step(0.1...8) else { return }
        try act(CaseCommand(.close, note: "结案"), dispatcher)
        // The 12345 call-back asks most residents what they thought (回访).
        guard rng.chance(0.7), try step(2...48) else { return }
        let verdict: Satisfaction = rng.chance(0.8) ? .satisfied : rng.chance(0.6) ? .basicallySatisfied : .dissatisfied
        try act(CaseCommand(.evaluate, note: "回访", satisfaction: verdict), Actor(id: "user:demo-hotline", unit: ReferenceData.districtCode))
    }

    private func responsibleUnit(_ category: Category, street: String, _ rng: inout SeededGenerator) -> String {
        switch category.defaults?.departmentType {
        case "street", nil: return street
        case "community": return (communitiesByStreet[street].map { rng.pick($0).code }) ?? street
        case let type?: return unitsByType[type]?.first?.code ?? street
        }
    }

    private static func describe(_ source: ReportSource, _ c: Category, _ place: String, _ rng: inout SeededGenerator) -> String {
        switch source {
        case .camera: "AI视频识别：\(place)附近发现“\(c.name)”。"
        case .gridWorker: "网格员巡查发现\(place)附近\(c.name)，现场已拍照。"
        case .hotline: "市民来电反映：\(place)附近\(c.name)，\(rng.pick(["已持续多日", "影响出行", "影响休息", "多次反映未解决"]))，希望尽快处理。"
        case .resident: "居民随手拍上报：\(place)附近\(c.name)。"
        case .dispute: "\(place)附近发生\(c.name)，双方协商未果，申请调解。"
        case .petition: "信访人反映\(c.name)相关诉求，涉及\(place)周边。"
        case .enterprise: "企业反映：\(c.name)，经营地址在\(place)附近。"
        case .project: "重点项目推进中遇到\(c.name)，项目位于\(place)附近。"
        }
    }

    private static func reporter(_ source: ReportSource, _ rng: inout SeededGenerator) -> Reporter? {
        guard [.hotline, .resident, .dispute, .petition, .enterprise].contains(source), !(source == .resident && rng.chance(0.3)) else { return nil }
        let name = String(rng.pick(surnames)) + rng.pick(givenNames)
        let phone = "1" + rng.pick(["3", "5", "7", "8", "9"]) + (0..<9).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
        return Reporter(name: name, phone: phone)
    }

    /// Every demo report has an id, so loading again after an interruption adds nothing twice.
    private static func externalID(_ source: ReportSource, _ n: Int, _ at: Date) -> String {
        switch source {
        case .hotline: "12345-\(Timestamp.rfc3339(at).prefix(10).replacingOccurrences(of: "-", with: ""))\(String(format: "%05d", n))"
        default: "demo-\(n)"
        }
    }
}
