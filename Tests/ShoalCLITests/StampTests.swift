import Foundation
import ShoalTestSupport
import Testing

@Suite("stamp and transaction: false")
struct StampTests {
    @Test(arguments: Backend.allCases)
    func stampAdoptsAnExistingDatabaseWithoutRunningSQL(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            try await fleet.execute("acme", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);")
            let result = try await fleet.shoal("stamp", Fixture.r2, "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try result.targets()["app/acme"]?["to"] as? [String] == [Fixture.r2])
            #expect(try await fleet.versions("acme") == [Fixture.r2])
            #expect(try await fleet.column("acme", "SELECT operation FROM shoal_version_history") == ["stamp"])
            #expect(try await fleet.shoal("upgrade").status == 0)
            #expect(try await fleet.tableExists("acme", "projects"))
            let again = try await fleet.shoal("stamp", "head", "--json")
            #expect(try again.targets()["app/acme"]?["status"] as? String == "up-to-date")
        }
    }

    /// Issue 17 item 9: a stamp's dry run names the version rows it would
    /// write, not migrations it would "apply", and none that is already there.
    @Test(arguments: Backend.allCases)
    func stampDryRunNamesTheRowsItWouldWrite(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            #expect(try await fleet.shoal("stamp", Fixture.r1).status == 0)
            let dry = try await fleet.shoal("stamp", Fixture.r2, "--dry-run", "--json")
            #expect(dry.status == 0, "\(dry.stderr)")
            let target = try #require(try dry.targets()["app/acme"])
            #expect(target["status"] as? String == "planned")
            #expect(target["from"] as? [String] == [Fixture.r1])
            #expect(target["to"] as? [String] == [Fixture.r2])
            #expect(target["planned"] as? [String] == [Fixture.r2])
            #expect(dry.stderr.contains("app/acme  \(Fixture.r1) -> \(Fixture.r2)  would set the version table to \(Fixture.r2), running no SQL  dry run"), "\(dry.stderr)")
            #expect(!dry.stderr.contains("would apply"), "\(dry.stderr)")
            #expect(try await fleet.versions("acme") == [Fixture.r1], "a dry run changes nothing")
            // Stamping where the target already is plans nothing.
            let same = try await fleet.shoal("stamp", Fixture.r1, "--dry-run", "--json")
            #expect(try same.targets()["app/acme"]?["status"] as? String == "up-to-date")
        }
    }

    /// Issue 17 item 9: stamp takes one revision, and its usage says so.
    @Test func stampUsageShowsOneRevision() async throws {
        let sandbox = try Sandbox()
        let help = try await sandbox.shoal("stamp", "--help")
        #expect(help.stdout.contains("USAGE: shoal stamp <revision> [<options>]"), "\(help.stdout)")
        #expect(!help.stdout.contains("<revision> ..."), "\(help.stdout)")
        let upgrade = try await sandbox.shoal("upgrade", "--help")
        #expect(upgrade.stdout.contains("USAGE: shoal upgrade [<revision>] [<options>]"), "\(upgrade.stdout)")
        let downgrade = try await sandbox.shoal("downgrade", "--help")
        #expect(downgrade.stdout.contains("USAGE: shoal downgrade <revision> [<options>]"), "\(downgrade.stdout)")
        let two = try await sandbox.shoal("stamp", Fixture.r1, Fixture.r2)
        #expect(two.status == 2)
        #expect(two.stderr.contains("expected one revision, got 2"), "\(two.stderr)")
    }

    @Test(arguments: Backend.allCases)
    func interruptedNonTransactionalMigrationLeavesTheTargetDirtyUntilStamped(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                                    MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "projects", up: """
                                    CREATE TABLE projects (id INTEGER PRIMARY KEY);
                                    INSERT INTO no_such_table VALUES (1);
                                    """, down: "DROP TABLE projects;", transactional: false).text)
            let failed = try await fleet.shoal("upgrade", "--json")
            #expect(failed.status == 1)
            let error = try #require(try failed.targets()["app/acme"]?["error"] as? [String: Any])
            #expect(error["revision"] as? String == Fixture.r3)
            if backend == .postgres { #expect(error["sql_state"] as? String == "42P01") }
            #expect(try await fleet.tableExists("acme", "projects"), "statements before the failure stay: no transaction")
            #expect(try await fleet.versions("acme") == [Fixture.r2])
            let status = try await fleet.shoal("status", "--json").targets()["app/acme"]!
            #expect(status["state"] as? String == "dirty")

            let refused = try await fleet.shoal("upgrade")
            #expect(refused.status == 1)
            #expect(refused.stdout.contains("dirty") && refused.stdout.contains("shoal stamp"))

            #expect(try await fleet.shoal("stamp", Fixture.r3).status == 0)
            let clean = try await fleet.shoal("status", "--json").targets()["app/acme"]!
            #expect(clean["state"] as? String == "up-to-date")
        }
    }

    @Test(arguments: Backend.allCases)
    func nonTransactionalMigrationRunsStatementByStatement(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                                    MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "projects", up: """
                                    CREATE TABLE projects (id INTEGER PRIMARY KEY, title TEXT);
                                    INSERT INTO projects (id, title) VALUES (1, 'a; b');
                                    CREATE INDEX projects_title ON projects (title);
                                    """, down: "DROP TABLE projects;", transactional: false).text)
            #expect(try await fleet.shoal("upgrade").status == 0)
            #expect(try await fleet.column("acme", "SELECT title FROM projects") == ["a; b"])
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(try await fleet.shoal("status", "--exit-code").status == 0)
        }
    }
}
