import Foundation

/// One case's history replayed under proposed rules, deadlines, calendar and co-governance
/// scenarios (what-if): the events it would have had, and its facts before and after. Pure
/// and deterministic; nothing is stored. The model, stated with every answer:
///
/// - A case goes where the proposal's routing sends it: every step of the unit the rules in
///   force send it to is taken by the proposal's unit instead (dispatches, returns, reworks).
///   Units a dispatcher chose against the rules stay.
/// - Every deadline the rules set (an event naming its rule) is recomputed from the proposal's
///   rule on the proposal's calendar; deadlines a person set stay.
/// - Handling: a unit that keeps the case takes the office time it actually took (re-laid on the
///   proposal's calendar when that differs); a unit that gets the case instead takes its own
///   median for the category (`HandlingTimes`). Later steps move with the handling.
/// - Co-governance: a merchant whose correction came after a shortened deadline did not
///   correct in time; the case goes to the scenario's enforcement unit at the new deadline and
///   is handled in that unit's median time. A longer deadline changes no outcome already
///   enforced (that the merchant would then have acted cannot be known).
/// - Escalations, supervision, comments and verdicts stay as they happened.
public enum WhatIfReplay {
    /// What a case came to: its unit, its deadline and whether it was handled in time.
    public struct Outcome: Sendable, Hashable {
        public enum State: String, Sendable, Hashable, Codable {
            case onTime = "on_time", late, open, other
        }
        public var unit: String?
        public var dueAt: Date?
        public var state: State
        public var selfCorrected: Bool
    }

    /// A case whose unit or timeliness the proposal changes, and why.
    public struct Change: Sendable, Hashable {
        public var caseID: Int64
        public var trackingCode: String
        public var category: String?
        public var street: String?
        public var before: Outcome
        public var after: Outcome
        /// The routing rule (or co-governance scenario, or `calendar`) that set the deadline, before and after.
        public var ruleBefore: String?
        public var ruleAfter: String?
        public var basis: HandlingTimes.Basis?
    }

    /// A replayed case: its facts as they are and as they would have been.
    public struct Result: Sendable {
        public var before: [Fact]
        public var after: [Fact]
        /// Set when the unit or timeliness differs.
        public var change: Change?
        /// How the handling time was found, when the history was rewritten.
        public var basis: HandlingTimes.Basis?
    }

    /// What decides a case's route: its category, channel and place.
    public struct RouteKey: Sendable, Hashable {
        public var category: String?
        public var source: ReportSource
        public var area: AreaPath?

        public init(category: String?, source: ReportSource, area: AreaPath?) {
            self.category = category
            self.source = source
            // The layers' version does not route: cases of one place share their routes.
            self.area = area.map { AreaPath(district: $0.district, street: $0.street, community: $0.community, grid: $0.grid) }
        }
    }

    /// The two settings compared: the rules in force and the proposal.
    public struct Settings: Sendable {
        public let current: CaseContext
        public let proposed: CaseContext
        public let times: HandlingTimes
        public let now: Date
        let calendarChanged: Bool
        /// Routes already found, before and after (a year of cases has a few thousand places and categories).
        let known: [RouteKey: Routes]
        /// Where a point falls in the proposal's area layers; nil when the proposal keeps the layers in force.
        public let relocate: (@Sendable (GeoPoint) -> AreaPath?)?

        public typealias Routes = (before: RouteMatch?, after: RouteMatch?)

        public init(current: CaseContext, proposed: CaseContext, times: HandlingTimes, now: Date, known: [RouteKey: Routes] = [:],
                    relocate: (@Sendable (GeoPoint) -> AreaPath?)? = nil) {
            self.current = current
            self.proposed = proposed
            self.times = times
            self.now = now
            self.known = known
            self.relocate = relocate
            calendarChanged = current.calendar.fingerprint != proposed.calendar.fingerprint
        }

        /// Whether a case of this category, place and channel can come out differently: its
        /// route, its scenario or the calendar differ. Cheap, so a replay reads only the
        /// histories that may change; the rest keep their facts as they are.
        public func mayChange(category: String?, area: AreaPath?, source: ReportSource) -> Bool {
            mayChange(routes(category: category, area: area, source: source), category: category)
        }

        /// The case's route under the rules in force and under the proposal.
        public func routes(category: String?, area: AreaPath?, source: ReportSource) -> Routes {
            if !known.isEmpty, let r = known[RouteKey(category: category, source: source, area: area)] { return r }
            return (current.rules.route(category: category, area: area, source: source, units: current.units),
                    proposed.rules.route(category: category, area: area, source: source, units: proposed.units))
        }

