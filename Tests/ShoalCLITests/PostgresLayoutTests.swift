import Foundation
import ShoalTestSupport
import Testing

/// Where PostgreSQL tenants live: a database each, a schema each under a
/// custom template, tenants listed by a query; and `shoal sql` for a DBA.
@Suite("PostgreSQL layouts and tenant sources")
struct PostgresLayoutTests {
    /// How a `layout: database` url spells the tenant's database.
    enum URLForm: String, CaseIterable, Sendable {
        case url
        case conninfo
    }

    @Test(arguments: URLForm.allCases)
    func databasePerTenantIsCreatedMigratedAndDropped(_ form: URLForm) async throws {
        let prefix = PostgresProbe.uniquePrefix()
        let server = try await PostgresProbe.server()
        let template = "\(prefix)_{tenant}_db"
        let url = switch form {
        case .url: server.url(database: template)
        case .conninfo: "host=\(server.host) port=\(server.port) user=\(server.user) dbname=\(template)"
        }
        let sandbox = try Sandbox()
        try sandbox.write("config.json", """
        { "databases": { "sites": { "driver": "postgres", "layout": "database",
                                    "url": \(Fixture.json(url)), "tenants": "tenants/sites.json" } } }
        """)
        try sandbox.write("tenants/sites.json", "[]")
        try sandbox.write("versions/sites/\(Fixture.r1)_create_users.sql", Fixture.users)
        try sandbox.write("versions/sites/\(Fixture.r2)_add_email.sql", Fixture.email)
        do {
            #expect(try await PostgresProbe.databases(prefix: prefix).isEmpty)
            let added = try await sandbox.shoal("tenants", "add", "acme", "--db", "sites", "--json")
            #expect(added.status == 0, "\(added.stderr)")
            #expect(try added.targets()["sites/acme"]?["status"] as? String == "ok")
            #expect(try await sandbox.shoal("tenants", "add", "globex", "--db", "sites").status == 0)
            #expect(try await PostgresProbe.databases(prefix: prefix) == ["\(prefix)_acme_db", "\(prefix)_globex_db"])
            let acmeURL = server.url(database: "\(prefix)_acme_db")
            #expect(try await PostgresProbe.query(acmeURL, "SELECT revision FROM public.shoal_version") == [[Fixture.r2]])
            #expect(try await PostgresProbe.query(acmeURL, "SELECT count(*) FROM public.shoal_version_history") == [["2"]])
            #expect(try await PostgresProbe.schemas(acmeURL).isEmpty, "a database per tenant needs no schema")

            let status = try await sandbox.shoal("status", "--json")
            #expect(status.status == 0, "\(status.stderr)")
            #expect(try status.targets().mapValues { $0["state"] as? String } == ["sites/acme": "up-to-date", "sites/globex": "up-to-date"])
            #expect(try await sandbox.shoal("downgrade", "-1", "--tenant", "globex").status == 0)
            let upgrade = try await sandbox.shoal("upgrade", "--json")
            #expect(try upgrade.targets().mapValues { $0["status"] as? String } == ["sites/acme": "up-to-date", "sites/globex": "ok"])

            let keep = try await sandbox.shoal("tenants", "remove", "globex", "--db", "sites")
            #expect(keep.status == 0, "\(keep.stderr)")
            #expect(keep.stdout.contains("\(prefix)_globex_db") && keep.stdout.contains("--drop"))
            // Without --yes and without a terminal to ask on, --drop is refused: the database stays.
            let refused = try await sandbox.shoal("tenants", "remove", "acme", "--db", "sites", "--drop")
            #expect(refused.status == 2, "\(refused.stderr)")
            #expect(refused.stderr.contains("database \(prefix)_acme_db") && refused.stderr.contains("--yes"), "\(refused.stderr)")
            #expect(try await PostgresProbe.databases(prefix: prefix) == ["\(prefix)_acme_db", "\(prefix)_globex_db"])
            #expect(try sandbox.read("tenants/sites.json").contains("acme"))
            let drop = try await sandbox.shoal("tenants", "remove", "acme", "--db", "sites", "--drop", "--yes")
            #expect(drop.status == 0, "\(drop.stderr)")
            #expect(drop.stdout.contains("dropped database \(prefix)_acme_db"))
            #expect(try await PostgresProbe.databases(prefix: prefix) == ["\(prefix)_globex_db"])
            let registry = try sandbox.read("tenants/sites.json")
            #expect(!registry.contains("acme") && !registry.contains("globex"), "\(registry)")
        } catch {
            try await PostgresProbe.dropDatabases(prefix: prefix)
            throw error
        }
        try await PostgresProbe.dropDatabases(prefix: prefix)
    }

