import Foundation
import Testing

@Suite("verify sections and checksums")
struct VerifyTests {
    @Test(arguments: Backend.allCases)
    func failingVerifySectionRollsTheMigrationBack(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                                    Fixture.migration(Fixture.r2, parents: [Fixture.r1], message: "add email",
                                                      up: "ALTER TABLE users ADD COLUMN email TEXT;\nINSERT INTO users (id, name, email) VALUES (1, 'x', 'bad address');",
                                                      down: "ALTER TABLE users DROP COLUMN email;",
                                                      verify: "SELECT count(*) = 0 FROM users WHERE email LIKE '% %';"))
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 1)
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["status"] as? String == "failed")
            let error = try #require(acme["error"] as? [String: Any])
            #expect(error["revision"] as? String == Fixture.r2)
            #expect((error["message"] as? String)?.contains("verify") == true, "\(error)")
            #expect(acme["to"] as? [String] == [Fixture.r1])
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.columnNames("acme", "users") == ["id", "name"])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM users") == ["0"])
            #expect(try await fleet.column("acme", "SELECT revision FROM shoal_version_history") == [Fixture.r1])
        }
    }

    @Test(arguments: Backend.allCases)
    func editedAppliedFileIsCaughtByVerifyAndRefusedByUpgrade(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r2).status == 0)
            #expect(try await fleet.shoal("verify").status == 0)
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                                    Fixture.migration(Fixture.r1, message: "create users",
                                                      up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER);",
                                                      down: "DROP TABLE users;"))
            let verify = try await fleet.shoal("verify", "--json")
            #expect(verify.status == 1)
            let acme = try #require(try verify.targets()["app/acme"])
            #expect(acme["status"] as? String == "problems")
            let modified = try #require(acme["modified"] as? [[String: Any]])
            #expect(modified.map { $0["revision"] as? String } == [Fixture.r1])
            #expect(try await fleet.shoal("verify").stdout.contains("modified: \(Fixture.r1)"))

            let upgrade = try await fleet.shoal("upgrade", "--json")
            #expect(upgrade.status == 1)
            let refused = try #require(try upgrade.targets()["app/acme"])
            #expect(refused["status"] as? String == "failed")
            #expect((refused["error"] as? [String: Any])?["revision"] as? String == Fixture.r1)
            #expect(try await fleet.versions("acme") == [Fixture.r2])
            #expect(try await !fleet.tableExists("acme", "projects"))
        }
    }

    @Test(arguments: Backend.allCases)
    func whitespaceOnlyEditsKeepTheChecksum(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let original = try fleet.sandbox.read("versions/app/\(Fixture.r1)_create_users.sql")
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                                    original.replacingOccurrences(of: "\n", with: "   \r\n"))
            #expect(try await fleet.shoal("verify").status == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func verifyReportsMissingAndUnknownRevisions(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            try fleet.sandbox.remove("versions/app/\(Fixture.r3)_create_projects.sql")
            let result = try await fleet.shoal("verify", "--json")
            #expect(result.status == 1)
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["unknown"] as? [String] == [Fixture.r3])
            let status = try await fleet.shoal("status", "--json").targets()["app/acme"]!
            #expect(status["state"] as? String == "unknown-revision")
        }
    }
}