        public func mayChange(_ r: Routes, category: String?) -> Bool {
            if calendarChanged || relocate != nil { return true }
            if r.before?.rule != r.after?.rule || r.before?.unit != r.after?.unit { return true }
            return current.coGovernance.scenario(for: category) != proposed.coGovernance.scenario(for: category)
        }
    }

    /// Replays one history; nil when it is not a case (no opening report).
    public static func replay(_ history: [CaseEvent], _ s: Settings) -> Result? {
        guard let record = CaseMachine.replay(history) else { return nil }
        let before = CaseFacts.facts(history: history, record: record, calendar: s.current.calendar)
        // Other area layers: the case's point located in them, its route found there.
        let moved: AreaPath?? = s.relocate.flatMap { locate in record.report.location.map { locate($0) } }
        var routes = s.routes(category: record.category, area: record.area, source: record.report.source)
        if let area = moved {
            routes.after = s.proposed.rules.route(category: record.category, area: area, source: record.report.source, units: s.proposed.units)
        }
        guard s.mayChange(routes, category: record.category) else { return Result(before: before, after: before, change: nil, basis: nil) }
        var rewrite = Rewrite(record: record, settings: s, routes: routes, area: moved)
        let (events, replayed) = rewrite.run(history)
        let after = CaseFacts.facts(history: events, record: replayed, calendar: s.proposed.calendar)
        let was = outcome(record, before), would = outcome(replayed, after)
        var change: Change? = nil
        if was.unit != would.unit || was.state != would.state || was.selfCorrected != would.selfCorrected {
            change = Change(caseID: record.id, trackingCode: record.trackingCode, category: record.category, street: record.area?.street,
                            before: was, after: would, ruleBefore: rewrite.ruleBefore ?? record.ruleID,
                            ruleAfter: rewrite.ruleAfter ?? replayed.ruleID,
                            basis: rewrite.basis)
        }
        return Result(before: before, after: after, change: change, basis: rewrite.basis)
    }

    /// The case's outcome from its final state and its facts (the evaluation's own judgement).
    static func outcome(_ r: CaseRecord, _ facts: [Fact]) -> Outcome {
        var c = Counts()
        for f in facts where f.key.kind == .unit && f.key.unit == (r.unit ?? "") { c += f.counts }
        let state: Outcome.State
        if c[.handledLate] > 0 || c[.overdueOpen] > 0 {
            state = .late
        } else if c[.handledOnTime] > 0 {
            state = .onTime
        } else {
            state = r.status.isOpen ? .open : .other
        }
        return Outcome(unit: r.unit, dueAt: r.dueAt, state: state, selfCorrected: r.selfCorrected)
    }

    /// The walk over one history that writes the proposal's version of it.
    struct Rewrite {
        let record: CaseRecord
        let s: Settings
        let routes: (before: RouteMatch?, after: RouteMatch?)
        /// The unit the rules in force send the case to, and the proposal's, when they differ.
        let move: (from: String, to: String)?
        var ruleBefore: String?
        var ruleAfter: String?
        var basis: HandlingTimes.Basis?

        /// The case's area in the proposal's layers, when they differ from those in force.
        let area: AreaPath??

        init(record: CaseRecord, settings: Settings, routes: (before: RouteMatch?, after: RouteMatch?), area: AreaPath?? = nil) {
            self.record = record
            s = settings
            self.routes = routes
            self.area = area
            if let from = routes.before?.unit, let to = routes.after?.unit, from != to { move = (from, to) } else { move = nil }
        }

        /// Where the current holder's handling started, as it was and as it would be, and
        /// whether the proposal gave that holder the case instead of another unit.
        private var receivedAt: (old: Date, new: Date)? = nil
        private var holder: String? = nil
        private var holderMoved = false
        /// How far later steps move: the last handling's new time less its old one.
        private var shift: TimeInterval = 0
        private var dueChanged = false
        /// The merchant's new deadline where the merchant's correction came after it.
        private var merchantLateAt: Date? = nil
        private var skipClose = false

