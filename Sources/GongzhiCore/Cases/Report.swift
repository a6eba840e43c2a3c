/// A problem as it arrives, from whatever channel, after validation. Every adapter (HTTP
/// form, Open311, camera, CSV, hotline) produces this one type; intake turns it into a case.
public struct Report: Sendable, Hashable, Codable {
    public var source: ReportSource
    /// A matter (管理事项) or local extension code; nil when the channel does not know it
    /// (free text), which leaves the case for a dispatcher to classify.
    public var category: String?
    public var description: String
    /// WGS84.
    public var location: GeoPoint?
    public var address: String?
    public var reporter: Reporter?
    /// The id the sending system gave the report; `(source, externalID)` is unique, so a
    /// retried submission finds the case it already opened.
    public var externalID: String?
    public var mediaURLs: [String]
    /// Where the location falls in the area hierarchy; set by intake, not by the sender.
    public var area: AreaPath?
    /// The camera that made a detection (城市眼); nil for other channels.
    public var cameraID: String?
    /// When the problem was observed (a detection's time), epoch milliseconds; nil when it is
    /// the time of the report.
    public var observedAt: Int64?
    /// A detection's confidence, 0…1.
    public var confidence: Double?
    /// What intake's classifier proposed when the report came without a category; set by
    /// intake, not by the sender.
    public var classification: Classification?
    /// Extra fields a category asks for (Open311 service attributes), by attribute code; nil
    /// when none were given.
    public var attributes: [ReportAttribute]?

    public init(
        source: ReportSource, category: String? = nil, description: String, location: GeoPoint? = nil,
        address: String? = nil, reporter: Reporter? = nil, externalID: String? = nil, mediaURLs: [String] = [],
        area: AreaPath? = nil, cameraID: String? = nil, observedAt: Int64? = nil, confidence: Double? = nil
    ) {
        self.source = source
        self.category = category
        self.description = description
        self.location = location
        self.address = address
        self.reporter = reporter
        self.externalID = externalID
        self.mediaURLs = mediaURLs
        self.area = area
        self.cameraID = cameraID
        self.observedAt = observedAt
        self.confidence = confidence
    }

    enum CodingKeys: String, CodingKey {
        case source, category, description, location, address, reporter, area, confidence, classification, attributes
        case externalID = "external_id"
        case mediaURLs = "media_urls"
        case cameraID = "camera_id"
        case observedAt = "observed_at"
    }
}

/// The person who reported. Personal data: masked on output unless the reader may see it.
public struct Reporter: Sendable, Hashable, Codable {
    public var name: String?
    public var phone: String?
    /// Open311's other personal fields: an email address, the sending device's id and the
    /// resident's account in the sending app.
    public var email: String?
    public var deviceID: String?
    public var accountID: String?

    public init(name: String? = nil, phone: String? = nil, email: String? = nil, deviceID: String? = nil, accountID: String? = nil) {
        self.name = name
        self.phone = phone
        self.email = email
        self.deviceID = deviceID
        self.accountID = accountID
    }

    /// True when no field is set.
    public var isEmpty: Bool { name == nil && phone == nil && email == nil && deviceID == nil && accountID == nil }

    enum CodingKeys: String, CodingKey {
        case name, phone, email
        case deviceID = "device_id"
        case accountID = "account_id"
    }
}

/// One extra field of a report: its code and its value (several for a multi-value list).
public struct ReportAttribute: Sendable, Hashable, Codable {
    public var code: String
    public var values: [String]

    public init(code: String, values: [String]) {
        self.code = code
        self.values = values
    }
}

/// Limits on report fields. Public so the API documentation and tests quote the same numbers.
public enum ReportLimits {
    public static let descriptionMax = 4_000
    public static let addressMax = 500
    public static let nameMax = 50
    public static let phoneMax = 20
    public static let externalIDMax = 128
    public static let mediaCountMax = 20
    public static let urlMax = 2_048
    public static let emailMax = 254
    public static let idMax = 128
    public static let attributeMax = 500
}

