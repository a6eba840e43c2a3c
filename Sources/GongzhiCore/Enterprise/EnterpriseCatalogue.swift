/// What the enterprise service works with, as data (`enterprise_service.json`): the industries
/// enterprises are registered under (GB/T 4754-2017's sections) and the difficulties (六难)
/// commissioners take up, each with the department that answers it and its deadline.
public struct EnterpriseCatalogue: Sendable, Codable, Hashable {
    public struct Industry: Sendable, Codable, Hashable {
        public var code: String
        public var name: String

        public init(code: String, name: String) {
            self.code = code
            self.name = name
        }
    }

    public struct Difficulty: Sendable, Codable, Hashable {
        public var code: String
        public var name: String
        /// The unit that answers it: an enterprise's difficulty becomes a case routed there.
        public var department: String
        public var deadlineWorkingDays: Int

        enum CodingKeys: String, CodingKey { case code, name, department, deadlineWorkingDays = "deadline_working_days" }

        public init(code: String, name: String, department: String, deadlineWorkingDays: Int) {
            self.code = code
            self.name = name
            self.department = department
            self.deadlineWorkingDays = deadlineWorkingDays
        }
    }

    public var industries: [Industry]
    public var difficulties: [Difficulty]
    /// The finance bureau: its staff pay out the policies' approved amounts.
    public var financeUnit: String

    enum CodingKeys: String, CodingKey { case industries, difficulties, financeUnit = "finance_unit" }

    public init(industries: [Industry], difficulties: [Difficulty], financeUnit: String = "330105-CZJ") {
        self.industries = industries
        self.difficulties = difficulties
        self.financeUnit = financeUnit
    }

    public func industry(_ code: String) -> Industry? { industries.first { $0.code == code } }

    public func difficulty(_ code: String) -> Difficulty? { difficulties.first { $0.code == code } }

    /// Refuses a file naming a unit the org tree lacks, repeating a code, or with a deadline
    /// outside 1–60 working days: found at start, not when a commissioner first uses it.
    public func validate(units: OrgDirectory) throws(ReferenceError) {
        guard !industries.isEmpty, !difficulties.isEmpty else { throw ReferenceError("enterprise service lists no industries or difficulties") }
        guard Set(industries.map(\.code)).count == industries.count, Set(difficulties.map(\.code)).count == difficulties.count else {
            throw ReferenceError("enterprise service repeats an industry or difficulty code")
        }
        guard units[financeUnit]?.kind == .department else { throw ReferenceError("finance_unit \(financeUnit) is not a department") }
        for d in difficulties {
            guard units[d.department] != nil else { throw ReferenceError("difficulty \(d.code) names unknown unit \(d.department)") }
            guard (1...60).contains(d.deadlineWorkingDays) else { throw ReferenceError("difficulty \(d.code): deadline must be 1–60 working days") }
        }
    }
}
