import ArgumentParser
import Foundation

/// `gongzhi`: the district governance platform's command line.
@main
struct Gongzhi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gongzhi",
        abstract: "Gongzhi (共治): the closed loop of a district's cases, its work plan and its cockpit.",
        subcommands: [Serve.self, Verify.self, Backup.self, Restore.self,
                      Areas.self, Cameras.self, Merchants.self, Users.self, Keys.self, MigrateStore.self,
                      ImportCommand.self, PlansCommand.self, ClassifierCommand.self, Bench.self, Stats.self, WhatIfCommand.self])

    /// Parses and runs a command. Errors become one line on standard error and a non-zero
    /// exit, never a stack trace; `--help` and `--version` keep their usual output.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            if let failure = error as? CommandFailure {
                FileHandle.standardError.write(Data("gongzhi: \(failure.description)\n".utf8))
                Foundation.exit(failure.exitCode)
            }
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("gongzhi: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// A failure the user can act on; its message is printed as is.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1
    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
}
