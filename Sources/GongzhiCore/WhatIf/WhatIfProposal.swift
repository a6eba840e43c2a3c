/// What a what-if changes, before any case is read: a rules file instead of the rules in force,
/// single rules' deadlines or units, co-governance scenarios' deadlines or enforcement units,
/// days made holidays, other office hours. Applied to the context in force, it gives the
/// context the cases are replayed in; the result is checked like a rules file on reload, so a
/// proposal that could not be put in force is refused with the field at fault.
public struct WhatIfProposal: Sendable, Hashable {
    /// One rule's deadline and/or unit changed.
    public struct RuleChange: Sendable, Hashable {
        public var rule: String
        public var deadline: DeadlineSpec?
        public var unit: String?

        public init(rule: String, deadline: DeadlineSpec? = nil, unit: String? = nil) {
            self.rule = rule
            self.deadline = deadline
            self.unit = unit
        }
    }

    /// One co-governance scenario's merchant deadline, enforcement unit or deadline changed.
    public struct ScenarioChange: Sendable, Hashable {
        public var scenario: String
        public var merchantMinutes: Double?
        public var enforcementUnit: String?
        public var enforcementDeadline: DeadlineSpec?

        public init(scenario: String, merchantMinutes: Double? = nil, enforcementUnit: String? = nil, enforcementDeadline: DeadlineSpec? = nil) {
            self.scenario = scenario
            self.merchantMinutes = merchantMinutes
            self.enforcementUnit = enforcementUnit
            self.enforcementDeadline = enforcementDeadline
        }
    }

    /// A whole rules list replacing the rules in force (already checked, as a rules file is).
    public var rules: RoutingTable?
    public var ruleChanges: [RuleChange] = []
    public var scenarioChanges: [ScenarioChange] = []
    public var officeHours: WorkingCalendar.OfficeHours?
    /// Day number → the name of the holiday it becomes.
    public var daysOff: [Int64: String] = [:]

    public init(rules: RoutingTable? = nil, ruleChanges: [RuleChange] = [], scenarioChanges: [ScenarioChange] = [],
                officeHours: WorkingCalendar.OfficeHours? = nil, daysOff: [Int64: String] = [:]) {
        self.rules = rules
        self.ruleChanges = ruleChanges
        self.scenarioChanges = scenarioChanges
        self.officeHours = officeHours
        self.daysOff = daysOff
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.rules?.rules == b.rules?.rules && a.ruleChanges == b.ruleChanges && a.scenarioChanges == b.scenarioChanges
            && a.officeHours == b.officeHours && a.daysOff == b.daysOff
    }

    public func hash(into h: inout Hasher) {
        h.combine(rules?.rules)
        h.combine(ruleChanges)
        h.combine(scenarioChanges)
        h.combine(officeHours)
        h.combine(daysOff)
    }

    /// Whether the proposal changes nothing at all.
    public var isEmpty: Bool {
        rules == nil && ruleChanges.isEmpty && scenarioChanges.isEmpty && officeHours == nil && daysOff.isEmpty
    }

    /// The context in force with the proposal applied.
    public func apply(to context: CaseContext) throws(FieldError) -> CaseContext {
        var out = context
        var rules = (self.rules ?? context.rules).rules
        for (n, change) in ruleChanges.enumerated() {
            guard let i = rules.firstIndex(where: { $0.id == change.rule }) else {
                throw FieldError(field: "changes[\(n)].rule", code: "unknown_value", message: "there is no rule '\(change.rule)'")
            }
            if let d = change.deadline { rules[i].deadline = d }
            if let u = change.unit { rules[i].unit = u }
        }
        do { out.rules = try RoutingTable(rules, units: context.units, categories: context.categories) } catch {
            throw FieldError(field: ruleChanges.isEmpty ? "rules" : "changes", code: "invalid_value", message: error.description)
        }
        var scenarios = context.coGovernance.scenarios
        for (n, change) in scenarioChanges.enumerated() {
            guard let i = scenarios.firstIndex(where: { $0.id == change.scenario }) else {
                throw FieldError(field: "scenarios[\(n)].scenario", code: "unknown_value", message: "there is no scenario '\(change.scenario)'")
            }
            if let m = change.merchantMinutes { scenarios[i].merchantMinutes = m }
            if let u = change.enforcementUnit { scenarios[i].enforcementUnit = u }
            if let d = change.enforcementDeadline { scenarios[i].enforcementDeadline = d }
        }
        do { out.coGovernance = try CoGovernance(scenarios, units: context.units, categories: context.categories) } catch {
            throw FieldError(field: "scenarios", code: "invalid_value", message: error.description)
        }
        if officeHours != nil || !daysOff.isEmpty {
            do { out.calendar = try context.calendar.with(daysOff: daysOff, officeHours: officeHours) } catch {
                throw FieldError(field: "office_hours", code: "invalid_value", message: error.description)
            }
        }
        return out
    }
}
