import Foundation
import ShoalTestSupport
import Testing

/// One tenant's database already has a `projects` table, so r3 fails there.
@Suite("on-error modes and canaries with one poisoned tenant")
struct OnErrorTests {
    static let tenants = ["t1", "t2", "t3", "t4", "t5", "t6"]

    /// Six tenants at r2, one of them poisoned: it already has the table r3
    /// creates (made behind shoal's back), so r3 fails there.
    static func withPoisonedFleet(_ backend: Backend, poisoned: String, at start: String = Fixture.r2,
                                  _ body: (AppFleet) async throws -> Void) async throws {
        try await AppFleet.with(backend, tenants: tenants) { fleet in
            #expect(try await fleet.shoal("upgrade", start).status == 0)
            #expect(try await fleet.shoal("status", "--exit-code").status == 1)
            try await fleet.execute(poisoned, "CREATE TABLE projects (x INTEGER);")
            try await body(fleet)
        }
    }

    static func revisions(_ fleet: AppFleet) async throws -> [String: String] {
        var result: [String: String] = [:]
        for tenant in tenants {
            result[tenant] = try await fleet.versions(tenant).joined()
        }
        return result
    }

    @Test(arguments: Backend.allCases)
    func continueMigratesEveryOtherTenant(_ backend: Backend) async throws {
        try await Self.withPoisonedFleet(backend, poisoned: "t3") { fleet in
            let result = try await fleet.shoal("upgrade", "--on-error", "continue", "--json")
            #expect(result.status == 1)
            let targets = try result.targets()
            #expect(targets["app/t3"]?["status"] as? String == "failed")
            let error = try #require(targets["app/t3"]?["error"] as? [String: Any])
            #expect(error["revision"] as? String == Fixture.r3)
            #expect((error["message"] as? String)?.contains("projects") == true)
            // SQLite names its result code; PostgreSQL gives the SQLSTATE duplicate_table.
            #expect(error["sql_state"] as? String == (backend == .postgres ? "42P07" : "SQLITE_ERROR"))
            for tenant in Self.tenants where tenant != "t3" {
                #expect(targets["app/\(tenant)"]?["status"] as? String == "ok")
            }
            let summary = try #require(try result.json()["summary"] as? [String: Any])
            #expect(summary["ok"] as? Int == 5 && summary["failed"] as? Int == 1)
            let revisions = try await Self.revisions(fleet)
            #expect(revisions["t3"] == Fixture.r2)
            #expect(revisions.filter { $0.value == Fixture.r3 }.count == 5)
            let text = try await fleet.shoal("upgrade")
            #expect(text.stdout.contains("error:") && text.stdout.contains("revision: \(Fixture.r3)"))
            #expect(text.stdout.contains("sqlstate: \(backend == .postgres ? "42P07" : "SQLITE_ERROR")"), "\(text.stdout)")
        }
    }

    @Test(arguments: Backend.allCases)
    func stopStartsNoNewTargetAfterAFailure(_ backend: Backend) async throws {
        try await Self.withPoisonedFleet(backend, poisoned: "t1") { fleet in
            let result = try await fleet.shoal("upgrade", "--on-error", "stop", "--concurrency", "1", "--json")
            #expect(result.status == 1)
            let targets = try result.targets()
            #expect(targets["app/t1"]?["status"] as? String == "failed")
            for tenant in Self.tenants.dropFirst() {
                #expect(targets["app/\(tenant)"]?["status"] as? String == "skipped")
            }
            let revisions = try await Self.revisions(fleet)
            #expect(revisions.values.allSatisfy { $0 == Fixture.r2 })
        }
    }

