import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// SPEC §14, end to end: the PostgreSQL scenarios (an unsharded database with
/// a streaming replica, schema-per-tenant shards, a database per tenant,
/// `tenants add` and `remove --drop`, `lint --observe`, `drift`) run by the
/// login role `shoal_migrator`, a non-superuser, over TLS with
/// `sslmode=verify-full` against the run's throwaway CA. Twice: once where
/// the login role owns what it migrates, once with the `role` key, where
/// everything created belongs to `shoal_owner` and the login role only
/// migrates. `scripts/lib/postgres.sh` creates the roles and the certificates.
@Suite("least privilege: a non-superuser migrates over TLS")
struct LeastPrivilegeTests {
    /// Who owns what the migrations create.
    enum Ownership: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// The login role `shoal_migrator` owns the databases and migrates as itself.
        case loginRole
        /// `"role": "shoal_owner"`: shoal `SET ROLE`s to the owner role.
        case ownerRole

        /// The role that should own every object shoal or a migration creates.
        var owner: String { self == .loginRole ? "shoal_migrator" : "shoal_owner" }
        /// The config keys that make it so.
        var roleKey: String { self == .ownerRole ? ", \"role\": \"shoal_owner\"" : "" }
        var testDescription: String { rawValue }
    }

    static let login = "shoal_migrator"

    /// `postgres://login@host:port/database` with `sslmode=verify-full` and the run's CA.
    static func url(_ login: String, database: String, port: Int? = nil) async throws -> String {
        let server = try await PostgresProbe.server()
        let ca = try PostgresTestServer.tlsDirectory() + "/ca.crt"
        return "postgres://\(login)@\(server.host):\(port ?? server.port)/\(database)?sslmode=verify-full&sslrootcert=\(ca)"
    }

    /// The port of a superuser URL (the replica's).
    static func port(of url: String) async throws -> Int {
        try await PostgresProbe.server(url).port
    }

    /// A migration that records who ran it, as the server itself sees it:
    /// `current_user` (the role objects belong to) and `session_user` (the
    /// login). The login role is admitted over TLS only (pg_hba), so a run
    /// that got this far was a TLS run; see ``theLoginRoleIsAdmittedOverTLSOnly()``.
    static let whoami = MigrationFile(
        revision: "4444dddd0004", parents: [Fixture.r3], message: "record who migrates",
        up: "CREATE TABLE whoami AS SELECT current_user::text AS role, session_user::text AS login;",
        down: "DROP TABLE whoami;").text

    static func writeMigrations(_ sandbox: Sandbox, database: String) throws {
        try sandbox.write("versions/\(database)/\(Fixture.r1)_users.sql", Fixture.users)
        try sandbox.write("versions/\(database)/\(Fixture.r2)_email.sql", Fixture.email)
        try sandbox.write("versions/\(database)/\(Fixture.r3)_projects.sql", Fixture.projects)
        try sandbox.write("versions/\(database)/4444dddd0004_whoami.sql", whoami)
    }

    /// The owners of the tables in `schema` of the database at `url`, by table.
    static func tableOwners(_ url: String, schema: String) async throws -> [String: String] {
        let rows = try await PostgresProbe.query(url, "SELECT tablename, tableowner FROM pg_catalog.pg_tables WHERE schemaname = $1", [schema])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] ?? "", $0[1] ?? "") })
    }

    static let tables = ["users", "projects", "whoami", "shoal_version", "shoal_version_history", "shoal_version_dirty"]

    /// What makes every test here a TLS test: the server refuses the login
    /// role without TLS, and verify-full with the run's CA admits it.
    @Test func theLoginRoleIsAdmittedOverTLSOnly() async throws {
        let server = try await PostgresProbe.server()
        let plain = "postgres://\(Self.login)@\(server.host):\(server.port)/postgres?sslmode=disable"
        await #expect(throws: ShoalError.self) { try await PostgresProbe.query(plain, "SELECT 1") }
        let verified = try await Self.url(Self.login, database: "postgres")
        #expect(try await PostgresProbe.query(verified, "SELECT ssl::text FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid()")
                == [["true"]])
    }

    /// An unsharded database with a streaming replica: upgrade waits for the
    /// replica, status reads it, downgrade undoes, all as the login role.
    @Test(arguments: Ownership.allCases)
    func unshardedDatabaseWithAReplica(_ ownership: Ownership) async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let name = PostgresProbe.databaseName(primary)
            try await PostgresProbe.with(primary) { admin in
                try await admin.execute("ALTER DATABASE \(admin.quoteIdentifier(name)) OWNER TO \(ownership.owner)")
            }
            let sandbox = try Sandbox()
            try sandbox.write("config.json", """
            { "databases": { "core": { "driver": "postgres", "url": "${CORE_URL}"\(ownership.roleKey),
                                       "replicas": [{ "name": "core-replica", "url": "${REPLICA_URL}" }] } } }
            """)
            try Self.writeMigrations(sandbox, database: "core")
            let env = ["CORE_URL": try await Self.url(Self.login, database: name),
                       "REPLICA_URL": try await Self.url(Self.login, database: name, port: Self.port(of: replica))]

            let upgrade = try await sandbox.run(["upgrade", "--json", "--replica-timeout", "300"], environment: env)
            #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
            let core = try upgrade.targets()["core"]
            #expect(core?["status"] as? String == "ok")
            #expect((core?["replicas"] as? [[String: Any]])?.first?["status"] as? String == "caught-up", "\(upgrade.stdout)")
            #expect(try await PostgresProbe.query(primary, "SELECT role, login FROM whoami")
                    == [[ownership.owner, Self.login]])
            let owners = try await Self.tableOwners(primary, schema: "public")
            #expect(owners == Dictionary(uniqueKeysWithValues: Self.tables.map { ($0, ownership.owner) }))

            let status = try await sandbox.run(["status", "--json"], environment: env)
            #expect(status.status == 0, "\(status.stderr)")
            let target = try #require((try status.json()["targets"] as? [[String: Any]])?.first)
            #expect(target["state"] as? String == "up-to-date")
            let replicaStatus = (target["replicas"] as? [[String: Any]])?.first
            #expect(replicaStatus?["current"] as? [String] == ["4444dddd0004"], "\(status.stdout)")

            let downgrade = try await sandbox.run(["downgrade", "base", "--replica-timeout", "300"], environment: env)
            #expect(downgrade.status == 0, "\(downgrade.stdout)\(downgrade.stderr)")
            #expect(try await Self.tableOwners(primary, schema: "public").keys.sorted()
                    == ["shoal_version", "shoal_version_dirty", "shoal_version_history"])
        }
    }

    /// Schema-per-tenant shards: one database owned by the owner, one where
    /// it only has `CREATE` on the database; `tenants add`, a downgrade of
    /// one tenant, `lint --observe` (a scratch database: `CREATEDB`),
    /// `drift`, and `tenants remove --drop`.
    @Test(arguments: Ownership.allCases)
    func schemaPerTenantShards(_ ownership: Ownership) async throws {
        try await PostgresProbe.withScratchDatabases(2) { urls in
            let names = urls.map(PostgresProbe.databaseName)
            try await PostgresProbe.with(urls[0]) { admin in
                try await admin.execute("ALTER DATABASE \(admin.quoteIdentifier(names[0])) OWNER TO \(ownership.owner)")
                try await admin.execute("GRANT CREATE ON DATABASE \(admin.quoteIdentifier(names[1])) TO \(ownership.owner)")
            }
            let sandbox = try Sandbox()
            try sandbox.write("config.json", """
            { "databases": { "accounts": { "driver": "postgres", "tenants": "tenants/accounts.json"\(ownership.roleKey),
                "shards": { "eu": { "url": \(Fixture.json(try await Self.url(Self.login, database: names[0]))) },
                            "us": { "url": \(Fixture.json(try await Self.url(Self.login, database: names[1]))) } } } } }
            """)
            try sandbox.write("tenants/accounts.json", #"[{"name": "acme", "shard": "eu"}, {"name": "globex", "shard": "us"}]"#)
            try Self.writeMigrations(sandbox, database: "accounts")

            let upgrade = try await sandbox.shoal("upgrade", "--json")
            #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
            #expect(try upgrade.targets().mapValues { $0["status"] as? String } == ["accounts/acme": "ok", "accounts/globex": "ok"])
            let added = try await sandbox.shoal("tenants", "add", "initech", "--db", "accounts", "--shard", "us", "--json")
            #expect(added.status == 0, "\(added.stdout)\(added.stderr)")

            for (url, tenant) in [(urls[0], "acme"), (urls[1], "globex"), (urls[1], "initech")] {
                let schema = "tenant_\(tenant)"
                #expect(try await PostgresProbe.query(url, "SELECT nspowner::regrole::text FROM pg_catalog.pg_namespace WHERE nspname = $1",
                                                      [schema]) == [[ownership.owner]], "\(schema)")
                #expect(try await Self.tableOwners(url, schema: schema)
                        == Dictionary(uniqueKeysWithValues: Self.tables.map { ($0, ownership.owner) }), "\(schema)")
                #expect(try await PostgresProbe.query(url, "SELECT role, login FROM \(schema).whoami")
                        == [[ownership.owner, Self.login]], "\(schema)")
            }

            let downgrade = try await sandbox.shoal("downgrade", "-1", "--tenant", "globex")
            #expect(downgrade.status == 0, "\(downgrade.stdout)\(downgrade.stderr)")
            let status = try await sandbox.shoal("status", "--json")
            #expect(try status.targets().mapValues { $0["state"] as? String }
                    == ["accounts/acme": "up-to-date", "accounts/globex": "behind", "accounts/initech": "up-to-date"])
            let observe = try await sandbox.shoal("lint", "--observe", "--db", "accounts")
            #expect(observe.status == 0, "\(observe.stdout)\(observe.stderr)")
            #expect(try await sandbox.shoal("upgrade").status == 0)
            let drift = try await sandbox.shoal("drift", "--json")
            #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")

            let removed = try await sandbox.shoal("tenants", "remove", "globex", "--db", "accounts", "--drop", "--yes")
            #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
            #expect(try await PostgresProbe.schemas(urls[1]) == ["tenant_initech"])
        }
    }

    /// Two databases on one URL, one with a `role` and one without: each
    /// target's sessions are its own database's, never a session the other
    /// left in the pool or a read batched with the other's tenants.
    @Test func twoDatabasesOnOneURLKeepTheirOwnRoles() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let name = PostgresProbe.databaseName(url)
            try await PostgresProbe.with(url) { admin in
                try await admin.execute("GRANT CREATE ON DATABASE \(admin.quoteIdentifier(name)) TO shoal_owner, shoal_migrator")
            }
            let migrator = try await Self.url(Self.login, database: name)
            let sandbox = try Sandbox()
            try sandbox.write("config.json", """
            { "concurrency": 1, "databases": {
                "accounts": { "driver": "postgres", "url": \(Fixture.json(migrator)), "role": "shoal_owner",
                              "schema": "acct_{tenant}", "tenants": "tenants/accounts.json" },
                "billing": { "driver": "postgres", "url": \(Fixture.json(migrator)), "after": ["accounts"],
                             "schema": "bill_{tenant}", "tenants": "tenants/billing.json" } } }
            """)
            for database in ["accounts", "billing"] {
                try sandbox.write("tenants/\(database).json", #"["acme", "globex"]"#)
                try Self.writeMigrations(sandbox, database: database)
            }
            let upgrade = try await sandbox.shoal("upgrade", "--json")
            #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
            for (prefix, owner) in [("acct", "shoal_owner"), ("bill", Self.login)] {
                for tenant in ["acme", "globex"] {
                    let schema = "\(prefix)_\(tenant)"
                    #expect(try await Self.tableOwners(url, schema: schema)
                            == Dictionary(uniqueKeysWithValues: Self.tables.map { ($0, owner) }), "\(schema)")
                    #expect(try await PostgresProbe.query(url, "SELECT role FROM \(schema).whoami") == [[owner]], "\(schema)")
                }
            }
            let status = try await sandbox.shoal("status", "--json")
            #expect(Set(try status.targets().values.compactMap { $0["state"] as? String }) == ["up-to-date"], "\(status.stdout)")
            let downgrade = try await sandbox.shoal("downgrade", "base")
            #expect(downgrade.status == 0, "\(downgrade.stdout)\(downgrade.stderr)")
        }
    }

    /// A database per tenant: `tenants add` creates it (`CREATEDB`), owned
    /// by the owner; `remove --drop` drops it.
    @Test(arguments: Ownership.allCases)
    func databasePerTenant(_ ownership: Ownership) async throws {
        let prefix = PostgresProbe.uniquePrefix()
        let sandbox = try Sandbox()
        try sandbox.write("config.json", """
        { "databases": { "sites": { "driver": "postgres", "layout": "database", "tenants": "tenants/sites.json",
                                    "url": \(Fixture.json(try await Self.url(Self.login, database: "\(prefix)_{tenant}")))\(ownership.roleKey) } } }
        """)
        try sandbox.write("tenants/sites.json", "[]")
        try Self.writeMigrations(sandbox, database: "sites")
        do {
            for tenant in ["acme", "globex"] {
                let added = try await sandbox.shoal("tenants", "add", tenant, "--db", "sites")
                #expect(added.status == 0, "\(added.stdout)\(added.stderr)")
            }
            #expect(try await PostgresProbe.query(try PostgresTestServer.url(), """
                SELECT datname, datdba::regrole::text FROM pg_catalog.pg_database WHERE starts_with(datname, $1) ORDER BY 1
                """, [prefix]) == [["\(prefix)_acme", ownership.owner], ["\(prefix)_globex", ownership.owner]])
            let server = try await PostgresProbe.server()
            let acme = server.url(database: "\(prefix)_acme")
            #expect(try await Self.tableOwners(acme, schema: "public") == Dictionary(uniqueKeysWithValues: Self.tables.map { ($0, ownership.owner) }))
            #expect(try await PostgresProbe.query(acme, "SELECT role, login FROM whoami") == [[ownership.owner, Self.login]])
            #expect(try await sandbox.shoal("downgrade", "-1").status == 0)
            #expect(try await sandbox.shoal("status", "--exit-code").status != 0, "behind after the downgrade")
            #expect(try await sandbox.shoal("upgrade").status == 0)
            let removed = try await sandbox.shoal("tenants", "remove", "acme", "--db", "sites", "--drop", "--yes")
            #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
            #expect(try await PostgresProbe.databases(prefix: prefix) == ["\(prefix)_globex"])
        } catch {
            try await PostgresProbe.dropDatabases(prefix: prefix)
            throw error
        }
        try await PostgresProbe.dropDatabases(prefix: prefix)
    }

    /// `shoal sql`'s script, run with psql as the login role, makes what it
    /// creates the owner role's, as a live run does.
    @Test func offlineScriptRunByTheLoginRoleCreatesForTheOwnerRole() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let name = PostgresProbe.databaseName(url)
            try await PostgresProbe.with(url) { admin in
                try await admin.execute("ALTER DATABASE \(admin.quoteIdentifier(name)) OWNER TO shoal_owner")
            }
            let sandbox = try Sandbox()
            let migrator = try await Self.url(Self.login, database: name)
            try sandbox.write("config.json", """
            { "databases": { "core": { "driver": "postgres", "url": \(Fixture.json(migrator)), "role": "shoal_owner" } } }
            """)
            try Self.writeMigrations(sandbox, database: "core")
            let script = try await sandbox.shoal("sql", "base:head", "--db", "core")
            #expect(script.status == 0, "\(script.stderr)")
            #expect(script.stdout.contains("SET ROLE \"shoal_owner\";"), "\(script.stdout)")
            let applied = try await Psql.run(script.stdout, url: migrator, in: sandbox)
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(try await Self.tableOwners(url, schema: "public") == Dictionary(uniqueKeysWithValues: Self.tables.map { ($0, "shoal_owner") }))
            let status = try await sandbox.shoal("status", "--json")
            #expect(try status.targets()["core"]?["state"] as? String == "up-to-date", "\(status.stdout)")
        }
    }
}
