import Foundation
import Testing

@Suite("stamp and transaction: false")
struct StampTests {
    @Test func stampAdoptsAnExistingDatabaseWithoutRunningSQL() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox, tenants: ["acme"])
        let file = Fixture.tenantFile("acme")
        try FileManager.default.createDirectory(atPath: sandbox.path("tenants/app"), withIntermediateDirectories: true)
        try await SQLiteWriter.execute(sandbox.path(file), "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);")
        let result = try sandbox.shoal("stamp", Fixture.r2, "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try result.targets()["app/acme"]?["to"] as? [String] == [Fixture.r2])
        #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version") == [Fixture.r2])
        #expect(try await sandbox.column(file, "SELECT operation FROM shoal_version_history") == ["stamp"])
        #expect(try sandbox.shoal("upgrade").status == 0)
        #expect(try await sandbox.tableExists(file, "projects"))
        let again = try sandbox.shoal("stamp", "head", "--json")
        #expect(try again.targets()["app/acme"]?["status"] as? String == "up-to-date")
    }

    @Test func interruptedNonTransactionalMigrationLeavesTheTargetDirtyUntilStamped() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox, tenants: ["acme"])
        try sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                          Fixture.migration(Fixture.r3, parents: [Fixture.r2], message: "projects", up: """
                          CREATE TABLE projects (id INTEGER PRIMARY KEY);
                          INSERT INTO no_such_table VALUES (1);
                          """, down: "DROP TABLE projects;", transaction: false))
        let failed = try sandbox.shoal("upgrade", "--json")
        #expect(failed.status == 1)
        let error = try #require(try failed.targets()["app/acme"]?["error"] as? [String: Any])
        #expect(error["revision"] as? String == Fixture.r3)
        let file = Fixture.tenantFile("acme")
        #expect(try await sandbox.tableExists(file, "projects"), "statements before the failure stay: no transaction")
        #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version") == [Fixture.r2])
        let status = try sandbox.shoal("status", "--json").targets()["app/acme"]!
        #expect(status["state"] as? String == "dirty")

        let refused = try sandbox.shoal("upgrade")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("dirty") && refused.stdout.contains("shoal stamp"))

        #expect(try sandbox.shoal("stamp", Fixture.r3).status == 0)
        let clean = try sandbox.shoal("status", "--json").targets()["app/acme"]!
        #expect(clean["state"] as? String == "up-to-date")
    }

    @Test func nonTransactionalMigrationRunsStatementByStatement() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox, tenants: ["acme"])
        try sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                          Fixture.migration(Fixture.r3, parents: [Fixture.r2], message: "projects", up: """
                          CREATE TABLE projects (id INTEGER PRIMARY KEY, title TEXT);
                          INSERT INTO projects (title) VALUES ('a; b');
                          CREATE INDEX projects_title ON projects (title);
                          """, down: "DROP TABLE projects;", transaction: false))
        #expect(try sandbox.shoal("upgrade").status == 0)
        let file = Fixture.tenantFile("acme")
        #expect(try await sandbox.column(file, "SELECT title FROM projects") == ["a; b"])
        #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version") == [Fixture.r3])
        #expect(try sandbox.shoal("status", "--exit-code").status == 0)
    }
}
