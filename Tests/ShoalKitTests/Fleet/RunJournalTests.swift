import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Runs write their journal (SPEC §11): a header, each target's report on
/// disk before the caller hears of it, a footer; or refuse to start.
@Suite struct RunJournalTests {
    /// ``FleetRunnerTests/fleet(_:tenants:)`` with its journals in `runs/`.
    static func fleet(_ directory: TemporaryDirectory, tenants: [String], journal: String? = "runs") async throws -> (Fleet, [Target]) {
        let (fleet, targets) = try await FleetRunnerTests.fleet(directory, tenants: tenants)
        var config = fleet.config
        config.journalDirectory = journal.map(directory.file)
        return (Fleet(config: config), targets)
    }

    /// The journal's lines, each checked to be whole (ended by `\n`) and one JSON object.
    static func lines(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "a torn last line: \(text)", sourceLocation: sourceLocation)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)", sourceLocation: sourceLocation)
        }
    }

    /// A value as the journal and the JSON report encode it, parsed back.
    static func object(_ value: some Encodable) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as! NSDictionary
    }

    static func header(_ run: RunID, targets: [String] = []) -> RunHeader {
        RunHeader(run: run, command: "upgrade", arguments: ["upgrade"], revision: "head",
                          selectors: .init(databases: [], shards: [], tenants: [], targets: [], partition: nil),
                          configSHA256: nil, startedAt: Timestamp.string(run.startedAt), user: "ops", host: "box",
                          shoalVersion: shoalVersion, retryOf: nil, compensates: nil, targets: targets, phase: nil)
    }

    @Test func aRunWritesItsHeaderEachTargetAndAFooter() async throws {
        let directory = try TemporaryDirectory()
        let (fleet, targets) = try await Self.fleet(directory, tenants: ["acme", "globex"])
        var options = FleetRunner.Options()
        options.arguments = ["upgrade", "--tenant", "acme", "--tenant", "globex"]
        options.selector = TargetSelector(tenants: ["acme", "globex"], partition: try Partition(parsing: "1/1"))
        let report = try await FleetRunner(fleet: fleet, options: options).run(.upgrade(.relative(2)), targets: targets)
        let run = try #require(report.run)
        #expect(report.journal == directory.file("runs/\(run).jsonl"))

        let lines = try Self.lines(try #require(report.journal))
        try #require(lines.count == 4, "header, two targets, footer: \(lines)")
        let header = lines[0]
        #expect(header["run"] as? String == run.description)
        #expect(header["command"] as? String == "upgrade")
        #expect(header["arguments"] as? [String] == options.arguments)
        #expect(header["revision"] as? String == "+2", "the revision as typed")
        #expect(header["selectors"] as? NSDictionary == ["databases": [], "shards": [], "tenants": ["acme", "globex"],
                                                         "targets": [], "partition": "1/1"] as NSDictionary)
        #expect(header["targets"] as? [String] == targets.map(\.id))
        #expect(header["config_sha256"] is NSNull, "a config built in code has no file")
        #expect(header["retry_of"] is NSNull && header["compensates"] is NSNull && header["phase"] is NSNull)
        #expect(header["shoal_version"] as? String == shoalVersion)
        let appliedBy = fleet.context.appliedBy
        #expect("\(header["user"] as? String ?? "")@\(header["host"] as? String ?? "")" == appliedBy)
        let started = try #require(header["started_at"] as? String)
        #expect(started.hasPrefix(Timestamp.string(run.startedAt).prefix(19)), "\(started) is the id's second")

        for target in report.targets {
            let line = lines[1...2].first { $0["target"] as? String == target.target }
            #expect(line as NSDictionary? == (try Self.object(target)), "the report's own target object: \(line ?? [:])")
        }
        #expect(Set(lines[1...2].compactMap { $0["target"] as? String }) == Set(targets.map(\.id)))
        let footer = lines[3]
        #expect(footer["summary"] as? NSDictionary == (try Self.object(report.summary)))
        #expect(footer["duration_ms"] as? Int == report.durationMs)
        #expect(footer["finished_at"] is String)
    }

    @Test func eachTargetsLineIsOnDiskBeforeItsEventArrives() async throws {
        let directory = try TemporaryDirectory()
        let tenants = (1...12).map { "t\($0)" }
        let (fleet, targets) = try await Self.fleet(directory, tenants: tenants)
        let seen = DeliveredEvents()
        var options = FleetRunner.Options()
        options.concurrency = 4
        let report = try await FleetRunner(fleet: fleet, options: options).run(.upgrade(.head), targets: targets) { event in
            switch event {
            case .runStarted(let run, let journal):
                seen.append("started \(run) \(journal ?? "none")")
            case .targetFinished(let finished):
                let onDisk = Self.journalText(in: directory.file("runs"))
                let written = onDisk.split(separator: "\n").contains { $0.contains("\"target\":\"\(finished.target)\"") }
                seen.append(written ? "finished" : "NOT ON DISK \(finished.target)")
            default: break
            }
        }
        let run = try #require(report.run)
        let events = seen.entries
        #expect(events.first == "started \(run) \(directory.file("runs/\(run).jsonl"))", "the id comes before any target")
        #expect(events.dropFirst() == Array(repeating: "finished", count: tenants.count)[...], "\(events)")
    }

    /// The text of the only journal in `folder`.
    static func journalText(in folder: String) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.first.flatMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) } ?? ""
    }

    @Test func aDryRunIsNoRun() async throws {
        let directory = try TemporaryDirectory()
        let (fleet, targets) = try await Self.fleet(directory, tenants: ["acme"])
        var options = FleetRunner.Options()
        options.dryRun = true
        let seen = DeliveredEvents()
        let report = try await FleetRunner(fleet: fleet, options: options).run(.upgrade(.head), targets: targets) { event in
            if case .runStarted(let run, _) = event { seen.append("\(run)") }
        }
        #expect(report.run == nil && report.journal == nil)
        #expect(seen.entries.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.file("runs")))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["run"] == nil, "no `run` key in a dry run's JSON")

        let real = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: targets)
        let realJSON = try JSONSerialization.jsonObject(with: JSONEncoder().encode(real)) as? [String: Any]
        #expect(realJSON?["run"] as? String == real.run?.description)
    }

    /// What a config built in code gets: an id for its history rows, no file.
    @Test func withoutAJournalFolderARunStillHasAnId() async throws {
        let directory = try TemporaryDirectory()
        let (fleet, targets) = try await Self.fleet(directory, tenants: ["acme"], journal: nil)
        let report = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: targets)
        #expect(report.run != nil)
        #expect(report.journal == nil)
        #expect(!FileManager.default.fileExists(atPath: directory.file(".shoal")))
    }

    @Test(arguments: ["blocker/runs", "blocker"])
    func aJournalThatCannotBeWrittenRefusesTheRunAndTouchesNothing(_ folder: String) async throws {
        let directory = try TemporaryDirectory()
        try directory.write("a file, not a folder", to: "blocker")
        let (fleet, targets) = try await Self.fleet(directory, tenants: ["acme"], journal: folder)
        let error = await #expect(throws: ShoalError.self) {
            try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: targets)
        }
        #expect(error?.kind == .config, "exit 2")
        let message = error?.message ?? ""
        #expect(message.contains("cannot write the run journal in \(directory.file(folder))"), "\(message)")
        #expect(message.contains("`journal_dir`") && message.contains("`\"journal\": false`"), "\(message)")
        #expect(message.contains("the run was not started"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("tenants/acme.sqlite")), "no target was touched")
    }

    @Test func anIdWhoseFileExistsGetsANewOne() async throws {
        let directory = try TemporaryDirectory()
        let taken = RunID(startedAt: Date(), suffix: 0x1234)
        try directory.write("another run's", to: "runs/\(taken).jsonl")
        let journal = try RunJournal(directory: directory.file("runs"), header: Self.header(taken), configFile: nil,
                                     logger: .init(label: "test"), events: { _ in })
        await journal.finish(FleetReport(command: "upgrade", durationMs: 1, targets: []))
        #expect(journal.run != taken)
        #expect(journal.run.startedAt == taken.startedAt, "the same start, other digits")
        #expect(try String(contentsOfFile: directory.file("runs/\(taken).jsonl"), encoding: .utf8) == "another run's")
        let lines = try Self.lines(journal.path)
        #expect(lines.first?["run"] as? String == journal.run.description)
    }

    /// A thousand targets finishing at once cost a few fsyncs, and every
    /// event still comes after its line, in the order sent; targets that
    /// never got an event are written at the end, before the footer.
    @Test func targetsFinishingTogetherShareFsyncs() async throws {
        let directory = try TemporaryDirectory()
        let run = RunID(startedAt: Date())
        let targets = (0..<1000).map { Target(id: "app/t\($0)", database: "app", tenant: "t\($0)", driver: .sqlite, location: .sqlite(path: "/nowhere/t\($0)")) }
        let reports = targets.map { TargetReport(target: $0, status: .upToDate, from: ["r1"], to: ["r1"]) }
        let delivered = DeliveredEvents()
        let path = directory.file("runs/\(run).jsonl")
        let journal = try RunJournal(directory: directory.file("runs"), header: Self.header(run, targets: targets.map(\.id)),
                                     configFile: nil, logger: .init(label: "test")) { event in
            guard case .targetFinished(let report) = event else { return }
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            delivered.append(text.contains("\"target\":\"\(report.target)\"") ? report.target : "NOT ON DISK \(report.target)")
        }
        for report in reports.dropLast(10) { journal.send(.targetFinished(report)) }
        await journal.finish(FleetReport(command: "upgrade", durationMs: 5, targets: reports))
        #expect(delivered.entries == reports.dropLast(10).map(\.target))
        #expect(journal.syncs < 100, "\(journal.syncs) fsyncs for 1,000 lines")
        let lines = try Self.lines(path)
        #expect(lines.count == 1002)
        #expect(lines.dropFirst().dropLast().compactMap { $0["target"] as? String } == reports.map(\.target))
        #expect((lines.last?["summary"] as? [String: Any])?["up_to_date"] as? Int == 1000)
    }
}

/// Strings appended from event callbacks, in order.
final class DeliveredEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ entry: String) { lock.withLock { list.append(entry) } }
    var entries: [String] { lock.withLock { list } }
}
