import Foundation
import ShoalTestSupport
import Testing

/// `--on-error` and `--canary` in the cases README's table promises and no
/// other test ran: stop at a concurrency above 1 and after a planning
/// refusal, rollback of a downgrade, a rollback that itself fails, and
/// canaries with rollback and with targets already at head. Built on
/// ``OnErrorTests``'s six tenants at r2.
@Suite("on-error and canary coverage")
struct OnErrorCoverageTests {
    static let tenants = OnErrorTests.tenants

    /// The report's summary counts.
    static func summary(_ result: CLIResult) throws -> [String: Int] {
        let summary = try #require(try result.json()["summary"] as? [String: Any])
        return summary.compactMapValues { $0 as? Int }
    }

    static func statuses(_ result: CLIResult) throws -> [String: String] {
        try result.targets().compactMapValues { $0["status"] as? String }
    }

    static func counts(ok: Int = 0, failed: Int = 0, skipped: Int = 0, rolledBack: Int = 0) -> [String: Int] {
        ["targets": ok + failed + skipped + rolledBack, "ok": ok, "failed": failed, "skipped": skipped,
         "rolled_back": rolledBack, "replica_lag": 0, "up_to_date": 0]
    }

    /// The operations of a tenant's history rows, oldest first, as "operation revision".
    static func history(_ fleet: AppFleet, _ tenant: String) async throws -> [String] {
        try await fleet.rows(tenant, "SELECT operation, revision FROM shoal_version_history ORDER BY id")
            .map { "\($0[0] ?? "") \($0[1] ?? "")" }
    }

