import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// SPEC §7 on a real server: concurrent runners, lock timeouts, statements
/// that refuse a transaction, and what must never reach the output.
@Suite("PostgreSQL safety")
struct PostgresSafetyTests {
    static let r4 = "4444dddd0004"

    @Test func createIndexConcurrentlyRunsOutsideATransaction() async throws {
        try await AppFleet.with(.postgres, tenants: ["acme", "globex"]) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            // Two statements: as one string PostgreSQL would run them in one
            // implicit transaction, which CREATE INDEX CONCURRENTLY refuses.
            let up = "CREATE INDEX CONCURRENTLY users_email ON users (email);\nCREATE INDEX CONCURRENTLY users_name ON users (name);"
            let down = "DROP INDEX CONCURRENTLY users_email;\nDROP INDEX CONCURRENTLY users_name;"
            let file = "versions/app/\(Self.r4)_index_users.sql"

            // In a transaction (the default) it fails, so success below proves it ran outside one.
            try fleet.sandbox.write(file, MigrationFile(revision: Self.r4, parents: [Fixture.r3], message: "index users", up: up, down: down).text)
            let refused = try await fleet.shoal("upgrade", "--json")
            #expect(refused.status == 1)
            let error = try #require(try refused.targets()["app/acme"]?["error"] as? [String: Any])
            #expect(error["sql_state"] as? String == "25001", "\(error)")
            #expect(try await fleet.versions("acme") == [Fixture.r3])

            try fleet.sandbox.write(file, MigrationFile(revision: Self.r4, parents: [Fixture.r3], message: "index users",
                                                                  up: up, down: down, transactional: false).text)
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            for tenant in ["acme", "globex"] {
                #expect(try await fleet.versions(tenant) == [Self.r4])
                let indexes = try await fleet.rows(tenant, """
                    SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE i.indrelid = $1::regclass AND NOT i.indisprimary ORDER BY 1
                    """, ["\(AppFleet.schema(tenant)).users"])
                #expect(indexes == [["users_email", "t"], ["users_name", "t"]])
                #expect(try await fleet.column(tenant, "SELECT count(*) FROM shoal_version_dirty") == ["0"])
            }
            #expect(try await fleet.shoal("status", "--exit-code").status == 0)
            #expect(try await fleet.shoal("downgrade", "-1", "--tenant", "acme").status == 0)
            #expect(try await fleet.rows("acme", "SELECT indexrelid FROM pg_index WHERE indrelid = 'tenant_acme.users'::regclass AND NOT indisprimary").isEmpty)
        }
    }

    @Test func twoRunnersAtOnceApplyEachMigrationExactlyOnce() async throws {
        let tenants = (1...6).map { "t\($0)" }
        try await AppFleet.with(.postgres, tenants: tenants) { fleet async throws in
            // r1 sleeps, so the two runs overlap on every tenant.
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                                    MigrationFile(revision: Fixture.r1, message: "create users",
                                                            up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nSELECT pg_sleep(0.5);",
                                                            down: "DROP TABLE users;").text)
            let first = try fleet.sandbox.launch("upgrade", "--json", "--lock-wait", "30", "--concurrency", "3")
            let second = try fleet.sandbox.launch("upgrade", "--json", "--lock-wait", "30", "--concurrency", "3")
            let results = [try await first.finish(), try await second.finish()]
            var appliedBy: [String: [String]] = [:]
            for result in results {
                #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
                for (id, target) in try result.targets() {
                    let status = try #require(target["status"] as? String)
                    #expect(status == "ok" || status == "up-to-date", "\(id): \(target)")
                    let applied = (target["applied"] as? [[String: Any]] ?? []).compactMap { $0["revision"] as? String }
                    appliedBy[id, default: []] += applied
                }
            }
            for tenant in tenants {
                #expect(appliedBy["app/\(tenant)"]?.sorted() == [Fixture.r1, Fixture.r2, Fixture.r3], "\(tenant): \(appliedBy)")
                #expect(try await fleet.versions(tenant) == [Fixture.r3])
                #expect(try await fleet.rows(tenant, "SELECT revision, operation FROM shoal_version_history ORDER BY id") ==
                        [[Fixture.r1, "upgrade"], [Fixture.r2, "upgrade"], [Fixture.r3, "upgrade"]])
            }
        }
    }

    @Test func lockTimeoutFailsCleanlyThenLockRetriesWaitForTheLock() async throws {
        try await AppFleet.with(.postgres, tenants: ["acme"], extraConfig: "\n  \"lock_timeout_ms\": 300, \"lock_retries\": 0,") { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            // Another session holds a lock that r2's ALTER TABLE needs.
            let holder = try await fleet.holdLock(on: "users", of: "acme")

            let failed = try await fleet.sandbox.launch("upgrade", "--json").finish()
            #expect(failed.status == 1)
            let acme = try #require(try failed.targets()["app/acme"])
            // The default lock_timeout (5 s) would take longer than this.
            #expect((acme["duration_ms"] as? Int ?? .max) < 4000, "lock_timeout_ms bounds the wait: \(acme)")
            #expect(acme["status"] as? String == "failed")
            let error = try #require(acme["error"] as? [String: Any])
            #expect(error["sql_state"] as? String == "55P03", "\(error)")
            #expect(error["revision"] as? String == Fixture.r2)
            #expect(acme["retries"] == nil)
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version_history") == ["1"])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version_dirty") == ["0"])
            #expect(try await fleet.shoal("upgrade").stdout.contains("sqlstate: 55P03"))

            // With retries, the run waits out the lock. It is released once shoal's
            // session has been seen waiting for it and its 300 ms lock_timeout has
            // passed: by then one attempt has failed, however slowly shoal started.
            try Fixture.fleet(fleet.sandbox, app: fleet.appKeys, tenants: ["acme"],
                              extraConfig: "\n  \"lock_timeout_ms\": 300, \"lock_retries\": 5,")
            let clock = ContinuousClock()
            let started = clock.now
            let retrying = try fleet.sandbox.launch("upgrade", "--json")
            let url = fleet.url!
            let release = Task {
                let sawWaiter = (try? await Self.waitForSessionWaitingOnALock(url, timeout: .seconds(30))) ?? false
                try? await Task.sleep(for: .milliseconds(700))
                await holder.rollback()
                return sawWaiter
            }
            let succeeded = try await retrying.finish()
            #expect(await release.value, "shoal's session was never seen waiting for the lock")
            await holder.close()
            #expect(succeeded.status == 0, "\(succeeded.stdout)\(succeeded.stderr)")
            #expect(clock.now - started >= .milliseconds(700))
            let retried = try #require(try succeeded.targets()["app/acme"])
            #expect(retried["status"] as? String == "ok")
            #expect((retried["retries"] as? Int ?? 0) >= 1, "\(retried)")
            #expect((retried["applied"] as? [[String: Any]])?.compactMap { $0["revision"] as? String } == [Fixture.r2, Fixture.r3])
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(try await fleet.columnNames("acme", "users") == ["id", "name", "email"])
        }
    }

    @Test func aPasswordInAURLAppearsInNoOutput() async throws {
        let secret = "Sup3rS3cret"
        let server = try await PostgresProbe.server()
        try await PostgresTestServer.withScratchDatabase { scratch in
            let database = PostgresProbe.databaseName(scratch)
            // Trust authentication ignores the password, so the URLs work.
            let reachable = server.url(database: database, password: secret)
            let unreachable = server.url(database: database, password: secret, port: 1)
            let conninfo = "host=\(server.host) port=\(server.port) user=\(server.user) password=\(secret) dbname=\(database)"
            let sandbox = try Sandbox()
            try sandbox.write("config.json", """
            {
              "databases": {
                "core": { "driver": "postgres", "url": \(Fixture.json(conninfo)) },
                "app": {
                  "driver": "postgres",
                  "shards": { "eu-1": { "url": \(Fixture.json(reachable)) }, "us-1": { "url": \(Fixture.json(unreachable)) } },
                  "tenants": "tenants/app.json"
                },
                "sites": { "driver": "postgres", "layout": "database",
                           "url": \(Fixture.json(server.url(database: "{tenant}_site", password: secret, port: 1))),
                           "tenants": "tenants/sites.json" }
              }
            }
            """)
            try sandbox.write("tenants/app.json", """
            [{"name": "acme", "shard": "eu-1"}, {"name": "globex", "shard": "eu-1"}, {"name": "umbrella", "shard": "us-1"}]
            """)
            try sandbox.write("tenants/sites.json", "[\"hooli\"]")
            for database in ["core", "app", "sites"] {
                try sandbox.write("versions/\(database)/\(Fixture.r1)_create_users.sql", Fixture.users)
                try sandbox.write("versions/\(database)/\(Fixture.r2)_add_email.sql", Fixture.email)
                try sandbox.write("versions/\(database)/\(Fixture.r3)_create_projects.sql", Fixture.projects)
            }
            // globex fails r3 with a database error.
            try await PostgresProbe.with(scratch) { try await $0.execute("CREATE SCHEMA tenant_globex; CREATE TABLE tenant_globex.projects (x int)") }

            var outputs: [(String, CLIResult)] = []
            func run(_ args: String...) async throws {
                for json in [false, true] {
                    let arguments = args + (json ? ["--json"] : [])
                    outputs.append((arguments.joined(separator: " "), try await sandbox.run(arguments)))
                }
            }
            try await run("check")
            try await run("status")
            try await run("upgrade", "--dry-run")
            try await run("upgrade")
            try await run("status")
            try await run("history")
            try await run("verify")
            try await run("downgrade", "-1", "--db", "core")
            try await run("stamp", Fixture.r3, "--db", "core")
            try await run("tenants", "list", "--db", "app")
            try await run("tenants", "add", "initech", "--db", "sites")
            try await run("tenants", "remove", "hooli", "--db", "sites", "--drop", "--yes")
            try await run("upgrade", "--on-error", "rollback")
            // Logs too, at their most talkative.
            outputs.append(("upgrade (trace logs)", try await sandbox.run(["upgrade"], environment: ["SHOAL_LOG_LEVEL": "trace"])))
            outputs.append(("status (trace logs)", try await sandbox.run(["status"], environment: ["SHOAL_LOG_LEVEL": "trace"])))

            if ProcessInfo.processInfo.environment["SHOAL_TEST_DUMP"] != nil {
                for (command, result) in outputs { print("$ shoal \(command)\n\(result.stdout)\(result.stderr)") }
            }
            for (command, result) in outputs {
                #expect(!result.stdout.contains(secret), "\(command) printed the password on stdout:\n\(result.stdout)")
                #expect(!result.stderr.contains(secret), "\(command) printed the password on stderr:\n\(result.stderr)")
            }
            // The runs did reach the server with those URLs, and did fail where they should.
            #expect(try await PostgresProbe.query(scratch, "SELECT revision FROM tenant_acme.shoal_version") == [[Fixture.r3]])
            let upgrade = try #require(outputs.first { $0.0 == "upgrade --json" }?.1)
            let targets = try upgrade.targets()
            #expect(targets["app/acme"]?["status"] as? String == "up-to-date", "the text run before it migrated acme")
            #expect((targets["app/globex"]?["error"] as? [String: Any])?["sql_state"] as? String == "42P07")
            let unreachableError = try #require((targets["app/umbrella"]?["error"] as? [String: Any])?["message"] as? String)
            #expect(unreachableError.contains(":***@"), "\(unreachableError)")
            let status = try #require(outputs.first { $0.0 == "status --json" }?.1)
            #expect(try status.targets()["app/umbrella"]?["state"] as? String == "unreachable")
            let added = try #require(outputs.first { $0.0 == "tenants add initech --db sites" }?.1)
            #expect(added.status != 0)
            #expect(added.stderr.contains("***") || added.stdout.contains("***"), "\(added.stdout)\(added.stderr)")
        }
    }

    /// Polls `pg_stat_activity` of the database at `url` until a shoal session
    /// waits for a lock; false when none did within `timeout`.
    static func waitForSessionWaitingOnALock(_ url: String, timeout: Duration) async throws -> Bool {
        try await waitForShoalSession(url, where: "wait_event_type = 'Lock'", timeout: timeout)
    }

    /// Polls `pg_stat_activity` of the database at `url` until a shoal session
    /// matches `condition` (SQL); false when none did within `timeout`.
    static func waitForShoalSession(_ url: String, where condition: String, timeout: Duration) async throws -> Bool {
        try await PostgresProbe.with(url) { session in
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let matching = try await session.query("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'shoal' AND pid <> pg_backend_pid()
                      AND \(condition)
                    """)
                if matching.first?.first != "0" { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }
    }

    @Test func statementTimeoutStopsASlowMigrationAndADatabaseCanRaiseIt() async throws {
        try await AppFleet.with(.postgres, tenants: ["acme"], extraConfig: "\n  \"statement_timeout_ms\": 200,") { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                                    MigrationFile(revision: Fixture.r2, parents: [Fixture.r1], message: "add email, slowly",
                                                            up: "ALTER TABLE users ADD COLUMN email TEXT;\nSELECT pg_sleep(1);",
                                                            down: "ALTER TABLE users DROP COLUMN email;").text)
            let failed = try await fleet.shoal("upgrade", "--json")
            #expect(failed.status == 1)
            let error = try #require(try failed.targets()["app/acme"]?["error"] as? [String: Any])
            #expect(error["sql_state"] as? String == "57014", "\(error)")
            #expect(error["revision"] as? String == Fixture.r2)
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.columnNames("acme", "users") == ["id", "name"])

            // The database's own key overrides the top level's.
            try Fixture.fleet(fleet.sandbox, app: fleet.appKeys + ", \"statement_timeout_ms\": 10000", tenants: ["acme"],
                              extraConfig: "\n  \"statement_timeout_ms\": 200,")
            try fleet.sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                                    MigrationFile(revision: Fixture.r2, parents: [Fixture.r1], message: "add email, slowly",
                                                            up: "ALTER TABLE users ADD COLUMN email TEXT;\nSELECT pg_sleep(1);",
                                                            down: "ALTER TABLE users DROP COLUMN email;").text)
            let passed = try await fleet.shoal("upgrade", "--json")
            #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
            #expect(try await fleet.versions("acme") == [Fixture.r3])
        }
    }

    @Test func aKilledRunLeavesCommittedStepsAndTheNextRunContinues() async throws {
        try await AppFleet.with(.postgres, tenants: ["acme"]) { fleet async throws in
            // r2 sleeps long enough to be killed in the middle, however loaded the machine.
            try fleet.sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                                    MigrationFile(revision: Fixture.r2, parents: [Fixture.r1], message: "add email, slowly",
                                                            up: "ALTER TABLE users ADD COLUMN email TEXT;\nSELECT pg_sleep(60);",
                                                            down: "ALTER TABLE users DROP COLUMN email;").text)
            let run = try fleet.sandbox.launch("upgrade")
            let sleeping = try await Self.waitForShoalSession(fleet.url!, where: "state = 'active' AND query LIKE '%pg_sleep%'",
                                                              timeout: .seconds(30))
            #expect(sleeping, "shoal never reached r2")
            kill(run.process.processIdentifier, SIGKILL)
            let killed = try await run.finish()
            #expect(killed.status == SIGKILL)
            // The server notices the lost connection (here: told to, rather than after a minute).
            _ = try await PostgresProbe.query(fleet.url!, """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'shoal' AND pid <> pg_backend_pid()
                """)
            // r1 committed; r2 was in flight and is not half there.
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.column("acme", "SELECT revision FROM shoal_version_history ORDER BY id") == [Fixture.r1])
            #expect(try await fleet.columnNames("acme", "users") == ["id", "name"])

            // The next run carries on from r1 (once the dead session's lock is gone).
            try fleet.sandbox.write("versions/app/\(Fixture.r2)_add_email.sql", Fixture.email)
            let again = try await fleet.shoal("upgrade", "--lock-wait", "30", "--json")
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(try again.targets()["app/acme"]?["from"] as? [String] == [Fixture.r1])
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(try await fleet.column("acme", "SELECT revision FROM shoal_version_history ORDER BY id") ==
                    [Fixture.r1, Fixture.r2, Fixture.r3])
            #expect(try await fleet.columnNames("acme", "users") == ["id", "name", "email"])
        }
    }
}
