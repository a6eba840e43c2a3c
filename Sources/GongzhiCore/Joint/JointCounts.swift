import Foundation

/// One unit's parts of joint cases over a period (联合执法分任务), as the evaluation counts them:
/// how many it was given, done, done by their deadlines, late (done after it, or still open past
/// it, as `JointTask.isLate` says), given back (退回), closed by the lead, and still pending.
public struct JointCounts: Sendable, Hashable {
    public var parts = 0
    public var done = 0
    public var doneOnTime = 0
    public var late = 0
    public var returned = 0
    public var closed = 0
    public var pending = 0

    public init() {}

    /// The counts of `parts` as they stand at `now` (a pending part turns late when its deadline passes).
    public init(_ parts: some Sequence<JointTask>, now: Date) {
        for p in parts {
            self.parts += 1
            if p.status == .done { done += 1 }
            if p.status == .done && !p.isLate(at: now) { doneOnTime += 1 }
            if p.isLate(at: now) { late += 1 }
            if p.status == .returned { returned += 1 }
            if p.status == .closed { closed += 1 }
            if p.status.isPending { pending += 1 }
        }
    }

    /// Each unit's counts.
    public static func byUnit(_ parts: [JointTask], now: Date) -> [String: JointCounts] {
        Dictionary(grouping: parts, by: \.unit).mapValues { JointCounts($0, now: now) }
    }

    /// Parts done by their deadlines over the parts the unit answers for: those the lead closed
    /// are left out (the lead decided the part was no longer needed). Nil when there are none.
    public var onTimeRate: Double? {
        let due = parts - closed
        return due > 0 ? Double(doneOnTime) / Double(due) : nil
    }
}
