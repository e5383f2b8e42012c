import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// Tenant names on PostgreSQL: hostile ones are refused before any
/// connection, long ones are refused rather than truncated, and names that
/// need quoting are quoted everywhere (SPEC §2).
@Suite("PostgreSQL tenant names")
struct PostgresTenantNameTests {
    /// Tenant names that must never reach a schema name, a database name or SQL.
    static let hostileNames = [
        "x\"; DROP SCHEMA public; --",
        "../etc",
        "acme; DROP TABLE users",
        "Robert'); DROP TABLE students;--",
        String(repeating: "a", count: 57),  // tenant_ + 57 = 64 bytes: PostgreSQL would truncate it
    ]

    @Test(arguments: hostileNames)
    func aHostileTenantNameIsRejectedBeforeAnyConnection(_ name: String) async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            let before = try await fleet.snapshot()
            try fleet.sandbox.write("tenants/app.json", "[\"acme\", \(Fixture.json(name))]")
            for args in [["upgrade"], ["status"], ["history"], ["verify"], ["stamp", "head"], ["upgrade", "--tenant", "acme"]] {
                let result = try await fleet.run(args)
                #expect(result.status == 2, "\(args): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains(name), "\(args): \(result.stderr)")
            }
            #expect(try await fleet.snapshot().database == before.database, "nothing was created or changed on the server")

            try fleet.sandbox.write("tenants/app.json", "[\"acme\"]")
            let add = try await fleet.shoal("tenants", "add", name, "--db", "app")
            #expect(add.status == 2, "\(add.stdout)\(add.stderr)")
            #expect(try fleet.sandbox.read("tenants/app.json") == "[\"acme\"]")
            #expect(try await fleet.snapshot().database == before.database)
            #expect(try await PostgresProbe.schemas(fleet.url!) == Fixture.tenants.map(AppFleet.schema))
        }
        // The same names are refused with the server out of reach: no connection was needed to refuse them.
        let sandbox = try Sandbox()
        try Fixture.fleet(sandbox, app: Fixture.postgresApp(url: "postgres://nobody@127.0.0.1:1/nowhere"), tenants: ["acme", name])
        let offline = try await sandbox.shoal("upgrade")
        #expect(offline.status == 2, "\(offline.stdout)\(offline.stderr)")
        #expect(offline.stderr.contains(name) && !offline.stderr.contains("Connection refused"), "\(offline.stderr)")
    }

    @Test func theLongestTenantNameThatFitsIsUsedWhole() async throws {
        let longest = String(repeating: "b", count: 56)  // tenant_ + 56 = 63 bytes
        try await AppFleet.with(.postgres, tenants: [longest, "acme"]) { fleet async throws in
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try await PostgresProbe.schemas(fleet.url!) == ["tenant_acme", "tenant_" + longest])
            #expect(try await fleet.versions(longest) == [Fixture.r3])
        }
    }

    @Test func aDatabaseNameTooLongAfterTemplatingIsRejected() async throws {
        let server = try await PostgresProbe.server()
        let sandbox = try Sandbox()
        let url = server.url(database: "shoal_site_{tenant}")
        try sandbox.write("config.json", """
        { "databases": { "sites": { "driver": "postgres", "layout": "database", "url": \(Fixture.json(url)),
                                    "tenants": "tenants/sites.json" } } }
        """)
        try sandbox.write("tenants/sites.json", "[]")
        try sandbox.write("versions/sites/\(Fixture.r1)_create_users.sql", Fixture.users)
        let name = String(repeating: "c", count: 53)  // shoal_site_ (11) + 53 = 64 bytes
        let before = try await PostgresProbe.databases(prefix: "shoal_site_")
        let add = try await sandbox.shoal("tenants", "add", name, "--db", "sites")
        #expect(add.status == 2, "\(add.stdout)\(add.stderr)")
        #expect(add.stderr.contains("63"), "\(add.stderr)")
        #expect(try await PostgresProbe.databases(prefix: "shoal_site_") == before)
        #expect(try sandbox.read("tenants/sites.json") == "[]")
    }

    @Test func namesThatNeedQuotingAreQuotedEverywhere() async throws {
        // Upper case and a hyphen: unquoted, PostgreSQL would fold `ACME-Corp` to
        // lower case or refuse it; the two tenants must get two schemas.
        let tenants = ["ACME-Corp", "acme-corp"]
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            try Fixture.fleet(sandbox, app: Fixture.postgresApp(url: url) + ", \"schema\": \"T_{tenant}\", \"version_table\": \"Shoal_Version\"",
                              tenants: tenants)
            let upgrade = try await sandbox.shoal("upgrade", "--json")
            #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
            #expect(try await PostgresProbe.schemas(url) == ["T_ACME-Corp", "T_acme-corp"])
            for tenant in tenants {
                let versions = try await PostgresProbe.query(url, "SELECT revision FROM \"T_\(tenant)\".\"Shoal_Version\"")
                #expect(versions == [[Fixture.r3]], "\(tenant)")
            }
            #expect(try await sandbox.shoal("status", "--exit-code").status == 0)
            #expect(try await sandbox.shoal("verify").status == 0)
            let history = try await sandbox.shoal("history", "--tenant", "ACME-Corp", "--json")
            #expect(((try history.json()["targets"] as? [[String: Any]])?.first?["entries"] as? [Any])?.count == 3)
            #expect(try await sandbox.shoal("downgrade", "-1", "--tenant", "ACME-Corp").status == 0)
            #expect(try await PostgresProbe.query(url, "SELECT revision FROM \"T_ACME-Corp\".\"Shoal_Version\"") == [[Fixture.r2]])
            #expect(try await PostgresProbe.query(url, "SELECT revision FROM \"T_acme-corp\".\"Shoal_Version\"") == [[Fixture.r3]])
            let drop = try await sandbox.shoal("tenants", "remove", "ACME-Corp", "--db", "app", "--drop", "--yes")
            #expect(drop.status == 0, "\(drop.stderr)")
            #expect(try await PostgresProbe.schemas(url) == ["T_acme-corp"])
        }
    }
}
