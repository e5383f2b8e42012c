import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// `shoal sql` for a multi-tenant database (SPEC §6): the script for one
/// tenant, `{tenant}` filled in and run as it is (through psql on
/// PostgreSQL), leaves the tenant exactly where `shoal upgrade` would: every
/// table in the tenant's schema or database, the version tables saying so.
@Suite("shoal sql scripts run by hand")
struct SQLCommandTests {
    static let r4 = "4444dddd0004"

    /// A `transaction: false` step after the fixture's three.
    static func noTransaction(_ backend: Backend) -> String {
        let concurrently = backend == .postgres ? " CONCURRENTLY" : ""
        return MigrationFile(revision: r4, parents: [Fixture.r3], message: "index titles",
                                       up: "CREATE INDEX\(concurrently) projects_title ON projects (title);\nCREATE TABLE audit (id integer);",
                                       down: "DROP INDEX\(concurrently) projects_title;\nDROP TABLE audit;", transactional: false).text
    }

    /// The tables of a tenant at head, and at base.
    static let tablesAtHead = ["audit", "projects", "shoal_version", "shoal_version_dirty", "shoal_version_history", "users"]
    static let versionTables = ["shoal_version", "shoal_version_dirty", "shoal_version_history"]

    /// The script of `range` for `tenant`: `{tenant}` filled in, as a DBA would.
    static func script(_ sandbox: Sandbox, _ range: String, tenant: String,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await sandbox.shoal("sql", range, "--db", "app")
        #expect(result.status == 0, "sql \(range): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout.replacingOccurrences(of: "{tenant}", with: tenant)
    }

    /// `schema.table` of every table in the database at `url`.
    static func tables(_ url: String) async throws -> [String] {
        try await PostgresProbe.query(url, """
            SELECT schemaname || '.' || tablename FROM pg_catalog.pg_tables
            WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """).compactMap { $0.first ?? nil }
    }

    @Test func schemaPerTenantScriptPutsEveryTableInTheTenantsSchema() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            try Fixture.fleet(sandbox, app: Fixture.postgresApp(url: url), tenants: ["acme", "globex"])
            try sandbox.write("versions/app/\(Self.r4)_index_titles.sql", Self.noTransaction(.postgres))

            // acme from base to head in one script; globex in two, the second
            // starting past base, where the schema already exists.
            let acme = try await Psql.run(try await Self.script(sandbox, "base:head", tenant: "acme"), url: url, in: sandbox)
            #expect(acme.status == 0, "\(acme.stderr)")
            for range in ["base:\(Fixture.r2)", "\(Fixture.r2):head"] {
                let globex = try await Psql.run(try await Self.script(sandbox, range, tenant: "globex"), url: url, in: sandbox)
                #expect(globex.status == 0, "\(range): \(globex.stderr)")
            }

