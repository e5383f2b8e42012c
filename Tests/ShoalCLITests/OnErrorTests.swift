import Foundation
import Testing

/// One tenant's database already has a `projects` table, so r3 fails there.
@Suite("on-error modes and canaries with one poisoned tenant")
struct OnErrorTests {
    static let tenants = ["t1", "t2", "t3", "t4", "t5", "t6"]

    /// A fleet of six tenants at r2; the test then poisons one.
    static func poisonedFleet(_ sandbox: Sandbox, poisoned: String) throws {
        try Fixture.sqliteFleet(sandbox, tenants: tenants)
        #expect(try sandbox.shoal("upgrade", Fixture.r2).status == 0)
        #expect(try sandbox.shoal("status", "--exit-code").status == 1)
    }

    /// Creates the table r3 creates, behind shoal's back, so r3 fails there.
    static func poison(_ sandbox: Sandbox, _ tenant: String) async throws {
        try await SQLiteWriter.execute(sandbox.path(Fixture.tenantFile(tenant)), "CREATE TABLE projects (x INTEGER);")
    }

    static func revisions(_ sandbox: Sandbox) async throws -> [String: String] {
        var result: [String: String] = [:]
        for tenant in tenants {
            result[tenant] = try await sandbox.column(Fixture.tenantFile(tenant), "SELECT revision FROM shoal_version").joined()
        }
        return result
    }

    @Test func continueMigratesEveryOtherTenant() async throws {
        let sandbox = try Sandbox()
        try Self.poisonedFleet(sandbox, poisoned: "t3")
        try await Self.poison(sandbox, "t3")
        let result = try sandbox.shoal("upgrade", "--on-error", "continue", "--json")
        #expect(result.status == 1)
        let targets = try result.targets()
        #expect(targets["app/t3"]?["status"] as? String == "failed")
        let error = try #require(targets["app/t3"]?["error"] as? [String: Any])
        #expect(error["revision"] as? String == Fixture.r3)
        #expect((error["message"] as? String)?.contains("projects") == true)
        #expect(error.keys.contains("sql_state"))
        for tenant in Self.tenants where tenant != "t3" {
            #expect(targets["app/\(tenant)"]?["status"] as? String == "ok")
        }
        let summary = try #require(try result.json()["summary"] as? [String: Any])
        #expect(summary["ok"] as? Int == 5 && summary["failed"] as? Int == 1)
        let revisions = try await Self.revisions(sandbox)
        #expect(revisions["t3"] == Fixture.r2)
        #expect(revisions.filter { $0.value == Fixture.r3 }.count == 5)
        let text = try sandbox.shoal("upgrade")
        #expect(text.stdout.contains("error:") && text.stdout.contains("revision: \(Fixture.r3)"))
    }

    @Test func stopStartsNoNewTargetAfterAFailure() async throws {
        let sandbox = try Sandbox()
        try Self.poisonedFleet(sandbox, poisoned: "t1")
        try await Self.poison(sandbox, "t1")
        let result = try sandbox.shoal("upgrade", "--on-error", "stop", "--concurrency", "1", "--json")
        #expect(result.status == 1)
        let targets = try result.targets()
        #expect(targets["app/t1"]?["status"] as? String == "failed")
        for tenant in Self.tenants.dropFirst() {
            #expect(targets["app/\(tenant)"]?["status"] as? String == "skipped")
        }
        let revisions = try await Self.revisions(sandbox)
        #expect(revisions.values.allSatisfy { $0 == Fixture.r2 })
    }

    @Test func rollbackReturnsEveryChangedTargetToWhereItStarted() async throws {
        let sandbox = try Sandbox()
        try Self.poisonedFleet(sandbox, poisoned: "t6")
        try await Self.poison(sandbox, "t6")
        let result = try sandbox.shoal("upgrade", "--on-error", "rollback", "--concurrency", "2", "--json")
        #expect(result.status == 1)
        let targets = try result.targets()
        #expect(targets["app/t6"]?["status"] as? String == "failed")
        let rolledBack = targets.values.filter { $0["status"] as? String == "rolled-back" }.count
        #expect(rolledBack >= 1)
        let summary = try #require(try result.json()["summary"] as? [String: Any])
        #expect(summary["rolled_back"] as? Int == rolledBack)
        let revisions = try await Self.revisions(sandbox)
        #expect(revisions.values.allSatisfy { $0 == Fixture.r2 }, "\(revisions)")
        for tenant in Self.tenants where tenant != "t6" {
            #expect(try await !sandbox.tableExists(Fixture.tenantFile(tenant), "projects"))
        }
    }

    @Test func canaryFailureSkipsTheRest() async throws {
        let sandbox = try Sandbox()
        try Self.poisonedFleet(sandbox, poisoned: "t2")
        try await Self.poison(sandbox, "t2")
        let result = try sandbox.shoal("upgrade", "--canary", "2", "--json")
        #expect(result.status == 1)
        let targets = try result.targets()
        #expect(targets["app/t1"]?["status"] as? String == "ok")
        #expect(targets["app/t2"]?["status"] as? String == "failed")
        for tenant in ["t3", "t4", "t5", "t6"] {
            #expect(targets["app/\(tenant)"]?["status"] as? String == "skipped")
        }
    }

    @Test func canarySuccessGoesOn() async throws {
        let sandbox = try Sandbox()
        try Self.poisonedFleet(sandbox, poisoned: "t6")
        try await Self.poison(sandbox, "t6")
        let result = try sandbox.shoal("upgrade", "--canary", "2", "--json")
        #expect(result.status == 1)
        let targets = try result.targets()
        for tenant in ["t1", "t2", "t3", "t4", "t5"] {
            #expect(targets["app/\(tenant)"]?["status"] as? String == "ok")
        }
        #expect(targets["app/t6"]?["status"] as? String == "failed")
    }

    @Test func rollbackIsRefusedUpFrontWhenAStepHasNoDown() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                          Fixture.migration(Fixture.r3, parents: [Fixture.r2], message: "projects", up: "CREATE TABLE projects (x INTEGER);"))
        let result = try sandbox.shoal("upgrade", "--on-error", "rollback")
        #expect(result.status == 2)
        #expect(result.stderr.contains("no down section"))
        #expect(!sandbox.exists(Fixture.tenantFile("acme")))
    }
}