    @Test func upgradeOfARegisteredTenantWhoseDatabaseIsMissingSaysThatTenantsAddCreatesIt() async throws {
        let prefix = PostgresProbe.uniquePrefix()
        let server = try await PostgresProbe.server()
        let sandbox = try Sandbox()
        try sandbox.write("config.json", """
        { "databases": { "sites": { "driver": "postgres", "layout": "database",
                                    "url": \(Fixture.json(server.url(database: "\(prefix)_{tenant}_db"))), "tenants": "tenants/sites.json" } } }
        """)
        try sandbox.write("tenants/sites.json", "[\"acme\"]")
        try sandbox.write("versions/sites/\(Fixture.r1)_create_users.sql", Fixture.users)
        let hint = "database \(prefix)_acme_db of tenant acme does not exist: shoal creates a tenant's database only in `shoal tenants add acme --db sites`"

        let result = try await sandbox.shoal("upgrade", "--json")
        #expect(result.status == 1, "\(result.stderr)")
        let acme = try result.targets()["sites/acme"]
        #expect(acme?["status"] as? String == "failed")
        let message = (acme?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("database \"\(prefix)_acme_db\" does not exist"), "\(message)")
        #expect(message.contains(hint), "\(message)")
        #expect(message.contains("`shoal tenants remove acme --db sites` first"), "\(message)")
        let text = try await sandbox.shoal("upgrade")
        #expect(text.status == 1)
        #expect(text.stdout.contains(hint), "\(text.stdout)")
        // status says the same of the tenant it cannot reach, in text and JSON.
        let status = try await sandbox.shoal("status")
        #expect(status.stdout.contains("sites/acme  ?  unreachable") && status.stdout.contains(hint), "\(status.stdout)")
        let statusJSON = try await sandbox.shoal("status", "--json")
        let statusTargets = try #require(try statusJSON.json()["targets"] as? [[String: Any]])
        #expect((statusTargets.first?["message"] as? String)?.contains(hint) == true, "\(statusJSON.stdout)")
        #expect(try await PostgresProbe.databases(prefix: prefix).isEmpty, "upgrade creates no database")
    }

