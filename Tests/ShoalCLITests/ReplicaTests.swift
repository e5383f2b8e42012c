import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// SPEC §7 primary/replica rollouts, end to end: the built CLI against the
/// real primary and streaming replica that scripts/test starts.
@Suite("primary/replica rollouts on PostgreSQL", .serialized)
struct ReplicaTests {
    /// A fleet with one unsharded PostgreSQL database `core` at
    /// `${PRIMARY_URL}` with one replica `core-replica` at `${REPLICA_URL}`,
    /// and the first `migrations` of the three fixture migrations.
    static func fleet(_ sandbox: Sandbox, migrations: Int = 3) throws {
        try sandbox.write("config.json", """
        {
          "databases": {
            "core": {
              "driver": "postgres",
              "url": "${PRIMARY_URL}",
              "replicas": [{ "name": "core-replica", "url": "${REPLICA_URL}" }]
            }
          }
        }
        """)
        let files = [(Fixture.r1, Fixture.users), (Fixture.r2, Fixture.email), (Fixture.r3, Fixture.projects)]
        for (revision, text) in files.prefix(migrations) {
            try sandbox.write("versions/core/\(revision).sql", text)
        }
    }

    static func environment(primary: String, replica: String) -> [String: String] {
        ["PRIMARY_URL": primary, "REPLICA_URL": replica]
    }

    /// The single-column values of a query on `url`.
    static func column(_ url: String, _ sql: String) async throws -> [String] {
        let session = try await PostgresSession.connect(url)
        let rows = try await session.query(sql)
        await session.close()
        return rows.map { $0.first.flatMap { $0 } ?? "NULL" }
    }

    static func replicas(_ target: [String: Any]?) -> [[String: Any]] {
        target?["replicas"] as? [[String: Any]] ?? []
    }

