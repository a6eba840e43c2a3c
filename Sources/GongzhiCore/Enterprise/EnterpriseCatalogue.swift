/// What the enterprise service works with, as data (`enterprise_service.json`): the industries
/// enterprises are registered under (GB/T 4754-2017's sections), the difficulties (六难)
/// commissioners take up, each raised as a case of its category, and the finance bureau.
public struct EnterpriseCatalogue: Sendable, Codable, Hashable {
    public struct Industry: Sendable, Codable, Hashable {
        public var code: String
        public var name: String

        public init(code: String, name: String) {
            self.code = code
            self.name = name
        }
    }

    /// A difficulty (难) an enterprise raises. Raised, it becomes a case of its own category, so
    /// the routing rules say which department answers it and by when, in one place with every
    /// other category: the catalogue names the category, not the department.
    public struct Difficulty: Sendable, Codable, Hashable {
        public var code: String
        public var name: String
        /// A local extension of the 企业诉求类 class (93…).
        public var category: String

        public init(code: String, name: String, category: String) {
            self.code = code
            self.name = name
            self.category = category
        }

        /// Where a raised difficulty goes under these rules: its department and deadline.
        public func route(in context: CaseContext) -> RouteMatch? {
            context.rules.route(category: category, area: nil, source: .enterprise, units: context.units)
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

    /// Refuses a file naming a finance unit the org tree lacks, repeating a code, or giving a
    /// difficulty a category that is not an enterprise request (class 93): found at start, not
    /// when a commissioner first uses it.
    public func validate(units: OrgDirectory, categories: CategoryDirectory) throws(ReferenceError) {
        guard !industries.isEmpty, !difficulties.isEmpty else { throw ReferenceError("enterprise service lists no industries or difficulties") }
        guard Set(industries.map(\.code)).count == industries.count, Set(difficulties.map(\.code)).count == difficulties.count else {
            throw ReferenceError("enterprise service repeats an industry or difficulty code")
        }
        guard units[financeUnit]?.kind == .department else { throw ReferenceError("finance_unit \(financeUnit) is not a department") }
        for d in difficulties {
            guard d.category.hasPrefix("93"), categories.reportable(d.category) != nil else {
                throw ReferenceError("difficulty \(d.code): category \(d.category) is not a reportable enterprise-request category (93…)")
            }
        }
    }
}
