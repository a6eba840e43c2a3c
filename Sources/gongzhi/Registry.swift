import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiIntake
import GongzhiSQL
import GongzhiStore

struct Cameras: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register and list the AI cameras of 城市眼 (a running server picks up imports at its next start).",
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register cameras from a CSV file: id,name,lat,lon,categories[,active][,crs] (categories separated by ';').",
            discussion: "Every row is checked first (the place must be in the district, the categories must exist); one bad row refuses the file. A camera with an id already registered is replaced.")
        @Argument(help: "CSV file (UTF-8, with a header row).") var file: String
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func run() async throws {
            let text = try readFile(file)
            let opened = try await OpenedDatabase.open(db)
            let cameras: [Camera]
            do { cameras = try RegistryCSV.cameras(text, atlas: opened.atlas.current, categories: opened.reference.categories) } catch {
                throw CommandFailure("\(file): \(error)")
            }
            try await opened.store.saveCameras(cameras, by: "cli:\(NSUserName())", at: Date())
            print("registered \(cameras.count) cameras from \(URL(fileURLWithPath: file).lastPathComponent)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered cameras.")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            for c in try await opened.store.cameras() {
                print("\(c.id)\t\(c.active ? "active" : "inactive")\t\(c.area?.street ?? "-")\t\(c.categories.joined(separator: ";"))\t\(c.name)")
            }
        }
    }
}

struct Merchants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register and list the merchants told to self-correct (云共治).",
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register merchants from a CSV file: id,name,contact_name,contact_phone,address,lat,lon,cameras[,crs] (cameras separated by ';').",
            discussion: "Every row is checked first; one bad row refuses the file. A merchant with an id already registered is replaced.")
        @Argument(help: "CSV file (UTF-8, with a header row).") var file: String
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func run() async throws {
            let text = try readFile(file)
            let opened = try await OpenedDatabase.open(db)
            let merchants: [Merchant]
            do { merchants = try RegistryCSV.merchants(text, atlas: opened.atlas.current) } catch { throw CommandFailure("\(file): \(error)") }
            try await opened.store.saveMerchants(merchants, by: "cli:\(NSUserName())", at: Date())
            print("registered \(merchants.count) merchants from \(URL(fileURLWithPath: file).lastPathComponent)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered merchants (contacts masked).")
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment
        func run() async throws {
            let opened = try await OpenedDatabase.open(db)
            for m in try await opened.store.merchants() {
                let phone = m.contactPhone.map(Masking.phone) ?? "-"
                print("\(m.id)\t\(m.area?.street ?? "-")\t\(phone)\t\(m.cameras.joined(separator: ";"))\t\(m.name)")
            }
        }
    }
}

/// A UTF-8 text file, or a one-line failure.
func readFile(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
    guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("\(path) is not UTF-8 text") }
    return text
}
