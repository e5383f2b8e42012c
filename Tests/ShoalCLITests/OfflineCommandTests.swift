import Foundation
import Testing

/// SPEC §2: connection settings are resolved only by commands that connect.
/// A developer writing a migration has no production URLs: `check`,
/// `revisions`, `heads`, `revision`, `merge` and `sql` work with them unset,
/// and the commands that connect name every unset variable at once.
@Suite("commands that never connect need no URL variables")
struct OfflineCommandTests {
    /// The URL variables of ``fleet(_:_:)``, none of which the tests' environment sets.
    static func urlVariables(_ backend: Backend) -> [String] {
        let app = ["SHOAL_TEST_EU1_URL", "SHOAL_TEST_EU1_REPLICA_URL", "SHOAL_TEST_US1_URL"]
        return ["SHOAL_TEST_CORE_URL", "SHOAL_TEST_CORE_REPLICA_URL", "SHOAL_TEST_SITES_URL"] + (backend == .postgres ? app : [])
    }

    /// Beside `app` (SQLite files, or PostgreSQL schemas on two shards): a
    /// PostgreSQL `core` with a replica, and `sites`, a database per tenant
    /// listed by a query on `core`. Every URL is a variable.
    static func fleet(_ sandbox: Sandbox, _ backend: Backend) throws {
        let app = switch backend {
        case .sqlite: Fixture.sqliteApp
        case .postgres: """
            "driver": "postgres", "tenants": "tenants/app.json",
            "shards": {
              "eu-1": { "url": "${SHOAL_TEST_EU1_URL}", "replicas": [{ "name": "eu-1-replica", "url": "${SHOAL_TEST_EU1_REPLICA_URL}" }] },
              "us-1": { "url": "${SHOAL_TEST_US1_URL}" }
            }
            """
        }
        try Fixture.fleet(sandbox, app: app, tenants: [])
        try sandbox.write("tenants/app.json", backend == .sqlite ? #"["acme", "globex"]"# : #"[{"name": "acme", "shard": "eu-1"}]"#)
        let config = try sandbox.read("config.json").replacingOccurrences(of: "\"databases\": {", with: """
            "databases": {
                "core": { "driver": "postgres", "url": "${SHOAL_TEST_CORE_URL}",
                          "replicas": [{ "name": "core-replica", "url": "${SHOAL_TEST_CORE_REPLICA_URL}" }] },
                "sites": { "driver": "postgres", "layout": "database", "url": "${SHOAL_TEST_SITES_URL}",
                           "tenants": { "query": "SELECT name FROM sites", "from": "core" } },
            """)
        try sandbox.write("config.json", config)
        try sandbox.write("versions/core/\(Fixture.r1)_create_users.sql", Fixture.users)
        try sandbox.write("versions/sites/\(Fixture.r1)_create_users.sql", Fixture.users)
    }

    @Test(arguments: Backend.allCases)
    func offlineCommandsWorkWithTheURLVariablesUnset(_ backend: Backend) async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox, backend)
        for variable in Self.urlVariables(backend) {
            #expect(ProcessInfo.processInfo.environment[variable] == nil, "\(variable) must be unset for this test")
        }

        let check = try await sandbox.shoal("check", "--json")
        #expect(check.status == 0, "check: \(check.stderr)")
        #expect(try check.json()["ok"] as? Bool == true)
        let revisions = try await sandbox.shoal("revisions", "--db", "app", "--json")
        #expect(revisions.status == 0, "revisions: \(revisions.stderr)")
        #expect((try revisions.json()["revisions"] as? [Any])?.count == 3)
        let heads = try await sandbox.shoal("heads", "--db", "app")
        #expect(heads.status == 0 && heads.stdout.contains(Fixture.r3), "heads: \(heads.stderr)")
        for database in ["app", "sites"] {
            let sql = try await sandbox.shoal("sql", "base:head", "--db", database)
            #expect(sql.status == 0, "sql --db \(database): \(sql.stderr)")
            #expect(sql.stdout.contains("CREATE TABLE users"), "sql --db \(database): \(sql.stdout)")
        }

