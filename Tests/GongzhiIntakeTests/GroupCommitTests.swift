import Foundation
import GongzhiCore
import GongzhiGeo
@testable import GongzhiIntake
@testable import GongzhiSQL
import GongzhiStore
import Synchronization
import GongzhiTestSupport
import Testing

/// The one writer: concurrent submissions share transactions, one failure stays its own, a
/// full queue is refused at once, and shutdown commits what is queued.
@Suite struct GroupCommitTests {
    func report(_ i: Int, lat: Double = 30.3192) -> ReportDraft {
        ReportDraft(source: "resident", category: "06012", description: "道路不洁 #\(i)", location: .init(lat: lat + Double(i) * 0.001, lon: 120.1414),
                    externalID: "r-\(i)")
    }

    @Test(arguments: Backend.all) func concurrentSubmissionsShareTransactions(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, settings: .init(maxBatch: 100, linger: .milliseconds(5), capacity: 1_000), rules: IntakeRules.none)
        let n = 200
        let outcomes = try await withThrowingTaskGroup(of: IntakeOutcome.self) { group in
            for i in 0..<n { group.addTask { try await f.intake.submit(report(i % 20, lat: 30.30), actor: .system) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == n)
        #expect(outcomes.filter { !$0.repeated }.count == 20)  // 20 distinct external ids, each opened once
        let batches = await f.intake.committer.batches
        #expect(batches < n / 4, "\(batches) transactions for \(n) submissions")
        #expect(try await f.count("SELECT COUNT(*) FROM cases") == 20)
        #expect(try await f.verify().isIntact)
    }

    /// The second report of a batch fails in the store (an injected fault): it alone is rolled
    /// back and answered with the failure; the others commit in the same transaction. (The
    /// writer first tries the batch without savepoints — the fault's second call — then again
    /// with one per report, where the second report is the fourth call.)
    @Test(arguments: Backend.all) func oneFailureInABatchFailsOnlyThatReport(backend: Backend) async throws {
        let calls = Mutex(0)
        let f = try await IntakeFixture(backend, rules: IntakeRules.none, faults: { point in
            guard point == .afterEventInsert else { return }
            let n = calls.withLock { $0 += 1; return $0 }
            if n == 2 || n == 4 { throw StoreError.injected("second report") }
        })
        let reports = try (0..<3).map { i in try Normalise.report(report(i), categories: f.reference.categories) }
        let results = try await f.intake.submit(reports: reports, actor: .system)
        #expect(results[0].value?.kind == .opened && results[2].value?.kind == .opened)
        #expect(results[1].failure == .storage("injected failure at second report"))
        #expect(try await f.count("SELECT COUNT(*) FROM cases") == 2)
        #expect(try await f.count("SELECT COUNT(*) FROM reports") == 2)
        #expect(await f.intake.committer.batches == 1)
        #expect(try await f.verify().isIntact)
    }

    @Test(arguments: Backend.all) func aFullQueueIsRefusedAtOnce(backend: Backend) async throws {
        let f = try await IntakeFixture(backend, settings: .init(maxBatch: 10, linger: .milliseconds(300), capacity: 5))
        let reports = try (0..<6).map { i in try Normalise.report(report(i), categories: f.reference.categories) }
        await #expect(throws: IntakeError.busy(retryAfterSeconds: 1)) { try await f.intake.submit(reports: reports, actor: .system) }
        // Three wait (the writer lingers), three more would pass the capacity.
        async let first = f.intake.submit(reports: Array(reports[0..<3]), actor: .system)
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: IntakeError.busy(retryAfterSeconds: 1)) { try await f.intake.submit(reports: Array(reports[3..<6]), actor: .system) }
        #expect(try await first.allSatisfy { $0.value?.kind == .opened })
    }

    /// Stopping the writer commits what was queued, then refuses more.
    @Test func shutdownCommitsWhatIsQueued() async throws {
        let committer = GroupCommitter(settings: .init(maxBatch: 10, linger: .milliseconds(200), capacity: 100)) { batch in
            batch.map { _ in .success(IntakeOutcome(kind: .opened, reportID: 1, record: nil, repeated: false)) }
        }
        let writer = Task { await committer.run() }
        let item = IntakeSubmission(report: Report(source: .resident, description: "x"), actor: .system, at: Date())
        async let waiting = committer.submit([item, item])
        try await Task.sleep(for: .milliseconds(20))
        writer.cancel()
        #expect(try await waiting.count == 2)
        await writer.value
        await #expect(throws: IntakeError.busy(retryAfterSeconds: 1)) { try await committer.submit([item]) }
    }
}