/// A field that failed validation: which, why, and a stable code for clients.
public struct FieldError: Error, Sendable, Hashable {
    public var field: String
    public var code: String
    public var message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

extension Report {
    /// Checks what no channel may get wrong. `categories` decides whether a code exists.
    /// Returns the report with text fields trimmed and empty optionals dropped.
    public func validated(categories: CategoryDirectory) throws(FieldError) -> Report {
        var r = self
        r.description = try TextRule.checked(description, field: "description", max: ReportLimits.descriptionMax, shape: .multiline)
        if r.description.isEmpty {
            throw FieldError(field: "description", code: "required", message: "description must not be empty")
        }
        r.category = nil
        if let code = category?.trimmed, !code.isEmpty {
            guard categories.reportable(code) != nil else {
                throw FieldError(field: "category", code: "unknown_category",
                                 message: "category '\(code)' is not a matter code of GB/T 47678.5 or a local extension; see GET /api/v1/categories")
            }
            r.category = code
        }
        if let p = location {
            guard p.lat.isFinite, (-90...90).contains(p.lat) else {
                throw FieldError(field: "location.lat", code: "out_of_range", message: "lat must be between -90 and 90")
            }
            guard p.lon.isFinite, (-180...180).contains(p.lon) else {
                throw FieldError(field: "location.lon", code: "out_of_range", message: "lon must be between -180 and 180")
            }
        }
        r.address = try Self.text(address, field: "address", max: ReportLimits.addressMax)
        if let reporter {
            let name = try Self.text(reporter.name, field: "reporter.name", max: ReportLimits.nameMax)
            let phone = try Self.text(reporter.phone, field: "reporter.phone", max: ReportLimits.phoneMax)
            if let phone, !phone.allSatisfy({ $0.isASCII && ($0.isNumber || "+- ".contains($0)) }) {
                throw FieldError(field: "reporter.phone", code: "invalid", message: "phone may hold digits, spaces, '+' and '-' only")
            }
            let email = try Self.text(reporter.email, field: "reporter.email", max: ReportLimits.emailMax)
            if let email, !(email.contains("@") && !email.hasPrefix("@") && !email.hasSuffix("@") && !email.contains(where: \.isWhitespace)) {
                throw FieldError(field: "reporter.email", code: "invalid", message: "email must be an address like name@example.cn")
            }
            let device = try Self.text(reporter.deviceID, field: "reporter.device_id", max: ReportLimits.idMax)
            let account = try Self.text(reporter.accountID, field: "reporter.account_id", max: ReportLimits.idMax)
            let checked = Reporter(name: name, phone: phone, email: email, deviceID: device, accountID: account)
            r.reporter = checked.isEmpty ? nil : checked
        }
        r.externalID = try Self.text(externalID, field: "external_id", max: ReportLimits.externalIDMax)
        if let attributes {
            var checked: [ReportAttribute] = []
            for a in attributes {
                let code = try TextRule.checked(a.code, field: "attribute", max: ReportLimits.idMax)
                var values: [String] = []
                for v in a.values {
                    values.append(try TextRule.checked(v, field: "attribute[\(code)]", max: ReportLimits.attributeMax))
                }
                checked.append(ReportAttribute(code: code, values: values))
            }
            r.attributes = checked.isEmpty ? nil : checked.sorted { $0.code < $1.code }
        }
        try Self.checkMediaURLs(mediaURLs)
        return r
    }

    /// Media URLs (photos, video) must be a few http(s) links; the platform stores links, not files.
    public static func checkMediaURLs(_ urls: [String], field: String = "media_urls") throws(FieldError) {
        if urls.count > ReportLimits.mediaCountMax {
            throw FieldError(field: field, code: "too_many", message: "at most \(ReportLimits.mediaCountMax) media URLs are allowed")
        }
        for (i, url) in urls.enumerated() {
            let lower = url.lowercased()
            let fits = url.count <= ReportLimits.urlMax && url.utf8.count <= ReportLimits.urlMax * TextRule.bytesPerCharacter
            guard fits, lower.hasPrefix("https://") || lower.hasPrefix("http://"),
                  url.count > 8, !url.contains(where: { $0.isWhitespace }), TextRule.forbidden(in: url, shape: .line) == nil else {
                throw FieldError(field: "\(field)[\(i)]", code: "invalid", message: "media URLs must be http(s) URLs of at most \(ReportLimits.urlMax) characters")
            }
        }
    }

    private static func text(_ value: String?, field: String, max: Int) throws(FieldError) -> String? {
        try TextRule.optional(value, field: field, max: max)
    }
}

extension String {
    /// Without leading and trailing white space (Unicode's, as `Character.isWhitespace` says);
    /// cheaper than Foundation's `trimmingCharacters(in:)`, which bridges through NSString.
    public var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
