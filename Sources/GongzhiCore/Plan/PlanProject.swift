import Foundation

/// A major project of a plan (重大项目): where it is (a point, or a line for a road), which
/// road it belongs to, who leads it, and its milestones — as planned by the project, and as
/// reached.
public struct PlanProject: Sendable, Hashable, Decodable {
    public enum Location: Sendable, Hashable {
        case point(GeoPoint)
        case line([GeoPoint])

        public var points: [GeoPoint] {
            switch self {
            case .point(let p): [p]
            case .line(let ps): ps
            }
        }
    }

    public var id: String
    public var name: String
    public var group: String?
    /// The project type whose stage durations apply (industrial, residential, road…).
    public var type: String
    public var road: String?
    public var street: String?
    public var community: String?
    public var leadUnit: String
    public var location: Location?
    /// The day the project entered the plan: its first work starts then.
    public var entered: PlanDay
    public var deadline: PlanDay
    /// The milestone the deadline is set for.
    public var target: Milestone
    public var planned: [Milestone: PlanDay]
    public var actual: [Milestone: PlanDay]
    /// Named in the plan's text (the rest are filled in).
    public var namedInText: Bool
    public var stated: Bool

    public func validate() throws(PlanError) {
        guard !name.isEmpty else { throw .invalid("project \(id): a name is required") }
        guard deadline >= entered else { throw .invalid("project \(id): deadline before it entered the plan") }
        // Milestones are reached in order: a later one cannot be reached before an earlier one.
        let reached = Milestone.allCases.compactMap { m in actual[m].map { (m, $0) } }
        for (a, b) in zip(reached, reached.dropFirst()) where b.1 < a.1 {
            throw .invalid("project \(id): \(b.0.rawValue) reached before \(a.0.rawValue)")
        }
        for p in location?.points ?? [] where !(p.lat.isFinite && p.lon.isFinite && abs(p.lat) <= 90 && abs(p.lon) <= 180) {
            throw .invalid("project \(id): a location outside the globe")
        }
    }

    /// Its reverse schedule on `day`, with the actual dates known by then.
    public func schedule(durations: StageDurations, at day: PlanDay, rules: PacingRules) -> [ScheduledMilestone] {
        ReverseSchedule.schedule(deadline: deadline, target: target, durations: durations, entered: entered, planned: planned,
                                 actual: actual.filter { $0.value <= day }, at: day, rules: rules)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, group, type, road, street, community, location, entered, deadline, target, planned, actual, stated
        case leadUnit = "lead_unit"
        case namedInText = "named_in_text"
    }

    enum LocationKeys: String, CodingKey { case point, line }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        type = try c.decode(String.self, forKey: .type)
        road = try c.decodeIfPresent(String.self, forKey: .road)
        street = try c.decodeIfPresent(String.self, forKey: .street)
        community = try c.decodeIfPresent(String.self, forKey: .community)
        leadUnit = try c.decode(String.self, forKey: .leadUnit)
        entered = try c.day(.entered)
        deadline = try c.day(.deadline)
        target = try c.decodeIfPresent(Milestone.self, forKey: .target) ?? .completion
        planned = try c.milestoneDays(.planned)
        actual = try c.milestoneDays(.actual)
        namedInText = try c.decodeIfPresent(Bool.self, forKey: .namedInText) ?? false
        stated = try c.decodeIfPresent(Bool.self, forKey: .stated) ?? false
        location = nil
        if c.contains(.location), try !c.decodeNil(forKey: .location) {
            // GeoJSON order: [lon, lat].
            let l = try c.nestedContainer(keyedBy: LocationKeys.self, forKey: .location)
            func point(_ pair: [Double]) throws -> GeoPoint {
                guard pair.count == 2 else {
                    throw c.bad(.location, "location: a point is [lon, lat]")
                }
                return GeoPoint(lat: pair[1], lon: pair[0])
            }
            if let p = try l.decodeIfPresent([Double].self, forKey: .point) {
                location = .point(try point(p))
            } else if let line = try l.decodeIfPresent([[Double]].self, forKey: .line), line.count >= 2 {
                location = .line(try line.map(point))
            } else {
                throw c.bad(.location, "location needs a point or a line of two points or more")
            }
        }
    }
}
