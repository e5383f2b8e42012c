import Foundation
import Testing

@Suite("verify sections and checksums")
struct VerifyTests {
    @Test func failingVerifySectionRollsTheMigrationBack() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                          Fixture.migration(Fixture.r2, parents: [Fixture.r1], message: "add email",
                                            up: "ALTER TABLE users ADD COLUMN email TEXT;\nINSERT INTO users (name, email) VALUES ('x', 'bad address');",
                                            down: "ALTER TABLE users DROP COLUMN email;",
                                            verify: "SELECT count(*) = 0 FROM users WHERE email LIKE '% %';"))
        let result = try sandbox.shoal("upgrade", "--json")
        #expect(result.status == 1)
        let acme = try #require(try result.targets()["app/acme"])
        #expect(acme["status"] as? String == "failed")
        #expect((acme["error"] as? [String: Any])?["revision"] as? String == Fixture.r2)
        #expect(acme["to"] as? [String] == [Fixture.r1])
        let file = Fixture.tenantFile("acme")
        #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version") == [Fixture.r1])
        #expect(try await sandbox.column(file, "SELECT name FROM pragma_table_info('users') ORDER BY cid") == ["id", "name"])
        #expect(try await sandbox.column(file, "SELECT count(*) FROM users") == ["0"])
        #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version_history") == [Fixture.r1])
    }

    @Test func editedAppliedFileIsCaughtByVerifyAndRefusedByUpgrade() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade", Fixture.r2).status == 0)
        #expect(try sandbox.shoal("verify").status == 0)
        try sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                          Fixture.migration(Fixture.r1, message: "create users",
                                            up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER);",
                                            down: "DROP TABLE users;"))
        let verify = try sandbox.shoal("verify", "--json")
        #expect(verify.status == 1)
        let acme = try #require(try verify.targets()["app/acme"])
        #expect(acme["status"] as? String == "problems")
        let modified = try #require(acme["modified"] as? [[String: Any]])
        #expect(modified.map { $0["revision"] as? String } == [Fixture.r1])
        #expect(try sandbox.shoal("verify").stdout.contains("modified: \(Fixture.r1)"))

        let upgrade = try sandbox.shoal("upgrade", "--json")
        #expect(upgrade.status == 1)
        let refused = try #require(try upgrade.targets()["app/acme"])
        #expect(refused["status"] as? String == "failed")
        #expect((refused["error"] as? [String: Any])?["revision"] as? String == Fixture.r1)
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT revision FROM shoal_version") == [Fixture.r2])
        #expect(try await !sandbox.tableExists(Fixture.tenantFile("acme"), "projects"))
    }

    @Test func whitespaceOnlyEditsKeepTheChecksum() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade").status == 0)
        let original = try sandbox.read("versions/app/\(Fixture.r1)_create_users.sql")
        try sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                          original.replacingOccurrences(of: "\n", with: "   \r\n"))
        #expect(try sandbox.shoal("verify").status == 0)
    }

    @Test func verifyReportsMissingAndUnknownRevisions() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade").status == 0)
        try sandbox.remove("versions/app/\(Fixture.r3)_create_projects.sql")
        let result = try sandbox.shoal("verify", "--json")
        #expect(result.status == 1)
        let acme = try #require(try result.targets()["app/acme"])
        #expect(acme["unknown"] as? [String] == [Fixture.r3])
        let status = try sandbox.shoal("status", "--json").targets()["app/acme"]!
        #expect(status["state"] as? String == "unknown-revision")
    }
}
