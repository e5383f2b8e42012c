import Foundation
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §10.2 from the command line: `shoal test` walks the migrations up,
/// down and up again on a scratch target, prints a line per step (a failed
/// step's diff and error under it) or §10.2's JSON, exits 0, 1 or 2, and
/// always removes the scratch database (also after SIGINT).
@Suite("shoal test", .serialized)
struct RoundTripCommandTests {
    static let r4 = "4444dddd0004"

    /// r4 on top of the fixture's r3.
    static func migration(up: String, down: String? = "SELECT 1;", parents: [String] = [Fixture.r3]) -> String {
        MigrationFile(revision: r4, parents: parents, message: "fourth", up: up, down: down).text
    }

    /// The scratch database the command's info log names; checks it is gone.
    static func expectScratchDropped(_ result: CLIResult, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let name = try #require(LintObserveCommandTests.scratchName(in: result.stderr), "the info log names it: \(result.stderr)",
                                sourceLocation: sourceLocation)
        #expect(try await PostgresProbe.databases(prefix: name).isEmpty, "\(name) left behind", sourceLocation: sourceLocation)
    }

    static let info = ["SHOAL_LOG_LEVEL": "info"]

    @Test(arguments: Backend.allCases)
    func aCleanStairwayPrintsALinePerStepAndExitsZero(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("test", "--db", "app", environment: Self.info)
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(result.stdout)")
            #expect(lines[0].hasPrefix("\(Fixture.r1) create users        up "), "padded to the longest title: \(lines[0])")
            #expect(lines[1].hasPrefix("\(Fixture.r2) add email to users  up "), "\(lines[1])")
            #expect(lines.prefix(3).allSatisfy { $0.contains(" ms  down ") && $0.hasSuffix(" ms  ok") }, "\(lines)")
            #expect(lines[3].hasPrefix("3 steps: 3 ok, 0 failed, 0 no-down in "), "\(lines[3])")
            #expect(try await fleet.snapshot() == before, "nothing outside the scratch target changed")
            if backend == .postgres { try await Self.expectScratchDropped(result) }
        }
    }

    @Test(arguments: Backend.allCases)
    func aDownThatLeavesAnIndexBehindIsExitOneWithItsDiff(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_index.sql", Self.migration(up: "CREATE INDEX users_name ON users (name);"))
            let result = try await fleet.shoal("test", "--db", "app", environment: Self.info)
            #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
            let index = backend == .sqlite ? "index users.users_name CREATE INDEX users_name ON users (name)"
                : "index {schema}.users_name CREATE INDEX users_name ON {schema}.users USING btree (name)"
            #expect(result.stdout.contains("\(Self.r4) fourth "), "\(result.stdout)")
            #expect(result.stdout.contains(" ms  failed\n    + \(index)\n    error: the down of \(Self.r4) does not undo its up"),
                    "\(result.stdout)")
            #expect(result.stdout.contains("4 steps: 3 ok, 1 failed, 0 no-down in "), "\(result.stdout)")
            if backend == .postgres { try await Self.expectScratchDropped(result) }
        }
    }

    /// §10.2's JSON, field by field, for a clean step and a failed one.
    @Test func jsonGivesEachStepAndTheSummary() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_index.sql", Self.migration(up: "CREATE INDEX users_name ON users (name);"))
            let result = try await fleet.shoal("test", "--db", "app", "--json")
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("4 steps: 3 ok, 1 failed, 0 no-down"), "text goes to stderr: \(result.stderr)")
            let json = try result.json()
            #expect(json["database"] as? String == "app")
            #expect(json["to"] is NSNull)
            #expect(json["heads"] as? [String] == [Self.r4])
            #expect(json["not_run"] as? Int == 0)
            #expect(json["duration_ms"] is Int)
            let summary = try #require(json["summary"] as? [String: Any])
            #expect(summary["steps"] as? Int == 4 && summary["ok"] as? Int == 3 && summary["failed"] as? Int == 1
                        && summary["no_down"] as? Int == 0, "\(summary)")
            let steps = try #require(json["steps"] as? [[String: Any]])
            #expect(steps.map { $0["revision"] as? String } == [Fixture.r1, Fixture.r2, Fixture.r3, Self.r4])
            #expect(steps.map { $0["status"] as? String } == ["ok", "ok", "ok", "failed"])
            let ok = steps[0]
            #expect(ok["message"] as? String == "create users")
            #expect(ok["up_ms"] is Int && ok["down_ms"] is Int, "\(ok)")
            #expect(ok["diff"] as? [String] == [])
            #expect(ok["error"] is NSNull)
            let failed = steps[3]
            #expect(failed["diff"] as? [String] == ["+ index {schema}.users_name CREATE INDEX users_name ON {schema}.users USING btree (name)"])
            let error = try #require(failed["error"] as? [String: Any])
            #expect(error["revision"] as? String == Self.r4)
            #expect((error["message"] as? String)?.contains("does not undo its up") == true, "\(error)")
            #expect(error["sql_state"] is NSNull)
        }
    }

    @Test func anUpThatFailsPrintsItsErrorAndSQLState() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_broken.sql", Self.migration(up: "ALTER TABLE nowhere ADD COLUMN x int;"))
            let result = try await fleet.shoal("test", "--db", "app", "--json", environment: Self.info)
            #expect(result.status == 1, "\(result.stderr)")
            let steps = try #require(try result.json()["steps"] as? [[String: Any]])
            let failed = try #require(steps.last)
            #expect(failed["up_ms"] is NSNull && failed["down_ms"] is NSNull, "\(failed)")
            let error = try #require(failed["error"] as? [String: Any])
            #expect(error["sql_state"] as? String == "42P01")
            #expect(error["revision"] as? String == Self.r4)
            #expect(result.stderr.contains("    error: ") && result.stderr.contains("nowhere"), "\(result.stderr)")
            #expect(result.stderr.contains("    sqlstate: 42P01"), "\(result.stderr)")
            try await Self.expectScratchDropped(result)
        }
    }

    @Test func aStepWithoutDownIsNoDownAndFailsOnlyWithStrict() async throws {
        try await AppFleet.with(.sqlite) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_tags.sql", Self.migration(up: "ALTER TABLE users ADD COLUMN tags TEXT;", down: nil))
            let plain = try await fleet.shoal("test", "--db", "app")
            #expect(plain.status == 0, "\(plain.stdout) \(plain.stderr)")
            #expect(plain.stdout.contains("\(Self.r4) fourth  "), "\(plain.stdout)")
            #expect(plain.stdout.contains(" ms  no-down\n"), "\(plain.stdout)")
            #expect(plain.stdout.contains("4 steps: 3 ok, 0 failed, 1 no-down in "), "\(plain.stdout)")
            let strict = try await fleet.shoal("test", "--db", "app", "--strict")
            #expect(strict.status == 1)
            #expect(strict.stdout.contains("--strict: 1 step without a down section"), "\(strict.stdout)")
            let json = try await fleet.shoal("test", "--db", "app", "--strict", "--json")
            #expect(json.status == 1)
            let step = try #require((try json.json()["steps"] as? [[String: Any]])?.last)
            #expect(step["status"] as? String == "no-down")
            #expect(step["up_ms"] is Int && step["down_ms"] is NSNull, "\(step)")
            #expect(step["diff"] as? [String] == [] && step["error"] is NSNull, "\(step)")
            #expect((try json.json()["summary"] as? [String: Any])?["no_down"] as? Int == 1)
        }
    }

    @Test func severalHeadsAreExitOneSuggestingMerge() async throws {
        try await AppFleet.with(.sqlite) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_tags.sql",
                                    Self.migration(up: "ALTER TABLE users ADD COLUMN tags TEXT;", down: "ALTER TABLE users DROP COLUMN tags;",
                                                   parents: [Fixture.r2]))
            let result = try await fleet.shoal("test", "--db", "app")
            #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("4 steps: 4 ok"), "every branch is walked: \(result.stdout)")
            #expect(result.stdout.contains("app has 2 heads (\(Fixture.r3), \(Self.r4)): run `shoal merge --db app"), "\(result.stdout)")
            // One branch, named, passes.
            let one = try await fleet.shoal("test", "--db", "app", "--to", "4444", "--json")
            #expect(one.status == 0, "\(one.stderr)")
            let json = try one.json()
            #expect(json["to"] as? String == Self.r4)
            #expect((json["steps"] as? [[String: Any]])?.map { $0["revision"] as? String } == [Fixture.r1, Fixture.r2, Self.r4])
        }
    }

    @Test func aMigrationHardCodingPublicIsCaught() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_audit.sql",
                                    Self.migration(up: "CREATE TABLE public.audit (id int);", down: "DROP TABLE public.audit;"))
            let result = try await fleet.shoal("test", "--db", "app", environment: Self.info)
            #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("    + table public.audit\n"), "\(result.stdout)")
            #expect(result.stdout.contains("outside the tenant's schema"), "\(result.stdout)")
            try await Self.expectScratchDropped(result)
        }
    }

    // MARK: Exit 2: nothing could start

    @Test func badInputIsExitTwoWithItsMessage() async throws {
        try await AppFleet.with(.sqlite) { fleet async throws in
            let unknownDB = try await fleet.shoal("test", "--db", "ap")
            #expect(unknownDB.status == 2)
            #expect(unknownDB.stderr.contains("no database named `ap`") && unknownDB.stderr.contains("did you mean `app`?"), "\(unknownDB.stderr)")
            let unknownTo = try await fleet.shoal("test", "--db", "app", "--to", "ffff9999")
            #expect(unknownTo.status == 2)
            #expect(unknownTo.stderr.contains("unknown revision `ffff9999`"), "\(unknownTo.stderr)")
            let base = try await fleet.shoal("test", "--db", "app", "--to", "base")
            #expect(base.status == 2)
            #expect(base.stderr.contains("--to takes a revision"), "\(base.stderr)")
            for file in try FileManager.default.contentsOfDirectory(atPath: fleet.sandbox.path("versions/app")) {
                try fleet.sandbox.remove("versions/app/\(file)")
            }
            let empty = try await fleet.shoal("test", "--db", "app")
            #expect(empty.status == 2)
            #expect(empty.stderr.contains("app has no migrations"), "\(empty.stderr)")
        }
    }

    @Test func aMissingDBWithSeveralDatabasesIsExitTwo() async throws {
        let sandbox = try Sandbox()
        #expect(try await sandbox.shoal("init", "demo").status == 0)
        let result = try await sandbox.shoal("test", "--config", "demo/config.json")
        #expect(result.status == 2)
        #expect(result.stderr.contains("this command needs --db NAME"), "\(result.stderr)")
    }

    @Test func anUnreachableScratchServerIsExitTwoNamingScratchURL() async throws {
        try await AppFleet.with(.sqlite) { fleet async throws in
            let port = try closedLoopbackPort()
            try fleet.sandbox.write("config.json", """
                { "databases": { "app": { "driver": "postgres", "url": "postgres://shoal:hunter2@127.0.0.1:\(port)/app" } } }
                """)
            let result = try await fleet.shoal("test", "--db", "app")
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("`shoal test` needs a PostgreSQL server"), "\(result.stderr)")
            #expect(result.stderr.contains("scratch_url"), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2"), "\(result.stderr)")
        }
    }

    @Test func aRoleWithoutCreatedbIsExitTwoNamingThePrivilege() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            let role = "shoal_nocreatedb_" + String(UInt64.random(in: .min ... .max), radix: 16)
            let server = try PostgresTestServer.url()
            try await PostgresProbe.with(server) { try await $0.execute("CREATE ROLE \(role) LOGIN NOCREATEDB") }
            let scratchURL = server.replacingOccurrences(of: "://postgres@", with: "://\(role)@")
            try fleet.sandbox.write("config.json", """
                { "databases": { "app": { \(fleet.appKeys), "scratch_url": \(Fixture.json(scratchURL)) } } }
                """)
            let result = try await fleet.shoal("test", "--db", "app")
            try await PostgresProbe.with(server) { try await $0.execute("DROP ROLE \(role)") }
            #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains("role `\(role)` may not create databases"), "\(result.stderr)")
            #expect(result.stderr.contains("scratch_url"), "\(result.stderr)")
        }
    }

    // MARK: The demo fleet, and SIGINT

    @Test func theDemoFleetPassesForEachDatabase() async throws {
        let sandbox = try Sandbox()
        #expect(try await sandbox.shoal("init", "demo").status == 0)
        for database in ["catalog", "app"] {
            let result = try await sandbox.shoal("test", "--config", "demo/config.json", "--db", database, "--strict")
            #expect(result.status == 0, "\(database): \(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains(" failed, 0 no-down in "), "\(result.stdout)")
        }
    }

    @Test func sigintStopsTheTestAndDropsTheScratchDatabase() async throws {
        try await AppFleet.with(.postgres) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.r4)_slow.sql", Self.migration(up: "SELECT pg_sleep(120);"))
            let run = try fleet.sandbox.launch("test", "--db", "app", environment: Self.info)
            let name = try await LintObserveCommandTests.waitUntilSleeping(run)
            run.send(SIGINT)
            let result = try await run.finish(within: .seconds(60))
            #expect(result.status == 130, "\(result.stderr)")
            #expect(try await PostgresProbe.databases(prefix: name).isEmpty, "\(result.stderr)")
        }
    }
}
