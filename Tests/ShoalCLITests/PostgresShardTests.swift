import Foundation
import ShoalTestSupport
import Testing

/// A database `accounts` with a schema per tenant spread over two shards,
/// `eu-1` and `us-1` (two scratch databases), and a plain database `core`
/// that lives in eu-1's database too.
@Suite("PostgreSQL shards and the selectors of SPEC §3")
struct PostgresShardTests {
    static let eu = ["acme", "ares", "globex"]
    static let us = ["apex", "gamma", "initech", "umbrella"]
    static let coreRevision = "c0c0aaaa0001"

    /// Writes the fleet: `accounts` on shards eu-1 (`urls[0]`) and us-1
    /// (`urls[1]`) with `registry` (name → shard), and `core` on eu-1's database.
    static func writeFleet(_ sandbox: Sandbox, urls: [String], registry: [(String, String)],
                           shardKeys: String = "") throws {
        try sandbox.write("config.json", """
        {
          "concurrency": 4,
          "databases": {
            "core": { "driver": "postgres", "url": \(Fixture.json(urls[0])) },
            "accounts": {
              "driver": "postgres",
              "after": ["core"],
              "layout": "schema",
              "schema": "tenant_{tenant}",
              "shards": {
                "eu-1": { "url": \(Fixture.json(urls[0]))\(shardKeys) },
                "us-1": { "url": \(Fixture.json(urls[1]))\(shardKeys) }
              },
              "tenants": "tenants/accounts.json"
            }
          }
        }
        """)
        let entries = registry.map { "{\"name\": \(Fixture.json($0.0)), \"shard\": \(Fixture.json($0.1))}" }
        try sandbox.write("tenants/accounts.json", "[" + entries.joined(separator: ", ") + "]")
        try sandbox.write("versions/core/\(coreRevision)_settings.sql",
                          MigrationFile(revision: coreRevision, message: "settings", up: "CREATE TABLE settings (key text PRIMARY KEY, value text);",
                                                  down: "DROP TABLE settings;").text)
        try sandbox.write("versions/accounts/\(Fixture.r1)_create_users.sql", Fixture.users)
        try sandbox.write("versions/accounts/\(Fixture.r2)_add_email.sql", Fixture.email)
        try sandbox.write("versions/accounts/\(Fixture.r3)_create_projects.sql", Fixture.projects)
    }

    /// Runs `body` on the standard sharded fleet.
    static func withShardedFleet(_ body: (Sandbox, _ eu: String, _ us: String) async throws -> Void) async throws {
        try await PostgresProbe.withScratchDatabases(2) { urls in
            let sandbox = try Sandbox()
            try writeFleet(sandbox, urls: urls, registry: eu.map { ($0, "eu-1") } + us.map { ($0, "us-1") })
            try await body(sandbox, urls[0], urls[1])
        }
    }

    static func ids(_ tenants: [String]) -> Set<String> {
        Set(tenants.map { "accounts/\($0)" })
    }

    /// The target ids `status` selects with `selectors`.
    static func selected(_ sandbox: Sandbox, _ selectors: String...) async throws -> Set<String> {
        let result = try await sandbox.run(["status", "--json"] + selectors)
        #expect(result.status == 0, "\(selectors): \(result.stderr)")
        return Set(try result.targets().keys)
    }

    @Test func upgradeMigratesEveryTenantOnItsOwnShard() async throws {
        try await Self.withShardedFleet { sandbox, euURL, usURL in
            let result = try await sandbox.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            let targets = try result.targets()
            #expect(Set(targets.keys) == Self.ids(Self.eu + Self.us).union(["core"]))
            for tenant in Self.eu + Self.us {
                let report = try #require(targets["accounts/\(tenant)"])
                #expect(report["status"] as? String == "ok")
                #expect(report["shard"] as? String == (Self.eu.contains(tenant) ? "eu-1" : "us-1"))
                #expect(report["tenant"] as? String == tenant)
                #expect(report["to"] as? [String] == [Fixture.r3])
            }
            #expect(targets["core"]?["shard"] is NSNull)
            #expect(targets["core"]?["tenant"] is NSNull)
            // Each tenant's schema is on its shard only; core is in eu-1's public schema.
            #expect(try await PostgresProbe.schemas(euURL) == Self.eu.map { "tenant_\($0)" })
            #expect(try await PostgresProbe.schemas(usURL) == Self.us.map { "tenant_\($0)" })
            #expect(try await PostgresProbe.query(euURL, "SELECT revision FROM public.shoal_version") == [[Self.coreRevision]])
            #expect(try await PostgresProbe.query(usURL, "SELECT to_regclass('public.shoal_version') IS NULL") == [["t"]])
            for tenant in Self.us {
                #expect(try await PostgresProbe.query(usURL, "SELECT revision FROM \"tenant_\(tenant)\".shoal_version") == [[Fixture.r3]])
            }
            let status = try await sandbox.shoal("status", "--json")
            #expect(try status.targets().count == 8)
            for (id, target) in try status.targets() where id != "core" {
                #expect(target["state"] as? String == "up-to-date")
                #expect(target["shard"] as? String == targets[id]?["shard"] as? String)
            }
            let text = try await sandbox.shoal("status")
            #expect(text.stdout.contains("8 targets: 8 up-to-date"), "\(text.stdout)")

            // accounts runs after core: every tenant's first step started after core's last one.
            let history = try await sandbox.shoal("history", "--json")
            let entries = try #require(try history.json()["targets"] as? [[String: Any]])
            func times(_ target: [String: Any]) -> [String] {
                (target["entries"] as? [[String: Any]] ?? []).compactMap { $0["applied_at"] as? String }
            }
            let core = try #require(entries.first { $0["target"] as? String == "core" })
            let coreDone = try #require(times(core).max())
            let accountsStart = try #require(entries.filter { $0["target"] as? String != "core" }.flatMap(times).min())
            #expect(coreDone <= accountsStart, "core finished at \(coreDone), accounts started at \(accountsStart)")
        }
    }

