import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// A run's journal as a test reads it: `.shoal/runs/<id>.jsonl` (SPEC §11).
struct JournalFile {
    /// The parsed lines, the torn last one (killed mid-write) left out.
    var lines: [[String: Any]]
    /// True when the file ends in a line without `\n`.
    var tornTail: Bool

    var header: [String: Any] { lines.first ?? [:] }
    /// The target lines: neither the header nor the footer.
    var targets: [[String: Any]] { lines.dropFirst().filter { $0["target"] != nil } }
    var footer: [String: Any]? { lines.count > 1 && lines.last?["summary"] != nil ? lines.last : nil }
    var statuses: [String: String] {
        Dictionary(targets.map { ($0["target"] as! String, $0["status"] as! String) }, uniquingKeysWith: { _, last in last })
    }

    /// Reads `path`, expecting every line but perhaps the last to be one JSON object.
    init(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        tornTail = parts.last != ""
        parts.removeLast()  // what follows the last `\n`: empty, or the torn line
        lines = try parts.map { line in
            try #require(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                         "not one JSON object: \(line)", sourceLocation: sourceLocation)
        }
    }

    /// The journal files in `folder` of the sandbox, sorted.
    static func paths(_ sandbox: Sandbox, folder: String = ".shoal/runs") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.path(folder))) ?? []
        return names.sorted().map { sandbox.path("\(folder)/\($0)") }
    }
}

/// Every run prints its id first and keeps a journal (SPEC §11), on both drivers.
@Suite("run ids and journals")
struct JournalTests {
    @Test(arguments: Backend.allCases)
    func aRunPrintsItsIdFirstAndJournalsEveryTarget(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let result = try await fleet.shoal("upgrade", Fixture.r2, "--tenant", "acme", "--tenant", "globex")
            #expect(result.status == 0, "\(result.stderr)")
            let first = try #require(result.stdout.split(separator: "\n").first.map(String.init))
            #expect(first.hasPrefix("run "), "the id is the first line: \(result.stdout)")
            let run = try RunID(parsing: String(first.dropFirst(4)))

            let paths = JournalFile.paths(fleet.sandbox)
            #expect(paths == [fleet.sandbox.path(".shoal/runs/\(run).jsonl")])
            let journal = try JournalFile(try #require(paths.first))
            #expect(!journal.tornTail)
            #expect(journal.header["run"] as? String == run.description)
            #expect(journal.header["command"] as? String == "upgrade")
            #expect(journal.header["arguments"] as? [String] == ["upgrade", Fixture.r2, "--tenant", "acme", "--tenant", "globex"])
            #expect(journal.header["revision"] as? String == Fixture.r2)
            #expect((journal.header["selectors"] as? [String: Any])?["tenants"] as? [String] == ["acme", "globex"])
            #expect(journal.header["targets"] as? [String] == ["app/acme", "app/globex"])
            let config = try ConfigLoader.load(path: fleet.sandbox.path("config.json"), environment: ["SHOAL_TEST_PG_URL": fleet.url ?? ""])
            #expect(journal.header["config_sha256"] as? String == config.configSHA256)
            #expect(journal.statuses == ["app/acme": "ok", "app/globex": "ok"])
            let summary = try #require(journal.footer?["summary"] as? [String: Any])
            #expect(summary["targets"] as? Int == 2 && summary["ok"] as? Int == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func withJSONTheIdIsInTheReportAndOnStderr(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            let run = try #require(try result.json()["run"] as? String)
            #expect(result.stderr.split(separator: "\n").first == "run \(run)"[...], "\(result.stderr)")
            let journal = try JournalFile(fleet.sandbox.path(".shoal/runs/\(run).jsonl"))
            let reported = try result.json()["targets"] as? [[String: Any]] ?? []
            #expect(journal.targets.count == reported.count)
            for line in journal.targets {
                let same = reported.first { $0["target"] as? String == line["target"] as? String }
                #expect((same as NSDictionary?) == (line as NSDictionary), "the journal's line is the report's target object")
            }
        }
    }

    @Test func aDryRunHasNoIdAndWritesNoJournal() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try await sandbox.shoal("upgrade", "--dry-run", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try result.json()["run"] == nil)
        #expect(!result.stderr.contains("run "), "\(result.stderr)")
        #expect(!sandbox.exists(".shoal"))
    }

    @Test func stampAndDowngradeAreRunsToo() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox, tenants: ["acme"])
        for args in [["upgrade"], ["downgrade", "-1"], ["stamp", Fixture.r3]] {
            let result = try await sandbox.run(args + ["--json"])
            #expect(result.status == 0, "\(args): \(result.stderr)")
            let run = try #require(try result.json()["run"] as? String, "\(args)")
            let journal = try JournalFile(sandbox.path(".shoal/runs/\(run).jsonl"))
            #expect(journal.header["command"] as? String == args[0])
            #expect(journal.header["revision"] as? String == args[1...].first ?? "head")
            #expect(journal.footer != nil)
        }
        #expect(JournalFile.paths(sandbox).count == 3)
    }

    @Test func journalDirMovesTheJournals() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox, tenants: ["acme"], extraConfig: #" "journal_dir": "ops/runs","#)
        let result = try await sandbox.shoal("upgrade", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require(try result.json()["run"] as? String)
        #expect(JournalFile.paths(sandbox, folder: "ops/runs") == [sandbox.path("ops/runs/\(run).jsonl")])
        #expect(!sandbox.exists(".shoal"))
    }

    @Test(arguments: Backend.allCases)
    func journalFalseRunsWithoutWritingAnything(_ backend: Backend) async throws {
        try await AppFleet.with(backend, extraConfig: #" "journal": false,"#) { fleet async throws in
            let result = try await fleet.shoal("upgrade")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("run "), "still a run with an id: \(result.stdout)")
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(!fleet.sandbox.exists(".shoal"))
        }
    }
}
