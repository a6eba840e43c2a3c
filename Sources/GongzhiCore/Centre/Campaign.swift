import Foundation

/// A backlog campaign (信访积案清零): old petitions, each led by a named official (领衔领导)
/// with a responsible unit and a target day; cleared only as `Petition.isCleared` says.
public struct Campaign: Sendable, Codable, Hashable {
    public struct Item: Sendable, Codable, Hashable {
        public var petition: Int64
        public var leader: String
        public var unit: String
        public var target: PlanDay

        public init(petition: Int64, leader: String, unit: String, target: PlanDay) {
            self.petition = petition
            self.leader = leader
            self.unit = unit
            self.target = target
        }
    }

    public var id: Int64
    public var name: String
    public var start: PlanDay
    public var end: PlanDay
    public var items: [Item]

    public init(id: Int64, name: String, start: PlanDay, end: PlanDay, items: [Item]) {
        self.id = id
        self.name = name
        self.start = start
        self.end = end
        self.items = items
    }
}

/// What a campaign board needs to know of a petition.
public protocol Clearable {
    var isCleared: Bool { get }
}

extension Petition: Clearable {}

/// A campaign item's petition as the board lists it, read from the row's columns alone (a board
/// of thousands decodes no petition). Closed is cleared: `close` needs the answer recorded and
/// no review pending, and a review asked later moves the petition out of `closed`.
public struct CampaignEntry: Sendable, Hashable, Clearable {
    public var title: String
    public var status: Petition.Status

    public init(title: String, status: Petition.Status) {
        self.title = title
        self.status = status
    }

    public var isCleared: Bool { status == .closed }
}

/// Progress of a campaign's items, by leader or by unit.
public struct CampaignTally: Sendable, Hashable, Codable {
    public var key: String
    public var total = 0
    public var cleared = 0
    /// Past the target day and not cleared.
    public var late = 0

    /// Cleared / total (0 when empty).
    public var rate: Double { total == 0 ? 0 : Double(cleared) / Double(total) }

    public init(key: String) { self.key = key }
}

public enum CampaignBoard {
    /// Each item's state at `now`: cleared, or open (and late once past its target).
    public static func cleared(_ item: Campaign.Item, _ petitions: [Int64: some Clearable]) -> Bool {
        petitions[item.petition]?.isCleared ?? false
    }

    /// Tallies by `key` (the leader or the unit), sorted by clearance rate, then by name.
    public static func tally(_ c: Campaign, petitions: [Int64: some Clearable], at now: Date,
                             by key: (Campaign.Item) -> String) -> [CampaignTally] {
        var out: [String: CampaignTally] = [:]
        let today = PlanDays.of(now)
        for item in c.items {
            let k = key(item)
            var t = out[k] ?? CampaignTally(key: k)
            t.total += 1
            if cleared(item, petitions) { t.cleared += 1 } else if today > item.target { t.late += 1 }
            out[k] = t
        }
        return out.values.sorted { ($0.rate, $1.key) > ($1.rate, $0.key) }
    }
}
