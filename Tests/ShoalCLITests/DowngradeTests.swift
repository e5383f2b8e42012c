import Foundation
import Testing

@Suite("downgrade")
struct DowngradeTests {
    @Test func downgradeMinusOneUndoesTheLastMigration() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade").status == 0)
        let result = try sandbox.shoal("downgrade", "-1", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let acme = try #require(try result.targets()["app/acme"])
        #expect(acme["from"] as? [String] == [Fixture.r3])
        #expect(acme["to"] as? [String] == [Fixture.r2])
        let file = Fixture.tenantFile("acme")
        #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version") == [Fixture.r2])
        #expect(try await !sandbox.tableExists(file, "projects"))
        #expect(try await sandbox.tableExists(file, "users"))
        let last = try await sandbox.rows(file, "SELECT revision, operation FROM shoal_version_history ORDER BY id DESC LIMIT 1")
        #expect(last == [[Fixture.r3, "downgrade"]])
    }

    @Test func downgradeToBaseEmptiesTheVersionTable() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade").status == 0)
        let result = try sandbox.shoal("downgrade", "base")
        #expect(result.status == 0, "\(result.stderr)")
        for tenant in Fixture.tenants {
            let file = Fixture.tenantFile(tenant)
            #expect(try await sandbox.column(file, "SELECT count(*) FROM shoal_version") == ["0"])
            #expect(try await !sandbox.tableExists(file, "users"))
            #expect(try await sandbox.column(file, "SELECT operation FROM shoal_version_history ORDER BY id") ==
                    ["upgrade", "upgrade", "upgrade", "downgrade", "downgrade", "downgrade"])
        }
        let status = try sandbox.shoal("status", "--json").targets()["app/acme"]!
        #expect(status["current"] as? [String] == [])
        #expect(status["pending"] as? Int == 3)
    }

    @Test func downgradeToARevisionByPrefix() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade").status == 0)
        #expect(try sandbox.shoal("downgrade", String(Fixture.r1.prefix(5))).status == 0)
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT revision FROM shoal_version") == [Fixture.r1])
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT name FROM pragma_table_info('users') ORDER BY cid") == ["id", "name"])
    }

    @Test func downgradeRefusesRevisionWithoutDown() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                          Fixture.migration(Fixture.r2, parents: [Fixture.r1], message: "add email", up: "ALTER TABLE users ADD COLUMN email TEXT;"))
        #expect(try sandbox.shoal("upgrade").status == 0)
        let result = try sandbox.shoal("downgrade", "base", "--json")
        #expect(result.status == 1)
        let acme = try #require(try result.targets()["app/acme"])
        #expect(acme["status"] as? String == "failed")
        let error = try #require(acme["error"] as? [String: Any])
        #expect(error["revision"] as? String == Fixture.r2)
        #expect((error["message"] as? String)?.contains("down") == true)
        // Refused before anything ran: r3 (which has a down) is still applied.
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT revision FROM shoal_version") == [Fixture.r3])
        #expect(try await sandbox.tableExists(Fixture.tenantFile("acme"), "projects"))
    }

    @Test func downgradeOfARevisionNotAppliedIsRefused() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade", Fixture.r1).status == 0)
        let result = try sandbox.shoal("downgrade", Fixture.r3)
        #expect(result.status == 1)
        #expect(result.stdout.contains("not applied"))
    }
}
