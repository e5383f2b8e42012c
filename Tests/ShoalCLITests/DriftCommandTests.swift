import Foundation
import ShoalKit
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §10.1 from the command line: `shoal drift` on both drivers, its
/// text, JSON and exit codes, `--against files` and its scratch database,
/// selectors, unreachable shards and one session per shard.
@Suite("shoal drift")
struct DriftCommandTests {
    /// What an index on `users (name)` added by hand reads as.
    static func handIndex(_ backend: Backend) -> String {
        backend == .postgres ? "+ index {schema}.users_name CREATE INDEX users_name ON {schema}.users USING btree (name)"
            : "+ index users.users_name CREATE INDEX users_name ON users (name)"
    }

    /// Scratch database names the info log of `--against files` gives.
    static func scratchNames(in stderr: String) -> [String] {
        stderr.matches(of: #/shoal_scratch_[0-9a-f]+/#).map { String(stderr[$0.range]) }
    }

    static let r4 = "4444dddd0004"
    /// True in a scratch database only: a migration that behaves otherwise
    /// there than on the tenants.
    static let onScratch = "current_database() LIKE 'shoal_scratch_%'"

    /// Adds `r4` with `up` after the fixture's migrations, and upgrades every tenant to it.
    static func upgradeWithScratchOnly(_ fleet: AppFleet, _ up: String) async throws {
        try fleet.sandbox.write("versions/app/\(r4)_scratch_only.sql", MigrationFile(revision: r4, parents: [Fixture.r3], up: up).text)
        #expect(try await fleet.shoal("upgrade").status == 0)
    }

    @Test(arguments: Backend.allCases)
    func sameIsExitZeroAndAHandAddedIndexIsDriftedExitOne(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let clean = try await fleet.shoal("drift")
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
            #expect(clean.stdout.contains("app at \(Fixture.r3)  reference "), "\(clean.stdout)")
            #expect(clean.stdout.hasSuffix("3 targets: 3 same, 0 drifted, 0 ambiguous, 0 uninitialized, 0 unreachable\n"), "\(clean.stdout)")

            try await fleet.execute("globex", "CREATE INDEX users_name ON users (name)")
            let drifted = try await fleet.shoal("drift")
            #expect(drifted.status == 1, "\(drifted.stdout)\(drifted.stderr)")
            let lines = drifted.stdout.split(separator: "\n").map(String.init)
            let at = try #require(lines.firstIndex { $0.hasPrefix("  app/globex  drifted  ") }, "\(drifted.stdout)")
            #expect(lines[at + 1] == "      " + Self.handIndex(backend))
            #expect(lines.last == "3 targets: 2 same, 1 drifted, 0 ambiguous, 0 uninitialized, 0 unreachable")
            #expect(!drifted.stdout.contains("app/acme"), "same targets are not listed: \(drifted.stdout)")
        }
    }

