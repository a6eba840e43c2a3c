import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiSQL
import GongzhiStore

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage user accounts.", subcommands: [Add.self, List.self, Disable.self, ResetPassword.self, SetRole.self])

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Change a user's role and unit (audited; ends their sessions).")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        @Argument(help: "Login name.") var username: String
        @Option(help: "The new role: \(Role.userRoles).") var role: Role
        @Option(help: "The unit code.") var unit: String
        func validate() throws { try role.checkUserRole() }
        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            try await opened.accounts.setRole(username, role: role, unit: unit, by: "cli:\(NSUserName())", at: Date())
            print("\(username) is now \(role.rawValue) at \(unit)")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; prints a generated password unless --password-env names one.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        @Option(help: "Login name.") var username: String
        @Option(help: "Display name.") var name: String
        @Option(help: "\(Role.userRoles).") var role: Role
        @Option(help: "The unit code the user works for (see GET /api/v1/units).") var unit: String
        @Option(help: "An environment variable holding the password.") var passwordEnv: String?

        func validate() throws { try role.checkUserRole() }

        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            let password = try passwordEnv.map { name in
                guard let v = ProcessInfo.processInfo.environment[name] else { throw CommandFailure("environment variable \(name) is not set") }
                return v
            } ?? Credentials.random(16)
            _ = try await opened.accounts.addUser(username: username, displayName: name, role: role, unit: unit,
                                                                         password: password, by: "cli:\(NSUserName())", at: Date())
            print("added \(username) (\(role.rawValue), \(unit))")
            if passwordEnv == nil { print("password: \(password)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            for u in try await opened.accounts.users() {
                print("\(u.username)\t\(u.role.rawValue)\t\(u.unit)\t\(u.disabled ? "disabled" : "active")\t\(u.displayName)")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user and end their sessions.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        @Argument(help: "Login name.") var username: String
        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            try await opened.accounts.disable(username, by: "cli:\(NSUserName())", at: Date())
            print("disabled \(username)")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "Set a new password (printed), unlock, end sessions.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        @Argument(help: "Login name.") var username: String
        @Option(help: "An environment variable holding the new password.") var passwordEnv: String?
        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            let password = passwordEnv.flatMap { ProcessInfo.processInfo.environment[$0] } ?? Credentials.random(16)
            try await opened.accounts.resetPassword(username, to: password, by: "cli:\(NSUserName())", at: Date())
            print("reset the password of \(username)")
            if passwordEnv == nil { print("password: \(password)") }
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys for machine clients.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; it is printed once, on the last line.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        @Option(help: "The key's role (machine for camera systems and apps).") var role: Role
        @Option(help: "What the key is for.") var name: String
        @Option(help: "The unit the key acts for.") var unit = ReferenceData.districtCode

        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            let (key, secret) = try await opened.accounts.createKey(name: name, role: role, unit: unit, by: "cli:\(NSUserName())", at: Date())
            print("created key \(key.id) (\(role.rawValue), \(unit)); it is shown once:")
            print(secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            for k in try await opened.accounts.keys() {
                let used = k.lastUsedAt.map(Timestamp.rfc3339) ?? "never used"
                print("\(k.id)\t\(k.role.rawValue)\t\(k.unit)\t\(k.revokedAt == nil ? "active" : "revoked")\t\(used)\t\(k.name)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key at once.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        @Argument(help: "The key id (from keys list).") var id: String
        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            try await opened.accounts.revokeKey(id, by: "cli:\(NSUserName())", at: Date())
            print("revoked \(id)")
        }
    }
}

extension Role: ExpressibleByArgument {
    /// The roles a person can have; `machine` is for API keys only.
    static var userRoles: String { allCases.filter { $0 != .machine }.map(\.rawValue).joined(separator: ", ") }

    func checkUserRole() throws {
        if self == .machine {
            throw ValidationError("machine is a role for API keys (gongzhi keys create --role machine); a user is one of \(Self.userRoles)")
        }
    }
}
