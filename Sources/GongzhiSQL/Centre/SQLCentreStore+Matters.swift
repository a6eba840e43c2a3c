import Foundation
import GongzhiCore
import GongzhiStore

extension SQLCentreStore {
    public func registerDispute(_ draft: DisputeDraft, by p: Principal, context: CentreContext, at: Date) async throws -> Dispute {
        try await db.write { s in
            let id = try Self.newRow(s, kind: Dispute.kind, at: at)
            let event = try DisputeMachine.register(draft, id: id, rules: context.rules, units: context.units, at: at, calendar: context.calendar)
            return try Self.append(s, Dispute.self, id: id, event: event, actor: p.id, at: at)
        }
    }

    public func act(onDispute id: Int64, _ command: DisputeCommand, by p: Principal, scope: Scope, context: CentreContext,
                    at: Date) async throws -> Dispute {
        try await act(Dispute.self, id: id, by: p, scope: scope, at: at) { d in
            try DisputeMachine.decide(command, on: d, actor: p.id, rules: context.rules, units: context.units, at: at,
                                      calendar: context.calendar)
        }
    }

    public func registerPetition(_ draft: PetitionDraft, by p: Principal, scope: Scope, context: CentreContext,
                                 at: Date) async throws -> Petition {
        try await db.write { s in
            var draft = draft
            var root: Petition? = nil
            if let first = draft.repeatOf {
                // A repeat joins the first petition on the matter, never a repeat of it.
                guard let original = try Self.load(s, Petition.self, id: first, scope: scope) else {
                    throw CentreError.bad("repeat_of", "petition \(first) does not exist", code: "unknown_value")
                }
                let rootID = original.repeatOf ?? original.id
                try s.lock("centre:\(rootID)")
                root = rootID == original.id ? original : try Self.load(s, Petition.self, id: rootID, scope: .all)
                draft.repeatOf = rootID
            }
            if let risk = draft.risk, try s.first("SELECT 1 FROM centre_risks WHERE id = ?", risk) == nil {
                throw CentreError.bad("risk", "risk-list entry \(risk) does not exist", code: "unknown_value")
            }
            let id = try Self.newRow(s, kind: Petition.kind, at: at)
            let event = try PetitionMachine.register(draft, id: id, office: context.rules.petitionOffice, at: at, calendar: context.calendar)
            let petition = try Self.append(s, Petition.self, id: id, event: event, actor: p.id, at: at)
            if let root { _ = try Self.append(s, Petition.self, id: root.id, event: .repeatLinked(id: id), actor: p.id, at: at) }
            return petition
        }
    }

    public func act(onPetition id: Int64, _ command: PetitionCommand, by p: Principal, scope: Scope, context: CentreContext,
                    at: Date) async throws -> Petition {
        if case .extend = command, !CentreAccess.approvesExtensions(p.role) {
            throw CentreError.forbidden("an extension needs approval: a \(p.role.rawValue) may not grant one")
        }
        if case .decide(true, let unit?, _, _) = command, context.units[unit] == nil {
            throw CentreError.bad("unit", "unknown unit '\(unit)'", code: "unknown_value")
        }
        return try await act(Petition.self, id: id, by: p, scope: scope, at: at) { petition in
            try PetitionMachine.decide(command, on: petition, actor: p.id, at: at, calendar: context.calendar)
        } check: { petition in
            // The extension's approver need not hold the petition; every other step is the holder's.
            if case .extend = command { return }
            try CentreAccess.acts(p, holder: petition.unit, scope: scope)
        }
    }

    public func dispute(_ id: Int64, scope: Scope) async throws -> Dispute? {
        try await db.read { s in try Self.load(s, Dispute.self, id: id, scope: scope) }
    }

    public func petition(_ id: Int64, scope: Scope) async throws -> Petition? {
        try await db.read { s in try Self.load(s, Petition.self, id: id, scope: scope) }
    }