    @Test(arguments: Backend.allCases)
    func jsonFieldByField(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: Fixture.tenants + ["later"]) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", "--tenant", "acme", "--tenant", "globex", "--tenant", "initech").status == 0)
            try await fleet.execute("initech", "ALTER TABLE users DROP COLUMN email")
            let result = try await fleet.shoal("drift", "--json")
            #expect(result.status == 1, "\(result.stderr)")
            let json = try result.json()
            #expect(json["against"] as? String == "majority")
            let groups = try #require(json["groups"] as? [[String: Any]])
            #expect(groups.count == 1)
            #expect(groups[0]["database"] as? String == "app")
            #expect(groups[0]["revisions"] as? [String] == [Fixture.r3])
            #expect(groups[0]["targets"] as? Int == 3)
            let targets = try result.targets()
            let acme = try #require(targets["app/acme"])
            #expect(groups[0]["fingerprint"] as? String == acme["fingerprint"] as? String)
            #expect((acme["fingerprint"] as? String)?.count == 12)
            #expect(acme["database"] as? String == "app" && acme["tenant"] as? String == "acme" && acme["shard"] is NSNull)
            #expect(acme["revisions"] as? [String] == [Fixture.r3])
            #expect(acme["state"] as? String == "same" && (acme["diff"] as? [String])?.isEmpty == true)
            let initech = try #require(targets["app/initech"])
            #expect(initech["state"] as? String == "drifted")
            let column = backend == .postgres ? "- column {schema}.users.email text" : "- column users.email TEXT"
            #expect(initech["diff"] as? [String] == [column])
            let later = try #require(targets["app/later"])
            #expect(later["state"] as? String == "uninitialized" && later["fingerprint"] is NSNull)
            #expect((later["message"] as? String)?.contains("does not exist") == true, "\(later)")
            let summary = try #require(json["summary"] as? [String: Int])
            #expect(summary == ["targets": 4, "same": 2, "drifted": 1, "ambiguous": 0, "uninitialized": 1, "unreachable": 0])
            // Under --json the text goes to stderr.
            #expect(result.stderr.contains("4 targets: 2 same, 1 drifted"), "\(result.stderr)")
        }
    }

    @Test(arguments: Backend.allCases)
    func twoAgainstTwoIsAmbiguousAndAnOlderRevisionItsOwnGroup(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["a", "b", "c", "d", "old"]) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", "--tenant", "[a-d]").status == 0)
            #expect(try await fleet.shoal("upgrade", Fixture.r1, "--tenant", "old").status == 0)
            try await fleet.execute("a", "CREATE TABLE notes (id INTEGER)")
            try await fleet.execute("b", "CREATE TABLE notes (id INTEGER)")
            let result = try await fleet.shoal("drift")
            #expect(result.status == 1)
            #expect(result.stdout.contains("app at \(Fixture.r3)  reference none  4 targets\n  no single most common schema"), "\(result.stdout)")
            #expect(result.stdout.contains("app at \(Fixture.r1)  reference "), "\(result.stdout)")
            #expect(result.stdout.contains("  app/a  ambiguous  ") && result.stdout.contains("  app/d  ambiguous  "), "\(result.stdout)")
            #expect(result.stdout.hasSuffix("5 targets: 1 same, 0 drifted, 4 ambiguous, 0 uninitialized, 0 unreachable\n"))
        }
    }

    /// Every tenant changed by hand the same way is its group's majority;
    /// the files say otherwise. The scratch database is gone afterwards.
    @Test(arguments: Backend.allCases)
    func againstFilesFindsTheMajorityDrifted(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            for tenant in Fixture.tenants { try await fleet.execute(tenant, "CREATE TABLE notes (id INTEGER)") }
            #expect(try await fleet.shoal("drift").status == 0)
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("drift", "--against", "files", "--json", environment: ["SHOAL_LOG_LEVEL": "info"])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(try result.json()["against"] as? String == "files")
            let table = backend == .postgres ? "+ table {schema}.notes" : "+ table notes"
            for (id, target) in try result.targets() {
                #expect(target["state"] as? String == "drifted", "\(id)")
                #expect((target["diff"] as? [String])?.contains(table) == true, "\(id): \(target)")
            }
            #expect(try await fleet.snapshot() == before, "drift changes nothing")
            if backend == .postgres {
                let names = Self.scratchNames(in: result.stderr)
                #expect(names.count == 1, "one scratch database for the one group: \(result.stderr)")
                for name in names { #expect(try await PostgresProbe.databases(prefix: name).isEmpty) }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func selectorsNarrowTheTargets(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let one = try await fleet.shoal("drift", "--tenant", "glob*", "--json")
            #expect(try one.targets().keys.sorted() == ["app/globex"], "\(one.stdout)")
            let two = try await fleet.shoal("drift", "--db", "app", "--target", "app/[ai]*", "--json")
            #expect(try two.targets().keys.sorted() == ["app/acme", "app/initech"])
            #expect(two.status == 0)
        }
    }

    @Test func badInputIsExitTwoNamingWhatIsAllowed() async throws {
        try await AppFleet.with(.sqlite) { fleet async throws in
            let against = try await fleet.shoal("drift", "--against", "peers")
            #expect(against.status == 2)
            #expect(against.stderr.contains("--against must be `majority` or `files`, not `peers`"), "\(against.stderr)")
            let database = try await fleet.shoal("drift", "--db", "ap")
            #expect(database.status == 2)
            #expect(database.stderr.contains("--db `ap` is not a configured database; did you mean `app`?"), "\(database.stderr)")
            let partition = try await fleet.shoal("drift", "--partition", "3/2")
            #expect(partition.status == 2, "\(partition.stderr)")
            let concurrency = try await fleet.shoal("drift", "--concurrency", "0")
            #expect(concurrency.status == 2)
            #expect(concurrency.stderr.contains("--concurrency must be at least 1"), "\(concurrency.stderr)")
        }
    }

    /// Two shards: a shard's schemas over one session each; `--shard`
    /// selects; a shard that cannot be reached leaves its tenants
    /// `unreachable` while the other shard's are compared.
    @Test func shardsAreReadOverOneSessionEachAndAnUnreachableOneIsReported() async throws {
        try await PostgresProbe.withScratchDatabases(2) { urls in
            let sandbox = try Sandbox()
            let registry = PostgresSessionCountTests.eu.map { ($0, "eu-1") } + PostgresSessionCountTests.us.map { ($0, "us-1") }
            try PostgresShardTests.writeFleet(sandbox, urls: urls, registry: registry)
            #expect(try await sandbox.shoal("upgrade").status == 0)
            let databases = urls.map(PostgresProbe.databaseName)
            let (all, sessions) = try await PostgresSessionCountTests.sessions(of: sandbox, databases, "drift", "--db", "accounts", "--json")
            #expect(all.status == 0, "\(all.stderr)")
            #expect(try all.targets().count == 30)
            #expect(sessions == [1, 1], "drift opened \(sessions) sessions to the shards for 15 tenants each")

            let eu = try await sandbox.shoal("drift", "--shard", "eu-1", "--json")
            #expect(try eu.targets().values.allSatisfy { $0["shard"] as? String == "eu-1" && $0["state"] as? String == "same" })
            #expect(try eu.targets().count == 15)

            let port = try closedLoopbackPort()
            try PostgresShardTests.writeFleet(sandbox, urls: [urls[0], "postgres://postgres:hunter2@127.0.0.1:\(port)/gone?connect_timeout=2"],
                                              registry: registry)
            let partly = try await sandbox.shoal("drift", "--db", "accounts", "--json")
            #expect(partly.status == 0, "unreachable is not drift: \(partly.stderr)")
            let targets = try partly.targets()
            #expect(targets.values.filter { $0["state"] as? String == "unreachable" }.count == 15)
            #expect(targets.values.filter { $0["state"] as? String == "same" }.count == 15)
            #expect(targets["accounts/us01"]?["state"] as? String == "unreachable")
            #expect(!partly.stdout.contains("hunter2") && !partly.stderr.contains("hunter2"))
            #expect(partly.stderr.contains("  accounts/us01  unreachable\n"), "\(partly.stderr)")
        }
    }

    @Test func againstFilesWithAnUnreachableScratchServerIsExitTwoNamingScratchURL() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let port = try closedLoopbackPort()
            try fleet.sandbox.write("config.json", """
                { "databases": { "app": { \(fleet.appKeys), "scratch_url": "postgres://shoal:hunter2@127.0.0.1:\(port)/x" } } }
                """)
            let result = try await fleet.shoal("drift", "--against", "files")
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("scratch_url"), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2"), "\(result.stderr)")
            // The majority needs no scratch database.
            #expect(try await fleet.shoal("drift").status == 0)
        }
    }

    /// A migration that fails on the scratch database (only there: it
    /// divides by zero when the database is a scratch one) ends the
    /// command with exit 1 and its error; the scratch database is dropped.
    @Test func aMigrationFailingOnTheScratchDatabaseIsExitOneAndTheScratchIsDropped() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try await Self.upgradeWithScratchOnly(fleet, "SELECT 1 / (CASE WHEN \(Self.onScratch) THEN 0 ELSE 1 END);")
            let result = try await fleet.shoal("drift", "--against", "files", environment: ["SHOAL_LOG_LEVEL": "info"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("division by zero") && result.stderr.contains(Self.r4), "\(result.stderr)")
            let name = try #require(Self.scratchNames(in: result.stderr).first, "\(result.stderr)")
            #expect(try await PostgresProbe.databases(prefix: name).isEmpty)
        }
    }

    @Test func sigintDuringAgainstFilesDropsTheScratchDatabase() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try await Self.upgradeWithScratchOnly(fleet, "SELECT CASE WHEN \(Self.onScratch) THEN pg_sleep(120) END;")
            let run = try fleet.sandbox.launch("drift", "--against", "files", environment: ["SHOAL_LOG_LEVEL": "info"])
            let name = try await LintObserveCommandTests.waitUntilSleeping(run)
            run.send(SIGINT)
            let result = try await run.finish(within: .seconds(60))
            #expect(result.status == 130, "\(result.stderr)")
            #expect(try await PostgresProbe.databases(prefix: name).isEmpty, "\(result.stderr)")
        }
    }
}
