import Foundation
import GongzhiCore
import Hummingbird

/// The pages' language: Chinese first, English on request, kept in a cookie.
enum Lang: String, Sendable, CaseIterable {
    case zh
    case en

    static let cookie = "gz_lang"

    static func of(_ request: Request) -> Lang { FormData.cookies(request)[cookie].flatMap(Lang.init(rawValue:)) ?? .zh }

    /// The `lang` attribute of the page.
    var tag: String { self == .zh ? "zh-CN" : "en" }
    var other: Lang { self == .zh ? .en : .zh }
}

/// Every label and message of the pages in both languages (`Resources/web/strings.json`,
/// key → [中文, English]), so a translator edits data, not code, and a test checks that every
/// key a template or the code uses exists in both.
struct WebText: Sendable {
    let tables: [Lang: [String: String]]

    init(json: Data) throws {
        let raw = try JSONDecoder().decode([String: [String]].self, from: json)
        var zh: [String: String] = [:], en: [String: String] = [:]
        for (key, pair) in raw {
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                throw APIError(.internalServerError, code: "internal", message: "strings.json: \(key) needs a Chinese and an English text")
            }
            zh[key] = pair[0]
            en[key] = pair[1]
        }
        tables = [.zh: zh, .en: en]
    }

    func table(_ lang: Lang) -> [String: String] { tables[lang] ?? [:] }

    /// One text; a missing key shows itself, which the strings test catches before users do.
    func callAsFunction(_ key: String, _ lang: Lang) -> String { tables[lang]?[key] ?? key }

    func status(_ s: CaseStatus, _ lang: Lang) -> String { self("status_" + s.rawValue, lang) }
    func action(_ a: CaseAction, _ lang: Lang) -> String { self("action_" + a.rawValue, lang) }
    func source(_ s: ReportSource, _ lang: Lang) -> String { self("source_" + s.rawValue, lang) }
    func role(_ r: Role, _ lang: Lang) -> String { self("role_" + r.rawValue, lang) }

    /// A time as people in China write it, in China time: `2026年12月1日 17:30`, `1 Dec 2026, 17:30`.
    static func time(_ date: Date, _ lang: Lang) -> String {
        let c = Timestamp.chinaFields(date)
        switch lang {
        case .zh: return "\(c.year)年\(c.month)月\(c.day)日 " + String(format: "%02d:%02d", c.hour, c.minute)
        case .en:
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            return "\(c.day) \(months[c.month - 1]) \(c.year), " + String(format: "%02d:%02d", c.hour, c.minute)
        }
    }

    /// The time left to a deadline in words: `剩余 3 小时`, `超期 2 天`, `3 hours left`, `2 days overdue`.
    /// Whole units, rounded down: under an hour in minutes, under two days in hours, else days.
    static func timeLeft(until due: Date, now: Date, _ lang: Lang) -> String {
        let seconds = due.timeIntervalSince(now)
        let late = seconds < 0
        let minutes = Int(abs(seconds) / 60)
        let (n, zhUnit, enUnit): (Int, String, String) =
            minutes < 60 ? (minutes, "分钟", "min") : minutes < 48 * 60 ? (minutes / 60, "小时", "hour") : (minutes / 1440, "天", "day")
        switch lang {
        case .zh: return (late ? "超期 " : "剩余 ") + "\(n) \(zhUnit)"
        case .en:
            let unit = enUnit == "min" || n == 1 ? enUnit : enUnit + "s"
            return "\(n) \(unit) " + (late ? "overdue" : "left")
        }
    }
}
