import Foundation
@testable import ShoalKit
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// PostgreSQL locks README describes and no other test ran to the end:
/// `lock_retries` giving up, and a rerun waiting out the migrator lock a
/// SIGKILLed client's backend still holds.
@Suite("lock coverage", .serialized)
struct LockCoverageTests {
    @Test func lockRetriesGiveUpAfterTheirCountAndReport55P03() async throws {
        try await AppFleet.with(.postgres, tenants: ["acme"], extraConfig: "\n  \"lock_timeout_ms\": 100, \"lock_retries\": 2,") { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            // Another session holds a lock that r2's ALTER TABLE needs, for the whole run.
            let holder = try await fleet.holdLock(on: "users", of: "acme")
            let result = try await fleet.shoal("upgrade", "--json")
            let text = try await fleet.shoal("upgrade")
            await holder.rollback()
            await holder.close()

            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["status"] as? String == "failed")
            #expect(acme["retries"] as? Int == 2, "\(acme)")
            let error = try #require(acme["error"] as? [String: Any])
            #expect(error["sql_state"] as? String == "55P03", "\(error)")
            #expect(error["revision"] as? String == Fixture.r2)
            let message = try #require(error["message"] as? String)
            #expect(message.contains("gave up after 2 retries on lock_timeout"), "\(message)")
            #expect((acme["applied"] as? [Any])?.isEmpty == true)
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version_history") == ["1"])
            #expect(text.status == 1)
            #expect(text.stdout.contains("gave up after 2 retries") && text.stdout.contains("sqlstate: 55P03"), "\(text.stdout)")
            // With the lock free, the same config migrates.
            #expect(try await fleet.shoal("upgrade").status == 0)
            #expect(try await fleet.versions("acme") == [Fixture.r3])
        }
    }

    @Test func aRerunWaitsOutTheLockOfAKilledClientsBackend() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let fleet = try FaultFleet(sandbox, backend: .postgres, tenants: 1, migrations: 2, url: url, slowness: 0.01)
            let tenant = fleet.tenants[0]
            #expect(try await fleet.shoal("upgrade", "m01").status == 0)
            // m02 waits at a gate the test holds shut: its backend runs on
            // after its client is killed, for exactly as long as the test needs.
            let gate = try await Gate.shut(.postgres, sandbox: sandbox, url: url)
            try fleet.write(2, up: "CREATE TABLE \(FaultFleet.table(2)) (n int);\n\(gate.statement)")
            let run = try sandbox.launch("upgrade", environment: fleet.environment)
            var sleeper = ""
            try await waitUntil("shoal's backend waits at the gate in m02") {
                if !run.isRunning { throw FinishedEarly(message: "shoal exited before m02 started: \(run.stderrSoFar)") }
                sleeper = try await fleet.column("""
                    SELECT pid::text FROM pg_stat_activity
                    WHERE application_name = 'shoal' AND datname = current_database() AND pid <> pg_backend_pid()
                      AND state = 'active' AND query LIKE '%pg_try_advisory_lock(\(Gate.key))%'
                    """).first ?? ""
                return !sleeper.isEmpty
            }
            run.send(SIGKILL)
            _ = try await run.finish()
            try fleet.write(2, up: "CREATE TABLE \(FaultFleet.table(2)) (n int);")
            let alive = { try await fleet.column("SELECT count(*) FROM pg_stat_activity WHERE pid = \(sleeper)") == ["1"] }
            #expect(try await alive(), "the killed client's backend lives on, holding the migrator lock")

            // A short --lock-wait finds the target locked; nothing applied.
            let short = try await fleet.shoal("upgrade", "--lock-wait", "0.2", "--json")
            #expect(short.status == 1, "\(short.stdout)\n\(short.stderr)")
            let message = (try short.targets()[fleet.targetID(tenant)]?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("locked by another shoal run"), "\(message)")
            #expect(try await fleet.contents(tenant).versions == ["m01"])

            // A long one waits for the lock while that backend lives, and
            // migrates once it ends.
            let rerun = try sandbox.launch("upgrade", "--lock-wait", "60", "--json", environment: fleet.environment)
            try await waitUntil("the rerun polls for the migrator lock") {
                if !rerun.isRunning { throw FinishedEarly(message: "the rerun ended while the lock was held: \(rerun.stderrSoFar)") }
                return try await fleet.column("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE application_name = 'shoal' AND datname = current_database() AND pid <> pg_backend_pid()
                      AND pid <> \(sleeper) AND query LIKE 'SELECT pg_try_advisory_lock(%'
                    """) != ["0"]
            }
            #expect(try await alive())
            #expect(rerun.isRunning, "the rerun waits while the killed client's backend holds the lock")
            try await gate.open()
            let result = try await rerun.finish(within: .seconds(120))
            try await gate.close()
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            let report = try #require(try result.targets()[fleet.targetID(tenant)])
            #expect(report["status"] as? String == "ok")
            #expect(report["from"] as? [String] == ["m01"] && report["to"] as? [String] == ["m02"], "\(report)")
            #expect(try await !alive(), "the killed client's backend is gone")
            #expect(try await fleet.contents(tenant) == TargetContents(tables: ["t_01", "t_02"], versions: ["m02"],
                                                                           upgrades: ["m01", "m02"], dirty: false))
            try await fleet.checkConsistent()
        }
    }
}