        // A branch off r2, then the merge of the two heads.
        let branch = try await sandbox.shoal("revision", "--db", "app", "-m", "tag projects", "--parent", Fixture.r2)
        #expect(branch.status == 0, "revision: \(branch.stderr)")
        #expect(FileManager.default.fileExists(atPath: branch.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let twoHeads = try await sandbox.shoal("check", "--db", "app")
        #expect(twoHeads.status == 1, "check finds the two heads: \(twoHeads.stdout)\(twoHeads.stderr)")
        let merge = try await sandbox.shoal("merge", "--db", "app", "-m", "merge tags")
        #expect(merge.status == 0, "merge: \(merge.stderr)")
        let merged = try await sandbox.shoal("heads", "--db", "app", "--json")
        #expect((try merged.json()["heads"] as? [Any])?.count == 1, "\(merged.stdout)")
        #expect(try await sandbox.shoal("check").status == 0)
    }

    @Test(arguments: Backend.allCases)
    func commandsThatConnectNameEveryUnsetVariableAndTouchNothing(_ backend: Backend) async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox, backend)
        let before = try sandbox.snapshot()
        let commands = [
            ["status"], ["upgrade"], ["upgrade", "--dry-run"], ["downgrade", "base"], ["stamp", "head"], ["history"],
            ["verify"], ["tenants", "list", "--db", "app"], ["tenants", "add", "initech", "--db", "app"],
            ["tenants", "remove", "acme", "--db", "app"], ["status", "--db", "app"],
        ]
        for command in commands {
            let result = try await sandbox.run(command)
            #expect(result.status == 2, "\(command): exit \(result.status)\n\(result.stderr)")
            let variables = Self.urlVariables(backend)
            #expect(result.stderr.contains("\(variables.count) environment variables are not set"), "\(command): \(result.stderr)")
            for variable in variables {
                #expect(result.stderr.contains("`\(variable)`"), "\(command) does not name \(variable): \(result.stderr)")
            }
            #expect(result.stderr.contains("`databases.core.replicas[0].url`"), "\(command): \(result.stderr)")
        }
        #expect(try sandbox.snapshot() == before, "nothing is touched")
        #expect(!sandbox.exists(Fixture.tenantFile("acme")))
    }

    @Test func everyUnsetVariableIsNamedWithItsKey() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("config.json", """
            {
              "databases": {
                "core": { "driver": "postgres", "url": "${SHOAL_TEST_CORE_URL}" },
                "app": {
                  "driver": "sqlite",
                  "path": "${SHOAL_TEST_DATA_DIR}/{tenant}.sqlite",
                  "tenants": "${SHOAL_TEST_REGISTRY_DIR:?the folder of the tenant registries}/app.json"
                }
              }
            }
            """)
        try sandbox.write("registries/app.json", #"["acme"]"#)
        try sandbox.write("versions/app/\(Fixture.r1)_create_users.sql", Fixture.users)
        try sandbox.write("versions/core/\(Fixture.r1)_create_users.sql", Fixture.users)

        let status = try await sandbox.shoal("status")
        #expect(status.status == 2)
        #expect(status.stderr.contains("config.json:3: 3 environment variables are not set"), "\(status.stderr)")
        for line in ["`SHOAL_TEST_CORE_URL` (used by `databases.core.url` at line 3)",
                     "`SHOAL_TEST_DATA_DIR` (used by `databases.app.path` at line 6)",
                     "`SHOAL_TEST_REGISTRY_DIR`: the folder of the tenant registries (used by `databases.app.tenants` at line 7)"] {
            #expect(status.stderr.contains(line), "\(status.stderr)")
        }

        // A command that never connects needs all but the URL.
        let check = try await sandbox.shoal("check")
        #expect(check.status == 2)
        #expect(check.stderr.contains("2 environment variables are not set") && check.stderr.contains("`SHOAL_TEST_DATA_DIR`")
                && check.stderr.contains("`SHOAL_TEST_REGISTRY_DIR`"), "\(check.stderr)")
        #expect(!check.stderr.contains("SHOAL_TEST_CORE_URL"), "\(check.stderr)")
        let set = ["SHOAL_TEST_DATA_DIR": sandbox.path("data"), "SHOAL_TEST_REGISTRY_DIR": sandbox.path("registries")]
        #expect(try await sandbox.shoal("check", environment: set).status == 0)
        let upgrade = try await sandbox.shoal("upgrade", environment: set)
        #expect(upgrade.status == 2)
        #expect(upgrade.stderr.contains("environment variable `SHOAL_TEST_CORE_URL` is not set (used by `databases.core.url`)"),
                "\(upgrade.stderr)")
        #expect(!sandbox.exists("data/acme.sqlite"), "nothing is touched")
    }

    @Test func checkDoesNotRunTenantQueries() async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox, .sqlite)
        // Every URL set, to a server nothing listens on: a check that connected would fail.
        var dead: [String: String] = [:]
        for variable in Self.urlVariables(.sqlite) { dead[variable] = "postgres://shoal@127.0.0.1:1/core?connect_timeout=2" }
        dead["SHOAL_TEST_SITES_URL"] = "postgres://shoal@127.0.0.1:1/site_{tenant}?connect_timeout=2"
        let check = try await sandbox.shoal("check", environment: dead)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let status = try await sandbox.shoal("status", "--db", "sites", environment: dead)
        #expect(status.status == 2, "status does run the query: \(status.stdout)\(status.stderr)")
        #expect(status.stderr.contains("the tenant query of sites failed on core"), "\(status.stderr)")
    }
}