    @Test func selectorsCombineWithAndAcrossKindsAndOrWithinAKind() async throws {
        try await Self.withShardedFleet { sandbox, _, _ in
            let all = Self.ids(Self.eu + Self.us).union(["core"])
            #expect(try await Self.selected(sandbox) == all)
            #expect(try await Self.selected(sandbox, "--db", "core") == ["core"])
            #expect(try await Self.selected(sandbox, "--db", "accounts") == Self.ids(Self.eu + Self.us))
            #expect(try await Self.selected(sandbox, "--db", "accounts", "--db", "core") == all)
            #expect(try await Self.selected(sandbox, "--shard", "eu-1") == Self.ids(Self.eu))
            #expect(try await Self.selected(sandbox, "--shard", "us-1") == Self.ids(Self.us))
            #expect(try await Self.selected(sandbox, "--shard", "eu-1", "--shard", "us-1") == Self.ids(Self.eu + Self.us))
            #expect(try await Self.selected(sandbox, "--tenant", "a*") == Self.ids(["acme", "ares", "apex"]))
            #expect(try await Self.selected(sandbox, "--tenant", "a*", "--tenant", "*ech") == Self.ids(["acme", "ares", "apex", "initech"]))
            #expect(try await Self.selected(sandbox, "--tenant", "a*", "--shard", "us-1") == Self.ids(["apex"]))
            #expect(try await Self.selected(sandbox, "--target", "accounts/g*") == Self.ids(["globex", "gamma"]))
            #expect(try await Self.selected(sandbox, "--target", "core", "--target", "*/u*") == ["core", "accounts/umbrella"])
            #expect(try await Self.selected(sandbox, "--target", "accounts/g*", "--shard", "eu-1") == Self.ids(["globex"]))
            #expect(try await Self.selected(sandbox, "--tenant", "nobody").isEmpty)

            // A selector that cannot match is a usage error, not an empty run.
            let unknownShard = try await sandbox.shoal("status", "--shard", "eu-2")
            #expect(unknownShard.status == 2)
            #expect(unknownShard.stderr.contains("eu-2"))
            let unshardedDatabase = try await sandbox.shoal("upgrade", "--db", "core", "--shard", "eu-1")
            #expect(unshardedDatabase.status == 2)
            #expect(unshardedDatabase.stderr.contains("eu-1"))

            // Only the selected shard's databases are touched.
            let upgrade = try await sandbox.shoal("upgrade", "--shard", "us-1", "--tenant", "g*", "--json")
            #expect(upgrade.status == 0, "\(upgrade.stderr)")
            #expect(Set(try upgrade.targets().keys) == ["accounts/gamma"])
            let states = try await sandbox.shoal("status", "--json").targets().mapValues { $0["state"] as? String }
            #expect(states["accounts/gamma"] == "up-to-date")
            #expect(states.filter { $0.value == "uninitialized" }.count == all.count - 1)
        }
    }