            #expect(try await Self.tables(url) == ["tenant_acme", "tenant_globex"].flatMap { schema in
                Self.tablesAtHead.map { "\(schema).\($0)" }
            }, "nothing lands in public")
            #expect(try await PostgresProbe.query(url, "SELECT schemaname FROM pg_catalog.pg_indexes WHERE indexname = 'projects_title' ORDER BY 1")
                    == [["tenant_acme"], ["tenant_globex"]])
            for schema in ["tenant_acme", "tenant_globex"] {
                #expect(try await PostgresProbe.query(url, "SELECT revision FROM \(schema).shoal_version") == [[Self.r4]])
                #expect(try await PostgresProbe.query(url, "SELECT revision, operation FROM \(schema).shoal_version_history ORDER BY id")
                        == [Fixture.r1, Fixture.r2, Fixture.r3, Self.r4].map { [$0, "upgrade"] })
                #expect(try await PostgresProbe.query(url, "SELECT count(*) FROM \(schema).shoal_version_dirty") == [["0"]])
            }

            // shoal finds both tenants at head, checksums intact, and can take them down.
            let status = try await sandbox.shoal("status", "--json")
            #expect(try status.targets().mapValues { $0["state"] as? String } == ["app/acme": "up-to-date", "app/globex": "up-to-date"],
                    "\(status.stdout)\(status.stderr)")
            #expect(try await sandbox.shoal("verify").status == 0)
            let down = try await sandbox.shoal("downgrade", "base")
            #expect(down.status == 0, "\(down.stdout)\(down.stderr)")
            #expect(try await Self.tables(url) == ["tenant_acme", "tenant_globex"].flatMap { schema in
                Self.versionTables.map { "\(schema).\($0)" }
            })
        }
    }

    @Test func databasePerTenantScriptPutsEveryTableInTheTenantsDatabase() async throws {
        let prefix = PostgresProbe.uniquePrefix()
        let server = try await PostgresProbe.server()
        let sandbox = try Sandbox()
        try Fixture.fleet(sandbox, app: """
            "driver": "postgres", "layout": "database", "url": \(Fixture.json(server.url(database: "\(prefix)_{tenant}"))),
            "tenants": "tenants/app.json"
            """, tenants: ["acme"])
        try sandbox.write("versions/app/\(Self.r4)_index_titles.sql", Self.noTransaction(.postgres))
        do {
            try await PostgresProbe.with(try PostgresTestServer.url()) { admin in
                try await admin.execute("CREATE DATABASE \(admin.quoteIdentifier("\(prefix)_acme")) STRATEGY = FILE_COPY")
            }
            let acmeURL = server.url(database: "\(prefix)_acme")
            let script = try await Self.script(sandbox, "base:head", tenant: "acme")
            let run = try await Psql.run(script, url: acmeURL, in: sandbox)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try await Self.tables(acmeURL) == Self.tablesAtHead.map { "public.\($0)" })
            #expect(try await PostgresProbe.query(acmeURL, "SELECT revision FROM public.shoal_version") == [[Self.r4]])
            #expect(try await PostgresProbe.query(acmeURL, "SELECT count(*) FROM public.shoal_version_history") == [["4"]])

            let status = try await sandbox.shoal("status", "--exit-code")
            #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
            #expect(try await sandbox.shoal("downgrade", "base").status == 0)
            #expect(try await Self.tables(acmeURL) == Self.versionTables.map { "public.\($0)" })
        } catch {
            try? await PostgresProbe.dropDatabases(prefix: prefix)
            throw error
        }
        try await PostgresProbe.dropDatabases(prefix: prefix)
    }

    @Test func sqliteScriptRunOnATenantsFileLeavesItAtHead() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox, tenants: ["acme", "globex"])
        try sandbox.write("versions/app/\(Self.r4)_index_titles.sql", Self.noTransaction(.sqlite))
        let runs = [("acme", "base:head"), ("globex", "base:\(Fixture.r2)"), ("globex", "\(Fixture.r2):head")]
        for (tenant, range) in runs {
            let script = try await Self.script(sandbox, range, tenant: tenant)
            let session = try await SQLiteSession.open(path: sandbox.path(Fixture.tenantFile(tenant)), mode: .readWrite)
            do {
                try await session.execute(script)
            } catch {
                await session.close()
                throw error
            }
            await session.close()
        }
        for tenant in ["acme", "globex"] {
            let file = Fixture.tenantFile(tenant)
            #expect(try await sandbox.column(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY 1")
                    == Self.tablesAtHead)
            #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version") == [Self.r4])
            #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version_history ORDER BY id")
                    == [Fixture.r1, Fixture.r2, Fixture.r3, Self.r4])
            #expect(try await sandbox.column(file, "SELECT count(*) FROM shoal_version_dirty") == ["0"])
        }
        let status = try await sandbox.shoal("status", "--exit-code")
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(try await sandbox.shoal("verify").status == 0)
        #expect(try await sandbox.shoal("downgrade", "base").status == 0)
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT count(*) FROM sqlite_master WHERE name = 'users'") == ["0"])
    }
}