    @Test func upgradeWaitsUntilTheReplicaCaughtUpAndItsVersionTableShowsTheNewHead() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox)
            let env = Self.environment(primary: primary, replica: replica)
            let result = try await sandbox.run(["upgrade", "--json", "--replica-timeout", "300"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let core = try result.targets()["core"]
            #expect(core?["status"] as? String == "ok")
            let reports = Self.replicas(core)
            #expect(reports.count == 1)
            #expect(reports.first?["name"] as? String == "core-replica")
            #expect(reports.first?["status"] as? String == "caught-up")
            #expect((reports.first?["waited_ms"] as? Int).map { $0 >= 0 } == true)
            #expect(reports.first?["lag_bytes"] as? Int == 0)

            // Caught up means readers of the replica see the migration, at once.
            #expect(try await Self.column(replica, "SELECT revision FROM shoal_version") == [Fixture.r3])
            #expect(try await Self.column(replica, "SELECT to_regclass('projects')::text") == ["projects"])

            let text = try await sandbox.run(["downgrade", "-1"], environment: env)
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("    replica core-replica: caught-up in "), "\(text.stdout)")
            #expect(try await Self.column(replica, "SELECT revision FROM shoal_version") == [Fixture.r2])
        }
    }

    @Test func aPerTargetTransactionIsWaitedForOnceItCommitsAndTheReplicaHasEveryStep() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox)
            let env = Self.environment(primary: primary, replica: replica)
            let result = try await sandbox.run(["upgrade", "--transaction", "per-target", "--json", "--replica-timeout", "300"],
                                               environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            let core = try result.targets()["core"]
            #expect((core?["applied"] as? [[String: Any]])?.count == 3)
            #expect(Self.replicas(core).map { $0["status"] as? String } == ["caught-up"])
            #expect(try await Self.column(replica, "SELECT revision FROM shoal_version") == [Fixture.r3])
            #expect(try await Self.column(replica, "SELECT count(*) FROM shoal_version_history") == ["3"])
        }
    }

    /// The test replica's sessions opened by shoal on `database`: the
    /// replica wait polls on one of them.
    static func shoalSessionsOnReplica(database: String) async throws -> Int {
        let server = try #require(PostgresTestServer.replicaURL, "replica tests need SHOAL_TEST_PG_REPLICA_URL (scripts/test)")
        let count = try await PostgresProbe.query(server, """
            SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shoal' AND datname = $1
            """, [database])
        return Int((count.first?.first ?? nil) ?? "") ?? 0
    }

    @Test func aTargetsLineStreamsWhenItCommitsAndItsReplicaOutcomeWhenTheWaitEnds() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox)
            let env = Self.environment(primary: primary, replica: replica)
            let terminal = try PseudoTerminal()
            let committed = "core  base -> \(Fixture.r1)  1 applied  "
            try await ReplicaTestServer.withReplayPaused {
                let run = try sandbox.launch(["upgrade", Fixture.r1, "--replica-timeout", "300"], environment: env, stderr: terminal)
                do {
                    try await waitUntil("the target's line is printed", timeout: .seconds(60)) {
                        guard run.isRunning else { throw FinishedEarly(message: "shoal exited: \(run.stdoutSoFar)") }
                        return run.stdoutSoFar.contains(committed)
                    }
                    try await waitUntil("shoal polls the replica") {
                        try await Self.shoalSessionsOnReplica(database: PostgresProbe.databaseName(primary)) > 0
                    }
                    // The replica has not replayed it, and shoal still waits: the line came first.
                    let soFar = run.stdoutSoFar
                    #expect(run.isRunning)
                    #expect(soFar.contains(committed) && soFar.contains("ms  committed, waiting for core-replica\n"), "\(soFar)")
                    #expect(!soFar.contains("replica core-replica:") && !soFar.contains("1 target:"), "\(soFar)")
                    // The progress line on the terminal counts the target as waiting, not running.
                    try await waitUntil("the progress line shows the wait") { terminal.text.contains("to replay") }
                    #expect(terminal.text.contains("0 running, 1 waiting for core-replica to replay"), "\(terminal.text)")
                } catch {
                    run.send(SIGKILL)
                    _ = try? await run.finish()
                    throw error
                }
                try await ReplicaTestServer.resumeReplay()
                let result = try await run.finish(within: .seconds(360))
                #expect(result.status == 0, "\(result.stdout)")
                // The full line once the wait settled it, with the replica's outcome under it.
                let printed = result.stdout.split(separator: "\n").map(String.init)
                #expect(printed.first?.hasPrefix("run ") == true, "the run's id comes first: \(result.stdout)")
                let lines = Array(printed.dropFirst())
                #expect(lines.count == 4, "\(result.stdout)")
                #expect(lines.first?.hasSuffix("committed, waiting for core-replica") == true, "\(result.stdout)")
                #expect(lines.dropFirst().first.map { $0.hasPrefix(committed) && $0.hasSuffix(" ms  ok") } == true, "\(result.stdout)")
                #expect(lines.dropFirst(2).first?.hasPrefix("    replica core-replica: caught-up in ") == true, "\(result.stdout)")
                #expect(lines.last?.hasPrefix("1 target: 1 ok, 0 failed, 0 skipped in ") == true, "\(result.stdout)")
            }
            #expect(try await Self.column(primary, "SELECT revision FROM shoal_version") == [Fixture.r1])
        }
    }

    @Test func withJSONTheLinesStreamOnStderrAndStdoutCarriesOnlyTheFinalReport() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox)
            let env = Self.environment(primary: primary, replica: replica)
            try await ReplicaTestServer.withReplayPaused {
                let run = try sandbox.launch("upgrade", "--json", "--replica-timeout", "300", environment: env)
                do {
                    try await waitUntil("the target's line is printed", timeout: .seconds(60)) {
                        guard run.isRunning else { throw FinishedEarly(message: "shoal exited: \(run.stderrSoFar)") }
                        return run.stderrSoFar.contains("3 applied")
                    }
                    #expect(run.isRunning)
                    #expect(run.stderrSoFar.contains("core  base -> \(Fixture.r3)  3 applied  "), "\(run.stderrSoFar)")
                    #expect(run.stderrSoFar.contains("committed, waiting for core-replica"), "\(run.stderrSoFar)")
                    #expect(run.stdoutSoFar.isEmpty, "stdout holds one document, written at the end")
                } catch {
                    run.send(SIGKILL)
                    _ = try? await run.finish()
                    throw error
                }
                try await ReplicaTestServer.resumeReplay()
                let result = try await run.finish(within: .seconds(360))
                #expect(result.status == 0, "\(result.stderr)")
                let core = try result.targets()["core"]
                #expect(core?["status"] as? String == "ok")
                #expect(core?["to"] as? [String] == [Fixture.r3])
                #expect(Self.replicas(core).first?["status"] as? String == "caught-up")
                #expect(result.stderr.contains("ms  ok\n    replica core-replica: caught-up in "), "\(result.stderr)")
                #expect(!result.stdout.contains("committed"), "\(result.stdout)")
            }
        }
    }

    /// A fleet whose `sites` database keeps each tenant in a database of its
    /// own, `<prefix>_<tenant>_db`, with the replica `sites-replica`; no
    /// tenants yet, two migrations. Returns the primary and replica servers.
    static func databasePerTenantFleet(_ sandbox: Sandbox, prefix: String,
                                       replicaServer: String) async throws -> (primary: PostgresProbe.Server, replica: PostgresProbe.Server) {
        let primary = try await PostgresProbe.server()
        let replica = try await PostgresProbe.server(replicaServer)
        let template = "\(prefix)_{tenant}_db"
        try sandbox.write("config.json", """
        { "databases": { "sites": { "driver": "postgres", "layout": "database",
                                    "url": \(Fixture.json(primary.url(database: template))),
                                    "replicas": [{ "name": "sites-replica", "url": \(Fixture.json(replica.url(database: template))) }],
                                    "tenants": "tenants/sites.json" } } }
        """)
        try sandbox.write("tenants/sites.json", "[]")
        try sandbox.write("versions/sites/\(Fixture.r1)_create_users.sql", Fixture.users)
        try sandbox.write("versions/sites/\(Fixture.r2)_add_email.sql", Fixture.email)
        return (primary, replica)
    }

    @Test func tenantsAddWithADatabasePerTenantWaitsUntilTheReplicaHasTheNewDatabase() async throws {
        try await ReplicaTestServer.withExclusiveReplica { replicaServer in
            let prefix = PostgresProbe.uniquePrefix()
            let sandbox = try Sandbox()
            let servers = try await Self.databasePerTenantFleet(sandbox, prefix: prefix, replicaServer: replicaServer)
            let name = "\(prefix)_acme_db"
            do {
                let added = try await sandbox.shoal("tenants", "add", "acme", "--db", "sites", "--json", "--replica-timeout", "300")
                #expect(added.status == 0, "\(added.stderr)")
                let acme = try added.targets()["sites/acme"]
                #expect(acme?["status"] as? String == "ok", "\(added.stdout)")
                #expect(Self.replicas(acme).first?["status"] as? String == "caught-up", "\(added.stdout)")
                #expect(try sandbox.read("tenants/sites.json").contains("acme"))
                // At head on the primary, and the replica's readers see it.
                #expect(try await Self.column(servers.primary.url(database: name), "SELECT revision FROM public.shoal_version") == [Fixture.r2])
                #expect(try await Self.column(servers.replica.url(database: name), "SELECT revision FROM public.shoal_version") == [Fixture.r2])
            } catch {
                try await PostgresProbe.dropDatabases(prefix: prefix)
                throw error
            }
            try await PostgresProbe.dropDatabases(prefix: prefix)
        }
    }

    @Test func tenantsAddSaysTheReplicaHasNotReplayedTheCreateDatabaseAndAddingAgainFinishes() async throws {
        try await ReplicaTestServer.withExclusiveReplica { replicaServer in
            let prefix = PostgresProbe.uniquePrefix()
            let sandbox = try Sandbox()
            let servers = try await Self.databasePerTenantFleet(sandbox, prefix: prefix, replicaServer: replicaServer)
            let name = "\(prefix)_acme_db"
            do {
                try await ReplicaTestServer.withReplayPaused {
                    let result = try await sandbox.shoal("tenants", "add", "acme", "--db", "sites", "--replica-timeout", "0.5")
                    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
                    #expect(result.stderr.contains(
                        "sites/acme: database \(name) was created on the primary, but replica `sites-replica` has not replayed the CREATE DATABASE of \(name) after "),
                            "\(result.stderr)")
                    #expect(result.stderr.contains("replay is paused on it"), "\(result.stderr)")
                    #expect(!result.stderr.contains("cannot be reached"), "the replica is up: \(result.stderr)")
                    #expect(result.stderr.contains("acme was not added to "), "\(result.stderr)")
                    #expect(result.stderr.contains("--replica-timeout"), "\(result.stderr)")
                    #expect(!(try sandbox.read("tenants/sites.json")).contains("acme"))
                    #expect(try await PostgresProbe.databases(prefix: prefix) == [name], "the database stays on the primary")
                }
                // Replay resumed: adding again reuses the database and finishes.
                let again = try await sandbox.shoal("tenants", "add", "acme", "--db", "sites", "--json", "--replica-timeout", "300")
                #expect(again.status == 0, "\(again.stderr)")
                let acme = try again.targets()["sites/acme"]
                #expect(acme?["status"] as? String == "ok", "\(again.stdout)")
                #expect(Self.replicas(acme).first?["status"] as? String == "caught-up", "\(again.stdout)")
                #expect(try await Self.column(servers.replica.url(database: name), "SELECT revision FROM public.shoal_version") == [Fixture.r2])

                let negative = try await sandbox.shoal("tenants", "add", "globex", "--db", "sites", "--replica-timeout=-1")
                #expect(negative.status == 2)
                #expect(negative.stderr.contains("--replica-timeout must be 0 or more"), "\(negative.stderr)")
                #expect(try await PostgresProbe.databases(prefix: prefix) == [name], "nothing was created for globex")
                #expect(!(try sandbox.read("tenants/sites.json")).contains("globex"))
            } catch {
                try await PostgresProbe.dropDatabases(prefix: prefix)
                throw error
            }
            try await PostgresProbe.dropDatabases(prefix: prefix)
        }
    }

    @Test func aPrimaryURLThatPointsAtTheStandbyIsRefusedBeforeAnythingChanges() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox)
            let result = try await sandbox.run(["upgrade", "--json"], environment: Self.environment(primary: replica, replica: replica))
            #expect(result.status == 1, "\(result.stderr)")
            let core = try result.targets()["core"]
            #expect(core?["status"] as? String == "failed")
            #expect((core?["applied"] as? [Any])?.isEmpty == true)
            let message = (core?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("is a standby"), "\(message)")
            #expect(message.contains("pg_is_in_recovery()"), "\(message)")
            #expect(try await Self.column(primary, "SELECT to_regclass('shoal_version')::text") == ["NULL"])
        }
    }

    @Test func pausedReplayGivesReplicaLagAndStatusShowsTheReplicaCaughtUpOnceReplayResumes() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox)
            let env = Self.environment(primary: primary, replica: replica)
            #expect(try await sandbox.run(["upgrade", Fixture.r1], environment: env).status == 0)

            try await ReplicaTestServer.withReplayPaused {
                let result = try await sandbox.run(["upgrade", "--replica-timeout", "0.5", "--json"], environment: env)
                #expect(result.status == 1, "\(result.stderr)")
                let report = try result.json()
                #expect((report["summary"] as? [String: Any])?["replica_lag"] as? Int == 1)
                let core = try result.targets()["core"]
                #expect(core?["status"] as? String == "replica-lag")
                #expect(core?["to"] as? [String] == [Fixture.r3])
                let lagging = Self.replicas(core).first
                #expect(lagging?["status"] as? String == "lagging")
                #expect((lagging?["lag_bytes"] as? Int ?? 0) > 0)
                // It waited --replica-timeout, not the 60 s default (shoal's
                // own measure: no time spent waiting for a process slot).
                #expect((lagging?["waited_ms"] as? Int ?? 0) >= 500)
                #expect((lagging?["waited_ms"] as? Int ?? .max) < 30_000)
                let message = (core?["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains("replay is paused"), "\(message)")

                // The primary keeps its change; the replica still shows the old revision.
                #expect(try await Self.column(primary, "SELECT revision FROM shoal_version") == [Fixture.r3])
                let status = try await sandbox.run(["status", "--json"], environment: env)
                let seen = try status.targets()["core"]
                #expect(seen?["state"] as? String == "up-to-date", "state is about the primary")
                let behind = Self.replicas(seen).first
                #expect(behind?["current"] as? [String] == [Fixture.r1])
                #expect(behind?["status"] as? String == "lagging")
                #expect((behind?["lag_bytes"] as? Int ?? 0) > 0)
                #expect(behind?["lag_seconds"] is Double || behind?["lag_seconds"] is Int)
            }

            // Replay resumes: status sees the replica catch up (on a loaded
            // two-core machine replay has been seen to trail by 50 s).
            var last: [String: Any]?
            let deadline = ContinuousClock.now + .seconds(120)
            repeat {
                last = Self.replicas(try await sandbox.run(["status", "--json"], environment: env).targets()["core"]).first
                if last?["status"] as? String == "caught-up" { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now < deadline
            #expect(last?["status"] as? String == "caught-up")
            #expect(last?["current"] as? [String] == [Fixture.r3])
            #expect(last?["lag_bytes"] is Int)
        }
    }

    @Test func anUnreachableReplicaRefusesTheTargetUnlessMissingReplicasAreAllowed() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, _ in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox)
            let env = Self.environment(primary: primary, replica: "postgres://postgres:Sup3rSecret@127.0.0.1:1/nowhere")
            let refused = try await sandbox.run(["upgrade", "--json"], environment: env)
            #expect(refused.status == 1)
            let core = try refused.targets()["core"]
            #expect(core?["status"] as? String == "failed")
            let message = (core?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("replica `core-replica` cannot be reached"), "\(message)")
            #expect(message.contains("--allow-missing-replicas"), "\(message)")
            #expect(!refused.stdout.contains("Sup3rSecret") && !refused.stderr.contains("Sup3rSecret"))
            #expect(try await Self.column(primary, "SELECT to_regclass('shoal_version')::text") == ["NULL"])

            let allowed = try await sandbox.run(["upgrade", "--allow-missing-replicas", "--json"], environment: env)
            #expect(allowed.status == 0, "\(allowed.stderr)")
            let migrated = try allowed.targets()["core"]
            #expect(migrated?["status"] as? String == "ok")
            #expect(Self.replicas(migrated).first?["status"] as? String == "unreachable")
            #expect(try await Self.column(primary, "SELECT revision FROM shoal_version") == [Fixture.r3])
        }
    }

    @Test func aReplicaURLThatReachesAPrimaryIsRefusedAsNotAStandby() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, _ in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox)
            let result = try await sandbox.run(["upgrade", "--json"], environment: Self.environment(primary: primary, replica: primary))
            #expect(result.status == 1)
            let message = ((try result.targets()["core"])?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("is not a standby"), "\(message)")
            #expect(try await Self.column(primary, "SELECT to_regclass('shoal_version')::text") == ["NULL"])
        }
    }

    @Test func statusAndHistoryReadFromTheReplicaWithTheReplicaOption() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox, migrations: 2)
            let env = Self.environment(primary: primary, replica: replica)
            #expect(try await sandbox.run(["upgrade", Fixture.r1], environment: env).status == 0)

            // The replica stops replaying, and the primary moves on to r2: only
            // a read that really goes to the replica still sees r1.
            try await ReplicaTestServer.withReplayPaused {
                let moved = try await sandbox.run(["upgrade", "--replica-timeout", "0.2", "--json"], environment: env)
                #expect(try moved.targets()["core"]?["status"] as? String == "replica-lag", "\(moved.stdout)")
                #expect(try await Self.column(primary, "SELECT revision FROM shoal_version") == [Fixture.r2])

                let history = try await sandbox.run(["history", "--replica", "core-replica", "--json"], environment: env)
                #expect(history.status == 0, "\(history.stderr)")
                let entries = (try history.targets()["core"])?["entries"] as? [[String: Any]] ?? []
                #expect(entries.map { $0["revision"] as? String } == [Fixture.r1])
                #expect((try history.targets()["core"])?["read_from"] as? String == "core-replica")
                let fromPrimary = try await sandbox.run(["history", "--json"], environment: env)
                #expect(((try fromPrimary.targets()["core"])?["entries"] as? [[String: Any]])?.count == 2)

                let status = try await sandbox.run(["status", "--replica", "core-replica", "--json"], environment: env)
                #expect(status.status == 0, "\(status.stderr)")
                let core = try status.targets()["core"]
                #expect(core?["current"] as? [String] == [Fixture.r1])
                #expect(core?["read_from"] as? String == "core-replica")
                let primaryStatus = try await sandbox.run(["status", "--json"], environment: env)
                #expect(try primaryStatus.targets()["core"]?["current"] as? [String] == [Fixture.r2])
            }

            let typo = try await sandbox.run(["status", "--replica", "core-replca"], environment: env)
            #expect(typo.status == 2)
            #expect(typo.stderr.contains("did you mean `core-replica`?"), "\(typo.stderr)")
        }
    }
}

extension RunningShoal {
    /// What it wrote to stdout so far.
    var stdoutSoFar: String { (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? "" }
}