    @Test func partitionsAreDisjointStableAndCoverEveryTarget() async throws {
        try await PostgresProbe.withScratchDatabases(2) { urls in
            let sandbox = try Sandbox()
            let tenants = (1...14).map { "t\($0)" }
            try Self.writeFleet(sandbox, urls: urls, registry: tenants.enumerated().map { ($1, $0 % 3 == 0 ? "us-1" : "eu-1") })
            let all = Self.ids(tenants).union(["core"])
            for n in [1, 2, 3, 5] {
                var slices: [[String]] = []
                for k in 1...n {
                    let result = try await sandbox.shoal("status", "--partition", "\(k)/\(n)", "--json")
                    #expect(result.status == 0, "\(result.stderr)")
                    slices.append(Array(try result.targets().keys))
                }
                let union = slices.flatMap { $0 }
                #expect(union.count == Set(union).count, "\(n) slices overlap: \(slices)")
                #expect(Set(union) == all, "\(n) slices miss targets: \(slices)")
                if n == 3 { #expect(slices.filter(\.isEmpty).isEmpty, "3 slices of 15 targets: \(slices)") }
            }
            // Stable: the same slice twice, and an upgrade of a slice touches exactly it.
            let slice = try await Self.selected(sandbox, "--partition", "2/3")
            #expect(try await Self.selected(sandbox, "--partition", "2/3") == slice)
            let upgrade = try await sandbox.shoal("upgrade", "--partition", "2/3", "--json")
            #expect(upgrade.status == 0, "\(upgrade.stderr)")
            #expect(Set(try upgrade.targets().keys) == slice)
            let states = try await sandbox.shoal("status", "--json").targets()
            for (id, target) in states {
                #expect(target["state"] as? String == (slice.contains(id) ? "up-to-date" : "uninitialized"), "\(id)")
            }
            // A partition combines with the other selectors.
            let euSlice = try await Self.selected(sandbox, "--partition", "2/3", "--shard", "eu-1")
            #expect(euSlice == slice.filter { id in
                tenants.enumerated().contains { "accounts/\($1)" == id && $0 % 3 != 0 }
            })
        }
    }

    @Test func tenantsAddPicksTheShardWithFewestTenantsUnlessToldWhich() async throws {
        try await Self.withShardedFleet { sandbox, euURL, usURL in
            // eu-1 has 3 tenants, us-1 has 4.
            let added = try await sandbox.shoal("tenants", "add", "hooli", "--db", "accounts", "--json")
            #expect(added.status == 0, "\(added.stderr)")
            let hooli = try #require(try added.targets()["accounts/hooli"])
            #expect(hooli["shard"] as? String == "eu-1")
            #expect(hooli["status"] as? String == "ok")
            #expect(try await PostgresProbe.schemas(euURL).contains("tenant_hooli"))
            #expect(try await !PostgresProbe.schemas(usURL).contains("tenant_hooli"))

            let pinned = try await sandbox.shoal("tenants", "add", "wayne", "--db", "accounts", "--shard", "us-1")
            #expect(pinned.status == 0, "\(pinned.stderr)")
            #expect(try await PostgresProbe.query(usURL, "SELECT revision FROM tenant_wayne.shoal_version") == [[Fixture.r3]])

            let list = try await sandbox.shoal("tenants", "list", "--db", "accounts", "--json")
            let rows = try #require(try list.json()["tenants"] as? [[String: Any]])
            let shards = Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as! String, $0["shard"] as? String) })
            #expect(shards["hooli"] == "eu-1" && shards["wayne"] == "us-1" && shards["acme"] == "eu-1")

            let unknown = try await sandbox.shoal("tenants", "add", "soylent", "--db", "accounts", "--shard", "ap-1")
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("ap-1"))
            #expect(!(try sandbox.read("tenants/accounts.json")).contains("soylent"))

            let dropped = try await sandbox.shoal("tenants", "remove", "wayne", "--db", "accounts", "--drop", "--yes")
            #expect(dropped.status == 0, "\(dropped.stderr)")
            #expect(try await !PostgresProbe.schemas(usURL).contains("tenant_wayne"))
        }
    }

    @Test func aShardedDatabaseWithoutTenantsHasOneTargetPerShard() async throws {
        try await PostgresProbe.withScratchDatabases(2) { urls in
            let sandbox = try Sandbox()
            try sandbox.write("config.json", """
            { "databases": { "events": { "driver": "postgres", "shards": {
                "eu-1": { "url": \(Fixture.json(urls[0])) },
                "us-1": { "url": \(Fixture.json(urls[1])), "max_connections": 1 } } } } }
            """)
            try sandbox.write("versions/events/\(Fixture.r1)_create_users.sql", Fixture.users)
            let result = try await sandbox.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            let targets = try result.targets()
            #expect(Set(targets.keys) == ["events/eu-1", "events/us-1"])
            #expect(targets["events/us-1"]?["shard"] as? String == "us-1")
            #expect(targets["events/us-1"]?["tenant"] is NSNull)
            for url in urls {
                #expect(try await PostgresProbe.query(url, "SELECT revision FROM public.shoal_version") == [[Fixture.r1]])
                #expect(try await PostgresProbe.schemas(url).isEmpty)
            }
            #expect(Set(try await sandbox.shoal("status", "--shard", "us-1", "--json").targets().keys) == ["events/us-1"])
        }
    }
}
