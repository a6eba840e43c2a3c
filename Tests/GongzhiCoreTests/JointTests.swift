import Foundation
import GongzhiCore
import Testing

/// Joint cases' pure rules: the lead splits, each unit acts on its own part only, the parts
/// finish in any order, one late and one returned, and the lead closes the rest with a reason.
@Suite struct JointTests {
    static let units = try! OrgDirectory([
        OrgUnit(code: "330105", name: "区指挥中心", kind: .district, parentCode: nil, departmentType: "command", areaCode: "330105"),
        OrgUnit(code: "330105-ZJJ", name: "住建局", kind: .department, parentCode: "330105", departmentType: "zhujian", areaCode: nil),
        OrgUnit(code: "330105-CGJ", name: "城管局", kind: .department, parentCode: "330105", departmentType: "chengguan", areaCode: nil),
        OrgUnit(code: "330105-STHJ", name: "生态环境分局", kind: .department, parentCode: "330105", departmentType: "huanbao", areaCode: nil),
        OrgUnit(code: "330105-JJDD", name: "交警大队", kind: .department, parentCode: "330105", departmentType: "jiaojing", areaCode: nil),
    ])
    static let t0 = Timestamp.parse("2026-11-23T09:00:00+08:00")!
    static let calendar = try! WorkingCalendar(years: [])

    var record: CaseRecord {
        var r = CaseRecord(id: 42, trackingCode: "GS-TEST-0042", report: Report(source: .hotline, category: "08001", description: "渣土车工地扬尘"),
                           createdAt: Self.t0)
        r.status = .dispatched
        r.unit = "330105-ZJJ"
        return r
    }

    func context(_ unit: String, role: Role = .handler, at: Date = t0) -> JointMachine.Context {
        JointMachine.Context(principal: Principal(kind: .user, id: "user:\(unit)", role: role, unit: unit),
                             scope: Scope.of(unit: unit, in: Self.units), units: Self.units, calendar: Self.calendar, now: at)
    }

    func split(_ units: [String], hours: Double = 24) throws -> [JointTask] {
        var tasks = try JointMachine.apply(.split(units.map { ($0, DeadlineSpec(hours, .naturalHours)) }), record: record, tasks: [],
                                           context: context("330105-ZJJ"))
        for i in tasks.indices { tasks[i].id = Int64(i + 1) }
        return tasks
    }

    @Test func theLeadSplitsAndEachUnitActsOnItsOwnPart() throws {
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.split([("330105-CGJ", DeadlineSpec(1, .workingDays))]), record: record, tasks: [],
                                   context: context("330105-CGJ"))
        }
        #expect(throws: CentreError.self) { try split(["330105-CGJ", "330105-CGJ"]) }
        #expect(throws: CentreError.self) { try split(["330105"]) }
        var held = record
        held.status = .handled
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.split([("330105-CGJ", DeadlineSpec(1, .workingDays))]), record: held, tasks: [], context: context("330105-ZJJ"))
        }
        let tasks = try split(["330105-CGJ", "330105-STHJ"])
        #expect(tasks.map(\.unit) == ["330105-CGJ", "330105-STHJ"] && tasks.allSatisfy { $0.status == .open && $0.dueAt == Self.t0 + 86_400 })
        // A unit with a pending part gets no second one.
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.split([("330105-CGJ", DeadlineSpec(1, .workingDays))]), record: record, tasks: tasks,
                                   context: context("330105-ZJJ"))
        }
        // 城管 may not finish 生态环境's part, nor finish without a note.
        #expect(throws: CentreError.forbidden("part 2 is 330105-STHJ's: each unit acts on its own part")) {
            try JointMachine.apply(.complete(task: 2, note: "已洒水", evidence: nil), record: record, tasks: tasks, context: context("330105-CGJ"))
        }
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.complete(task: 1, note: nil, evidence: nil), record: record, tasks: tasks, context: context("330105-CGJ"))
        }
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.complete(task: 1, note: "x", evidence: ["javascript:alert(1)"]), record: record, tasks: tasks,
                                   context: context("330105-CGJ"))
        }
        let done = try JointMachine.apply(.complete(task: 1, note: "路面已冲洗", evidence: ["https://example.gov.cn/p/1.jpg"]), record: record,
                                          tasks: tasks, context: context("330105-CGJ"))
        #expect(done[0].status == .done && done[0].evidence.count == 1 && done[1].status == .open)
    }

    @Test(arguments: [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]])
    func partsFinishInEveryOrderWithOneLate(order: [Int]) throws {
        var tasks = try split(["330105-CGJ", "330105-STHJ", "330105-JJDD"])
        // The part finished third comes in two days late.
        for (step, i) in order.enumerated() {
            let at = Self.t0.addingTimeInterval(step == 2 ? 3 * 86_400 : Double(step + 1) * 3_600)
            #expect(tasks.filter(\.status.isPending).count == 3 - step)
            tasks = try JointMachine.apply(.complete(task: tasks[i].id, note: "已处置", evidence: nil), record: record, tasks: tasks,
                                           context: context(tasks[i].unit, at: at))
        }
        #expect(tasks.allSatisfy { !$0.status.isPending })
        #expect(tasks.filter { $0.isLate(at: Self.t0) }.map(\.unit) == [tasks[order[2]].unit])
    }

    @Test func aReturnedPartWaitsUntilTheLeadClosesTheRest() throws {
        var tasks = try split(["330105-CGJ", "330105-JJDD"])
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.giveBack(task: 2, reason: nil), record: record, tasks: tasks, context: context("330105-JJDD"))
        }
        tasks = try JointMachine.apply(.giveBack(task: 2, reason: "渣土车属城管审批，非交警职责"), record: record, tasks: tasks,
                                       context: context("330105-JJDD"))
        #expect(tasks[1].status == .returned && tasks[1].status.isPending)
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.closeRest(reason: "x"), record: record, tasks: tasks, context: context("330105-CGJ"))
        }
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.closeRest(reason: nil), record: record, tasks: tasks, context: context("330105-ZJJ"))
        }
        tasks = try JointMachine.apply(.closeRest(reason: "交警部分改由城管一并处理"), record: record, tasks: tasks, context: context("330105-ZJJ"))
        #expect(tasks.allSatisfy { $0.status == .closed && $0.reason == "交警部分改由城管一并处理" })
        #expect(throws: CentreError.self) {
            try JointMachine.apply(.closeRest(reason: "again"), record: record, tasks: tasks, context: context("330105-ZJJ"))
        }
        // The centre may split and close as lead too.
        #expect(JointMachine.leads(context("330105", role: .dispatcher), record) && !JointMachine.leads(context("330105", role: .leader), record))
    }
}