    public func disputes(_ query: MatterQuery, scope: Scope, at: Date) async throws -> [Dispute] {
        try await list(Dispute.self, query, scope: scope, at: at)
    }

    public func petitions(_ query: MatterQuery, scope: Scope, at: Date) async throws -> [Petition] {
        try await list(Petition.self, query, scope: scope, at: at)
    }

    /// The filter of a list: kind, scope and the query's conditions.
    static func filter(kind: String, _ q: MatterQuery, scope: Scope, at: Date) -> FilterSQL {
        var f = FilterSQL()
        f.clauses.append("kind = ?")
        f.args.append(.text(kind))
        f.scope(scope, unit: "unit", areas: ["street", "community"])
        let today = PlanDays.of(at)
        switch q.state {
        case .all: break
        case .open: f.clauses.append("next_due IS NOT NULL")
        case .overdue:
            f.clauses.append("next_due < ?")
            f.args.append(.int(today))
        case .closed: f.clauses.append("ended_day IS NOT NULL")
        case .undecided: f.clauses.append("status = 'registered'")
        }
        if let street = q.street { f.anyOf("street", [street]) }
        if let unit = q.unit { f.anyOf("unit", [unit]) }
        if let c = q.collective {
            f.clauses.append("collective = ?")
            f.args.append(.int(c ? 1 : 0))
        }
        return f
    }

    func list<M: Matter>(_ type: M.Type, _ q: MatterQuery, scope: Scope, at: Date) async throws -> [M] {
        var f = Self.filter(kind: M.kind, q, scope: scope, at: at)
        if let before = q.before {
            f.clauses.append("id < ?")
            f.args.append(.int(before))
        }
        let sql = "SELECT state FROM centre_matters WHERE " + f.clauses.joined(separator: " AND ") + " ORDER BY id DESC LIMIT ?"
        let rows = try await db.query(sql, f.args + [.int(Int64(max(1, min(q.limit, 500))))])
        return try rows.map { try Self.decode(M.self, $0["state"]) }
    }

    public func levelShares(scope: Scope, from: PlanDay, to: PlanDay) async throws -> [String: [PlanDay: LevelShares]] {
        var f = FilterSQL()
        f.clauses = ["kind = 'dispute'", "ended_day >= ?", "ended_day <= ?"]
        f.args = [.int(from), .int(to)]
        f.scope(scope, unit: "unit", areas: ["street", "community"])
        let sql = "SELECT street, ended_day, end_level, status, COUNT(*) AS n FROM centre_matters WHERE " + f.clauses.joined(separator: " AND ")
            + " GROUP BY street, ended_day, end_level, status"
        var out: [String: [PlanDay: LevelShares]] = [:]
        for r in try await db.query(sql, f.args) {
            guard let status = Dispute.Status(rawValue: r["status"]), let level = MediationLevel(rawValue: r["end_level"] as String? ?? "")
            else { continue }
            let month = Period.containing(r["ended_day"], kind: .month).first
            out[r["street"] as String? ?? "", default: [:]][month, default: LevelShares()].add(status: status, level: level, count: r["n"])
        }
        return out
    }

    /// Open matters only, one kind at a time: for the district, an index-only range of
    /// `centre_matters_by_due`; a scope adds its unit and area columns.
    public func counts(scope: Scope, at: Date) async throws -> CentreCounts {
        let today = Int64(PlanDays.of(at))
        var c = CentreCounts()
        for kind in [Dispute.kind, Petition.kind] {
            var f = FilterSQL()
            f.clauses = ["kind = ?", "next_due IS NOT NULL"]
            f.args = [.text(kind)]
            f.scope(scope, unit: "unit", areas: ["street", "community"])
            let sql = "SELECT COUNT(*) AS n, COUNT(CASE WHEN next_due < ? THEN 1 END) AS late, "
                + "COUNT(CASE WHEN next_due < ? AND status = 'registered' THEN 1 END) AS undecided, "
                + "COUNT(CASE WHEN collective = 1 THEN 1 END) AS collective FROM centre_matters WHERE "
                + f.clauses.joined(separator: " AND ")
            guard let r = try await db.query(sql, [.int(today), .int(today)] + f.args).first else { continue }
            if kind == Dispute.kind {
                c.openDisputes = r["n"]
                c.overdueDisputes = r["late"]
            } else {
                c.openPetitions = r["n"]
                c.overduePetitions = r["late"]
                c.undecidedOverdue = r["undecided"]
                c.collectiveOpen = r["collective"]
            }
        }
        return c
    }
}

