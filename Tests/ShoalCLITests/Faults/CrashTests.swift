import Foundation
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6, crash: `shoal upgrade` SIGKILLed in the middle of slow
/// migrations leaves every target at a revision reached by committed
/// migrations; `status` tells the truth and the next run finishes the rest.
@Suite("faults: SIGKILL mid-run", .serialized)
struct CrashTests {
    @Test func sigkillDuringSlowSQLiteMigrationsLosesNothing() async throws {
        let sandbox = try Sandbox()
        let fleet = try FaultFleet(sandbox, backend: .sqlite, tenants: 6, migrations: 4, slowness: 20, concurrency: 3)
        // The last tenant's last step runs until the kill: on a loaded
        // machine the run once finished between the test seeing it mid-run
        // and the SIGKILL.
        let held = fleet.tenants.last!
        try await fleet.holdLastStep(of: held)
        let run = try fleet.sandbox.launch("upgrade", environment: fleet.environment)
        try await fleet.waitUntilMidRun(run)
        run.send(SIGKILL)
        let killed = try await run.finish()
        #expect(killed.status == SIGKILL)
        try await fleet.releaseHold(of: held)
        let checked = try await fleet.checkConsistent()
        try await fleet.rerunFinishes()
        FaultLedger.note("SIGKILL, SQLite", faults: 1, targets: checked)
    }

    @Test func sigkillDuringSlowPostgresMigrationsLosesNothing() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let fleet = try FaultFleet(sandbox, backend: .postgres, tenants: 6, migrations: 4, url: url, slowness: 0.3, concurrency: 3)
            let held = fleet.tenants.last!
            try await fleet.holdLastStep(of: held)
            let run = try fleet.sandbox.launch("upgrade", environment: fleet.environment)
            try await fleet.waitUntilMidRun(run)
            run.send(SIGKILL)
            let killed = try await run.finish()
            #expect(killed.status == SIGKILL)
            // The killed client's backends finish their statement, fail to
            // answer and roll back; until then they hold their advisory
            // locks. The one in the held step is terminated.
            try await fleet.releaseHold(of: held)
            let checked = try await fleet.checkConsistent()
            try await fleet.rerunFinishes()
            FaultLedger.note("SIGKILL, PostgreSQL", faults: 1, targets: checked)
        }
    }

    // MARK: - One transaction per target (SPEC §13)

    /// `upgrade --transaction per-target` over one tenant whose fourth
    /// and last migration runs until the kill, SIGKILLed while its
    /// transaction is open (`inGroup` says when; nothing of it is visible
    /// outside): the tenant is where it started, with no table, version row
    /// or history row of the group; the next run finishes. Returns the
    /// targets checked.
    private func sigkillInsideATransaction(_ backend: Backend, url: String? = nil,
                                           inGroup: @escaping (FaultFleet) async throws -> Bool) async throws -> Int {
        let fleet = try FaultFleet(try Sandbox(), backend: backend, tenants: 1, migrations: 4, url: url, slowness: backend == .sqlite ? 1 : 0.1,
                                   concurrency: 1)
        let held = fleet.tenants[0]
        try await fleet.holdLastStep(of: held)
        let run = try fleet.sandbox.launch("upgrade", "--transaction", "per-target", environment: fleet.environment)
        try await waitUntil("\(held)'s transaction is open") {
            if !run.isRunning { throw FinishedEarly(message: "shoal finished before the fault: \(run.stderrSoFar)") }
            return try await inGroup(fleet)
        }
        let uncommitted = try await fleet.committedSteps()
        run.send(SIGKILL)
        let killed = try await run.finish()
        #expect(killed.status == SIGKILL)
        FaultLedger.check(uncommitted == 0, "\(uncommitted) step(s) committed inside the open transaction", sourceLocation: #_sourceLocation)
        try await fleet.releaseHold(of: held)
        let checked = try await fleet.checkConsistent()
        let contents = try await fleet.contents(held)
        FaultLedger.check(contents == TargetContents(), "\(held) after the kill: \(contents)", sourceLocation: #_sourceLocation)
        try await fleet.rerunFinishes()
        return checked
    }

    @Test func sigkillInsideASQLiteTargetsTransactionLeavesItAtItsStart() async throws {
        // The version tables are created and committed first; a rollback
        // journal seen after that belongs to the group's open transaction.
        let checked = try await sigkillInsideATransaction(.sqlite) { fleet in
            let file = Fixture.tenantFile(fleet.tenants[0])
            guard try await fleet.sandbox.tableExists(file, "shoal_version") else { return false }
            return fleet.sandbox.exists(file + "-journal")
        }
        FaultLedger.note("SIGKILL inside a per-target transaction, SQLite", faults: 1, targets: checked)
    }

    @Test func sigkillInsideAPostgresTargetsTransactionLeavesItAtItsStart() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            // The last step is running, in the transaction that ran m01 to m03.
            let checked = try await sigkillInsideATransaction(.postgres, url: url) { fleet in
                try await fleet.column("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE application_name = 'shoal' AND datname = current_database() AND state = 'active'
                      AND xact_start IS NOT NULL AND query LIKE '%\(FaultFleet.holdTable)%'
                    """) != ["0"]
            }
            FaultLedger.note("SIGKILL inside a per-target transaction, PostgreSQL", faults: 1, targets: checked)
        }
    }
}
