import Foundation
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §9.2 from the command line: `shoal lint --observe` applies the
/// migrations to a scratch database, reports what PostgreSQL did, lists
/// every statement under `"statements"` with `--json`, touches nothing
/// else, and always drops the scratch database (also after SIGINT).
@Suite("shoal lint --observe", .serialized)
struct LintObserveCommandTests {
    static let r4 = "4444dddd0004"
    /// `users.id` is an INTEGER PRIMARY KEY: changing its type rewrites the table and its index.
    static let widenID = MigrationFile(revision: r4, parents: [Fixture.r3], message: "widen ids",
                                       up: "ALTER TABLE projects ALTER COLUMN owner TYPE bigint;\nALTER TABLE users ALTER COLUMN id TYPE bigint;",
                                       down: "SELECT 1;").text

    /// The scratch database the command's info log names.
    static func scratchName(in stderr: String) -> String? {
        stderr.firstRange(of: #/shoal_scratch_[0-9a-f]+/#).map { String(stderr[$0]) }
    }

    /// Polls until `run` (with `SHOAL_LOG_LEVEL=info`) sleeps in `pg_sleep(120)`
    /// in the scratch database its log names; returns that name.
    static func waitUntilSleeping(_ run: RunningShoal) async throws -> String {
        var name: String?
        try await waitUntil("shoal sleeps in its scratch database") {
            if !run.isRunning { throw FinishedEarly(message: "shoal ended early: \(run.stderrSoFar)") }
            name = scratchName(in: run.stderrSoFar)
            guard let name else { return false }
            let sleeping = try await PostgresProbe.query(try PostgresTestServer.url(), """
                SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(120)%'
                """, [name])
            return sleeping.first?.first == "1"
        }
        return try #require(name)
    }

    @Test func observedFindingsAndEveryStatementAndNothingLeftBehind() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_widen_ids.sql", Self.widenID)
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("lint", "--observe", "--json", environment: ["SHOAL_LOG_LEVEL": "info"])
            #expect(result.status == 1, "an observed rewrite is an error: \(result.stdout) \(result.stderr)")
            let json = try result.json()
            let findings = try #require(json["findings"] as? [[String: Any]])
            // Static rules still run: column-type-change, twice.
            #expect(findings.filter { $0["rule"] as? String == "column-type-change" }.count == 2, "\(findings)")
            let rewrites = findings.filter { $0["rule"] as? String == "observed-rewrite" }
            #expect(rewrites.count == 2, "\(findings)")
            let users = try #require(rewrites.first { ($0["line"] as? Int) == 7 }, "\(rewrites)")
            #expect(users["observed"] as? Bool == true)
            #expect(users["file"] as? String == "versions/app/\(Self.r4)_widen_ids.sql")
            #expect(users["severity"] as? String == "error")
            #expect((users["rewrites"] as? [String] ?? []).contains("users"), "\(users)")
            let locks = users["locks"] as? [[String: Any]] ?? []
            #expect(locks.contains { $0["table"] as? String == "users" && $0["mode"] as? String == "AccessExclusiveLock" }, "\(locks)")
            // Every statement of every migration, finding or not.
            let statements = try #require(json["statements"] as? [[String: Any]])
            #expect(statements.map { $0["revision"] as? String ?? "" } == [Fixture.r1, Fixture.r2, Fixture.r3, Fixture.r3, Self.r4, Self.r4],
                    "\(statements)")
            #expect(statements.allSatisfy { $0["database"] as? String == "app" && $0["line"] is Int && $0["statement"] is String
                        && $0["locks"] is [Any] && $0["rewrites"] is [Any] && $0["scans"] is [Any] })
            let summary = try #require(json["summary"] as? [String: Any])
            #expect(summary["migrations"] as? Int == 4)
            // Nothing outside the scratch database changed, and it is gone.
            #expect(try await fleet.snapshot() == before)
            let name = try #require(Self.scratchName(in: result.stderr), "the info log names it: \(result.stderr)")
            #expect(try await PostgresProbe.databases(prefix: name).isEmpty)
        }
    }

    @Test func textNamesTheFileLineAndWhatPostgresShowed() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_index.sql", MigrationFile(
                revision: Self.r4, parents: [Fixture.r3], up: "CREATE INDEX users_name ON users (name);").text)
            let result = try await fleet.shoal("lint", "--observe", "--since", Fixture.r3)
            #expect(result.status == 1)
            #expect(result.stdout.contains("versions/app/\(Self.r4)_index.sql:5: error require-concurrent-index: "), "\(result.stdout)")
            #expect(result.stdout.contains("versions/app/\(Self.r4)_index.sql:5: warning observed-blocks-writes: "), "\(result.stdout)")
            #expect(result.stdout.contains("1 migration linted"), "\(result.stdout)")
        }
    }

    @Test func aMigrationThatFailsOnTheScratchDatabaseIsExitOneNamingIt() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_broken.sql", MigrationFile(
                revision: Self.r4, parents: [Fixture.r3], up: "SELECT 1;\nALTER TABLE no_such_table ADD COLUMN a int;").text)
            let result = try await fleet.shoal("lint", "--observe", environment: ["SHOAL_LOG_LEVEL": "info"])
            #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains("versions/app/\(Self.r4)_broken.sql:6"), "\(result.stderr)")
            #expect(result.stderr.contains("no_such_table"), "\(result.stderr)")
            let name = try #require(Self.scratchName(in: result.stderr))
            #expect(try await PostgresProbe.databases(prefix: name).isEmpty)
        }
    }

    @Test func sqliteDatabasesGetTheStaticRulesOnly() async throws {
        try await AppFleet.with(.sqlite) { fleet async throws in
            let result = try await fleet.shoal("lint", "--observe", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect((try result.json()["statements"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func anUnreachableServerIsExitTwoNamingScratchURL() async throws {
        try await AppFleet.with(.sqlite) { fleet async throws in
            let port = try closedLoopbackPort()
            try fleet.sandbox.write("config.json", """
                { "databases": { "app": { "driver": "postgres", "url": "postgres://shoal:hunter2@127.0.0.1:\(port)/app" } } }
                """)
            let result = try await fleet.shoal("lint", "--observe")
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("scratch_url"), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2"), "\(result.stderr)")
            // Without --observe, lint never connects.
            #expect(try await fleet.shoal("lint").status == 0)
        }
    }

    @Test func sigintStopsTheObservationAndDropsTheScratchDatabase() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_slow.sql", MigrationFile(
                revision: Self.r4, parents: [Fixture.r3], up: "SELECT pg_sleep(120);").text)
            let run = try fleet.sandbox.launch("lint", "--observe", environment: ["SHOAL_LOG_LEVEL": "info"])
            let name = try await Self.waitUntilSleeping(run)
            run.send(SIGINT)
            let result = try await run.finish(within: .seconds(60))
            #expect(result.status == 130, "\(result.stderr)")
            #expect(try await PostgresProbe.databases(prefix: name).isEmpty, "\(result.stderr)")
        }
    }
}
