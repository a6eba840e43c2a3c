import Foundation

/// The parts of a joint case as a pure function of the case, its parts and who acts. The lead
/// (the unit holding the case, or the centre) splits and closes what is left; each unit acts on
/// its own part only. The case itself cannot be reported handled while a part is pending
/// (`CaseTransaction.perform` asks the store, in the same transaction).
public enum JointMachine {
    public struct Context: Sendable {
        public var principal: Principal
        /// The principal's scope.
        public var scope: Scope
        public var units: OrgDirectory
        public var calendar: WorkingCalendar
        public var now: Date

        public init(principal: Principal, scope: Scope, units: OrgDirectory, calendar: WorkingCalendar, now: Date) {
            self.principal = principal
            self.scope = scope
            self.units = units
            self.calendar = calendar
            self.now = now
        }
    }

    /// The lead: staff of the unit now holding the case, or the command centre.
    public static func leads(_ c: Context, _ record: CaseRecord) -> Bool {
        let p = c.principal
        if p.role == .admin || (p.role == .dispatcher && c.scope.isAll) { return true }
        return [.handler, .leader].contains(p.role) && record.unit.map(c.scope.units.contains) == true
    }

    /// A part's own unit (its staff and leaders, or a unit above it).
    public static func owns(_ c: Context, _ task: JointTask) -> Bool {
        c.principal.role == .admin || ([.handler, .leader].contains(c.principal.role) && c.scope.units.contains(task.unit))
    }

    /// The parts after the command: changed ones updated in place, new ones appended with id 0.
    public static func apply(_ command: JointCommand, record: CaseRecord, tasks: [JointTask],
                             context c: Context) throws(CentreError) -> [JointTask] {
        var tasks = tasks
        let actor = c.principal.id
        func own(_ id: Int64) throws(CentreError) -> Int {
            guard let i = tasks.firstIndex(where: { $0.id == id }) else {
                throw .bad("task", "case \(record.id) has no part \(id)", code: "unknown_task")
            }
            guard owns(c, tasks[i]) else { throw .forbidden("part \(id) is \(tasks[i].unit)'s: each unit acts on its own part") }
            guard tasks[i].status == .open else { throw .conflict("part \(id) is \(tasks[i].status.rawValue)") }
            return i
        }
        switch command {
        case .split(let parts):
            guard leads(c, record) else { throw .forbidden("a case is split by the unit holding it or by the centre") }
            guard record.status == .dispatched, record.unit != nil else {
                throw .conflict("case \(record.id) is \(record.status.rawValue); a case is split while a unit holds it")
            }
            guard (1...8).contains(parts.count) else { throw .bad("units", "a joint case has 1–8 parts at a time", code: "invalid") }
            guard Set(parts.map(\.unit)).count == parts.count else { throw .bad("units", "units repeats a unit") }
            for (i, part) in parts.enumerated() {
                let field = "units[\(i)]"
                guard let unit = c.units[part.unit], unit.kind != .district else {
                    throw .bad("\(field).unit", "\(field).unit must be a department, street or community code", code: "unknown_value")
                }
                guard !tasks.contains(where: { $0.unit == unit.code && $0.status.isPending }) else {
                    throw .conflict("\(unit.code) already has a pending part of case \(record.id)")
                }
                guard part.deadline.amount > 0, part.deadline.amount <= 720 else {
                    throw .bad("\(field).deadline", "\(field).deadline must be 1–720 of its unit")
                }
                tasks.append(JointTask(id: 0, caseID: record.id, unit: unit.code, dueAt: part.deadline.due(from: c.now, calendar: c.calendar),
                                       createdAt: c.now, createdBy: actor))
            }
        case .assign(let id, let handler):
            let i = try own(id)
            let name = try CentreError.text(handler, field: "handler", max: 64)
            tasks[i].handler = name.hasPrefix("user:") ? name : "user:\(name)"
        case .complete(let id, let note, let evidence):
            let i = try own(id)
            tasks[i].note = try CentreError.text(note, field: "note", max: 2_000, shape: .multiline)
            let links = evidence ?? []
            guard links.count <= 10 else { throw .bad("evidence", "at most 10 links") }
            for (k, link) in links.enumerated() {
                guard link.count <= 500, let u = URL(string: link), ["http", "https"].contains(u.scheme ?? ""), u.host != nil else {
                    throw .bad("evidence[\(k)]", "evidence[\(k)] must be an http(s) link")
                }
            }
            tasks[i].evidence = links
            tasks[i].status = .done
            tasks[i].finishedAt = c.now
            tasks[i].finishedBy = actor
        case .giveBack(let id, let reason):
            let i = try own(id)
            tasks[i].reason = try CentreError.text(reason, field: "reason", max: 500)
            tasks[i].status = .returned
            tasks[i].finishedAt = c.now
            tasks[i].finishedBy = actor
        case .closeRest(let reason):
            guard leads(c, record) else { throw .forbidden("only the lead unit or the centre closes the remaining parts") }
            let why = try CentreError.text(reason, field: "reason", max: 500)
            guard tasks.contains(where: { $0.status.isPending }) else { throw .conflict("case \(record.id) has no pending part") }
            for i in tasks.indices where tasks[i].status.isPending {
                tasks[i].status = .closed
                tasks[i].reason = why
                tasks[i].finishedAt = c.now
                tasks[i].finishedBy = actor
            }
        }
        return tasks
    }
}