/// The stages before the store, one by one.
@Suite struct IntakeStageTests {
    static let reference = try! ReferenceData.bundled()

    @Test func normaliseConvertsAndChecks() throws {
        let c = Self.reference.categories
        let gcj = GCJ02Check.shangtangGCJ
        let r = try Normalise.report(ReportDraft(source: "resident", description: "  x  ", location: .init(lat: gcj.lat, lon: gcj.lon, crs: "GCJ02")),
                                     categories: c)
        #expect(r.description == "x" && abs(r.location!.lat - 30.342135) < 1e-5 && abs(r.location!.lon - 120.142877) < 1e-5)
        func field(_ d: ReportDraft) -> String? {
            do { _ = try Normalise.report(d, categories: c); return nil } catch {
                if case .invalid(let e) = error { return e.field }
                return "\(error)"
            }
        }
        #expect(field(ReportDraft(source: nil, description: "x")) == "source")
        #expect(field(ReportDraft(source: "fax", description: "x")) == "source")
        #expect(field(ReportDraft(source: "resident", description: " ")) == "description")
        #expect(field(ReportDraft(source: "resident", description: "x", location: .init(lat: nil, lon: 1))) == "location.lat")
        #expect(field(ReportDraft(source: "resident", description: "x", location: .init(lat: 91, lon: 1))) == "location.lat")
        #expect(field(ReportDraft(source: "resident", description: "x", location: .init(lat: 30, lon: 120, crs: "bd09"))) == "location.crs")
        #expect(field(ReportDraft(source: "resident", category: "99999", description: "x")) == "category")
    }

    @Test func locateRefusesOutsideAndWithoutData() throws {
        var r = Report(source: .resident, description: "x", location: GeoPoint(lat: 30.2, lon: 120.0))
        #expect(throws: IntakeError.noAreaData) { try Normalise.locate(&r, atlas: .empty) }
    }

    @Test func plannerJoinsTheNearestOpenCaseInTheWindow() {
        let rules = IntakeRules(dedup: [.init(category: "06", distanceMetres: 50, windowHours: 24)])
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        func open(_ id: Int64, _ lat: Double, hoursAgo: Double = 1, status: CaseStatus = .dispatched) -> CaseRecord {
            var r = CaseRecord(id: id, trackingCode: "GS-0", report: Report(source: .resident, category: "06010", description: "x",
                                                                            location: GeoPoint(lat: lat, lon: 120.14)), createdAt: at)
            r.status = status
            r.tally = ReportTally(source: .resident, at: at.addingTimeInterval(-hoursAgo * 3600))
            return r
        }
        let report = Report(source: .hotline, category: "06010", description: "x", location: GeoPoint(lat: 30.3, lon: 120.14))
        // 30 m and 11 m away: the nearer wins; 100 m is too far; 25 h is outside the window; closed cannot be joined.
        let candidates = [open(1, 30.30027), open(2, 30.3001), open(3, 30.3009), open(4, 30.3, hoursAgo: 25), open(5, 30.3, status: .closed)]
        #expect(IntakePlanner.plan(report, state: nil, cameraCase: nil, nearby: candidates, rules: rules, at: at) == .join(caseID: 2))
        #expect(IntakePlanner.plan(report, state: nil, cameraCase: nil, nearby: [open(3, 30.3009)], rules: rules, at: at) == .open)
        var other = report
        other.category = "02014"  // no rule for its class: never joins
        #expect(IntakePlanner.plan(other, state: nil, cameraCase: nil, nearby: candidates, rules: rules, at: at) == .open)
        // The camera's own case settles it, by state.
        var correcting = open(9, 30.3, status: .selfCorrecting)
        #expect(IntakePlanner.plan(report, state: .present, cameraCase: OpenCase(correcting), nearby: [], rules: rules, at: at) == .join(caseID: 9))
        #expect(IntakePlanner.plan(report, state: .cleared, cameraCase: OpenCase(correcting), nearby: [], rules: rules, at: at) == .recheck(caseID: 9, passed: true))
        correcting.merchantConfirmed = true
        #expect(IntakePlanner.plan(report, state: .present, cameraCase: OpenCase(correcting), nearby: [], rules: rules, at: at) == .recheck(caseID: 9, passed: false))
        #expect(IntakePlanner.plan(report, state: .cleared, cameraCase: nil, nearby: candidates, rules: rules, at: at) == .noOpenCase)
        #expect(abs(GeoPoint.metres(GeoPoint(lat: 30.3, lon: 120.14), GeoPoint(lat: 30.3009, lon: 120.14)) - 100.08) < 0.1)
    }