extension SQLCentreStore {
    /// A petition as it was lived: registered at `at`, then each later step at its own time.
    public struct History: Sendable {
        public var draft: PetitionDraft
        public var at: Date
        public var steps: [(PetitionCommand, Date)]

        public init(draft: PetitionDraft, at: Date, steps: [(PetitionCommand, Date)]) {
            self.draft = draft
            self.at = at
            self.steps = steps
        }
    }

    /// Loads petitions with their histories, many to a transaction (an older ledger taken over,
    /// the benchmark's hundred thousand): each matter still gets its registration and every
    /// step as events of its own chain, checked by the same machine as the API's. All or none.
    public func load(_ histories: [History], by p: Principal, context: CentreContext) async throws -> [Int64] {
        try await db.write { s in
            var ids: [Int64] = []
            for h in histories {
                let id = try Self.newRow(s, kind: Petition.kind, at: h.at)
                let event = try PetitionMachine.register(h.draft, id: id, office: context.rules.petitionOffice, at: h.at,
                                                         calendar: context.calendar)
                var petition = try Self.append(s, Petition.self, id: id, event: event, actor: p.id, at: h.at)
                for (command, at) in h.steps {
                    let next = try PetitionMachine.decide(command, on: petition, actor: p.id, at: at, calendar: context.calendar)
                    petition = try Self.append(s, Petition.self, id: id, event: next, actor: p.id, at: at)
                }
                ids.append(id)
            }
            return ids
        }
    }
}

extension SQLCentreStore {
    /// Marks the clocks that need it at `now` (see `Matter.clockMark`), each an event by
    /// `system:scheduler` in its matter's chain, up to 200 matters a transaction. The search is
    /// an index range: open matters due within the warning days whose mark is missing or is a
    /// warning now overdue. Every instance may sweep; each matter is locked and checked again, so a
    /// mark is made once. Returns how many marks were made.
    public func sweep(at now: Date) async throws -> Int {
        let today = PlanDays.of(now), horizon = today + Int64(ClockState.warnDays)
        var made = 0
        for kind in [Dispute.kind, Petition.kind] {
            let sql = "SELECT id FROM centre_matters WHERE kind = ? AND next_due <= ? "
                + "AND (clock_mark IS NULL OR (clock_mark = 'due_soon' AND next_due < ?)) ORDER BY id"
            let ids: [Int64] = try await db.query(sql, [.text(kind), .int(horizon), .int(today)]).map { $0["id"] }
            for start in stride(from: 0, to: ids.count, by: 200) {
                let chunk = Array(ids[start..<min(start + 200, ids.count)])
                made += try await db.write { s in
                    var n = 0
                    for id in chunk {
                        try s.lock("centre:\(id)")
                        n += kind == Dispute.kind ? try Self.mark(s, Dispute.self, id: id, at: now)
                            : try Self.mark(s, Petition.self, id: id, at: now)
                    }
                    return n
                }
            }
        }
        return made
    }

    static func mark<M: Matter>(_ s: any SQLSession, _ type: M.Type, id: Int64, at now: Date) throws -> Int {
        guard let m = try load(s, M.self, id: id, scope: .all), let mark = m.clockMark(at: now) else { return 0 }
        _ = try append(s, M.self, id: id, event: M.marked(mark), actor: "system:scheduler", at: now)
        return 1
    }
}
