import Foundation
@testable import ShoalKit
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6, SIGINT/SIGTERM: shoal starts no new target, lets running steps
/// finish, writes its report with unstarted targets `skipped`, exits 128+n;
/// a second signal cancels running statements, which roll back.
@Suite("faults: SIGINT and SIGTERM", .serialized)
struct SignalTests {
    static let cases: [(Backend, Int32)] = [(.sqlite, SIGINT), (.sqlite, SIGTERM), (.postgres, SIGINT), (.postgres, SIGTERM)]

    @Test(arguments: [0, 1, 2, 3])
    func aSignalStopsTheRunBetweenStepsAndTheReportSaysWhatWasSkipped(_ index: Int) async throws {
        let (backend, signal) = Self.cases[index]
        if backend == .postgres {
            try await PostgresTestServer.withScratchDatabase { url in
                try await Self.interrupt(backend, signal, url: url)
            }
        } else {
            try await Self.interrupt(backend, signal, url: nil)
        }
    }

    /// The first target's second step waits at a gate the test holds when
    /// the signal lands: that step finishes (running steps commit), but the
    /// target's third step never starts, and no other target starts.
    static func interrupt(_ backend: Backend, _ signal: Int32, url: String?) async throws {
        let sandbox = try Sandbox()
        // One target at a time: when the signal lands, the first is in its
        // second step and the other three are unstarted.
        let fleet = try FaultFleet(sandbox, backend: backend, tenants: 4, migrations: 3, url: url,
                                   slowness: 0.01, concurrency: 1)
        let gate = try await Gate.shut(backend, sandbox: sandbox, url: url)
        // SQLite cannot ATTACH the gate inside a transaction: there m02 runs outside one.
        try fleet.write(2, up: "\(gate.statement)\nCREATE TABLE \(FaultFleet.table(2)) (n int);",
                        transaction: backend == .postgres)
        // --lock-wait is SQLite's busy timeout at the gate too: long.
        let run = try fleet.sandbox.launch("upgrade", "--json", "--lock-wait", "600", "--html", sandbox.path("report.html"),
                                           environment: fleet.environment)
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        let result = try await Self.signal(run, signal, name: name, atThe: gate) {
            switch backend {
            case .sqlite: try await fleet.contents("tenant01").dirty
            case .postgres: try await Self.waitsAtTheGate(fleet)
            }
        }
        #expect(result.status == 128 + signal, "\(result.stderr)")
        let report = try result.targets()
        #expect(report.count == fleet.tenants.count, "\(result.stdout)")

        // The step that was running committed; the next one never started.
        let first = try #require(report[fleet.targetID("tenant01")])
        #expect(first["status"] as? String == "failed", "\(first)")
        #expect(first["to"] as? [String] == ["m02"], "\(first)")
        #expect((first["applied"] as? [[String: Any]])?.compactMap { $0["revision"] as? String } == ["m01", "m02"])
        let message = (first["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("interrupted (\(name))"), "\(message)")
        let contents = try await fleet.contents()
        #expect(contents["tenant01"]?.versions == ["m02"], "below head: m03 did not start")
        #expect(contents["tenant01"]?.upgrades == ["m01", "m02"])

        // No other target started; each has its skipped line (on stderr, under --json), with the reason.
        let lines = result.stderr.split(separator: "\n")
        for tenant in fleet.tenants.dropFirst() {
            let id = fleet.targetID(tenant)
            #expect(report[id]?["status"] as? String == "skipped", "\(id): \(report[id] ?? [:])")
            let reason = (report[id]?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(reason.contains("interrupted (\(name))"), "\(id): \(reason)")
            #expect(contents[tenant]?.versions == [], "\(tenant) was skipped but is at \(contents[tenant]?.versions ?? [])")
            #expect(lines.contains { $0.hasPrefix(id + " ") && $0.contains("skipped  not started: the run was interrupted (\(name))") },
                    "no skipped line for \(id): \(result.stderr)")
        }
        // The journal (issue 13) has every target, the skipped ones too, and its footer.
        let runID = try #require(try result.json()["run"] as? String)
        let journal = try JournalFile(sandbox.path(".shoal/runs/\(runID).jsonl"))
        #expect(journal.statuses == Dictionary(uniqueKeysWithValues: fleet.tenants.map {
            (fleet.targetID($0), $0 == "tenant01" ? "failed" : "skipped")
        }), "\(journal.lines)")
        let summary = journal.footer?["summary"] as? [String: Any]
        #expect(summary?["failed"] as? Int == 1 && summary?["skipped"] as? Int == 3, "\(journal.lines)")
        #expect(!journal.tornTail)
        // --html writes the report's page, also when a signal stopped the run.
        let page = try PageFleet.embeddedDocument(try String(contentsOfFile: sandbox.path("report.html"), encoding: .utf8))
        #expect(page["run"] as? String == runID)
        #expect((page["targets"] as? [[String: Any]])?.compactMap { $0["status"] as? String }.sorted()
                == ["failed", "skipped", "skipped", "skipped"], "\(page)")
        let checked = try await fleet.checkConsistent()
        try await fleet.rerunFinishes()  // the gate is open for good now: m02 passes it at once
        FaultLedger.note("\(name), \(backend)", faults: 1, targets: checked)
    }

    /// Sends `signal` once tenant01's m02 waits at `gate` (`atTheGate`
    /// says when), opens the gate once shoal has heard it, and returns how
    /// shoal ended; the gate is closed (its session is one of shoal's, which
    /// the checks after wait to end). On any failure shoal is killed.
    static func signal(_ run: RunningShoal, _ signal: Int32, name: String, atThe gate: Gate,
                       atTheGate: @escaping () async throws -> Bool) async throws -> CLIResult {
        let result: CLIResult
        do {
            try await waitUntil("tenant01's m02 waits at the gate") {
                if !run.isRunning { throw FinishedEarly(message: "shoal ended early: \(run.stderrSoFar)") }
                return try await atTheGate()
            }
            run.send(signal)
            try await waitUntil("shoal heard the signal") { run.stderrSoFar.contains("\(name): finishing running steps") }
            try await gate.open()
            result = try await run.finish(within: .seconds(120))
        } catch {
            try? await gate.open()
            run.send(SIGKILL)
            throw error
        }
        try await gate.close()
        return result
    }

    /// PostgreSQL: whether one of shoal's sessions waits at the gate.
    static func waitsAtTheGate(_ fleet: FaultFleet) async throws -> Bool {
        try await fleet.column("""
            SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shoal' AND state = 'active'
              AND datname = current_database() AND pid <> pg_backend_pid()
              AND query LIKE '%pg_try_advisory_lock(\(Gate.key))%'
            """) == ["1"]
    }

    /// `--transaction per-target` (PostgreSQL): tenant01's first
    /// transaction (m01 to m03) waits at the gate in m02 when SIGINT lands;
    /// it commits whole, and its next one (m04, `transaction: false`) does
    /// not start, nor does any other target.
    @Test func aSignalLetsTheTransactionInFlightCommitAndStartsNoOther() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let fleet = try FaultFleet(sandbox, backend: .postgres, tenants: 2, migrations: 4, url: url, slowness: 0.01, concurrency: 1)
            let gate = try await Gate.shut(.postgres, sandbox: sandbox, url: url)
            try fleet.write(2, up: "\(gate.statement)\nCREATE TABLE \(FaultFleet.table(2)) (n int);")
            try fleet.write(4, up: "CREATE TABLE \(FaultFleet.table(4)) (n int);", transaction: false)
            let run = try sandbox.launch(["upgrade", "--transaction", "per-target", "--json"], environment: fleet.environment)
            let result = try await Self.signal(run, SIGINT, name: "SIGINT", atThe: gate) { try await Self.waitsAtTheGate(fleet) }
            #expect(result.status == 128 + SIGINT, "\(result.stderr)")
            let report = try result.targets()
            let first = try #require(report[fleet.targetID("tenant01")])
            #expect(first["status"] as? String == "failed", "\(first)")
            #expect((first["applied"] as? [[String: Any]])?.compactMap { $0["revision"] as? String } == ["m01", "m02", "m03"])
            #expect(first["to"] as? [String] == ["m03"])
            let message = (first["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("interrupted (SIGINT)"), "\(message)")
            #expect(report[fleet.targetID("tenant02")]?["status"] as? String == "skipped")
            let contents = try await fleet.contents()
            #expect(contents["tenant01"]?.versions == ["m03"], "the transaction in flight committed, m04 did not start")
            #expect(contents["tenant02"]?.versions == [])
            let checked = try await fleet.checkConsistent()
            try await fleet.rerunFinishes()
            FaultLedger.note("SIGINT inside a per-target transaction, PostgreSQL", faults: 1, targets: checked)
        }
    }

    /// The same on SQLite: the second signal interrupts the running
    /// statement (`sqlite3_interrupt`) and the step's transaction rolls back.
    @Test func aSecondSignalInterruptsTheRunningSQLiteStatementWhichRollsBack() async throws {
        let sandbox = try Sandbox()
        // 3e8 rows of a recursive CTE: minutes of CPU, ended only by the interrupt.
        let fleet = try FaultFleet(sandbox, backend: .sqlite, tenants: 1, migrations: 1, slowness: 3000)
        let run = try fleet.sandbox.launch("upgrade", "--json", environment: fleet.environment)
        let file = sandbox.path(Fixture.tenantFile("tenant01"))
        try await waitUntil("the migration's transaction holds the write lock") {
            if !run.isRunning { throw FinishedEarly(message: "shoal ended early: \(run.stderrSoFar)") }
            // Never create the file; and not the short transaction that creates shoal's tables.
            guard FileManager.default.fileExists(atPath: file),
                  try await sandbox.tableExists(Fixture.tenantFile("tenant01"), "shoal_version_dirty") else { return false }
            let probe = try await SQLiteSession.open(path: file, mode: .readWrite, busyTimeoutMs: 0)
            defer { Task { await probe.close() } }
            do {
                try await probe.begin()
                await probe.rollback()
                return false
            } catch let error as ShoalError where error.kind == .locked {
                return true
            }
        }
        run.send(SIGINT)
        try await waitUntil("shoal heard the first signal") { run.stderrSoFar.contains("SIGINT: finishing") }
        run.send(SIGINT)
        let result = try await run.finish(within: .seconds(60))
        #expect(result.status != 0)
        #expect(result.stderr.contains("SIGINT again: cancelling running statements"), "\(result.stderr)")
        let target = try result.targets()["app/tenant01"]
        #expect(target?["status"] as? String == "failed", "\(result.stdout)")
        let checked = try await fleet.checkConsistent()
        #expect(try await fleet.contents("tenant01").tables.isEmpty, "the interrupted migration rolled back")
        #expect(try await fleet.contents("tenant01").versions.isEmpty)
        try fleet.write(1, up: "CREATE TABLE t_01 (n int);")
        try await fleet.rerunFinishes()
        FaultLedger.note("SIGINT twice, SQLite", faults: 2, targets: checked)
    }

    @Test func aSecondSignalCancelsTheRunningStatementWhichRollsBack() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let fleet = try FaultFleet(sandbox, backend: .postgres, tenants: 1, migrations: 1, url: url, slowness: 60)
            let run = try fleet.sandbox.launch("upgrade", "--json", environment: fleet.environment)
            try await waitUntil("the migration is sleeping") {
                try await fleet.column("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE application_name = 'shoal' AND datname = current_database() AND query LIKE '%pg_sleep(60%' AND state = 'active' AND pid <> pg_backend_pid()
                    """) == ["1"]
            }
            run.send(SIGINT)
            try await waitUntil("shoal heard the first signal") { run.stderrSoFar.contains("SIGINT: finishing") }
            run.send(SIGINT)
            let result = try await run.finish(within: .seconds(40))
            #expect(result.status != 0)
            #expect(result.stderr.contains("SIGINT again: cancelling running statements"), "\(result.stderr)")
            let target = try result.targets()["app/tenant01"]
            #expect(target?["status"] as? String == "failed", "\(result.stdout)")
            let checked = try await fleet.checkConsistent()
            #expect(try await fleet.contents("tenant01").tables.isEmpty, "the cancelled migration rolled back")
            try fleet.write(1, up: "CREATE TABLE t_01 (n int);")
            try await fleet.rerunFinishes()
            FaultLedger.note("SIGINT twice, PostgreSQL", faults: 2, targets: checked)
        }
    }
}
