import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// `--transaction per-target` and `transaction_mode` (SPEC §13): all of a
/// target's steps in one transaction, on both drivers.
@Suite("one transaction per target")
struct PerTargetTransactionTests {
    static let r4 = "4444dddd0004"
    static let r5 = "5555eeee0005"

    /// r3 that creates its table, then fails (the table it reads is missing).
    static let failingProjects = MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "create projects, then fail",
                                               up: "CREATE TABLE projects (id INTEGER PRIMARY KEY);\nSELECT * FROM no_such_table;",
                                               down: "DROP TABLE projects;").text

    /// The applied revisions of a target in a `--json` report.
    static func applied(_ target: [String: Any]) -> [String] {
        (target["applied"] as? [[String: Any]] ?? []).compactMap { $0["revision"] as? String }
    }

    @Test(arguments: Backend.allCases)
    func aFailingThirdStepLeavesNothingAppliedWhereOneTransactionPerStepKeepsTwo(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql", Self.failingProjects)
            let result = try await fleet.shoal("upgrade", "--transaction", "per-target", "--json")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["status"] as? String == "failed")
            #expect(Self.applied(acme).isEmpty, "\(acme)")
            #expect(acme["from"] as? [String] == [] && acme["to"] as? [String] == [], "\(acme)")
            let error = try #require(acme["error"] as? [String: Any])
            #expect(error["revision"] as? String == Fixture.r3)
            let message = error["message"] as? String ?? ""
            #expect(message.contains("no_such_table"), "\(message)")
            #expect(message.contains("(its transaction of 3 steps, \(Fixture.r1) to \(Fixture.r3), was rolled back: none of them is applied)"), "\(message)")
            #expect(try await fleet.versions("acme") == [])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version_history") == ["0"])
            for table in ["users", "projects"] {
                #expect(try await !fleet.tableExists("acme", table), "\(table) survived the rollback")
            }
            let text = try await fleet.shoal("upgrade", "--transaction", "per-target")
            #expect(text.stdout.contains("app/acme  base -> base  0 applied"), "\(text.stdout)")

            // The same fleet, one transaction per step (the default): r1 and r2 stay.
            let perStep = try await fleet.shoal("upgrade", "--json")
            #expect(perStep.status == 1)
            let kept = try #require(try perStep.targets()["app/acme"])
            #expect(Self.applied(kept) == [Fixture.r1, Fixture.r2])
            #expect(kept["to"] as? [String] == [Fixture.r2])
            #expect(try await fleet.versions("acme") == [Fixture.r2])
            #expect(try await fleet.tableExists("acme", "users"))
        }
    }

    /// `--retry-failed` of a per-target run stays per target: the retry of
    /// a target whose third step still fails applies nothing either.
    @Test(arguments: Backend.allCases)
    func aRetryOfAPerTargetRunIsPerTargetToo(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql", Self.failingProjects)
            let failed = try await fleet.shoal("upgrade", "--transaction", "per-target", "--json")
            #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
            let run = try #require(try failed.json()["run"] as? String)
            let retry = try await fleet.shoal("upgrade", "--retry-failed", run, "--json")
            #expect(retry.status == 1, "\(retry.stdout)\(retry.stderr)")
            let acme = try #require(try retry.targets()["app/acme"])
            #expect(Self.applied(acme).isEmpty, "\(acme)")
            #expect(try await fleet.versions("acme") == [])
            // Asked for, per step wins: r1 and r2 commit.
            let perStep = try await fleet.shoal("upgrade", "--retry-failed", run, "--transaction", "per-step", "--json")
            #expect(Self.applied(try #require(try perStep.targets()["app/acme"])) == [Fixture.r1, Fixture.r2])
        }
    }

    @Test(arguments: Backend.allCases)
    func aRunRecordsEveryStepOfTheTransactionInTheReportJournalAndHistory(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme", "globex"]) { fleet async throws in
            let result = try await fleet.shoal("upgrade", "--transaction", "per-target", "--json")
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let report = try result.json()
            let run = try #require(report["run"] as? String)
            let journal = try JournalFile(fleet.sandbox.path(".shoal/runs/\(run).jsonl"))
            for tenant in ["acme", "globex"] {
                let target = try #require(try result.targets()["app/\(tenant)"])
                #expect(target["status"] as? String == "ok")
                #expect(Self.applied(target) == [Fixture.r1, Fixture.r2, Fixture.r3])
                let durations = (target["applied"] as? [[String: Any]] ?? []).compactMap { $0["duration_ms"] as? Int }
                #expect(durations.count == 3, "\(target)")
                #expect(try await fleet.versions(tenant) == [Fixture.r3])
                let history = try await fleet.rows(tenant, "SELECT revision, operation, duration_ms, run_id FROM shoal_version_history ORDER BY id")
                #expect(history.map { $0[0] ?? "" } == [Fixture.r1, Fixture.r2, Fixture.r3])
                #expect(history.allSatisfy { $0[1] == "upgrade" && $0[3] == run }, "\(history)")
                #expect(history.map { Int($0[2] ?? "") } == durations.map { Optional($0) }, "history and --json agree on durations")
                let line = try #require(journal.targets.first { $0["target"] as? String == "app/\(tenant)" })
                #expect(Self.applied(line) == Self.applied(target))
                #expect((line["applied"] as? [[String: Any]] ?? []).compactMap { $0["duration_ms"] as? Int } == durations)
            }
            #expect(try await fleet.columnNames("acme", "users") == ["id", "name", "email"])

            // A downgrade runs in one transaction too.
            let down = try await fleet.shoal("downgrade", "base", "--transaction", "per-target", "--tenant", "acme", "--json")
            #expect(down.status == 0, "\(down.stdout)\(down.stderr)")
            #expect(Self.applied(try #require(try down.targets()["app/acme"])) == [Fixture.r3, Fixture.r2, Fixture.r1])
            #expect(try await fleet.versions("acme") == [])
            #expect(try await !fleet.tableExists("acme", "users"))
        }
    }

    /// r1 ← r2 ← r3 (outside a transaction) ← r4 ← r5, r5 failing.
    static func writeSplitFleet(_ fleet: AppFleet, failing: Bool) throws {
        try fleet.sandbox.write("versions/app/\(Fixture.r3)_notes.sql",
                                MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "notes, outside a transaction",
                                              up: "CREATE TABLE notes (id INTEGER);", down: "DROP TABLE notes;",
                                              transactional: false).text)
        try? fleet.sandbox.remove("versions/app/\(Fixture.r3)_create_projects.sql")
        try fleet.sandbox.write("versions/app/\(r4)_tags.sql",
                                MigrationFile(revision: r4, parents: [Fixture.r3], message: "tags",
                                              up: "CREATE TABLE tags (id INTEGER);", down: "DROP TABLE tags;").text)
        try fleet.sandbox.write("versions/app/\(r5)_labels.sql",
                                MigrationFile(revision: r5, parents: [r4], message: "labels",
                                              up: "CREATE TABLE labels (id INTEGER);" + (failing ? "\nSELECT * FROM no_such_table;" : ""),
                                              down: "DROP TABLE labels;").text)
    }

    @Test(arguments: Backend.allCases)
    func aMigrationOutsideATransactionSplitsTheGroup(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            try Self.writeSplitFleet(fleet, failing: true)

            let plan = try await fleet.shoal("upgrade", "--transaction", "per-target", "--dry-run", "--json")
            #expect(plan.status == 0, "\(plan.stderr)")
            let planned = try #require(try plan.targets()["app/acme"])
            #expect(planned["groups"] as? [[String]] == [[Fixture.r1, Fixture.r2], [Fixture.r3], [Self.r4, Self.r5]])
            let text = try await fleet.shoal("upgrade", "--transaction", "per-target", "--dry-run")
            #expect(text.stdout.contains("""
                would apply 5: \(Fixture.r1), \(Fixture.r2), \(Fixture.r3), \(Self.r4), \(Self.r5)  dry run
                    transaction 1: \(Fixture.r1), \(Fixture.r2)
                    transaction 2: \(Fixture.r3)
                    transaction 3: \(Self.r4), \(Self.r5)
                """), "\(text.stdout)")

            let result = try await fleet.shoal("upgrade", "--transaction", "per-target", "--json")
            #expect(result.status == 1)
            let acme = try #require(try result.targets()["app/acme"])
            // The groups before the failing one committed; r4 went with r5.
            #expect(Self.applied(acme) == [Fixture.r1, Fixture.r2, Fixture.r3], "\(acme)")
            #expect(acme["to"] as? [String] == [Fixture.r3])
            #expect((acme["error"] as? [String: Any])?["revision"] as? String == Self.r5)
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(try await fleet.tableExists("acme", "notes"))
            #expect(try await !fleet.tableExists("acme", "tags"))
            #expect(try await fleet.column("acme", "SELECT revision FROM shoal_version_history ORDER BY id")
                    == [Fixture.r1, Fixture.r2, Fixture.r3])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version_dirty") == ["0"])

            try Self.writeSplitFleet(fleet, failing: false)
            let rerun = try await fleet.shoal("upgrade", "--transaction", "per-target", "--json")
            #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
            #expect(Self.applied(try #require(try rerun.targets()["app/acme"])) == [Self.r4, Self.r5])
            #expect(try await fleet.versions("acme") == [Self.r5])
        }
    }

    @Test(arguments: Backend.allCases)
    func aFailingVerifySectionRollsTheWholeGroupBack(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                                    MigrationFile(revision: Fixture.r2, parents: [Fixture.r1], message: "add email, badly verified",
                                                  up: "ALTER TABLE users ADD COLUMN email TEXT;",
                                                  down: "ALTER TABLE users DROP COLUMN email;",
                                                  verify: "SELECT count(*) = 1 FROM users;").text)
            let result = try await fleet.shoal("upgrade", "--transaction", "per-target", "--json")
            #expect(result.status == 1)
            let acme = try #require(try result.targets()["app/acme"])
            #expect(Self.applied(acme).isEmpty, "\(acme)")
            let error = try #require(acme["error"] as? [String: Any])
            #expect(error["revision"] as? String == Fixture.r2)
            #expect((error["message"] as? String ?? "").contains("verify section of \(Fixture.r2)"), "\(error)")
            #expect(try await fleet.versions("acme") == [])
            #expect(try await !fleet.tableExists("acme", "users"))
            #expect(try await !fleet.tableExists("acme", "projects"), "r3 never ran")
        }
    }

    @Test(arguments: Backend.allCases)
    func theConfigKeyChoosesTheModeAndTheOptionOverridesIt(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"], extraConfig: "\n  \"transaction_mode\": \"per-target\",") { fleet async throws in
            let byConfig = try await fleet.shoal("upgrade", "--dry-run", "--json")
            #expect(try #require(try byConfig.targets()["app/acme"])["groups"] as? [[String]] == [[Fixture.r1, Fixture.r2, Fixture.r3]])
            let byOption = try await fleet.shoal("upgrade", "--dry-run", "--json", "--transaction", "per-step")
            #expect(try #require(try byOption.targets()["app/acme"])["groups"] as? [[String]] == [[Fixture.r1], [Fixture.r2], [Fixture.r3]])
            let perStepText = try await fleet.shoal("upgrade", "--dry-run", "--transaction", "per-step")
            #expect(!perStepText.stdout.contains("transaction 1"), "\(perStepText.stdout)")

            // The database's own key wins over the top level.
            try Fixture.fleet(fleet.sandbox, app: fleet.appKeys + ", \"transaction_mode\": \"per-step\"", tenants: ["acme"],
                              extraConfig: "\n  \"transaction_mode\": \"per-target\",")
            let byDatabase = try await fleet.shoal("upgrade", "--dry-run", "--json")
            #expect(try #require(try byDatabase.targets()["app/acme"])["groups"] as? [[String]] == [[Fixture.r1], [Fixture.r2], [Fixture.r3]])

            // The config's per-target applies to a real run.
            try Fixture.fleet(fleet.sandbox, app: fleet.appKeys, tenants: ["acme"], extraConfig: "\n  \"transaction_mode\": \"per-target\",")
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql", Self.failingProjects)
            let failed = try await fleet.shoal("upgrade", "--json")
            #expect(failed.status == 1)
            #expect(Self.applied(try #require(try failed.targets()["app/acme"])).isEmpty)
            #expect(try await fleet.versions("acme") == [])
            // So does `tenants add`'s upgrade, which has no --transaction.
            let added = try await fleet.shoal("tenants", "add", "wayne", "--db", "app", "--json")
            #expect(added.status == 1)
            #expect(Self.applied(try #require(try added.targets()["app/wayne"])).isEmpty)
            #expect(try await fleet.versions("wayne") == [])
            #expect(try await !fleet.tableExists("wayne", "users"))
        }
    }

    @Test(arguments: Backend.allCases)
    func onErrorRollbackUndoesWhatOtherTargetsCommittedAndTheFailedOneHasNothingToUndo(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme", "globex"]) { fleet async throws in
            // globex already has a `projects` table: r3 fails there, after acme committed.
            try await fleet.execute("globex", "CREATE TABLE projects (id INTEGER);")
            let result = try await fleet.shoal("upgrade", "--transaction", "per-target", "--on-error", "rollback",
                                               "--concurrency", "1", "--json")
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let run = try #require(try result.json()["run"] as? String)
            let targets = try result.targets()
            let acme = try #require(targets["app/acme"])
            #expect(acme["status"] as? String == "rolled-back", "\(acme)")
            #expect(acme["to"] as? [String] == [])
            let globex = try #require(targets["app/globex"])
            #expect(globex["status"] as? String == "failed")
            #expect(Self.applied(globex).isEmpty)
            #expect((globex["error"] as? [String: Any])?["revision"] as? String == Fixture.r3)
            for tenant in ["acme", "globex"] {
                #expect(try await fleet.versions(tenant) == [])
                #expect(try await !fleet.tableExists(tenant, "users"))
            }
            let history = try await fleet.rows("acme", "SELECT revision, operation, run_id FROM shoal_version_history ORDER BY id")
            #expect(history.map { "\($0[0] ?? "") \($0[1] ?? "")" } == [
                "\(Fixture.r1) upgrade", "\(Fixture.r2) upgrade", "\(Fixture.r3) upgrade",
                "\(Fixture.r3) downgrade", "\(Fixture.r2) downgrade", "\(Fixture.r1) downgrade",
            ])
            #expect(history.allSatisfy { $0[2] == run })
            #expect(try await fleet.column("globex", "SELECT count(*) FROM shoal_version_history") == ["0"])
        }
    }

    @Test(arguments: Backend.allCases)
    func rollbackOfARunUndoesATargetInOneTransaction(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            let upgrade = try await fleet.shoal("upgrade", "--json")
            #expect(upgrade.status == 0)
            let run = try #require(try upgrade.json()["run"] as? String)
            // r1's down now fails, after r3's and r2's ran (a down is not checksummed).
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                                    MigrationFile(revision: Fixture.r1, message: "create users",
                                                  up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
                                                  down: "DROP TABLE users;\nSELECT * FROM no_such_table;").text)
            let rollback = try await fleet.shoal("rollback", run, "--transaction", "per-target", "--json")
            #expect(rollback.status == 1, "\(rollback.stdout)\(rollback.stderr)")
            let acme = try #require(try rollback.targets()["app/acme"])
            #expect(Self.applied(acme).isEmpty, "\(acme)")
            #expect((acme["error"] as? [String: Any])?["revision"] as? String == Fixture.r1)
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(try await fleet.tableExists("acme", "projects"), "r3's down was rolled back with the rest")
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version_history WHERE operation = 'downgrade'") == ["0"])

            // One transaction per step undoes r3 and r2 before r1 fails.
            let perStep = try await fleet.shoal("rollback", run, "--json")
            #expect(perStep.status == 1)
            #expect(Self.applied(try #require(try perStep.targets()["app/acme"])) == [Fixture.r3, Fixture.r2])
            #expect(try await fleet.versions("acme") == [Fixture.r1])
        }
    }

    @Test func badValuesExitTwoBeforeAnythingRuns() async throws {
        try await AppFleet.with(.sqlite, tenants: ["acme"]) { fleet async throws in
            for command in [["upgrade"], ["downgrade", "base"]] {
                let bad = try await fleet.run(command + ["--transaction", "per-targets"])
                #expect(bad.status == 2, "\(bad.stderr)")
                #expect(bad.stderr.contains("--transaction must be `per-step` or `per-target`, not `per-targets`. Did you mean `per-target`?"),
                        "\(bad.stderr)")
            }
            let rollback = try await fleet.shoal("rollback", "20260101T000000Z-abcd", "--transaction", "both")
            #expect(rollback.status == 2)
            #expect(rollback.stderr.contains("--transaction must be `per-step` or `per-target`, not `both`"), "\(rollback.stderr)")
            #expect(!fleet.sandbox.exists(Fixture.tenantFile("acme")), "nothing ran")

            try Fixture.fleet(fleet.sandbox, app: Fixture.sqliteApp + ", \"transaction_mode\": \"pertarget\"", tenants: ["acme"])
            let badConfig = try await fleet.shoal("upgrade")
            #expect(badConfig.status == 2)
            #expect(badConfig.stderr.contains("`databases.app.transaction_mode` must be `per-step` or `per-target`, not `pertarget`; did you mean `per-target`?"),
                    "\(badConfig.stderr)")
            try Fixture.fleet(fleet.sandbox, app: Fixture.sqliteApp, tenants: ["acme"], extraConfig: "\n  \"transaction_mode\": 1,")
            let badType = try await fleet.shoal("upgrade")
            #expect(badType.status == 2)
            #expect(badType.stderr.contains("`transaction_mode` must be a string, not a number"), "\(badType.stderr)")
            #expect(!fleet.sandbox.exists(Fixture.tenantFile("acme")), "nothing ran")
        }
    }

    @Test func aGroupThatHitsLockTimeoutIsRetriedWhole() async throws {
        try await AppFleet.with(.postgres, tenants: ["acme"], extraConfig: "\n  \"lock_timeout_ms\": 300, \"lock_retries\": 1,") { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            // Another session holds a lock that r2's ALTER TABLE needs.
            let holder = try await fleet.holdLock(on: "users", of: "acme")

            // Held throughout: the group fails, is retried once, and gives up.
            // SHOAL_LOG_LEVEL=notice prints each retry.
            let notices = ["SHOAL_LOG_LEVEL": "notice"]
            let failed = try await fleet.run(["upgrade", "--transaction", "per-target", "--json"], environment: notices)
            #expect(failed.status == 1)
            let acme = try #require(try failed.targets()["app/acme"])
            #expect(acme["retries"] as? Int == 1, "\(acme)")
            #expect(Self.applied(acme).isEmpty)
            let error = try #require(acme["error"] as? [String: Any])
            #expect(error["sql_state"] as? String == "55P03")
            #expect(error["revision"] as? String == Fixture.r2)
            let message = error["message"] as? String ?? ""
            #expect(message.contains("(its transaction of 2 steps, \(Fixture.r2) to \(Fixture.r3), was rolled back: none of them is applied)"), "\(message)")
            #expect(message.contains("gave up after 1 retry on lock_timeout"), "\(message)")
            #expect(failed.stderr.contains("app/acme: its transaction of 2 steps, \(Fixture.r2) to \(Fixture.r3), hit lock_timeout; retry 1 of 1"),
                    "\(failed.stderr)")
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version_history") == ["1"])

            // Released once the first attempt has failed on lock_timeout: a
            // retry runs the whole group again and commits it.
            try Fixture.fleet(fleet.sandbox, app: fleet.appKeys, tenants: ["acme"],
                              extraConfig: "\n  \"lock_timeout_ms\": 300, \"lock_retries\": 5,")
            let run = try fleet.sandbox.launch(["upgrade", "--transaction", "per-target", "--json"], environment: notices)
            try await waitUntil("the group's first attempt hit lock_timeout") {
                if !run.isRunning { throw FinishedEarly(message: "shoal exited: \(run.stderrSoFar)") }
                return run.stderrSoFar.contains("hit lock_timeout; retry 1 of 5")
            }
            await holder.rollback()
            await holder.close()
            let succeeded = try await run.finish()
            #expect(succeeded.status == 0, "\(succeeded.stdout)\(succeeded.stderr)")
            let retried = try #require(try succeeded.targets()["app/acme"])
            #expect(retried["status"] as? String == "ok")
            #expect((retried["retries"] as? Int ?? 0) >= 1, "\(retried)")
            #expect(Self.applied(retried) == [Fixture.r2, Fixture.r3])
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(try await fleet.column("acme", "SELECT revision FROM shoal_version_history ORDER BY id")
                    == [Fixture.r1, Fixture.r2, Fixture.r3])
        }
    }
}
