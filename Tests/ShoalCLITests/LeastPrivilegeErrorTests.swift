import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// SPEC §14's failures: a `role` the login role may not `SET ROLE` to, and a
/// privilege the role lacks. Each fails that database's targets (exit 1),
/// the others go on, and the message names the role and the grant that is
/// missing rather than passing a bare SQLSTATE through.
@Suite("least privilege: missing memberships and privileges")
struct LeastPrivilegeErrorTests {
    /// The error message of each target of `result`'s JSON report, by target.
    static func messages(_ result: CLIResult) throws -> [String: String] {
        try result.targets().mapValues { (($0["error"] as? [String: Any])?["message"] as? String) ?? "" }
    }

    /// A fleet of `core` on PostgreSQL (its keys `core`) and `edge`, one
    /// SQLite file, so that a failure of `core` can be seen not to stop `edge`.
    static func fleet(_ sandbox: Sandbox, core: String) throws {
        try sandbox.write("config.json", """
        { "databases": { "core": { "driver": "postgres", \(core) },
                         "edge": { "driver": "sqlite", "path": "edge.sqlite" } } }
        """)
        for database in ["core", "edge"] {
            try sandbox.write("versions/\(database)/\(Fixture.r1)_users.sql", Fixture.users)
        }
    }

    @Test func aRoleTheLoginIsNotAMemberOfFailsThatDatabaseNamingBoth() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let name = PostgresProbe.databaseName(url)
            let sandbox = try Sandbox()
            let limited = PostgresURL.replacingDatabase(in: try PostgresTestServer.limitedURL(), with: name)
            try Self.fleet(sandbox, core: "\"url\": \(Fixture.json(limited)), \"role\": \"shoal_owner\"")

