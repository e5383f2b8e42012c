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
}
