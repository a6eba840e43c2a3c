import Foundation

/// Periods counted the way Chinese law counts them (民法典 第二百零一条至第二百零三条): in
/// calendar days, from the day after the starting event; a period whose last day is a public
/// holiday or a rest day ends on the next working day. The working calendar is the product's
/// own, so a period over the Spring Festival ends when the offices are open again.
public enum StatutoryPeriod {
    /// The last day of a period of `days` calendar days that starts on the day after `start`.
    public static func lastDay(after start: PlanDay, days: Int, calendar: WorkingCalendar) -> PlanDay {
        var day = start + Int64(max(days, 0))
        while !calendar.isWorking(day: day) { day += 1 }
        return day
    }

    /// The instant a period ending on `day` has run out: midnight in China after its last day.
    public static func end(of day: PlanDay) -> Date {
        Timestamp.date(millis: (day + 1) * 86_400_000 - Int64(Timestamp.chinaOffsetSeconds) * 1000)
    }

    /// Whether a step due by the end of `day` is overdue at `now`.
    public static func isOverdue(_ day: PlanDay, at now: Date) -> Bool { now >= end(of: day) }

    /// Calendar days from today to the last day (0 on the day itself, negative once past).
    public static func daysLeft(_ day: PlanDay, at now: Date) -> Int { Int(day - PlanDays.of(now)) }
}

/// Where a deadline stands at a moment: what the ledger and the worklist colour.
public enum ClockState: String, Sendable, Codable, Hashable, CaseIterable {
    /// More than `warnDays` left.
    case running
    /// `warnDays` or fewer calendar days left (预警).
    case dueSoon = "due_soon"
    case overdue

    public static let warnDays = 3

    public static func of(_ day: PlanDay, at now: Date) -> ClockState {
        if StatutoryPeriod.isOverdue(day, at: now) { return .overdue }
        return StatutoryPeriod.daysLeft(day, at: now) <= warnDays ? .dueSoon : .running
    }
}

/// The scheduler's mark on a pending step's clock (预警, 超期), an event of the matter's chain
/// as the warn and overdue marks of cases are: made once per step, last day and state.
public struct ClockMark: Sendable, Codable, Hashable {
    /// `decide`, `handle` or `review` (a petition), `mediate` (a dispute).
    public var step: String
    public var due: PlanDay
    public var state: ClockState
    public var day: PlanDay

    public init(step: String, due: PlanDay, state: ClockState, day: PlanDay) {
        self.step = step
        self.due = due
        self.state = state
        self.day = day
    }
}