            let result = try await sandbox.shoal("upgrade", "--json")
            #expect(result.status == 1, "\(result.stderr)")
            let targets = try result.targets()
            #expect(targets["edge"]?["status"] as? String == "ok", "the SQLite database goes on")
            #expect(targets["core"]?["status"] as? String == "failed")
            let message = try Self.messages(result)["core"] ?? ""
            #expect(message.contains("cannot SET ROLE shoal_owner"), "\(message)")
            #expect(message.contains("login role shoal_limited is not a member of role shoal_owner"), "\(message)")
            #expect((targets["core"]?["error"] as? [String: Any])?["sql_state"] as? String == "42501")
            #expect(try await PostgresProbe.query(url, "SELECT to_regclass('public.shoal_version') IS NULL") == [["t"]],
                    "nothing was created")

            let text = try await sandbox.shoal("upgrade")
            #expect(text.status == 1)
            #expect(text.stdout.contains("GRANT shoal_owner TO shoal_limited"), "\(text.stdout)")
            let status = try await sandbox.shoal("status")
            #expect(status.stdout.contains("cannot SET ROLE shoal_owner"), "\(status.stdout)")
        }
    }

    @Test func aRoleThatDoesNotExistIsNamed() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let migrator = PostgresURL.replacingDatabase(in: try PostgresTestServer.migratorURL(), with: PostgresProbe.databaseName(url))
            try Self.fleet(sandbox, core: "\"url\": \(Fixture.json(migrator)), \"role\": \"shoal_nobody\"")
            let result = try await sandbox.shoal("upgrade", "--json")
            #expect(result.status == 1, "\(result.stderr)")
            let message = try Self.messages(result)["core"] ?? ""
            #expect(message.contains("cannot SET ROLE shoal_nobody") && message.contains("role \"shoal_nobody\" does not exist"),
                    "\(message)")
            #expect(try result.targets()["edge"]?["status"] as? String == "ok")
        }
    }

    /// Schema per tenant on a database where the role may not create schemas.
    @Test func creatingASchemaWithoutCreateOnTheDatabaseSaysWhatToGrant() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let name = PostgresProbe.databaseName(url)
            let sandbox = try Sandbox()
            let limited = PostgresURL.replacingDatabase(in: try PostgresTestServer.limitedURL(), with: name)
            try Fixture.fleet(sandbox, app: Fixture.postgresApp(url: limited), tenants: ["acme"])
            let result = try await sandbox.shoal("upgrade", "--json")
            #expect(result.status == 1, "\(result.stderr)")
            let message = try Self.messages(result)["app/acme"] ?? ""
            #expect(message.hasPrefix("permission denied for database \(name): grant CREATE on database \(name) to shoal_limited"),
                    "\(message)")
            let text = try await sandbox.shoal("upgrade")
            #expect(text.stdout.contains("GRANT CREATE ON DATABASE \(name) TO shoal_limited"), "\(text.stdout)")
            #expect(try await PostgresProbe.schemas(url).isEmpty)
        }
    }

    /// A migration that alters a table another role owns.
    @Test func alteringATableOfAnotherOwnerPointsAtTheRoleKey() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let name = PostgresProbe.databaseName(url)
            try await PostgresProbe.with(url) { admin in
                try await admin.execute("""
                    ALTER DATABASE \(admin.quoteIdentifier(name)) OWNER TO shoal_migrator;
                    CREATE TABLE legacy (id int)
                    """)
            }
            let sandbox = try Sandbox()
            let migrator = PostgresURL.replacingDatabase(in: try PostgresTestServer.migratorURL(), with: name)
            try sandbox.write("config.json", "{ \"databases\": { \"core\": { \"driver\": \"postgres\", \"url\": \(Fixture.json(migrator)) } } }")
            try sandbox.write("versions/core/\(Fixture.r1)_legacy.sql",
                              MigrationFile(revision: Fixture.r1, up: "ALTER TABLE legacy ADD COLUMN name text;").text)
            let result = try await sandbox.shoal("upgrade", "--json")
            #expect(result.status == 1, "\(result.stderr)")
            let message = try Self.messages(result)["core"] ?? ""
            #expect(message.hasPrefix("must be owner of table legacy: only the owner of table legacy"), "\(message)")
            #expect(message.contains("set the database's `role` key to that owner"), "\(message)")
            let text = try await sandbox.shoal("upgrade")
            #expect(text.stdout.contains("ALTER TABLE legacy OWNER TO shoal_migrator"), "\(text.stdout)")
            #expect(try await PostgresProbe.query(url, "SELECT revision FROM shoal_version").isEmpty, "nothing applied")
        }
    }

    /// `tenants add` on `layout: database` for a role without `CREATEDB`.
    @Test func creatingATenantDatabaseWithoutCreatedbSaysSo() async throws {
        let prefix = PostgresProbe.uniquePrefix()
        let sandbox = try Sandbox()
        let limited = PostgresURL.replacingDatabase(in: try PostgresTestServer.limitedURL(), with: "\(prefix)_{tenant}")
        try sandbox.write("config.json", """
        { "databases": { "sites": { "driver": "postgres", "layout": "database", "tenants": "tenants/sites.json",
                                    "url": \(Fixture.json(limited)) } } }
        """)
        try sandbox.write("tenants/sites.json", "[]")
        try sandbox.write("versions/sites/\(Fixture.r1)_users.sql", Fixture.users)
        let result = try await sandbox.shoal("tenants", "add", "acme", "--db", "sites")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("permission denied to create database: role shoal_limited needs the CREATEDB attribute"),
                "\(result.stderr)")
        #expect(result.stderr.contains("ALTER ROLE shoal_limited CREATEDB"), "\(result.stderr)")
        #expect(try sandbox.read("tenants/sites.json") == "[]", "not registered")
        #expect(try await PostgresProbe.databases(prefix: prefix).isEmpty)
    }

    /// A login role without `CONNECT` on the database.
    @Test func connectingWithoutConnectSaysWhatToGrant() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let name = PostgresProbe.databaseName(url)
            try await PostgresProbe.with(url) { admin in
                try await admin.execute("REVOKE CONNECT ON DATABASE \(admin.quoteIdentifier(name)) FROM PUBLIC")
            }
            let sandbox = try Sandbox()
            let limited = PostgresURL.replacingDatabase(in: try PostgresTestServer.limitedURL(), with: name)
            try Self.fleet(sandbox, core: "\"url\": \(Fixture.json(limited))")
            let result = try await sandbox.shoal("upgrade")
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stdout.contains("permission denied for database \"\(name)\""), "\(result.stdout)")
            #expect(result.stdout.contains("GRANT CONNECT ON DATABASE \(name) TO shoal_limited"), "\(result.stdout)")
        }
    }
}
