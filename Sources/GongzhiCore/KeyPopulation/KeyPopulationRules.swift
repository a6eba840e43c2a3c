import Foundation

/// The key-population list's rules, as data (`key_population.json`): the control measures a
/// person can be under (arrivals from a risk area: verify within two hours, monitor for N days,
/// release), the district's health command, and how long a released person's record is kept
/// before it is anonymised. The minimum-necessary rule of the Personal Information Protection
/// Law (个人信息保护法 第六条、第十九条) as settings a district can read and change.
public struct KeyPopulationRules: Sendable, Codable, Hashable {
    public struct Measure: Sendable, Codable, Hashable {
        public var code: String
        public var name: String
        /// Hours from registration within which the community verifies the person (核查).
        public var verifyHours: Int
        /// Days of monitoring from verification, each with a follow-up (健康随访); 0: none.
        public var monitorDays: Int

        enum CodingKeys: String, CodingKey { case code, name, verifyHours = "verify_hours", monitorDays = "monitor_days" }

        public init(code: String, name: String, verifyHours: Int, monitorDays: Int) {
            self.code = code
            self.name = name
            self.verifyHours = verifyHours
            self.monitorDays = monitorDays
        }
    }

    /// The district's health command (卫健局): sees and acts on every record.
    public var commandUnit: String
    /// Days a released record keeps its personal fields; then they are erased.
    public var retentionDays: Int
    /// Hours past a task's due time after which it escalates from the street to the district.
    public var districtAfterHours: Int
    public var measures: [Measure]

    enum CodingKeys: String, CodingKey {
        case commandUnit = "command_unit", retentionDays = "retention_days", districtAfterHours = "district_after_hours", measures
    }

    public init(commandUnit: String, retentionDays: Int, districtAfterHours: Int = 24, measures: [Measure]) {
        self.commandUnit = commandUnit
        self.retentionDays = retentionDays
        self.districtAfterHours = districtAfterHours
        self.measures = measures
    }

    public func measure(_ code: String) -> Measure? { measures.first { $0.code == code } }

    /// Refuses a command unit the org tree lacks, a repeated measure, or clocks outside sense.
    public func validate(units: OrgDirectory) throws(ReferenceError) {
        guard units[commandUnit]?.kind == .department else {
            throw ReferenceError("key population: command_unit \(commandUnit) is not a department")
        }
        guard (1...3_650).contains(retentionDays) else { throw ReferenceError("key population: retention_days must be 1–3650") }
        guard (1...720).contains(districtAfterHours) else { throw ReferenceError("key population: district_after_hours must be 1–720") }
        guard !measures.isEmpty, Set(measures.map(\.code)).count == measures.count else {
            throw ReferenceError("key population: measures are missing or repeat a code")
        }
        for m in measures {
            guard (1...72).contains(m.verifyHours), (0...60).contains(m.monitorDays) else {
                throw ReferenceError("key population: measure \(m.code) needs verify_hours 1–72 and monitor_days 0–60")
            }
        }
    }
}