        /// The rewritten history and the record it replays to.
        mutating func run(_ history: [CaseEvent]) -> ([CaseEvent], CaseRecord) {
            var out: [CaseEvent] = []
            out.reserveCapacity(history.count + 3)
            for (i, e) in history.enumerated() {
                if skipClose, e.action == .close { skipClose = false; continue }
                var n = e
                n.at = e.at.addingTimeInterval(shift)
                if let move {
                    if n.payload.unit == move.from { n.payload.unit = move.to }
                    if n.payload.fromUnit == move.from { n.payload.fromUnit = move.to }
                }
                switch e.action {
                case .report:
                    if let area { n.payload.report?.area = area }
                case .notify:
                    notify(&n, history: history[(i + 1)...])
                case .recheck where e.payload.passed == true:
                    if let at = merchantLateAt {
                        out.append(contentsOf: enforceLate(e, at: at))
                        skipClose = true
                        continue
                    }
                case .uncorrected:
                    uncorrected(&n)
                case .handle:
                    handle(&n, original: e)
                default:
                    break
                }
                if e.payload.ruleID != nil { ruleDeadline(&n, original: e) }
                if e.action == .recheck, e.payload.passed == false { enforcementDeadline(&n, original: e.at) }
                receive(n, original: e)
                out.append(n)
            }
            return settle(out)
        }

        /// A step that gives the case to a unit starts that unit's handling time.
        private mutating func receive(_ n: CaseEvent, original e: CaseEvent) {
            switch e.action {
            case .dispatch, .redispatch, .escalate, .reopen, .uncorrected:
                holder = n.payload.unit
                holderMoved = n.payload.unit != e.payload.unit
                receivedAt = (e.at, n.at)
            case .recheck where e.payload.passed == false:
                holder = n.payload.unit
                holderMoved = n.payload.unit != e.payload.unit
                receivedAt = (e.at, n.at)
            case .verify where e.payload.passed == false:
                receivedAt = (e.at, n.at)
            case .return, .merge:
                holder = nil
                receivedAt = nil
            default:
                break
            }
        }

        /// A deadline a rule set, recomputed by the proposal's rule where the answer differs.
        private mutating func ruleDeadline(_ n: inout CaseEvent, original e: CaseEvent) {
            let old = s.current.deadline(for: record, from: e.at, overrideHours: nil, match: routes.before)
            let new = s.proposed.deadline(for: record, from: n.at, overrideHours: nil, match: routes.after)
            if ruleBefore == nil { ruleBefore = old.ruleID }
            if ruleAfter == nil { ruleAfter = new.ruleID }
            guard old.due != new.due || old.ruleID != new.ruleID else { return }
            n.payload.dueAt = Timestamp.millis(new.due)
            n.payload.warnAt = Timestamp.millis(new.warn)
            n.payload.ruleID = new.ruleID
            dueChanged = true
        }

        /// The merchant's deadline under the proposal's scenario; a correction after it was not in time.
        private mutating func notify(_ n: inout CaseEvent, history rest: ArraySlice<CaseEvent>) {
            notifiedAt = n.at
            guard let id = n.payload.scenario, let old = s.current.coGovernance.scenario(id: id),
                  let new = s.proposed.coGovernance.scenario(id: id), old.merchantMinutes != new.merchantMinutes else { return }
            let due = n.at.addingTimeInterval(new.merchantMinutes * 60)
            n.payload.dueAt = Timestamp.millis(due)
            dueChanged = true
            ruleBefore = "scenario:\(id)"
            ruleAfter = "scenario:\(id)"
            if new.merchantMinutes < old.merchantMinutes,
               let corrected = rest.first(where: { $0.action == .recheck || $0.action == .uncorrected || $0.action == .notify }),
               corrected.action == .recheck, corrected.payload.passed == true, corrected.at.addingTimeInterval(shift) > due {
                merchantLateAt = due
            }
        }

        /// A merchant too late under the proposal: enforcement at the new deadline, handled in
        /// the enforcement unit's median time, verified and closed then.
        private mutating func enforceLate(_ e: CaseEvent, at: Date) -> [CaseEvent] {
            guard let scenario = record.scenario.flatMap(s.proposed.coGovernance.scenario(id:))
                    ?? s.proposed.coGovernance.scenario(for: record.category) else { return [e] }
            let unit = scenario.enforcementUnit
            let due = scenario.enforcementDeadline.due(from: at, calendar: s.proposed.calendar)
            let time = s.times.hours(unit: unit, category: record.category)
            basis = time?.basis ?? .ownTime
            let hours = time?.hours ?? s.current.calendar.workingHours(from: at, to: e.at)
            let handled = s.proposed.calendar.addingWorkingHours(hours, to: at)
            shift = handled.timeIntervalSince(e.at)
            func event(_ action: CaseAction, _ at: Date, from: CaseStatus, to: CaseStatus, _ payload: EventPayload) -> CaseEvent {
                CaseEvent(caseID: e.caseID, seq: e.seq, action: action, actor: .system, at: at, from: from, to: to, payload: payload,
                          payloadJSON: "", prevHash: "", hash: "")
            }
            holder = unit
            return [
                event(.uncorrected, at, from: .selfCorrecting, to: .dispatched,
                      EventPayload(unit: unit, fromUnit: record.unit, dueAt: Timestamp.millis(due), scenario: scenario.id)),
                event(.handle, handled, from: .dispatched, to: .handled, EventPayload(note: "what-if")),
                event(.verify, handled, from: .handled, to: .verified, EventPayload(passed: true)),
                event(.close, handled, from: .verified, to: .closed, EventPayload()),
            ]
        }