    /// r3 made slow after its first statement: the poisoned tenant (which
    /// already has `projects`) fails at once, the others take about a second.
    static func slowProjects(_ backend: Backend) -> String {
        let slow = backend == .postgres
            ? "SELECT pg_sleep(1.5);"
            : "CREATE TABLE slow AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000000) SELECT count(*) AS n FROM c;\nDROP TABLE slow;"
        return MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "create projects",
                                       up: "CREATE TABLE projects (id INTEGER PRIMARY KEY, title TEXT);\n\(slow)",
                                       down: "DROP TABLE projects;").text
    }

    // MARK: --on-error stop

    @Test(arguments: Backend.allCases)
    func stopAtConcurrencyTwoLetsTheRunningTargetFinishAndStartsNoOther(_ backend: Backend) async throws {
        try await OnErrorTests.withPoisonedFleet(backend, poisoned: "t1") { fleet in
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql", Self.slowProjects(backend))
            let result = try await fleet.shoal("upgrade", "--on-error", "stop", "--concurrency", "2", "--json")
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            let statuses = try Self.statuses(result)
            // t1 fails at once; t2 started beside it and finishes; no slot
            // frees before t1 failed, so t3…t6 never start.
            #expect(statuses == ["app/t1": "failed", "app/t2": "ok", "app/t3": "skipped", "app/t4": "skipped",
                                 "app/t5": "skipped", "app/t6": "skipped"], "\(statuses)")
            #expect(try Self.summary(result) == Self.counts(ok: 1, failed: 1, skipped: 4))
            let skipped = try #require(try result.targets()["app/t4"]?["error"] as? [String: Any])
            #expect((skipped["message"] as? String)?.contains("--on-error stop") == true, "\(skipped)")
            let revisions = try await OnErrorTests.revisions(fleet)
            #expect(revisions == ["t1": Fixture.r2, "t2": Fixture.r3, "t3": Fixture.r2, "t4": Fixture.r2,
                                  "t5": Fixture.r2, "t6": Fixture.r2])
            #expect(try await fleet.tableExists("t2", "projects"))
            #expect(try await !fleet.tableExists("t3", "projects"))
        }
    }

    @Test(arguments: Backend.allCases)
    func stopAfterAPlanningRefusalStartsNothing(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: Self.tenants) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r2).status == 0)
            // t3's version table names a revision no file has.
            try await fleet.execute("t3", "UPDATE shoal_version SET revision = 'abcdef000000'")
            let before = try await fleet.snapshot()
            let stopped = try await fleet.shoal("upgrade", "--on-error", "stop", "--json")
            #expect(stopped.status == 1)
            let statuses = try Self.statuses(stopped)
            #expect(statuses["app/t3"] == "failed")
            for tenant in Self.tenants where tenant != "t3" {
                #expect(statuses["app/\(tenant)"] == "skipped", "\(tenant): \(statuses)")
            }
            #expect(try Self.summary(stopped) == Self.counts(failed: 1, skipped: 5))
            let error = try #require(try stopped.targets()["app/t3"]?["error"] as? [String: Any])
            #expect((error["message"] as? String)?.contains("abcdef000000") == true, "\(error)")
            #expect(try await fleet.snapshot() == before, "nothing starts after a planning refusal")

            // An applied file edited since: t1 (at r3) is refused, and nothing else starts.
            try await fleet.execute("t3", "UPDATE shoal_version SET revision = '\(Fixture.r2)'")
            #expect(try await fleet.shoal("upgrade", "--target", "app/t1").status == 0)
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                                    MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "create projects",
                                                            up: "CREATE TABLE projects (id INTEGER PRIMARY KEY, title TEXT, edited TEXT);",
                                                            down: "DROP TABLE projects;").text)
            let edited = try await fleet.snapshot()
            let refused = try await fleet.shoal("upgrade", "--on-error", "stop", "--json")
            #expect(refused.status == 1)
            let after = try Self.statuses(refused)
            #expect(after["app/t1"] == "failed")
            let message = try #require((try refused.targets()["app/t1"]?["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains(Fixture.r3), "\(message)")
            #expect(try Self.summary(refused) == Self.counts(failed: 1, skipped: 5))
            #expect(try await fleet.snapshot() == edited)

            // With continue (the default) the others go on.
            let continued = try await fleet.shoal("upgrade", "--json")
            #expect(continued.status == 1)
            #expect(try Self.summary(continued) == Self.counts(ok: 5, failed: 1))
        }
    }

    // MARK: --on-error rollback

    @Test(arguments: Backend.allCases)
    func rollbackOfADowngradeBringsTargetsBackUpToWhereTheyStarted(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: Self.tenants) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            // r3's down (DROP TABLE projects) fails on t6, which lost the table behind shoal's back.
            try await fleet.execute("t6", "DROP TABLE projects;")
            let result = try await fleet.shoal("downgrade", Fixture.r2, "--on-error", "rollback", "--concurrency", "1", "--json")
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            let statuses = try Self.statuses(result)
            #expect(statuses["app/t6"] == "failed")
            for tenant in Self.tenants.dropLast() {
                #expect(statuses["app/\(tenant)"] == "rolled-back", "\(tenant): \(statuses)")
            }
            #expect(try Self.summary(result) == Self.counts(failed: 1, rolledBack: 5))
            let t1 = try #require(try result.targets()["app/t1"])
            #expect(t1["from"] as? [String] == [Fixture.r3] && t1["to"] as? [String] == [Fixture.r3], "\(t1)")
            let error = try #require(try result.targets()["app/t6"]?["error"] as? [String: Any])
            #expect(error["revision"] as? String == Fixture.r3)
            let revisions = try await OnErrorTests.revisions(fleet)
            #expect(revisions.values.allSatisfy { $0 == Fixture.r3 }, "\(revisions)")
            for tenant in Self.tenants.dropLast() {
                #expect(try await fleet.tableExists(tenant, "projects"), "\(tenant) is back up")
                #expect(try await Self.history(fleet, tenant).suffix(2) == ["downgrade \(Fixture.r3)", "upgrade \(Fixture.r3)"])
            }
            #expect(try await Self.history(fleet, "t6").count == 3, "t6's failed down left no history row")
        }
    }

    @Test(arguments: Backend.allCases)
    func aRollbackThatFailsReportsThatTargetFailedAndRollsTheOthersBack(_ backend: Backend) async throws {
        try await OnErrorTests.withPoisonedFleet(backend, poisoned: "t6") { fleet in
            // r3's down also drops `marker`, which every tenant but t2 has: undoing r3 fails on t2.
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                                    MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "create projects",
                                                            up: "CREATE TABLE projects (id INTEGER PRIMARY KEY, title TEXT);",
                                                            down: "DROP TABLE marker;\nDROP TABLE projects;").text)
            for tenant in Self.tenants where tenant != "t2" {
                try await fleet.execute(tenant, "CREATE TABLE marker (x INTEGER);")
            }
            let result = try await fleet.shoal("upgrade", "--on-error", "rollback", "--concurrency", "1", "--json")
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            let statuses = try Self.statuses(result)
            #expect(statuses == ["app/t1": "rolled-back", "app/t2": "failed", "app/t3": "rolled-back",
                                 "app/t4": "rolled-back", "app/t5": "rolled-back", "app/t6": "failed"], "\(statuses)")
            #expect(try Self.summary(result) == Self.counts(failed: 2, rolledBack: 4))
            let t2 = try #require(try result.targets()["app/t2"])
            let error = try #require(t2["error"] as? [String: Any])
            let message = try #require(error["message"] as? String)
            #expect(message.hasPrefix("rolling back after another target failed"), "\(message)")
            #expect(message.contains("marker"), "\(message)")
            #expect(error["revision"] as? String == Fixture.r3)
            #expect(t2["to"] as? [String] == [Fixture.r3], "t2 stays where the failed rollback left it")
            let revisions = try await OnErrorTests.revisions(fleet)
            #expect(revisions == ["t1": Fixture.r2, "t2": Fixture.r3, "t3": Fixture.r2, "t4": Fixture.r2,
                                  "t5": Fixture.r2, "t6": Fixture.r2])
            #expect(try await fleet.tableExists("t2", "projects"))
            #expect(try await !fleet.tableExists("t1", "projects"))
            let text = try await fleet.shoal("status", "--exit-code")
            #expect(text.status == 1)
        }
    }

    // MARK: --canary

    @Test(arguments: Backend.allCases)
    func aFailedCanaryWithRollbackUndoesTheOtherCanaryAndStartsNothingElse(_ backend: Backend) async throws {
        try await OnErrorTests.withPoisonedFleet(backend, poisoned: "t2") { fleet in
            let result = try await fleet.shoal("upgrade", "--canary", "2", "--on-error", "rollback", "--json")
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            let statuses = try Self.statuses(result)
            #expect(statuses == ["app/t1": "rolled-back", "app/t2": "failed", "app/t3": "skipped", "app/t4": "skipped",
                                 "app/t5": "skipped", "app/t6": "skipped"], "\(statuses)")
            #expect(try Self.summary(result) == Self.counts(failed: 1, skipped: 4, rolledBack: 1))
            let revisions = try await OnErrorTests.revisions(fleet)
            #expect(revisions.values.allSatisfy { $0 == Fixture.r2 }, "\(revisions)")
            #expect(try await !fleet.tableExists("t1", "projects"))
            #expect(try await Self.history(fleet, "t1").suffix(2) == ["upgrade \(Fixture.r3)", "downgrade \(Fixture.r3)"])
        }
    }

    @Test(arguments: Backend.allCases)
    func aFailedCanaryOfThreeStartsNothingElse(_ backend: Backend) async throws {
        try await OnErrorTests.withPoisonedFleet(backend, poisoned: "t2") { fleet in
            let result = try await fleet.shoal("upgrade", "--canary", "3", "--json")
            #expect(result.status == 1)
            let statuses = try Self.statuses(result)
            #expect(statuses == ["app/t1": "ok", "app/t2": "failed", "app/t3": "ok", "app/t4": "skipped",
                                 "app/t5": "skipped", "app/t6": "skipped"], "\(statuses)")
            #expect(try Self.summary(result) == Self.counts(ok: 2, failed: 1, skipped: 3))
            let skipped = try #require(try result.targets()["app/t5"]?["error"] as? [String: Any])
            #expect((skipped["message"] as? String)?.contains("canary") == true, "\(skipped)")
            let revisions = try await OnErrorTests.revisions(fleet)
            #expect(revisions == ["t1": Fixture.r3, "t2": Fixture.r2, "t3": Fixture.r3, "t4": Fixture.r2,
                                  "t5": Fixture.r2, "t6": Fixture.r2])
        }
    }

    /// A canary already at head proves nothing: `--canary N` takes the first
    /// N targets that have work, skipping those already up to date.
    @Test(arguments: Backend.allCases)
    func theCanaryIsTheFirstTargetWithWorkNotOneAlreadyAtHead(_ backend: Backend) async throws {
        try await OnErrorTests.withPoisonedFleet(backend, poisoned: "t2") { fleet in
            // t1 is already at head; t2, the first target with work, is poisoned.
            try await fleet.execute("t1", "UPDATE shoal_version SET revision = '\(Fixture.r3)'; CREATE TABLE projects (x INTEGER);")
            let result = try await fleet.shoal("upgrade", "--canary", "1", "--json")
            #expect(result.status == 1)
            let statuses = try Self.statuses(result)
            #expect(statuses == ["app/t1": "up-to-date", "app/t2": "failed", "app/t3": "skipped", "app/t4": "skipped",
                                 "app/t5": "skipped", "app/t6": "skipped"], "\(statuses)")
            var expected = Self.counts(ok: 1, failed: 1, skipped: 4)
            expected["up_to_date"] = 1
            #expect(try Self.summary(result) == expected)
            let revisions = try await OnErrorTests.revisions(fleet)
            #expect(revisions == ["t1": Fixture.r3, "t2": Fixture.r2, "t3": Fixture.r2, "t4": Fixture.r2,
                                  "t5": Fixture.r2, "t6": Fixture.r2])
        }
    }
}