    @Test func schemaTemplateAndVersionTableAreHonoured() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            try Fixture.fleet(sandbox, app: Fixture.postgresApp(url: url) + ", \"schema\": \"acct_{tenant}_v1\", \"version_table\": \"migrations\"")
            let result = try await sandbox.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try await PostgresProbe.schemas(url) == ["acct_acme_v1", "acct_globex_v1", "acct_initech_v1"])
            let tables = try await PostgresProbe.query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'acct_acme_v1' ORDER BY 1")
            #expect(tables.compactMap { $0.first ?? nil } == ["migrations", "migrations_dirty", "migrations_history", "projects", "users"])
            #expect(try await PostgresProbe.query(url, "SELECT revision FROM acct_globex_v1.migrations") == [[Fixture.r3]])
            let history = try await sandbox.shoal("history", "--tenant", "globex", "--json")
            let entries = try #require((history.json()["targets"] as? [[String: Any]])?.first?["entries"] as? [[String: Any]])
            #expect(entries.count == 3)
            #expect(try await sandbox.shoal("verify").status == 0)
            #expect(try await sandbox.shoal("status", "--exit-code").status == 0)
        }
    }

    @Test func tenantsComeFromAQueryOnAnotherDatabase() async throws {
        try await PostgresProbe.withScratchDatabases(2) { urls in
            let (euURL, usURL) = (urls[0], urls[1])
            let sandbox = try Sandbox()
            let query = "SELECT name, shard FROM tenants ORDER BY name"
            try sandbox.write("config.json", """
            {
              "databases": {
                "core": { "driver": "postgres", "url": \(Fixture.json(euURL)) },
                "app": {
                  "driver": "postgres", "after": ["core"],
                  "shards": { "eu-1": { "url": \(Fixture.json(euURL)) }, "us-1": { "url": \(Fixture.json(usURL)) } },
                  "tenants": { "query": \(Fixture.json(query)), "from": "core" }
                }
              }
            }
            """)
            try sandbox.write("versions/core/c0c0aaaa0001_settings.sql",
                              MigrationFile(revision: "c0c0aaaa0001", message: "settings", up: "CREATE TABLE settings (key text);").text)
            try sandbox.write("versions/app/\(Fixture.r1)_create_users.sql", Fixture.users)
            // The tenant list lives in core, maintained by the application.
            try await PostgresProbe.with(euURL) { session in
                try await session.execute("""
                    CREATE TABLE public.tenants (name text PRIMARY KEY, shard text NOT NULL);
                    INSERT INTO public.tenants VALUES ('acme', 'eu-1'), ('globex', 'us-1'), ('initech', 'eu-1');
                    """)
            }
            let result = try await sandbox.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            let targets = try result.targets()
            #expect(Set(targets.keys) == ["core", "app/acme", "app/globex", "app/initech"])
            #expect(targets["app/globex"]?["shard"] as? String == "us-1")
            #expect(targets["app/acme"]?["shard"] as? String == "eu-1")
            #expect(try await PostgresProbe.schemas(euURL) == ["tenant_acme", "tenant_initech"])
            #expect(try await PostgresProbe.schemas(usURL) == ["tenant_globex"])
            let list = try await sandbox.shoal("tenants", "list", "--db", "app")
            #expect(list.stdout.split(separator: "\n") == ["acme  (eu-1)", "globex  (us-1)", "initech  (eu-1)"])

            // A row added to the table is a new tenant on the next run.
            _ = try await PostgresProbe.query(euURL, "INSERT INTO public.tenants VALUES ('hooli', 'us-1')")
            let status = try await sandbox.shoal("status", "--json").targets()
            #expect(status["app/hooli"]?["state"] as? String == "uninitialized")
            let again = try await sandbox.shoal("upgrade", "--json")
            #expect(try again.targets().filter { $0.value["status"] as? String == "ok" }.keys.sorted() == ["app/hooli"])

            // The registry is the table: shoal cannot edit it.
            let add = try await sandbox.shoal("tenants", "add", "wayne", "--db", "app")
            #expect(add.status == 2)
            #expect(add.stderr.contains("query"))

            // What the query returns is checked like a registry, before anything runs.
            _ = try await PostgresProbe.query(euURL, "INSERT INTO public.tenants VALUES ('x\"; DROP SCHEMA public; --', 'eu-1')")
            let before = try await PostgresProbe.catalog(of: euURL)
            let hostile = try await sandbox.shoal("upgrade")
            #expect(hostile.status == 2)
            #expect(hostile.stderr.contains("DROP SCHEMA public"), "\(hostile.stderr)")
            #expect(try await PostgresProbe.catalog(of: euURL) == before)
            _ = try await PostgresProbe.query(euURL, "DELETE FROM public.tenants WHERE name LIKE 'x%'")
            _ = try await PostgresProbe.query(euURL, "INSERT INTO public.tenants VALUES ('umbrella', 'ap-1')")
            let unknownShard = try await sandbox.shoal("upgrade")
            #expect(unknownShard.status == 2)
            #expect(unknownShard.stderr.contains("ap-1"))

            // The query runs only when the selection can reach the database it lists.
            _ = try await PostgresProbe.query(euURL, "DROP TABLE public.tenants")
            #expect(try await sandbox.shoal("status", "--db", "core", "--exit-code").status == 0)
            // A query that fails means the command cannot start: exit 2, as for a broken registry.
            for command in ["status", "upgrade"] {
                let broken = try await sandbox.run([command, "--db", "app"])
                #expect(broken.status == 2, "\(command): \(broken.stdout)\(broken.stderr)")
                #expect(broken.stderr.contains("tenant query of app") && broken.stderr.contains("\"tenants\" does not exist"), "\(broken.stderr)")
            }
        }
    }

    @Test func sqlPrintsAScriptThatUpgradesLikeShoalWould() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            try sandbox.write("config.json", """
            { "databases": { "core": { "driver": "postgres", "url": \(Fixture.json(url)) } } }
            """)
            try sandbox.write("versions/core/\(Fixture.r1)_create_users.sql", Fixture.users)
            try sandbox.write("versions/core/\(Fixture.r2)_add_email.sql", Fixture.email)
            try sandbox.write("versions/core/\(Fixture.r3)_create_projects.sql", Fixture.projects)
            let sql = try await sandbox.shoal("sql", "head", "--db", "core")
            #expect(sql.status == 0, "\(sql.stderr)")
            #expect(!sql.stdout.contains("BEGIN IMMEDIATE"))
            #expect(sql.stdout.contains("BEGIN;"))
            #expect(try await PostgresProbe.query(url, "SELECT to_regclass('public.shoal_version') IS NULL") == [["t"]],
                    "sql touches no database")
            // A DBA runs the script by hand; shoal then finds the database at head, checksums intact.
            try await PostgresProbe.with(url) { try await $0.execute(sql.stdout) }
            #expect(try await sandbox.shoal("status", "--exit-code").status == 0)
            #expect(try await sandbox.shoal("verify").status == 0)
            #expect(try await sandbox.shoal("downgrade", "base").status == 0)
            #expect(try await PostgresProbe.query(url, "SELECT to_regclass('public.users') IS NULL") == [["t"]])
        }
    }
}
