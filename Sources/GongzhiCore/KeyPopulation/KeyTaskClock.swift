import Foundation

/// A task a record asks for now: the verification within its hours, each monitoring day's
/// follow-up by the end of that day, the release once the days are over. A task past due
/// escalates as a case does: to the street at once, to the district's health command once
/// `district_after_hours` have passed as well.
public struct KeyTask: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case verify, followUp = "follow_up", release, locate }
    public enum Level: String, Sendable, Codable { case community, street, district }

    public var kind: Kind
    /// For a follow-up: its day.
    public var day: PlanDay?
    public var due: Date
    public var level: Level

    public var overdue: Bool { level != .community }

    public init(kind: Kind, day: PlanDay?, due: Date, level: Level) {
        self.kind = kind
        self.day = day
        self.due = due
        self.level = level
    }
}

public enum KeyTaskClock {
    /// The record's open tasks at `now`, oldest due first. Pure: the clock is passed in.
    public static func tasks(of p: KeyPerson, rules: KeyPopulationRules, now: Date) -> [KeyTask] {
        guard p.anonymisedAt == nil, let measure = rules.measure(p.measure) else { return [] }
        func task(_ kind: KeyTask.Kind, _ day: PlanDay?, _ due: Date) -> KeyTask {
            let late = now.timeIntervalSince(due)
            let level: KeyTask.Level = late <= 0 ? .community : late <= Double(rules.districtAfterHours) * 3_600 ? .street : .district
            return KeyTask(kind: kind, day: day, due: due, level: level)
        }
        let today = PlanDays.of(now)
        switch p.status {
        case .verifying:
            return [task(.verify, nil, p.registeredAt.addingTimeInterval(Double(measure.verifyHours) * 3_600))]
        case .unreachable:
            // Not found: the health command's at once.
            return [KeyTask(kind: .locate, day: nil, due: p.verifiedAt ?? p.registeredAt, level: .district)]
        case .released:
            return []
        case .monitoring:
            guard let verified = p.verifiedAt, let until = p.monitorUntil else { return [] }
            let done = Set(p.followUps.map(\.day))
            var out: [KeyTask] = []
            var day = PlanDays.of(verified)
            while day <= min(today, until) {
                if !done.contains(day) { out.append(task(.followUp, day, Period.start(of: day + 1))) }
                day += 1
            }
            if today > until { out.append(task(.release, nil, Period.start(of: until + 2))) }
            return out
        }
    }
}
