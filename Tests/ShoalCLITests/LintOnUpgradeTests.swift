import Foundation
import ShoalTestSupport
import Testing

/// SPEC §9.1, the `lint` key on `upgrade`: `warn` (the default) prints the
/// lint errors of the migrations a run applies once per migration and lists
/// them under `"lint"`; `refuse` exits 2 before anything runs; `off` does
/// not lint. Only migrations the run applies are linted.
@Suite("lint on upgrade: warn, refuse, off")
struct LintOnUpgradeTests {
    static let r4 = "4444dddd0004"
    /// Drops a table the fleet has: the `drop` rule, on both drivers.
    static let dropProjects = MigrationFile(revision: r4, parents: [Fixture.r3], message: "drop projects",
                                            up: "SELECT 1;\nDROP TABLE projects;", down: "CREATE TABLE projects (id INTEGER);").text
    static let file = "versions/app/\(r4)_drop_projects.sql"
    /// The file line of `DROP TABLE`: header 3 lines, a blank, the marker, `SELECT 1;`.
    static let line = 7

    @Test(arguments: Backend.allCases)
    func warnPrintsEachFindingOnceAndTheRunGoesOn(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try fleet.sandbox.write(Self.file, Self.dropProjects)
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            // One line for the migration, not one per target (three of them).
            let where_ = "\(Self.file):\(Self.line): error drop"
            #expect(result.stderr.components(separatedBy: where_).count == 2, "\(result.stderr)")
            #expect(result.stderr.contains("help: "), "\(result.stderr)")
            let lint = try #require(try result.json()["lint"] as? [[String: Any]])
            #expect(lint.count == 1)
            #expect(lint.first?["rule"] as? String == "drop")
            #expect(lint.first?["severity"] as? String == "error")
            #expect(lint.first?["file"] as? String == Self.file)
            #expect(lint.first?["line"] as? Int == Self.line)
            #expect(lint.first?["revision"] as? String == Self.r4)
            #expect(lint.first?["database"] as? String == "app")
            #expect(lint.first?["allowed"] as? Bool == false)
            for tenant in Fixture.tenants {
                #expect(try await fleet.versions(tenant) == [Self.r4])
                #expect(try await !fleet.tableExists(tenant, "projects"))
            }
            // Applied now: the next upgrade lints nothing.
            let again = try await fleet.shoal("upgrade", "--json")
            #expect(again.status == 0)
            #expect(!again.stderr.contains("error drop"), "\(again.stderr)")
            #expect((try again.json()["lint"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: Backend.allCases)
    func refuseExitsTwoBeforeAnythingRuns(_ backend: Backend) async throws {
        try await AppFleet.with(backend, extraConfig: #" "lint": "refuse","#) { fleet async throws in
            try fleet.sandbox.write(Self.file, Self.dropProjects)
            let before = try await fleet.snapshot()
            for args in [["upgrade"], ["upgrade", "--dry-run"], ["upgrade", "--json"]] {
                let result = try await fleet.run(args)
                #expect(result.status == 2, "\(args): \(result.stdout) \(result.stderr)")
                #expect(result.stderr.contains("lint refuses this upgrade"), "\(result.stderr)")
                #expect(result.stderr.contains("\(Self.file):\(Self.line): drop: "), "\(result.stderr)")
                #expect(result.stderr.contains("-- shoal:allow"), "the way out: \(result.stderr)")
            }
            #expect(try await fleet.snapshot() == before, "nothing ran")
            // Up to r3 applies nothing that lint refuses.
            #expect(try await fleet.shoal("upgrade", Fixture.r3).status == 0)
        }
    }

    @Test func anAllowCommentOrHeaderLetsARefusingFleetRun() async throws {
        try await AppFleet.with(.sqlite, extraConfig: #" "lint": "refuse","#) { fleet async throws in
            try fleet.sandbox.write(Self.file, MigrationFile(
                revision: Self.r4, parents: [Fixture.r3],
                up: "-- shoal:allow drop nothing reads projects since release 12\nDROP TABLE projects;").text)
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect((try result.json()["lint"] as? [Any])?.isEmpty == true)
            #expect(!result.stderr.contains("drop"), "\(result.stderr)")
            #expect(try await fleet.versions("acme") == [Self.r4])
        }
    }

    @Test func offLintsNothingAndADatabaseOverridesTheTopLevel() async throws {
        try await AppFleet.with(.sqlite, extraConfig: #" "lint": "refuse","#) { fleet async throws in
            try fleet.sandbox.write(Self.file, Self.dropProjects)
            try fleet.sandbox.write("config.json", """
                { "lint": "refuse", "databases": { "app": { \(fleet.appKeys), "lint": "off" } } }
                """)
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("drop"), "\(result.stderr)")
            #expect((try result.json()["lint"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aBadLintValueIsExitTwoNamingTheKey() async throws {
        try await AppFleet.with(.sqlite, extraConfig: #" "lint": "wran","#) { fleet async throws in
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("upgrade")
            #expect(result.status == 2)
            #expect(result.stderr.contains("config.json"), "\(result.stderr)")
            #expect(result.stderr.contains("`lint` must be `warn`, `refuse` or `off`, not `wran`; did you mean `warn`?"), "\(result.stderr)")
            #expect(try await fleet.snapshot() == before)
        }
    }

    @Test func postgresRefusesABlockingIndexBuildOnAnExistingTable() async throws {
        try await AppFleet.with(.postgres, extraConfig: #" "lint": "refuse","#) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            try fleet.sandbox.write("versions/app/\(Self.r4)_index.sql", MigrationFile(
                revision: Self.r4, parents: [Fixture.r3], up: "CREATE INDEX users_name ON users (name);").text)
            let result = try await fleet.shoal("upgrade")
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("versions/app/\(Self.r4)_index.sql:5: require-concurrent-index: "), "\(result.stderr)")
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            // The safe form passes.
            try fleet.sandbox.write("versions/app/\(Self.r4)_index.sql", MigrationFile(
                revision: Self.r4, parents: [Fixture.r3], up: "CREATE INDEX CONCURRENTLY users_name ON users (name);",
                transactional: false).text)
            let safe = try await fleet.shoal("upgrade")
            #expect(safe.status == 0, "\(safe.stderr)")
            #expect(try await fleet.versions("acme") == [Self.r4])
        }
    }
}
