import Foundation

/// Where a fact counts: its kind, day and the dimensions the evaluation breaks figures down by.
/// Empty strings stand for "none" (no unit yet, no area), so the key has no NULLs and two
/// stores group it the same way.
public struct FactKey: Sendable, Hashable, Comparable {
    public var kind: FactKind
    /// The China-time date as yyyymmdd (20261126); 0 for `live` facts.
    public var day: Int64
    public var unit: String
    public var category: String
    public var source: String
    public var street: String
    public var community: String
    public var grid: String

    public init(kind: FactKind, day: Int64, unit: String, category: String, source: String, street: String, community: String, grid: String) {
        self.kind = kind
        self.day = day
        self.unit = unit
        self.category = category
        self.source = source
        self.street = street
        self.community = community
        self.grid = grid
    }

    /// The order writers lock sum rows in (so two never wait on each other in a cycle): field by
    /// field, stopping at the first that differs. Comparing whole tuples twice, as this once did,
    /// was 7 % of a bulk load's time.
    public static func < (a: FactKey, b: FactKey) -> Bool {
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        if a.day != b.day { return a.day < b.day }
        if a.unit != b.unit { return a.unit < b.unit }
        if a.category != b.category { return a.category < b.category }
        if a.source != b.source { return a.source < b.source }
        if a.grid != b.grid { return a.grid < b.grid }
        if a.street != b.street { return a.street < b.street }
        return a.community < b.community
    }
}

/// Counts by `Measure`, in `Measure.allCases` order.
public struct Counts: Sendable, Hashable {
    public var values: [Int64]

    public init() { values = Array(repeating: 0, count: Measure.allCases.count) }

    public init(values: [Int64]) {
        precondition(values.count == Measure.allCases.count)
        self.values = values
    }

    public subscript(_ m: Measure) -> Int64 {
        get { values[m.index] }
        set { values[m.index] = newValue }
    }

    public var isZero: Bool { values.allSatisfy { $0 == 0 } }

    public static func += (a: inout Counts, b: Counts) {
        for i in a.values.indices { a.values[i] += b.values[i] }
    }

    public static func -= (a: inout Counts, b: Counts) {
        for i in a.values.indices { a.values[i] -= b.values[i] }
    }
}

/// One case's contribution to the statistics: a few keyed counts.
public struct Fact: Sendable, Hashable {
    public var key: FactKey
    public var counts: Counts

    public init(key: FactKey, counts: Counts) {
        self.key = key
        self.counts = counts
    }
}

/// What one case adds to the evaluation, from its history alone. Pure and deterministic: the
/// store keeps each case's facts and adds the difference to the daily totals in the transaction
/// that appends the events, and `verify` recomputes them from the histories, so the totals can
/// always be proved equal to a recomputation.
///
/// A case counts by cohort: its intake figures on the day it was reported, a unit's figures on
/// the day that unit first received it, so a period's rates compare like with like (a month's
/// 处置率 is the share of the month's cases that were handled, never above 100 %).
public enum CaseFacts {
    /// The facts of one case, given its whole history. `calendar` counts office hours.
    public static func facts(history: [CaseEvent], calendar: WorkingCalendar) -> [Fact] {
        guard let record = CaseMachine.replay(history) else { return [] }
        return facts(history: history, record: record, calendar: calendar)
    }

