import Foundation
import ShoalTestSupport
import Testing

/// Issue 6, lost connection: a backend terminated mid-migration, and a shard
/// that refuses connections from the start. Those targets fail with a clear
/// error, the rest of the fleet completes, and a rerun fixes them.
@Suite("faults: lost connections", .serialized)
struct LostConnectionTests {
    @Test func aBackendTerminatedMidMigrationFailsThatTargetOnly() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let fleet = try FaultFleet(sandbox, backend: .postgres, tenants: 4, migrations: 3, url: url, slowness: 0.4, concurrency: 2)
            // m02 waits at a gate the test holds, so a migration's backend is
            // inside its transaction when it is terminated, however slowly a
            // loaded machine runs (a plain sleep let the run end first once).
            let gate = try await Gate.shut(.postgres, sandbox: sandbox, url: url)
            try fleet.write(2, up: "\(gate.statement)\nCREATE TABLE \(FaultFleet.table(2)) (id int);")
            let run = try fleet.sandbox.launch("upgrade", "--json", environment: fleet.environment)
            let result: CLIResult
            do {
                try await fleet.waitUntilMidRun(run)
                // One backend, while it waits at the gate inside m02's transaction.
                var terminated = 0
                try await waitUntil("a migration's backend was terminated") {
                    terminated = Int(try await fleet.column("""
                        SELECT count(pg_terminate_backend(pid)) FROM (
                          SELECT pid FROM pg_stat_activity
                          WHERE application_name = 'shoal' AND datname = current_database() AND state = 'active'
                            AND query LIKE '%pg_try_advisory_lock%' AND pid <> pg_backend_pid() LIMIT 1) s
                        """)[0]) ?? 0
                    return terminated == 1
                }
                try await gate.open()
                result = try await run.finish()
            } catch {
                try? await gate.open()
                try? await gate.close()
                throw error
            }
            try await gate.close()
            #expect(result.status == 1, "\(result.stderr)")
            let report = try result.targets()
            let failed = report.filter { $0.value["status"] as? String == "failed" }
            #expect(failed.count == 1, "\(result.stdout)")
            #expect(report.values.filter { $0["status"] as? String == "ok" }.count == fleet.tenants.count - 1, "\(result.stdout)")
            for (id, target) in failed {
                let error = target["error"] as? [String: Any]
                let message = error?["message"] as? String ?? ""
                #expect(message.contains("terminat") || message.contains("connection"), "\(id): \(message)")
                #expect(error?["revision"] as? String != nil, "\(id): which migration was lost: \(error ?? [:])")
            }
            let checked = try await fleet.checkConsistent()
            try await fleet.rerunFinishes()
            FaultLedger.note("pg_terminate_backend", faults: 1, targets: checked)
        }
    }

    @Test func aShardThatRefusesConnectionsFailsItsTargetsAndTheRestComplete() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let port = try closedLoopbackPort()
            let down = "postgres://shoal:s3cret-pw@127.0.0.1:\(port)/nowhere"
            var fleet = try FaultFleet(sandbox, backend: .postgres, tenants: 4, migrations: 2, url: url, slowness: 0,
                                       shards: ["eu-1": "EU1_URL", "us-1": "US1_URL"],
                                       shardOf: { ["tenant01", "tenant02"].contains($0) ? "eu-1" : "us-1" })
            fleet.environment["EU1_URL"] = url
            fleet.environment["US1_URL"] = down
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 1, "\(result.stderr)")
            let report = try result.targets()
            for tenant in ["tenant01", "tenant02"] {
                #expect(report[fleet.targetID(tenant)]?["status"] as? String == "ok", "\(result.stdout)")
            }
            for tenant in ["tenant03", "tenant04"] {
                let target = report[fleet.targetID(tenant)]
                #expect(target?["status"] as? String == "failed", "\(result.stdout)")
                let message = (target?["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains("us-1"), "names the shard: \(message)")
                #expect(message.contains("\(port)"), "names where it went: \(message)")
            }
            #expect(!result.stdout.contains("s3cret-pw") && !result.stderr.contains("s3cret-pw"), "password leaked")
            let status = try await fleet.shoal("status", "--json").targets()
            #expect(status[fleet.targetID("tenant03")]?["state"] as? String == "unreachable")

            // The shard comes back (here: its URL now points at a server); a rerun fixes it.
            fleet.environment["US1_URL"] = url
            let rerun = try await fleet.shoal("upgrade", "--json")
            #expect(rerun.status == 0, "\(rerun.stdout)\n\(rerun.stderr)")
            let after = try rerun.targets()
            #expect(after[fleet.targetID("tenant01")]?["status"] as? String == "up-to-date")
            #expect(after[fleet.targetID("tenant03")]?["status"] as? String == "ok")
            let checked = try await fleet.checkConsistent()
            #expect(try await fleet.contents().values.allSatisfy { $0.versions == [fleet.head] })
            FaultLedger.note("refusing shard", faults: 1, targets: checked)
        }
    }
}
