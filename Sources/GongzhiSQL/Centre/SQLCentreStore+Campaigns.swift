import Foundation
import GongzhiCore
import GongzhiStore

extension SQLCentreStore {
    public func createCampaign(name: String, start: PlanDay, end: PlanDay, by p: Principal, at: Date) async throws -> Campaign {
        guard CentreAccess.runsCampaigns(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not set up campaigns") }
        let name = try CentreError.text(name, field: "name", max: 200)
        guard end >= start else { throw CentreError.bad("end", "end must not be before start", code: "out_of_range") }
        return try await db.write { s in
            let id = try s.insert("INSERT INTO centre_campaigns (name, start_day, end_day, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                                  name, start, end, Timestamp.millis(at), p.id)
            try AuditLog.append(s, at: at, actor: p.id, action: "campaign_created", detail: ["campaign": "\(id)", "name": name])
            return Campaign(id: id, name: name, start: start, end: end, items: [])
        }
    }

    public func addItems(_ items: [Campaign.Item], to campaign: Int64, by p: Principal, scope: Scope, at: Date) async throws -> Campaign {
        guard CentreAccess.runsCampaigns(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not change campaigns") }
        guard !items.isEmpty, items.count <= 5_000 else { throw CentreError.bad("items", "send 1–5000 items", code: "out_of_range") }
        var checked: [Campaign.Item] = []
        for (i, item) in items.enumerated() {
            var c = item
            c.leader = try CentreError.text(item.leader, field: "items[\(i)].leader", max: 100)
            checked.append(c)
        }
        guard Set(checked.map(\.petition)).count == checked.count else { throw CentreError.bad("items", "a petition is listed twice") }
        let items = checked
        return try await db.write { s in
            try s.lock("campaign:\(campaign)")
            guard try s.first("SELECT 1 FROM centre_campaigns WHERE id = ?", campaign) != nil else {
                throw StoreError.notFound("campaign \(campaign)")
            }
            let units = Set(try s.query("SELECT code FROM units").map { $0[0] as String })
            for (i, item) in items.enumerated() {
                guard units.contains(item.unit) else {
                    throw CentreError.bad("items[\(i)].unit", "unknown unit '\(item.unit)'", code: "unknown_value")
                }
                guard let petition = try Self.load(s, Petition.self, id: item.petition, scope: scope), petition.status != .repeat else {
                    throw CentreError.bad("items[\(i)].petition", "petition \(item.petition) does not exist or is a repeat", code: "unknown_value")
                }
                guard try s.first("SELECT 1 FROM centre_campaign_items WHERE campaign_id = ? AND petition_id = ?", campaign, item.petition) == nil
                else { throw CentreError.bad("items[\(i)].petition", "petition \(item.petition) is in the campaign already", code: "duplicate") }
                try s.execute("INSERT INTO centre_campaign_items (campaign_id, petition_id, leader, unit, target_day, added_at, added_by) "
                              + "VALUES (?, ?, ?, ?, ?, ?, ?)", campaign, item.petition, item.leader, item.unit, item.target,
                              Timestamp.millis(at), p.id)
            }
            try AuditLog.append(s, at: at, actor: p.id, action: "campaign_items_added",
                                detail: ["campaign": "\(campaign)", "petitions": items.map { String($0.petition) }.joined(separator: ",")])
            guard let c = try Self.campaign(s, campaign, scope: .all)?.0 else { throw StoreError.notFound("campaign \(campaign)") }
            return c
        }
    }

    public func campaigns() async throws -> [Campaign] {
        try await db.read { s in
            try s.query("SELECT * FROM centre_campaigns ORDER BY id DESC").map {
                Campaign(id: $0["id"], name: $0["name"], start: $0["start_day"], end: $0["end_day"], items: [])
            }
        }
    }

    public func campaign(_ id: Int64, scope: Scope) async throws -> (Campaign, [Int64: CampaignEntry])? {
        try await db.read { s in try Self.campaign(s, id, scope: scope) }
    }

    /// The campaign with only the items whose petitions the scope covers, and those petitions.
    static func campaign(_ s: any SQLSession, _ id: Int64, scope: Scope) throws -> (Campaign, [Int64: CampaignEntry])? {
        guard let row = try s.first("SELECT * FROM centre_campaigns WHERE id = ?", id) else { return nil }
        let items = try s.query("SELECT * FROM centre_campaign_items WHERE campaign_id = ? ORDER BY target_day, petition_id", id).map {
            Campaign.Item(petition: $0["petition_id"], leader: $0["leader"], unit: $0["unit"], target: $0["target_day"])
        }
        var petitions: [Int64: CampaignEntry] = [:]
        let ids = items.map(\.petition)
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            var f = FilterSQL()
            f.clauses = ["kind = 'petition'", "id IN (\(FilterSQL.marks(chunk.count)))"]
            f.args = chunk.map(SQLValue.int)
            f.scope(scope, unit: "unit", areas: ["street", "community"])
            for r in try s.query("SELECT id, status, headline FROM centre_matters WHERE " + f.clauses.joined(separator: " AND "), f.args) {
                guard let status = Petition.Status(rawValue: r["status"]) else { continue }
                petitions[r["id"]] = CampaignEntry(title: r["headline"], status: status)
            }
        }
        let campaign = Campaign(id: id, name: row["name"], start: row["start_day"], end: row["end_day"],
                                items: items.filter { petitions[$0.petition] != nil })
        return (campaign, petitions)
    }

    public func addRisk(_ entry: RiskEntry, by p: Principal, at: Date) async throws -> RiskEntry {
        guard CentreAccess.registersPetitions(p.role) else { throw CentreError.forbidden("a \(p.role.rawValue) may not add to the risk list") }
        var e = entry
        e.matter = try CentreError.text(entry.matter, field: "matter", max: 500)
        e.note = try CentreError.optionalText(entry.note, field: "note", max: 2_000, shape: .multiline)
        guard (1...10_000_000).contains(e.people) else { throw CentreError.bad("people", "people must be 1–10000000", code: "out_of_range") }
        e.createdAt = Timestamp.millis(at)
        let new = e
        return try await db.write { s in
            guard try s.first("SELECT 1 FROM units WHERE code = ?", new.unit) != nil else {
                throw CentreError.bad("unit", "unknown unit '\(new.unit)'", code: "unknown_value")
            }
            var saved = new
            saved.id = try s.insert("INSERT INTO centre_risks (matter, people, unit, level, street, note, created_at, created_by) "
                                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", new.matter, new.people, new.unit, new.level.rawValue, new.street,
                                    new.note, new.createdAt, p.id)
            try AuditLog.append(s, at: at, actor: p.id, action: "risk_listed", detail: ["risk": "\(saved.id)", "unit": new.unit])
            return saved
        }
    }

    public func risks(scope: Scope) async throws -> [RiskEntry] {
        var f = FilterSQL()
        f.scope(scope, unit: "unit", areas: ["street"])
        let sql = "SELECT * FROM centre_risks" + (f.clauses.isEmpty ? "" : " WHERE " + f.clauses.joined(separator: " AND ")) + " ORDER BY id DESC"
        return try await db.query(sql, f.args).map {
            RiskEntry(id: $0["id"], matter: $0["matter"], people: $0["people"], unit: $0["unit"],
                      level: RiskLevel(rawValue: $0["level"]) ?? .low, street: $0["street"], note: $0["note"], createdAt: $0["created_at"])
        }
    }

    public func verify() async throws -> (matters: Int, problem: String?) {
        try await db.read { s in
            var count = 0, problem: String? = nil
            let heads = try s.query("SELECT id, kind FROM centre_matters ORDER BY id")
            for h in heads {
                count += 1
                let id: Int64 = h["id"]
                problem = h["kind"] as String == Dispute.kind ? try Self.verify(s, Dispute.self, id: id) : try Self.verify(s, Petition.self, id: id)
                if let problem { return (count, "\(h["kind"] as String) \(id): \(problem)") }
            }
            return (count, nil)
        }
    }

    /// Checks one matter: its chain links and hashes, and its row equals the fold of its events.
    static func verify<M: Matter>(_ s: any SQLSession, _ type: M.Type, id: Int64) throws -> String? {
        var prev = EventChain.genesis, expected: Int64 = 1, events: [M.Event] = []
        for r in try s.query("SELECT * FROM centre_events WHERE matter_id = ? ORDER BY seq", id) {
            let seq: Int64 = r["seq"]
            if seq != expected { return "event #\(expected) is missing" }
            if r["prev_hash"] as String != prev { return "event #\(seq): its previous-hash does not match the event before it" }
            let hash = digest(matter: id, seq: seq, at: r["at"], actor: r["actor"], action: r["action"], detail: r["detail"], prev: prev)
            if hash != r["hash"] as String { return "event #\(seq): its contents do not match its hash" }
            guard let event = try? decode(M.Event.self, r["detail"]), M.action(of: event) == r["action"] as String else {
                return "event #\(seq): its detail cannot be read as a \(M.kind) step"
            }
            events.append(event)
            prev = hash
            expected += 1
        }
        guard let row = try s.first("SELECT * FROM centre_matters WHERE id = ?", id) else { return "its row is missing" }
        if row["event_count"] as Int64 != expected - 1 || row["last_hash"] as String != prev { return "its head does not match its last event" }
        let fold: M
        do { fold = try M.replay(events) } catch { return "its events cannot be replayed: \(error)" }
        guard let stored = try? decode(M.self, row["state"]), stored == fold else { return "its row differs from the fold of its events" }
        let names = ["status", "unit", "street", "community", "next_due", "registered_day", "ended_day", "end_level", "headline",
                     "collective", "repeat_of", "clock_mark"]
        for (name, value) in zip(names, columns(fold)) where row.value(name) != value {
            return "its column \(name) differs from the fold of its events"
        }
        return nil
    }
}
