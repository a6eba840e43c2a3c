import Foundation
import GongzhiCore
import GongzhiStore

/// The accounts a new installation starts with: one admin on an empty database, with a
/// one-time password printed once (or taken from GONGZHI_ADMIN_PASSWORD); and, in the demo
/// database only, one user per role in real Gongshu units, with known passwords printed at
/// every start.
struct FirstAccounts {
    let accounts: any AccountStore
    let demo: Bool

    /// Demo users: (username, display name, role, unit).
    static let demoUsers: [(String, String, Role, String)] = [
        ("demo-dispatcher", "区指挥中心调度员", .dispatcher, "330105"),
        ("demo-leader", "区领导（驾驶舱）", .leader, "330105"),
        ("demo-supervisor", "区督查室督办员", .supervisor, "330105"),
        ("demo-auditor", "审计员", .auditor, "330105"),
        ("demo-cgj", "区城管局处置员", .handler, "330105-CGJ"),
        ("demo-xiaohe", "小河街道处置员", .handler, "330105003"),
        ("demo-xiaohe-community", "小河街道社区工作者（社区）", .handler, "330105003051"),
        ("demo-mishixiang", "米市巷街道处置员", .handler, "330105001"),
        ("demo-rsj", "区人社局审核员", .handler, "330105-RSJ"),
        ("demo-rsj-leader", "区人社局分管领导", .leader, "330105-RSJ"),
        ("demo-czj", "区财政局拨付员", .handler, "330105-CZJ"),
        ("demo-wjj", "区卫健局（健康指挥部）", .handler, "330105-WJJ"),
        ("demo-gridworker", "小河街道网格员", .gridWorker, "330105003"),
        ("demo-merchant", "沿街商户", .merchant, "330105003"),
    ]

    static func demoPassword(_ username: String) -> String { username + "-2026" }

    func prepare(at now: Date) async throws {
        let out = FileHandle.standardOutput
        if try await !accounts.hasUsers {
            let fromEnv = ProcessInfo.processInfo.environment["GONGZHI_ADMIN_PASSWORD"]
            let password = fromEnv ?? Credentials.random(16)
            _ = try await accounts.addUser(username: "admin", displayName: "Administrator", role: .admin, unit: ReferenceData.districtCode,
                                           password: password, by: "system:install", at: now)
            out.write(Data("gongzhi: created user admin with \(fromEnv == nil ? "one-time password \(password)" : "the password from GONGZHI_ADMIN_PASSWORD"); change it with gongzhi users reset-password\n".utf8))
            if demo {
                for (name, display, role, unit) in Self.demoUsers {
                    _ = try await accounts.addUser(username: name, displayName: display, role: role, unit: unit, password: Self.demoPassword(name),
                                                   by: "system:demo", at: now)
                }
            }
        }
        if demo, try await accounts.user(Self.demoUsers[0].0) != nil {
            out.write(Data("gongzhi: demo users (demo database only): \(Self.demoUsers.map { "\($0.0) / \(Self.demoPassword($0.0))" }.joined(separator: ", "))\n".utf8))
        }
    }
}