    /// Every tenant starts at r1. t1…t5 apply r2 and r3; t6, last, commits
    /// r2 and then fails on r3. All six go back to r1: the five report
    /// `rolled-back`, t6 stays `failed` but loses its r2 too; nothing is `ok`.
    @Test(arguments: Backend.allCases)
    func rollbackReturnsEveryChangedTargetToWhereItStarted(_ backend: Backend) async throws {
        try await Self.withPoisonedFleet(backend, poisoned: "t6", at: Fixture.r1) { fleet in
            let result = try await fleet.shoal("upgrade", "--on-error", "rollback", "--concurrency", "1", "--json")
            #expect(result.status == 1)
            let targets = try result.targets()
            #expect(targets.count == Self.tenants.count)
            let failed = try #require(targets["app/t6"])
            #expect(failed["status"] as? String == "failed")
            #expect((failed["error"] as? [String: Any])?["revision"] as? String == Fixture.r3)
            #expect(failed["from"] as? [String] == [Fixture.r1])
            #expect(failed["to"] as? [String] == [Fixture.r1], "its committed r2 was rolled back too")
            for tenant in Self.tenants where tenant != "t6" {
                #expect(targets["app/\(tenant)"]?["status"] as? String == "rolled-back", "\(tenant)")
                #expect(targets["app/\(tenant)"]?["to"] as? [String] == [Fixture.r1], "\(tenant)")
            }
            let summary = try #require(try result.json()["summary"] as? [String: Any])
            #expect(summary["rolled_back"] as? Int == 5)
            #expect(summary["failed"] as? Int == 1)
            #expect(summary["ok"] as? Int == 0)
            // The journal (issue 13) records the final reports, after the rollback.
            let run = try #require(try result.json()["run"] as? String)
            let journal = try JournalFile(fleet.sandbox.path(".shoal/runs/\(run).jsonl"))
            #expect(journal.statuses == targets.mapValues { $0["status"] as? String ?? "" }, "\(journal.lines)")
            #expect((journal.footer?["summary"] as? [String: Any])?["rolled_back"] as? Int == 5)
            let revisions = try await Self.revisions(fleet)
            #expect(revisions == Dictionary(uniqueKeysWithValues: Self.tenants.map { ($0, Fixture.r1) }), "\(revisions)")
            for tenant in Self.tenants {
                #expect(try await fleet.column(tenant, "SELECT operation FROM shoal_version_history WHERE revision = $1 ORDER BY id", [Fixture.r2]) == ["upgrade", "downgrade"], "\(tenant)")
                if tenant != "t6" { #expect(try await !fleet.tableExists(tenant, "projects"), "\(tenant)") }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func canaryFailureSkipsTheRest(_ backend: Backend) async throws {
        try await Self.withPoisonedFleet(backend, poisoned: "t2") { fleet in
            let result = try await fleet.shoal("upgrade", "--canary", "2", "--json")
            #expect(result.status == 1)
            let targets = try result.targets()
            #expect(targets["app/t1"]?["status"] as? String == "ok")
            #expect(targets["app/t2"]?["status"] as? String == "failed")
            for tenant in ["t3", "t4", "t5", "t6"] {
                #expect(targets["app/\(tenant)"]?["status"] as? String == "skipped")
                #expect(try await fleet.versions(tenant) == [Fixture.r2])
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func canarySuccessGoesOn(_ backend: Backend) async throws {
        try await Self.withPoisonedFleet(backend, poisoned: "t6") { fleet in
            let result = try await fleet.shoal("upgrade", "--canary", "2", "--json")
            #expect(result.status == 1)
            let targets = try result.targets()
            for tenant in ["t1", "t2", "t3", "t4", "t5"] {
                #expect(targets["app/\(tenant)"]?["status"] as? String == "ok")
            }
            #expect(targets["app/t6"]?["status"] as? String == "failed")
        }
    }

    @Test(arguments: Backend.allCases)
    func rollbackIsRefusedUpFrontWhenAStepHasNoDown(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                                    MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "projects", up: "CREATE TABLE projects (x INTEGER);").text)
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("upgrade", "--on-error", "rollback")
            #expect(result.status == 2)
            #expect(result.stderr.contains("no down section"))
            #expect(try await !fleet.storageExists("acme"))
            #expect(try await fleet.snapshot() == before)
        }
    }
}
