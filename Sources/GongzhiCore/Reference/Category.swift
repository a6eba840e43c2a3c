/// A category of the GB/T 47678.5-2026 directory, or a local extension.
///
/// The standard defines codes and names only. `defaults` is the district's own configuration
/// (deadline, which kind of department acts) and is kept apart so nobody mistakes it for the
/// standard.
public struct Category: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, Hashable {
        /// 管理部件: an asset (a manhole cover, a street lamp).
        case component
        /// 管理事项: a matter a case is about (a missing manhole cover).
        case matter
        /// A local extension (disputes, petitions, enterprise difficulties…): not in the standard.
        case extension_ = "extension"
    }

    /// Five digits: two for the major class, three for the item.
    public var code: String
    public var kind: Kind
    public var majorCode: String
    public var majorName: String
    public var name: String
    /// Local configuration; nil for components, which are never a case's category.
    public var defaults: LocalDefaults?

    public init(code: String, kind: Kind, majorCode: String, majorName: String, name: String, defaults: LocalDefaults? = nil) {
        self.code = code
        self.kind = kind
        self.majorCode = majorCode
        self.majorName = majorName
        self.name = name
        self.defaults = defaults
    }
}

/// A district's own settings for a category: NOT part of GB/T 47678.5.
public struct LocalDefaults: Sendable, Hashable, Codable {
    /// Hours from dispatch to the deadline.
    public var deadlineHours: Double
    /// The kind of unit that usually acts (`chengguan`, `zhujian`, `street`…), see `OrgUnit.departmentType`.
    public var departmentType: String

    public init(deadlineHours: Double, departmentType: String) {
        self.deadlineHours = deadlineHours
        self.departmentType = departmentType
    }
}