    @Test func bundledRulesAndScenariosLoadAndBadOnesAreRefused() throws {
        let c = Self.reference.categories
        let rules = try ReferenceData.intakeRules(categories: c)
        #expect(rules.dedup(for: "06028")?.distanceMetres == 150 && rules.dedup(for: "06010")?.distanceMetres == 50)
        #expect(rules.dedup(for: "02014")?.distanceMetres == 50 && rules.minConfidence(for: "09005") == 0.7 && rules.minConfidence(for: "06029") == 0.8)
        let scenarios = try ReferenceData.bundledScenarios(units: Self.reference.units, categories: c)
        #expect(scenarios.scenarios.count == 9 && scenarios.scenario(for: "09005")?.merchantMinutes == 30)
        #expect(throws: ReferenceError.self) { try IntakeRules(dedup: [.init(category: "6", distanceMetres: 1, windowHours: 1)]).checked(categories: c) }
        #expect(throws: ReferenceError.self) { try IntakeRules(thresholds: [.init(category: "*", minConfidence: 2)]).checked(categories: c) }
        let twice = CoGovernanceScenario(id: "a", name: "a", categories: ["09005"], merchantMinutes: 30, enforcementUnit: "330105-ZFJ",
                                         enforcementDeadline: DeadlineSpec(1, .workingDays))
        var other = twice
        other.id = "b"
        #expect(throws: ReferenceError.self) { try CoGovernance([twice, other], units: Self.reference.units, categories: c) }
        other.categories = ["09006"]
        other.enforcementUnit = "nowhere"
        #expect(throws: ReferenceError.self) { try CoGovernance([twice, other], units: Self.reference.units, categories: c) }
    }

    @Test func registryCSVRefusesTheWholeFileNamingTheLine() throws {
        let atlas = try IntakeStageTests.atlas()
        let good = "id,name,lat,lon,categories\nCAM-1,东苑,30.342135,120.142877,09005;09006\nCAM-2,湖墅,30.2905,120.158,06010\n"
        let cameras = try RegistryCSV.cameras(good, atlas: atlas, categories: Self.reference.categories)
        #expect(cameras.map(\.id) == ["CAM-1", "CAM-2"] && cameras[0].categories == ["09005", "09006"] && cameras[0].area?.street == "330105008")
        for (bad, message) in [
            ("id,name,lat,lon,categories\nCAM-1,东苑,30.342135,120.142877,99999\n", "line 2: categories:"),
            ("id,name,lat,lon,categories\nCAM-1,东苑,30.342135,120.142877,09005\nCAM-1,again,30.342135,120.142877,09005\n", "line 3: camera CAM-1 appears twice"),
            ("id,name,lat,lon,categories\nCAM-1,东苑,30.2,120.0,09005\n", "line 2: location:"),
            ("id,name,lat,lon\nCAM-1,东苑,30.3,120.1\n", "line 1: the header lacks the column categories"),
        ] {
            do { _ = try RegistryCSV.cameras(bad, atlas: atlas, categories: Self.reference.categories); Issue.record("accepted: \(bad)") } catch {
                #expect("\(error)".hasPrefix(message), "\(error)")
            }
        }
        let merchants = try RegistryCSV.merchants("id,name,contact_name,contact_phone,address,lat,lon,cameras\nM-1,店,周,13900001111,东苑,30.34215,120.1429,CAM-1;CAM-2\n",
                                                  atlas: atlas)
        #expect(merchants[0].cameras == ["CAM-1", "CAM-2"] && merchants[0].contactPhone == "13900001111")
        #expect(throws: (any Error).self) {
            try RegistryCSV.merchants("id,name,contact_name,contact_phone,address,lat,lon,cameras\nM-1,店,周,call me,东苑,30.34215,120.1429,\n", atlas: atlas)
        }
    }

    static func atlas() throws -> GongzhiGeo.Atlas {
        let layers = try ReferenceData.bundledLayers().enumerated().map { i, l in
            GongzhiGeo.Atlas.Layer(level: l.level, version: Int64(i + 1), approximate: l.approximate, features: l.shapes.map { ($0.code, $0.name, $0.geometry) })
        }
        return GongzhiGeo.Atlas(layers: layers)
    }
}

enum GCJ02Check {
    static let shangtangGCJ: (lat: Double, lon: Double) = {
        let g = GongzhiGeo.GCJ02.fromWGS84(lat: 30.342135, lon: 120.142877)
        return (g.lat, g.lon)
    }()
}