        /// The merchant's deadline passing sends the case to enforcement: at the new deadline,
        /// with the proposal's enforcement deadline.
        private mutating func uncorrected(_ n: inout CaseEvent) {
            let original = n.at.addingTimeInterval(-shift)
            guard let id = n.payload.scenario ?? record.scenario, let old = s.current.coGovernance.scenario(id: id),
                  let new = s.proposed.coGovernance.scenario(id: id) else { return }
            if old.merchantMinutes != new.merchantMinutes, let notifiedAt {
                let at = notifiedAt.addingTimeInterval(new.merchantMinutes * 60)
                shift += at.timeIntervalSince(n.at)
                n.at = at
            }
            enforcementDeadline(&n, original: original)
        }

        /// When the merchant was told (as replayed), for the deadline counted from it.
        private var notifiedAt: Date? = nil

        /// The enforcement unit and deadline of the proposal's scenario, where they differ or
        /// the step moved in time.
        private mutating func enforcementDeadline(_ n: inout CaseEvent, original: Date) {
            guard let id = n.payload.scenario ?? record.scenario, let old = s.current.coGovernance.scenario(id: id),
                  let new = s.proposed.coGovernance.scenario(id: id) else { return }
            guard old.enforcementDeadline != new.enforcementDeadline || old.enforcementUnit != new.enforcementUnit
                    || s.calendarChanged || n.at != original else { return }
            if n.payload.unit == old.enforcementUnit { n.payload.unit = new.enforcementUnit }
            let due = new.enforcementDeadline.due(from: n.at, calendar: s.proposed.calendar)
            if n.payload.dueAt != Timestamp.millis(due) {
                n.payload.dueAt = Timestamp.millis(due)
                dueChanged = true
                ruleBefore = ruleBefore ?? "scenario:\(id)"
                ruleAfter = ruleAfter ?? "scenario:\(id)"
            }
        }

        /// A handling: the unit's own time carried over, or the new unit's median.
        private mutating func handle(_ n: inout CaseEvent, original e: CaseEvent) {
            guard let received = receivedAt else { return }
            let own = s.current.calendar.workingHours(from: received.old, to: e.at)
            var hours = own
            if holderMoved, let unit = holder {
                let median = s.times.hours(unit: unit, category: record.category)
                basis = median?.basis ?? .ownTime
                hours = median?.hours ?? own
            } else if !s.calendarChanged {
                return  // the same unit on the same calendar: it handled when it did, moved with earlier steps
            } else if basis == nil {
                basis = .carried
            }
            let at = s.proposed.calendar.addingWorkingHours(hours, to: received.new)
            shift = at.timeIntervalSince(e.at)
            n.at = at
        }

        /// Warnings and overdue marks belong to the old deadlines: where a deadline changed they
        /// are dropped, and a case still waiting on its unit past the new deadline is marked overdue.
        private func settle(_ events: [CaseEvent]) -> ([CaseEvent], CaseRecord) {
            guard dueChanged || shift != 0 || move != nil else { return (events, CaseMachine.replay(events) ?? record) }
            var out = events.filter { $0.action != .warn && $0.action != .overdue }
            guard let last = out.last, var r = CaseMachine.replay(out) else { return (out, record) }
            if r.status == .dispatched, let due = r.dueAt, due <= s.now {
                let mark = CaseEvent(caseID: last.caseID, seq: last.seq + 1, action: .overdue, actor: .system, at: max(due, last.at),
                                     from: .dispatched, to: .dispatched, payload: EventPayload(dueAt: Timestamp.millis(due)),
                                     payloadJSON: "", prevHash: "", hash: "")
                out.append(mark)
                r = CaseMachine.apply(mark, to: r)
            }
            return (out, r)
        }
    }
}
