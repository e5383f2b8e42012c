import Foundation
@testable import ShoalKit
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 13, the journal under faults: a SIGKILLed run leaves whole lines
/// and no footer; a journal that cannot be written refuses the run before
/// it touches anything; concurrent runs write a journal each.
@Suite("faults: the run journal", .serialized)
struct JournalFaultTests {
    @Test(arguments: Backend.allCases)
    func aSigkilledRunLeavesItsHeaderAndFinishedTargetsAndNoFooter(_ backend: Backend) async throws {
        try await Self.on(backend) { url in try await Self.kill(backend, url: url) }
    }

    /// A run killed mid-way is rolled back from its journal and the
    /// targets' history alone: the targets it reported go back by their
    /// lines, those it never reported by their history (the killed run
    /// moved them last), those it never reached are already back.
    @Test(arguments: Backend.allCases)
    func aSigkilledRunIsRolledBackFromItsJournalAndHistory(_ backend: Backend) async throws {
        try await Self.on(backend) { url in
            // Killed once the held tenant has committed all but its last
            // step: it is mid-run, and the journal cannot have its line.
            let (fleet, held, _) = try await Self.killedUpgrade(backend, url: url) { fleet, held in
                try await fleet.contents(held).versions == [FaultFleet.revision(2)]
            }
            let sandbox = fleet.sandbox
            let journal = try JournalFile(try #require(JournalFile.paths(sandbox).first))
            let id = try #require(journal.header["run"] as? String)
            #expect(journal.statuses[fleet.targetID(held)] == nil, "the held tenant is one the killed run never reported")

            let rollback = try await fleet.shoal("rollback", id)
            #expect(rollback.status == 0, "\(rollback.stdout)\n\(rollback.stderr)")
            for (tenant, contents) in try await fleet.contents() {
                #expect(contents.versions.isEmpty && contents.tables.isEmpty && !contents.dirty, "\(tenant): \(contents)")
            }
            FaultLedger.note("SIGKILL, rollback of the killed run, \(backend)", faults: 1, targets: fleet.tenants.count)
        }
    }

    /// `body` with a scratch database's URL on PostgreSQL, nil on SQLite.
    static func on(_ backend: Backend, _ body: (String?) async throws -> Void) async throws {
        if backend == .postgres {
            try await PostgresTestServer.withScratchDatabase { url in try await body(url) }
        } else {
            try await body(nil)
        }
    }

    /// An `upgrade` of six tenants × three slow migrations, SIGKILLed once
    /// `ready` holds; the last tenant's last step never finishes before the
    /// kill (the run cannot end first) and is released after it.
    static func killedUpgrade(_ backend: Backend, url: String?,
                              ready: @escaping @Sendable (FaultFleet, String) async throws -> Bool)
        async throws -> (fleet: FaultFleet, held: String, killed: CLIResult) {
        let sandbox = try Sandbox()
        let fleet = try FaultFleet(sandbox, backend: backend, tenants: 6, migrations: 3, url: url,
                                   slowness: backend == .sqlite ? 2 : 0.05, concurrency: 3)
        let held = fleet.tenants.last!
        try await fleet.holdLastStep(of: held)
        let run = try fleet.sandbox.launch("upgrade", environment: fleet.environment)
        try await waitUntil("the run is where the test kills it") {
            if !run.isRunning { throw FinishedEarly(message: "shoal ended early: \(run.stderrSoFar)") }
            return try await ready(fleet, held)
        }
        run.send(SIGKILL)
        let killed = try await run.finish()
        #expect(killed.status == SIGKILL)
        try await fleet.releaseHold(of: held)
        return (fleet, held, killed)
    }

    static func kill(_ backend: Backend, url: String?) async throws {
        let (fleet, held, killed) = try await killedUpgrade(backend, url: url) { fleet, _ in
            guard let path = JournalFile.paths(fleet.sandbox).first else { return false }
            return try JournalFile(path).targets.count >= 1
        }
        let sandbox = fleet.sandbox

        let paths = JournalFile.paths(sandbox)
        try #require(paths.count == 1, "\(paths)")
        let journal = try JournalFile(paths[0])
        let id = try RunID(parsing: try #require(journal.header["run"] as? String))
        #expect(paths[0].hasSuffix("/\(id).jsonl"))
        #expect(journal.header["targets"] as? [String] == fleet.tenants.map(fleet.targetID))
        #expect(journal.footer == nil, "killed before its last line: interrupted")
        #expect(!journal.tornTail, "each line is written whole")
        #expect(journal.statuses[fleet.targetID(held)] == nil, "the held tenant never finished")
        // What the journal says finished did: its line was on disk before it was printed.
        let stdout = killed.stdout
        #expect(stdout.hasPrefix("run \(id)\n"), "\(stdout)")
        let contents = try await fleet.contents()
        for (target, status) in journal.statuses {
            let tenant = String(target.dropFirst("app/".count))
            #expect(status == "ok", "\(target): \(status)")
            #expect(contents[tenant]?.versions == [fleet.head], "\(target) is journaled ok but at \(contents[tenant]?.versions ?? [])")
        }
        for line in stdout.split(separator: "\n") where line.hasPrefix("app/") {
            let target = String(line.prefix { $0 != " " })
            #expect(journal.statuses[target] != nil, "\(target) was printed but is not in the journal")
        }
        _ = try await fleet.checkConsistent()

        // Then, from the journal alone: `runs` says the run was interrupted,
        // `--retry-failed` finishes exactly what it left, and rolling the
        // retry back returns exactly the targets the retry changed.
        let runs = try await fleet.shoal("runs", "--json")
        let listed = try #require((try runs.json()["runs"] as? [[String: Any]])?.first, "\(runs.stdout)\n\(runs.stderr)")
        #expect(listed["run"] as? String == id.description && listed["state"] as? String == "interrupted", "\(listed)")
        let unfinished = Set(fleet.tenants.map(fleet.targetID)).subtracting(journal.statuses.keys)
        #expect(listed["unknown"] as? Int == unfinished.count, "\(listed)")
        let beforeRetry = try await fleet.contents()
        let retry = try await fleet.shoal("upgrade", "--retry-failed", id.description, "--json")
        #expect(retry.status == 0, "\(retry.stdout)\n\(retry.stderr)")
        let retryJSON = try retry.json()
        let retried = (retryJSON["targets"] as? [[String: Any]] ?? []).compactMap { $0["target"] as? String }
        #expect(Set(retried) == unfinished, "the retry runs the targets the killed run never reported, no others")
        #expect(try await fleet.contents().values.allSatisfy { $0.versions == [fleet.head] }, "the retry finishes the fleet")
        let retryID = try #require(retryJSON["run"] as? String)
        let rollback = try await fleet.shoal("rollback", retryID, "--json")
        #expect(rollback.status == 0, "\(rollback.stdout)\n\(rollback.stderr)")
        let afterRollback = try await fleet.contents()
        for tenant in fleet.tenants {
            let contents = try #require(afterRollback[tenant])
            #expect(contents.versions == beforeRetry[tenant]?.versions,
                    "\(tenant): \(contents.versions) after the rollback, \(beforeRetry[tenant]?.versions ?? []) before the retry")
            // Its tables are those of the revisions its version row says, and it is not dirty.
            let at = contents.versions.first.flatMap { fleet.revisions.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
            #expect(contents.tables == Set((0..<at).map { FaultFleet.table($0 + 1) }) && !contents.dirty, "\(tenant): \(contents)")
        }
        let shown = try await fleet.shoal("runs", "show", id.description)
        #expect(shown.stdout.contains("retried by \(retryID)"), "\(shown.stdout)")
        FaultLedger.note("SIGKILL, journal, retry, rollback, \(backend)", faults: 1, targets: fleet.tenants.count)
    }

    /// `journal_dir` under a regular file, or in `/proc` (where even root
    /// cannot create a folder): exit 2, naming the folder and the keys,
    /// before any target is touched.
    @Test(arguments: [(Backend.sqlite, "blocker/runs"), (.sqlite, "/proc/shoal-runs"), (.postgres, "blocker/runs")])
    func anUnwritableJournalFolderRefusesTheRunAndChangesNothing(_ backend: Backend, _ folder: String) async throws {
        try await AppFleet.with(backend, extraConfig: " \"journal_dir\": \(Fixture.json(folder)),") { fleet async throws in
            try fleet.sandbox.write("blocker", "a file where the folder should be")
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("upgrade")
            #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
            let absolute = folder.hasPrefix("/") ? folder : fleet.sandbox.path(folder)
            #expect(result.stderr.contains("cannot write the run journal in \(absolute)"), "\(result.stderr)")
            #expect(result.stderr.contains("`journal_dir`") && result.stderr.contains("`\"journal\": false`"), "\(result.stderr)")
            #expect(!result.stdout.contains("run "), "no run started: \(result.stdout)")
            #expect(try await fleet.snapshot() == before, "no version table, no file")
            for tenant in Fixture.tenants { #expect(try await !fleet.storageExists(tenant)) }
            FaultLedger.note("unwritable journal_dir \(folder), \(backend)", faults: 1, targets: Fixture.tenants.count)
        }
    }

    /// A journal that takes no bytes, as on a full disk: the file-size
    /// limit is 0 for shoal (SIGXFSZ ignored, so `write` fails with EFBIG
    /// where a full disk says ENOSPC). The header cannot be written, so the
    /// run refuses to start, exit 2, and no target is touched. shoal's
    /// output goes through a pipe, which the limit does not bind.
    @Test(arguments: Backend.allCases)
    func aJournalTheDiskCannotTakeRefusesTheRunAndChangesNothing(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let before = try await fleet.snapshot()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "(ulimit -f 0; trap '' XFSZ; \"$0\" upgrade; echo \"exit=$?\") 2>&1 | cat", Sandbox.binary]
            process.currentDirectoryURL = URL(fileURLWithPath: fleet.sandbox.root)
            var environment = ProcessInfo.processInfo.environment
            environment["NO_COLOR"] = "1"
            environment.removeValue(forKey: "SHOAL_CONFIG")
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            let output = try await fleet.sandbox.start(process).finish().stdout
            #expect(output.hasSuffix("exit=2\n"), "\(output)")
            #expect(output.contains("cannot write the run journal in \(fleet.sandbox.path(".shoal/runs"))"), "\(output)")
            #expect(!output.contains("run 2"), "no run started: \(output)")
            #expect(try await fleet.snapshot() == before, "no version table, no file")
            for tenant in Fixture.tenants { #expect(try await !fleet.storageExists(tenant)) }
            FaultLedger.note("a journal the disk cannot take, \(backend)", faults: 1, targets: Fixture.tenants.count)
        }
    }

    /// Two runs at once on disjoint tenants: two files, each whole.
    @Test(arguments: Backend.allCases)
    func concurrentRunsWriteTwoJournalsThatNeverInterleave(_ backend: Backend) async throws {
        try await Self.on(backend) { url in try await Self.concurrent(backend, url: url) }
    }

    static func concurrent(_ backend: Backend, url: String?) async throws {
        let sandbox = try Sandbox()
        let fleet = try FaultFleet(sandbox, backend: backend, tenants: 8, migrations: 2, url: url,
                                   slowness: backend == .sqlite ? 0.5 : 0.05, concurrency: 2)
        let halves = [Array(fleet.tenants.prefix(4)), Array(fleet.tenants.suffix(4))]
        let runs = try halves.map { tenants in
            try fleet.sandbox.launch(["upgrade", "--json"] + tenants.flatMap { ["--tenant", $0] }, environment: fleet.environment)
        }
        var ids: [String] = []
        for (run, tenants) in zip(runs, halves) {
            let result = try await run.finish()
            #expect(result.status == 0, "\(result.stderr)")
            let id = try #require(try result.json()["run"] as? String)
            ids.append(id)
            let journal = try JournalFile(sandbox.path(".shoal/runs/\(id).jsonl"))
            #expect(!journal.tornTail)
            #expect(journal.header["run"] as? String == id)
            #expect(journal.statuses == Dictionary(uniqueKeysWithValues: tenants.map { (fleet.targetID($0), "ok") }),
                    "only this run's targets, each once: \(journal.statuses)")
            #expect(journal.lines.count == 1 + tenants.count + 1)
            #expect((journal.footer?["summary"] as? [String: Any])?["ok"] as? Int == tenants.count)
        }
        #expect(Set(ids).count == 2)
        #expect(JournalFile.paths(sandbox).count == 2)
        let checked = try await fleet.checkConsistent()
        FaultLedger.note("2 concurrent runs, journal, \(backend)", faults: 1, targets: checked)
    }
}
