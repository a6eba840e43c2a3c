import Foundation

/// Plan files write days as `yyyy-mm-dd` and months as `yyyy-mm`, as people keep them in
/// spreadsheets; a day that is not on the calendar is refused with the field's name.
extension KeyedDecodingContainer {
    func day(_ key: Key) throws -> PlanDay {
        let text = try decode(String.self, forKey: key)
        guard let day = PlanDays.parse(text) else {
            throw bad(key, "\(key.stringValue) must be a date yyyy-mm-dd, not '\(text)'")
        }
        return day
    }

    func bad(_ key: Key, _ why: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: why)
    }

    func dayIfPresent(_ key: Key) throws -> PlanDay? {
        try contains(key) && !decodeNil(forKey: key) ? day(key) : nil
    }

    /// The first day of a `yyyy-mm` month.
    func month(_ key: Key) throws -> PlanDay {
        let text = try decode(String.self, forKey: key)
        guard let day = PlanDays.parse(text + "-01") else {
            throw bad(key, "\(key.stringValue) must be a month yyyy-mm, not '\(text)'")
        }
        return day
    }

    /// `{"transfer": "2020-09-30", …}`: a day per milestone.
    func milestoneDays(_ key: Key) throws -> [Milestone: PlanDay] {
        guard contains(key), try !decodeNil(forKey: key) else { return [:] }
        var days: [Milestone: PlanDay] = [:]
        for (name, text) in try decode([String: String].self, forKey: key) {
            guard let m = Milestone(rawValue: name) else {
                throw bad(key, "\(key.stringValue): unknown milestone '\(name)'")
            }
            guard let day = PlanDays.parse(text) else {
                throw bad(key, "\(key.stringValue).\(name) must be a date yyyy-mm-dd")
            }
            days[m] = day
        }
        return days
    }
}

extension KeyedEncodingContainer {
    mutating func encode(day: PlanDay, forKey key: Key) throws { try encode(PlanDays.text(day), forKey: key) }

    mutating func encode(days: [Milestone: PlanDay], forKey key: Key) throws {
        try encode(Dictionary(uniqueKeysWithValues: days.map { ($0.key.rawValue, PlanDays.text($0.value)) }), forKey: key)
    }
}

extension Milestone: CodingKeyRepresentable {}

extension PlanIndicator {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
                  unitOfMeasure: try c.decode(String.self, forKey: .unitOfMeasure),
                  direction: try c.decodeIfPresent(Direction.self, forKey: .direction) ?? .increase,
                  accumulation: try c.decodeIfPresent(Accumulation.self, forKey: .accumulation) ?? .cumulative,
                  baseline: try c.decode(Double.self, forKey: .baseline), target: try c.decode(Double.self, forKey: .target),
                  start: try c.day(.start), deadline: try c.day(.deadline),
                  curve: try c.decodeIfPresent(PaceCurve.self, forKey: .curve) ?? .linear,
                  reportDueDay: try c.decodeIfPresent(Int.self, forKey: .reportDueDay) ?? 5)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(unitOfMeasure, forKey: .unitOfMeasure)
        try c.encode(direction, forKey: .direction)
        try c.encode(accumulation, forKey: .accumulation)
        try c.encode(baseline, forKey: .baseline)
        try c.encode(target, forKey: .target)
        try c.encode(day: start, forKey: .start)
        try c.encode(day: deadline, forKey: .deadline)
        try c.encode(curve, forKey: .curve)
        try c.encode(reportDueDay, forKey: .reportDueDay)
    }
}

extension ProgressReport {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let month = try c.month(.month)
        self.init(month: month, asOf: try c.dayIfPresent(.asOf) ?? Period.containing(month, kind: .month).last,
                  value: try c.decode(Double.self, forKey: .value), submitted: try c.day(.submitted), unit: try c.decode(String.self, forKey: .unit))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(String(PlanDays.text(month).prefix(7)), forKey: .month)
        try c.encode(day: asOf, forKey: .asOf)
        try c.encode(value, forKey: .value)
        try c.encode(day: submitted, forKey: .submitted)
        try c.encode(unit, forKey: .unit)
    }
}
