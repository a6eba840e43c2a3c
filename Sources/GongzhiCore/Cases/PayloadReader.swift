import Foundation

/// Reads the common shape of a stored event payload without `JSONDecoder`: one flat object of
/// the payload's own keys with plain strings, whole numbers, booleans, string arrays and a nested
/// report. Decoding payloads with `JSONDecoder` was a third of the time of replaying a year of
/// cases. Anything else (an escape in a string, a fraction, an unknown or repeated key, a
/// malformed text) gives nil and the caller decodes with `JSONDecoder`, so the answer, and every
/// error, stays `JSONDecoder`'s.
enum PayloadReader {
    static func read(_ text: String) -> EventPayload? {
        var text = text
        return text.withUTF8 { bytes in
            var r = Scanner(bytes: bytes)
            return r.payload()
        }
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        /// A string without escapes or control characters; nil for anything else.
        mutating func string() -> String? {
            guard take(0x22) else { return nil }
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x22 {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                    i += 1
                    return s
                }
                if b == 0x5C || b < 0x20 { return nil }
                i += 1
            }
            return nil
        }

        /// A whole number that fits in 64 bits, written as JSON writes one (no fraction, no exponent).
        mutating func integer() -> Int64? {
            skipSpace()
            var negative = false
            if i < bytes.count, bytes[i] == 0x2D { negative = true; i += 1 }
            let start = i
            var value: Int64 = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
                guard !o1, !o2 else { return nil }
                value = a
                i += 1
            }
            let digits = i - start
            guard digits > 0, !(digits > 1 && bytes[start] == 0x30) else { return nil }
            if i < bytes.count, bytes[i] == 0x2E || bytes[i] == 0x65 || bytes[i] == 0x45 { return nil }
            return negative ? -value : value
        }

        mutating func literal(_ word: StaticString) -> Bool {
            skipSpace()
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }

        mutating func boolean() -> Bool? {
            if literal("true") { return true }
            if literal("false") { return false }
            return nil
        }

        mutating func strings() -> [String]? {
            guard take(0x5B) else { return nil }
            var out: [String] = []
            if take(0x5D) { return out }
            repeat {
                guard let s = string() else { return nil }
                out.append(s)
            } while take(0x2C)
            return take(0x5D) ? out : nil
        }

        /// A number as JSON writes one, read as `Double` reads its text (both round correctly).
        mutating func double() -> Double? {
            skipSpace()
            let start = i
            func digits() -> Int {
                let from = i
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
                return i - from
            }
            // RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
            if i < bytes.count, bytes[i] == 0x2D { i += 1 }
            let first = i
            guard digits() > 0, !(i - first > 1 && bytes[first] == 0x30) else { return nil }
            if i < bytes.count, bytes[i] == 0x2E {
                i += 1
                guard digits() > 0 else { return nil }
            }
            if i < bytes.count, bytes[i] == 0x65 || bytes[i] == 0x45 {
                i += 1
                if i < bytes.count, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
                guard digits() > 0 else { return nil }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            return Double(text).flatMap { $0.isFinite ? $0 : nil }
        }

        /// An object of known keys, each read by `field`; nil on an unknown or repeated key.
        mutating func object(_ field: (inout Scanner, String) -> Bool) -> Bool {
            guard take(0x7B) else { return false }
            if take(0x7D) { return true }
            var seen: [String] = []  // a handful of keys: a scan is cheaper than hashing each
            repeat {
                guard let key = string(), !seen.contains(key), take(0x3A) else { return false }
                seen.append(key)
                if literal("null") { continue }
                guard field(&self, key) else { return false }
            } while take(0x2C)
            return take(0x7D)
        }

        /// The nested report: read here when it takes the common shape, else by `JSONDecoder` from its own bytes.
        mutating func report() -> Report? {
            skipSpace()
            let start = i
            if let r = plainReport() { return r }
            i = start
            return decodedReport()
        }

        mutating func plainReport() -> Report? {
            var source: ReportSource?, description: String?, media: [String]?
            var r = Report(source: .hotline, description: "")
            let ok = object { s, key in
                func set<T>(_ value: T?, _ apply: (T) -> Void) -> Bool {
                    guard let value else { return false }
                    apply(value)
                    return true
                }
                switch key {
                case "source": return set(s.string().flatMap(ReportSource.init(rawValue:))) { source = $0 }
                case "description": return set(s.string()) { description = $0 }
                case "media_urls": return set(s.strings()) { media = $0 }
                case "category": return set(s.string()) { r.category = $0 }
                case "address": return set(s.string()) { r.address = $0 }
                case "external_id": return set(s.string()) { r.externalID = $0 }
                case "camera_id": return set(s.string()) { r.cameraID = $0 }
                case "observed_at": return set(s.integer()) { r.observedAt = $0 }
                case "confidence": return set(s.double()) { r.confidence = $0 }
                case "location": return set(s.location()) { r.location = $0 }
                case "area": return set(s.area()) { r.area = $0 }
                case "reporter": return set(s.reporter()) { r.reporter = $0 }
                default: return false
                }
            }
            guard ok, let source, let description, let media else { return nil }
            (r.source, r.description, r.mediaURLs) = (source, description, media)
            return r
        }

        mutating func location() -> GeoPoint? {
            var lat: Double?, lon: Double?
            let ok = object { s, key in
                switch key {
                case "lat": lat = s.double(); return lat != nil
                case "lon": lon = s.double(); return lon != nil
                default: return false
                }
            }
            guard ok, let lat, let lon else { return nil }
            return GeoPoint(lat: lat, lon: lon)
        }

        mutating func area() -> AreaPath? {
            var a = AreaPath(), version: Int64?
            let ok = object { s, key in
                switch key {
                case "district": a.district = s.string(); return a.district != nil
                case "street": a.street = s.string(); return a.street != nil
                case "community": a.community = s.string(); return a.community != nil
                case "grid": a.grid = s.string(); return a.grid != nil
                case "version": version = s.integer(); return version != nil
                default: return false
                }
            }
            guard ok, let version else { return nil }
            a.version = version
            return a
        }

        mutating func reporter() -> Reporter? {
            var p = Reporter()
            let ok = object { s, key in
                switch key {
                case "name": p.name = s.string(); return p.name != nil
                case "phone": p.phone = s.string(); return p.phone != nil
                case "email": p.email = s.string(); return p.email != nil
                case "device_id": p.deviceID = s.string(); return p.deviceID != nil
                case "account_id": p.accountID = s.string(); return p.accountID != nil
                default: return false
                }
            }
            return ok ? p : nil
        }

        /// The nested report, decoded by `JSONDecoder` from its own bytes.
        mutating func decodedReport() -> Report? {
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x7B else { return nil }
            let start = i
            var depth = 0, inString = false
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if inString {
                    if b == 0x5C { i += 1 } else if b == 0x22 { inString = false }
                    continue
                }
                switch b {
                case 0x22: inString = true
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 {
                        return try? JSONDecoder().decode(Report.self, from: Data(UnsafeBufferPointer(rebasing: bytes[start..<i])))
                    }
                default: break
                }
            }
            return nil
        }

        mutating func payload() -> EventPayload? {
            guard take(0x7B) else { return nil }
            var p = EventPayload()
            var seen: [String] = []  // a handful of keys: a scan is cheaper than hashing each
            if take(0x7D) { return end() ? p : nil }
            repeat {
                guard let key = string(), !seen.contains(key), take(0x3A) else { return nil }
                seen.append(key)
                if literal("null") { continue }
                guard assign(key, to: &p) else { return nil }
            } while take(0x2C)
            return take(0x7D) && end() ? p : nil
        }

        mutating func end() -> Bool {
            skipSpace()
            return i == bytes.count
        }

        /// Reads the value of `key` into the payload; false for a key or value it does not take.
        mutating func assign(_ key: String, to p: inout EventPayload) -> Bool {
            func set<T>(_ value: T?, _ apply: (T) -> Void) -> Bool {
                guard let value else { return false }
                apply(value)
                return true
            }
            switch key {
            case "report": return set(report()) { p.report = $0 }
            case "tracking_code": return set(string()) { p.trackingCode = $0 }
            case "unit": return set(string()) { p.unit = $0 }
            case "from_unit": return set(string()) { p.fromUnit = $0 }
            case "reason": return set(string()) { p.reason = $0 }
            case "note": return set(string()) { p.note = $0 }
            case "rule_id": return set(string()) { p.ruleID = $0 }
            case "merchant": return set(string()) { p.merchant = $0 }
            case "scenario": return set(string()) { p.scenario = $0 }
            case "camera_id": return set(string()) { p.cameraID = $0 }
            case "category": return set(string()) { p.category = $0 }
            case "passed": return set(boolean()) { p.passed = $0 }
            case "disputed": return set(boolean()) { p.disputed = $0 }
            case "media_urls": return set(strings()) { p.mediaURLs = $0 }
            case "due_at": return set(integer()) { p.dueAt = $0 }
            case "warn_at": return set(integer()) { p.warnAt = $0 }
            case "report_id": return set(integer()) { p.reportID = $0 }
            case "first_at": return set(integer()) { p.firstAt = $0 }
            case "last_at": return set(integer()) { p.lastAt = $0 }
            case "merged_into": return set(integer()) { p.mergedInto = $0 }
            case "merged_from": return set(integer()) { p.mergedFrom = $0 }
            case "count": return set(integer().flatMap { Int(exactly: $0) }) { p.count = $0 }
            case "satisfaction": return set(string().flatMap(Satisfaction.init(rawValue:))) { p.satisfaction = $0 }
            default: return false
            }
        }
    }
}