    /// The same, given the history's replayed record (a caller that has it saves a replay).
    public static func facts(history: [CaseEvent], record: CaseRecord, calendar: WorkingCalendar) -> [Fact] {
        let area = record.area
        func key(_ kind: FactKind, _ day: Int64, _ unit: String?) -> FactKey {
            FactKey(kind: kind, day: day, unit: unit ?? "", category: record.category ?? "", source: record.report.source.rawValue,
                    street: area?.street ?? "", community: area?.community ?? "", grid: area?.grid ?? "")
        }
        var units: [String: UnitHistory] = [:], order: [String] = []
        var holder: String? = nil, due: Date? = nil
        var registered = false, postponed = false, supervised = false, notified = false
        var lastFinish: (unit: String?, at: Date, onTime: Bool)? = nil
        func unit(_ code: String, at: Date) -> String {
            if units[code] == nil { units[code] = UnitHistory(first: at); order.append(code) }
            return code
        }
        for e in history {
            let p = e.payload
            switch e.action {
            case .register: registered = true
            case .dispatch, .redispatch, .escalate, .reopen, .uncorrected:
                holder = p.unit.map { unit($0, at: e.at) }
            case .recheck where p.passed == false:
                holder = p.unit.map { unit($0, at: e.at) }
            case .recheck, .handle:
                // Handled, or (a passed recheck) corrected by the merchant: by the deadline then in force?
                let onTime = due.map { e.at <= $0 } ?? true
                lastFinish = (holder, e.at, onTime)
                if let h = holder { units[h]?.lastFinish = (e.at, onTime) }
            case .verify where p.passed == false:
                if let h = holder { units[h]?.reworks += 1 }
            case .return:
                if let h = holder { units[h]?.returns += 1 }
                holder = nil
            case .merge:
                holder = nil
            case .postpone:
                postponed = true
                if let h = holder { units[h]?.postponed = true }
            case .supervise:
                supervised = true
                if let h = holder { units[h]?.supervised = true }
            case .notify:
                notified = true
            default:
                break
            }
            // The deadline in force, as `CaseMachine.apply` sets and clears it.
            let failed = p.passed == false
            switch e.action {
            case .dispatch, .redispatch, .escalate, .reopen, .notify, .uncorrected:
                due = p.dueAt.map(Timestamp.date(millis:))
            case .verify where failed, .recheck where failed:
                due = p.dueAt.map(Timestamp.date(millis:))
            case .return, .merge, .postpone:
                due = nil
            default:
                break
            }
        }
        let status = record.status
        let finishedNow = status == .handled || status == .verified || status == .closed
        let closed = status == .closed, merged = status == .merged
        var facts: [Fact] = []

        var intake = Counts()
        intake[.reported] = 1
        intake[.merged] = merged ? 1 : 0
        intake[.rejected] = status == .rejected ? 1 : 0
        if !merged {
            intake[.registered] = registered && status != .rejected ? 1 : 0
            intake[.closed] = closed ? 1 : 0
            intake[.closedOnTime] = closed && (lastFinish?.onTime ?? true) ? 1 : 0
            intake[.postponed] = postponed && registered ? 1 : 0
            intake[.supervised] = supervised ? 1 : 0
            intake[.evaluated] = record.satisfaction != nil ? 1 : 0
            intake[.satisfied] = record.satisfaction?.counts == true ? 1 : 0
            intake[.notified] = notified ? 1 : 0
            intake[.selfCorrected] = record.selfCorrected ? 1 : 0
        }
        facts.append(Fact(key: key(.intake, day(record.createdAt), record.unit), counts: intake))

        if !merged {
            for code in order {
                guard let u = units[code] else { continue }
                var c = Counts()
                let holds = code == record.unit && status != .rejected
                // The unit answers for the case while it holds it; one that gave it away counts
                // only what it gave back.
                if holds {
                    c[.assigned] = 1
                    if finishedNow, let finish = u.lastFinish {
                        c[.handled] = 1
                        c[finish.onTime ? .handledOnTime : .handledLate] = 1
                        c[.handleMinutes] = Int64((calendar.workingHours(from: u.first, to: finish.at) * 60).rounded())
                    }
                    c[.overdueOpen] = status == .dispatched && record.overdueMarked ? 1 : 0
                    c[.reworks] = Int64(u.reworks)
                    c[.reworkCases] = u.reworks > 0 ? 1 : 0
                    c[.reworkCases3] = u.reworks >= 3 ? 1 : 0
                    c[.unitClosed] = closed ? 1 : 0
                    c[.unitClosedOnTime] = closed && (lastFinish?.onTime ?? true) ? 1 : 0
                    c[.unitPostponed] = u.postponed ? 1 : 0
                    c[.unitSupervised] = u.supervised ? 1 : 0
                    if u.supervised {
                        for m in Measure.allCases { if let twin = m.supervisedTwin { c[twin] = c[m] } }
                    }
                }
                c[.returned] = Int64(u.returns)
                if !c.isZero { facts.append(Fact(key: key(.unit, day(u.first), code), counts: c)) }
            }
        }

        if status.isOpen {
            var live = Counts()
            live[.open] = 1
            live[.openOverdue] = record.overdueMarked ? 1 : 0
            live[.openUnassigned] = record.unit == nil ? 1 : 0
            live[.selfCorrecting] = status == .selfCorrecting ? 1 : 0
            facts.append(Fact(key: key(.live, 0, record.unit), counts: live))
        }

        // The trend: the day the case was last handled (if that handling stands) and closed.
        var flow: [Int64: Counts] = [:]
        if finishedNow, let finish = lastFinish { flow[day(finish.at), default: Counts()][.handledThatDay] = 1 }
        if closed, let at = record.closedAt { flow[day(at), default: Counts()][.closedThatDay] = 1 }
        for (d, c) in flow.sorted(by: { $0.key < $1.key }) { facts.append(Fact(key: key(.flow, d, record.unit), counts: c)) }
        return facts
    }

    /// The China-time date of an instant as yyyymmdd.
    public static func day(_ date: Date) -> Int64 {
        let f = Timestamp.chinaFields(date)
        return Int64(f.year * 10_000 + f.month * 100 + f.day)
    }

    /// The actions after which a case's facts can change. Others (comments, joining reports,
    /// camera summaries, acceptance, warnings, the other half of a merge) leave them as they
    /// were, so the store skips recomputing them: the intake's most frequent writes stay small.
    public static func changes(after action: CaseAction) -> Bool {
        switch action {
        case .comment, .join, .detections, .accept, .warn, .absorb, .release, .confirm: false
        default: true
        }
    }

    /// What one unit did with a case.
    private struct UnitHistory {
        var first: Date
        var lastFinish: (at: Date, onTime: Bool)? = nil
        var reworks = 0
        var returns = 0
        var postponed = false
        var supervised = false
    }
}
