import ArgumentParser
import Foundation
import GongzhiClassifier
import GongzhiCore
import GongzhiIntake
import GongzhiStore

/// `gongzhi import reports FILE.csv`: old complaints from a spreadsheet through the one intake.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Bring records in from files.", subcommands: [Reports.self])

    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import reports from a CSV file (UTF-8 with or without BOM, or GB18030 as Excel in China saves it).",
            discussion: """
                Columns are found by their header (description/问题描述/诉求内容, address/地址, lat/纬度, lon/经度, category/类别代码, \
                category_name/问题类别, source/来源, reporter_name/联系人, reporter_phone/联系电话, reported_at/受理时间, \
                external_id/工单编号, media_urls/图片), or named in a mapping file: {"columns": {"description": "来电内容", …}}. \
                Each row goes through intake like any report (checked, located, classified when it has no category, \
                de-duplicated, routed). A bad row is listed (row, field, reason) and the rest go on. Importing the same \
                file again opens nothing new: rows are identified by their external id, or by a digest of the row. \
                Exit status: 0 when every row was imported, 2 when some were refused, 1 when the file could not be read.
                """)
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "A JSON mapping of fields to the file's headers.") var mapping: String?
        @Option(help: "The source of rows without a source column: hotline, resident, grid_worker, …") var source = "hotline"
        @Option(help: "utf-8 or gb18030 (default: detected).") var encoding: String?
        @Option(help: "Write the refused rows (row,field,reason) to this CSV file instead of the terminal.") var errors: String?
        @Option(help: "Intake rules file (the bundled rules when omitted).") var intakeRules: String?
        @Option(help: DatabaseLocation.help) var db = DatabaseLocation.fromEnvironment

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            guard let defaultSource = ReportSource(rawValue: source) else {
                throw CommandFailure("--source must be one of \(ReportSource.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var encodingChoice: TextDecoding.Encoding? = nil
            if let encoding {
                guard let e = TextDecoding.Encoding(rawValue: encoding.lowercased()) else {
                    throw CommandFailure("--encoding must be utf-8 or gb18030")
                }
                encodingChoice = e
            }
            var columns = ReportImport.Mapping()
            if let mapping {
                guard let m = FileManager.default.contents(atPath: mapping) else { throw CommandFailure("cannot read \(mapping)") }
                do { columns = try JSONDecoder().decode(ReportImport.Mapping.self, from: m) } catch {
                    throw CommandFailure("\(mapping): a mapping is {\"columns\": {\"description\": \"问题描述\", …}}")
                }
            }
            let opened = try await OpenedDatabase.open(db)
            let reference = opened.reference
            let rules: IntakeRules
            do { rules = try ReferenceData.intakeRules(path: intakeRules, categories: reference.categories) } catch {
                throw CommandFailure("\(error)")
            }
            let classifier = try HotlineClassifier.bundled(categories: reference.categories, keywords: try ReferenceData.bundledKeywords())
            let clock = SystemTimeSource()
            let intake = Intake(store: opened.store, clock: clock, atlas: opened.atlas, cases: opened.store.context, rules: Live(rules),
                                cameras: Live([:]), classifier: classifier, settings: .init(maxBatch: 5_000, linger: .zero, capacity: 100_000))
            let writer = Task { await intake.run() }
            defer { writer.cancel() }
            let importer = ReportImport(intake: intake, categories: reference.categories, atlas: opened.atlas.current, clock: clock,
                                        defaultSource: defaultSource, mapping: columns, batchSize: 5_000)
            let bar = ProgressLine(name: URL(fileURLWithPath: file).lastPathComponent)
            let summary: ReportImport.Summary
            do {
                summary = try await importer.run(data, encoding: encodingChoice, actor: Actor(id: "cli:import:\(NSUserName())"),
                                                 progress: { bar.show($0, of: $1) })
            } catch let e as ImportError {
                await opened.close()
                throw CommandFailure("\(file): \(e)")
            }
            bar.finish()
            await opened.close()
            try report(summary)
            if summary.refused > 0 { throw CommandFailure("\(summary.refused) of \(summary.rows) rows were refused", exitCode: 2) }
        }

        func report(_ s: ReportImport.Summary) throws {
            let rate = s.seconds > 0 ? Int(Double(s.rows) / s.seconds) : s.rows
            print("\(file): \(s.rows) rows (\(s.encoding.rawValue)) in \(String(format: "%.1f", s.seconds)) s (\(rate) rows/s): "
                  + "\(s.opened) opened a case, \(s.joined) joined an open case, \(s.repeated) imported before, \(s.refused) refused")
            if s.derivedIDs { print("no external id column: rows are identified by a digest of their content") }
            guard !s.errors.isEmpty else { return }
            var lines = ["row,field,reason"]
            lines += s.errors.map { "\($0.row),\(CSVField.escape($0.field)),\(CSVField.escape($0.reason))" }
            if let errors {
                do { try (lines.joined(separator: "\n") + "\n").write(toFile: errors, atomically: true, encoding: .utf8) } catch {
                    throw CommandFailure("cannot write \(errors)")
                }
                print("refused rows written to \(errors)")
            } else {
                for line in lines.prefix(51) { print(line) }
                if lines.count > 51 { print("… \(lines.count - 51) more; use --errors FILE for all") }
            }
        }
    }
}

enum CSVField {
    static func escape(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}

/// Progress on standard error: a bar redrawn in place on a terminal, a plain line per tenth
/// otherwise (a log file should not fill with carriage returns).
final class ProgressLine: @unchecked Sendable {
    let name: String
    let terminal = isatty(2) == 1
    private var lastTenth = -1
    private let lock = NSLock()

    init(name: String) { self.name = name }

    func show(_ done: Int, of total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        if terminal {
            let width = 30, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(name) \(bar) \(done)/\(total)".utf8))
        } else {
            let tenth = Int(fraction * 10)
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            FileHandle.standardError.write(Data("\(name): \(done)/\(total) rows (\(tenth * 10)%)\n".utf8))
        }
    }

    func finish() { if terminal { FileHandle.standardError.write(Data("\n".utf8)) } }
}
