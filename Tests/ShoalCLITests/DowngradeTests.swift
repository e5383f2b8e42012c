import Foundation
import ShoalTestSupport
import Testing

@Suite("downgrade")
struct DowngradeTests {
    @Test(arguments: Backend.allCases)
    func downgradeMinusOneUndoesTheLastMigration(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let result = try await fleet.shoal("downgrade", "-1", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["from"] as? [String] == [Fixture.r3])
            #expect(acme["to"] as? [String] == [Fixture.r2])
            #expect(try await fleet.versions("acme") == [Fixture.r2])
            #expect(try await !fleet.tableExists("acme", "projects"))
            #expect(try await fleet.tableExists("acme", "users"))
            let last = try await fleet.rows("acme", "SELECT revision, operation FROM shoal_version_history ORDER BY id DESC LIMIT 1")
            #expect(last == [[Fixture.r3, "downgrade"]])
        }
    }

    @Test(arguments: Backend.allCases)
    func downgradeToBaseEmptiesTheVersionTable(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let result = try await fleet.shoal("downgrade", "base")
            #expect(result.status == 0, "\(result.stderr)")
            for tenant in Fixture.tenants {
                #expect(try await fleet.column(tenant, "SELECT count(*) FROM shoal_version") == ["0"])
                #expect(try await !fleet.tableExists(tenant, "users"))
                #expect(try await fleet.column(tenant, "SELECT operation FROM shoal_version_history ORDER BY id") ==
                        ["upgrade", "upgrade", "upgrade", "downgrade", "downgrade", "downgrade"])
            }
            let status = try await fleet.shoal("status", "--json").targets()["app/acme"]!
            #expect(status["current"] as? [String] == [])
            #expect(status["pending"] as? Int == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func downgradeToARevisionByPrefix(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            #expect(try await fleet.shoal("downgrade", String(Fixture.r1.prefix(5))).status == 0)
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.columnNames("acme", "users") == ["id", "name"])
        }
    }

    @Test(arguments: Backend.allCases)
    func downgradeRefusesRevisionWithoutDown(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                                    MigrationFile(revision: Fixture.r2, parents: [Fixture.r1], message: "add email", up: "ALTER TABLE users ADD COLUMN email TEXT;").text)
            #expect(try await fleet.shoal("upgrade").status == 0)
            let result = try await fleet.shoal("downgrade", "base", "--json")
            #expect(result.status == 1)
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["status"] as? String == "failed")
            let error = try #require(acme["error"] as? [String: Any])
            #expect(error["revision"] as? String == Fixture.r2)
            #expect((error["message"] as? String)?.contains("down") == true)
            // Refused before anything ran: r3 (which has a down) is still applied.
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(try await fleet.tableExists("acme", "projects"))
        }
    }

    @Test(arguments: Backend.allCases)
    func downgradeOfARevisionNotAppliedIsRefused(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            let result = try await fleet.shoal("downgrade", Fixture.r3)
            #expect(result.status == 1)
            #expect(result.stdout.contains("not applied"))
            #expect(try await fleet.versions("acme") == [Fixture.r1])
        }
    }
}
