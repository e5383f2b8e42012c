import Foundation
import ShoalTestSupport
import Testing

/// Options and paths README documents that no other test ran end to end:
/// `revision --parent`, `merge REV REV`, `check --db` and its exit codes,
/// `stamp base`, `status --concurrency` and `--exit-code`, `--partition` on
/// `downgrade` and `stamp`, and dependents of a failed `after` database.
@Suite("options coverage")
struct OptionCoverageTests {
    static func path(_ result: CLIResult) -> String {
        result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: revision --parent, merge REV REV

    @Test func revisionWithAParentBranchesFromIt() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try await sandbox.shoal("revision", "--db", "app", "-m", "side table", "--parent", String(Fixture.r2.prefix(6)))
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: Self.path(result), encoding: .utf8)
        #expect(text.contains("-- parents: \(Fixture.r2)\n"), "\(text)")
        let revision = String((Self.path(result) as NSString).lastPathComponent.prefix(12))
        let heads = try await sandbox.shoal("heads", "--db", "app", "--json")
        #expect((try heads.json()["heads"] as? [[String: Any]])?.compactMap { $0["revision"] as? String }.sorted()
                == [Fixture.r3, revision].sorted())
        // Two parents make a merge of them.
        let both = try await sandbox.shoal("revision", "--db", "app", "-m", "join", "--parent", Fixture.r3, "--parent", revision)
        #expect(both.status == 0, "\(both.stderr)")
        #expect(try String(contentsOfFile: Self.path(both), encoding: .utf8).contains("-- parents: \(Fixture.r3) \(revision)\n"))
        #expect(try await sandbox.shoal("check").status == 0)

        let before = try sandbox.snapshot()
        let unknown = try await sandbox.shoal("revision", "--db", "app", "-m", "nowhere", "--parent", "abcdef999999")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("abcdef999999"), "\(unknown.stderr)")
        #expect(try sandbox.snapshot() == before, "a refused revision writes no file")
    }

    @Test(arguments: Backend.allCases)
    func mergeOfTwoNamedRevisionsLeavesTheOtherHead(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try BranchTests.addBranches(fleet.sandbox)
            let third = "6666ffff0006"
            try fleet.sandbox.write("versions/app/\(third)_labels.sql",
                                    MigrationFile(revision: third, parents: [Fixture.r3], message: "labels", up: "CREATE TABLE labels (name TEXT);", down: "DROP TABLE labels;").text)
            let before = try await fleet.snapshot()
            let unknown = try await fleet.shoal("merge", "--db", "app", "-m", "bad", BranchTests.left, "abcdef999999")
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("abcdef999999"), "\(unknown.stderr)")
            #expect(try await fleet.snapshot() == before)

            let merge = try await fleet.shoal("merge", "--db", "app", "-m", "tags and notes", BranchTests.left, String(BranchTests.right.prefix(8)))
            #expect(merge.status == 0, "\(merge.stderr)")
            let text = try String(contentsOfFile: Self.path(merge), encoding: .utf8)
            #expect(text.contains("-- parents: \(BranchTests.left) \(BranchTests.right)\n"), "\(text)")
            let merged = String((Self.path(merge) as NSString).lastPathComponent.prefix(12))
            let heads = try await fleet.shoal("heads", "--db", "app", "--json")
            #expect((try heads.json()["heads"] as? [[String: Any]])?.compactMap { $0["revision"] as? String }.sorted()
                    == [merged, third].sorted())
            let check = try await fleet.shoal("check")
            #expect(check.status == 1, "still two heads: \(check.stdout)")

            let upgrade = try await fleet.shoal("upgrade", merged, "--json")
            #expect(upgrade.status == 0, "\(upgrade.stderr)")
            #expect(try upgrade.targets()["app/acme"]?["to"] as? [String] == [merged])
            #expect(try await fleet.versions("acme") == [merged])
            #expect(try await fleet.tableExists("acme", "tags"))
            #expect(try await fleet.tableExists("acme", "notes"))
            #expect(try await !fleet.tableExists("acme", "labels"))
        }
    }

    // MARK: check

    /// Two databases: `app` (the fixture) and `core`, whose folder `files` fill.
    static func twoDatabaseFleet(_ sandbox: Sandbox, core files: [String: String]) throws {
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("config.json", """
        { "databases": {
            "core": { "driver": "sqlite", "path": "core.sqlite" },
            "app": { \(Fixture.sqliteApp) } } }
        """)
        for (name, text) in files { try sandbox.write("versions/core/\(name)", text) }
    }

    static let coreRoot = MigrationFile(revision: "c0000000c001", message: "settings", up: "CREATE TABLE settings (k TEXT);", down: "DROP TABLE settings;").text

    @Test func checkDbChecksOnlyThatDatabase() async throws {
        let sandbox = try Sandbox()
        try Self.twoDatabaseFleet(sandbox, core: [
            "c0000000c001_settings.sql": Self.coreRoot,
            "c0000000c002_broken.sql": "-- message: no revision header\n\n-- shoal:up\nSELECT 1;\n",
        ])
        let app = try await sandbox.shoal("check", "--db", "app", "--json")
        #expect(app.status == 0, "\(app.stdout)\n\(app.stderr)")
        let databases = try #require(try app.json()["databases"] as? [[String: Any]])
        #expect(databases.compactMap { $0["database"] as? String } == ["app"])
        #expect(databases.first?["heads"] as? [String] == [Fixture.r3])
        let all = try await sandbox.shoal("check")
        #expect(all.status == 2)
        #expect(all.stderr.contains("c0000000c002_broken.sql"), "\(all.stderr)")
        let core = try await sandbox.shoal("check", "--db", "core")
        #expect(core.status == 2)
        #expect(core.stderr.contains("c0000000c002_broken.sql"), "\(core.stderr)")
        let unknown = try await sandbox.shoal("check", "--db", "nosuch")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("nosuch"), "\(unknown.stderr)")
    }

    @Test func checkExitsOneOnMultipleHeadsOnlyForThatDatabase() async throws {
        let sandbox = try Sandbox()
        try Self.twoDatabaseFleet(sandbox, core: ["c0000000c001_settings.sql": Self.coreRoot])
        try BranchTests.addBranches(sandbox)
        let all = try await sandbox.shoal("check", "--json")
        #expect(all.status == 1)
        let report = try all.json()
        #expect(report["ok"] as? Bool == false)
        let problems = (report["databases"] as? [[String: Any]] ?? []).filter { !(($0["problems"] as? [String]) ?? []).isEmpty }
        #expect(problems.compactMap { $0["database"] as? String } == ["app"])
        #expect(try await sandbox.shoal("check", "--db", "core").status == 0)
        let app = try await sandbox.shoal("check", "--db", "app")
        #expect(app.status == 1)
        #expect(app.stdout.contains("2 heads") && app.stdout.contains("shoal merge"), "\(app.stdout)")
    }

    static let brokenFiles: [(String, [String: String], [String])] = [
        ("parse error", ["9999ffff0009_x.sql": "-- message: x\n\n-- shoal:up\nSELECT 1;\n"], ["9999ffff0009_x.sql", "revision"]),
        ("duplicate id", ["\(Fixture.r3)_again.sql": MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "again", up: "SELECT 1;").text], [Fixture.r3]),
        ("unknown parent", ["9999ffff0009_x.sql": MigrationFile(revision: "9999ffff0009", parents: ["abcdef999999"], message: "x", up: "SELECT 1;").text], ["abcdef999999"]),
        ("cycle", ["\(Fixture.r1)_create_users.sql": MigrationFile(revision: Fixture.r1, parents: [Fixture.r3], message: "x", up: "SELECT 1;").text], ["cycle"]),
    ]

    @Test(arguments: 0..<brokenFiles.count)
    func checkExitsTwoOnBrokenFiles(_ index: Int) async throws {
        let (name, files, expected) = Self.brokenFiles[index]
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        for (file, text) in files { try sandbox.write("versions/app/\(file)", text) }
        let before = try sandbox.snapshot()
        let result = try await sandbox.shoal("check")
        #expect(result.status == 2, "\(name): \(result.stdout)\n\(result.stderr)")
        for word in expected { #expect(result.stderr.contains(word), "\(name): \(result.stderr)") }
        #expect(try sandbox.snapshot() == before)
    }

    // MARK: stamp base

    @Test(arguments: Backend.allCases)
    func stampBaseEmptiesTheVersionTableAndRunsNoSQL(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme", "globex"]) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let result = try await fleet.shoal("stamp", "base", "--tenant", "acme", "--json")
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["status"] as? String == "ok")
            #expect(acme["from"] as? [String] == [Fixture.r3])
            #expect(acme["to"] as? [String] == [])
            #expect((acme["applied"] as? [Any])?.isEmpty == true, "a stamp runs no step: \(acme)")
            #expect(try await fleet.versions("acme") == [])
            #expect(try await fleet.tableExists("acme", "users"))
            #expect(try await fleet.tableExists("acme", "projects"), "no down section ran")
            let history = try await fleet.rows("acme", "SELECT operation, revision FROM shoal_version_history ORDER BY id")
            #expect(history == [["upgrade", Fixture.r1], ["upgrade", Fixture.r2], ["upgrade", Fixture.r3], ["stamp", "base"]], "\(history)")
            #expect(try await fleet.versions("globex") == [Fixture.r3])
            let status = try await fleet.shoal("status", "--json").targets()
            #expect(status["app/acme"]?["current"] as? [String] == [])
            #expect(status["app/acme"]?["pending"] as? Int == 3)
            #expect(status["app/globex"]?["state"] as? String == "up-to-date")
            #expect(try await fleet.shoal("stamp", "base", "--tenant", "acme", "--json").targets()["app/acme"]?["status"] as? String == "up-to-date")
        }
    }

    // MARK: status --concurrency, --exit-code

    @Test(arguments: Backend.allCases)
    func statusReadsTheSameAtAnyConcurrency(_ backend: Backend) async throws {
        let tenants = (1...9).map { "t\($0)" }
        try await AppFleet.with(backend, tenants: tenants) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", "--tenant", "t[1-3]").status == 0)
            #expect(try await fleet.shoal("upgrade", Fixture.r1, "--tenant", "t[4-6]").status == 0)
            let one = try await fleet.shoal("status", "--concurrency", "1", "--json")
            let many = try await fleet.shoal("status", "--concurrency", "16", "--json")
            #expect(one.status == 0 && many.status == 0)
            #expect(one.stdout == many.stdout)
            let states = try one.targets().compactMapValues { $0["state"] as? String }
            #expect(states.filter { $0.value == "up-to-date" }.count == 3)
            #expect(states.filter { $0.value == "behind" }.count == 3)
            #expect(states.filter { $0.value == "uninitialized" }.count == 3)
            let zero = try await fleet.shoal("status", "--concurrency", "0")
            #expect(zero.status == 2)
            #expect(zero.stderr.contains("--concurrency"), "\(zero.stderr)")
        }
    }

    @Test(arguments: Backend.allCases)
    func statusExitCodeIsOneOnDirtyAndUnreachableTargetsAndZeroAtHead(_ backend: Backend) async throws {
        try await AppFleet.with(backend, tenants: ["acme"]) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            #expect(try await fleet.shoal("status", "--exit-code").status == 0)

            // Dirty: a transaction: false migration failed partway.
            let r4 = "4444dddd0004"
            try fleet.sandbox.write("versions/app/\(r4)_half.sql",
                                    MigrationFile(revision: r4, parents: [Fixture.r3], message: "half", up: """
                                    CREATE TABLE half (id INTEGER);
                                    INSERT INTO no_such_table VALUES (1);
                                    """, down: "DROP TABLE half;", transactional: false).text)
            #expect(try await fleet.shoal("upgrade").status == 1)
            let dirty = try await fleet.shoal("status", "--exit-code", "--json")
            #expect(dirty.status == 1)
            #expect(try dirty.targets()["app/acme"]?["state"] as? String == "dirty")
            try await fleet.execute("acme", "DROP TABLE half;")
            #expect(try await fleet.shoal("stamp", Fixture.r3).status == 0)
            try fleet.sandbox.remove("versions/app/\(r4)_half.sql")
            #expect(try await fleet.shoal("status", "--exit-code").status == 0)

            // Unreachable: the file is not a database, or nothing listens on the server's port.
            switch backend {
            case .sqlite:
                try fleet.sandbox.write("config.json", """
                { "databases": { "app": { "driver": "sqlite", "path": "broken/{tenant}.sqlite", "tenants": "tenants/app.json" } } }
                """)
                try fleet.sandbox.write("broken/acme.sqlite", "this is not a SQLite database, just text long enough to have a header page")
            case .postgres:
                let port = try closedLoopbackPort()
                try Fixture.fleet(fleet.sandbox, app: Fixture.postgresApp(url: "postgres://shoal@127.0.0.1:\(port)/nowhere"), tenants: ["acme"])
            }
            let unreachable = try await fleet.shoal("status", "--exit-code", "--json")
            #expect(unreachable.status == 1, "\(unreachable.stdout)\n\(unreachable.stderr)")
            #expect(try unreachable.targets()["app/acme"]?["state"] as? String == "unreachable")
            let text = try await fleet.shoal("status", "--exit-code")
            #expect(text.status == 1)
            #expect(text.stdout.contains("unreachable"), "\(text.stdout)")
            #expect(try await fleet.shoal("status").status == 0, "without --exit-code, status exits 0")
        }
    }

    // MARK: --partition on downgrade and stamp

    /// Runs `args --partition K/N --json` for every K and returns the
    /// targets each slice moved.
    static func slices(_ fleet: AppFleet, _ args: [String], of n: Int) async throws -> [Set<String>] {
        var slices: [Set<String>] = []
        for k in 1...n {
            let result = try await fleet.run(args + ["--partition", "\(k)/\(n)", "--json"])
            #expect(result.status == 0, "\(args) \(k)/\(n): \(result.stdout)\n\(result.stderr)")
            let statuses = try result.targets().compactMapValues { $0["status"] as? String }
            #expect(statuses.values.allSatisfy { $0 == "ok" }, "\(args) \(k)/\(n): \(statuses)")
            slices.append(Set(statuses.keys))
        }
        return slices
    }

    static func expectDisjointCover(_ slices: [Set<String>], _ tenants: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let all = slices.flatMap { $0 }
        #expect(all.count == Set(all).count, "slices overlap: \(slices)", sourceLocation: sourceLocation)
        #expect(Set(all) == Set(tenants.map { "app/\($0)" }), "slices do not cover the fleet: \(slices)", sourceLocation: sourceLocation)
    }

    @Test(arguments: Backend.allCases)
    func partitionsOfDowngradeAndStampMoveEachTargetExactlyOnce(_ backend: Backend) async throws {
        let tenants = (1...10).map { "p\($0)" }
        try await AppFleet.with(backend, tenants: tenants) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            // -1 is relative: a target moved twice would end at r1.
            let downgraded = try await Self.slices(fleet, ["downgrade", "-1"], of: 3)
            Self.expectDisjointCover(downgraded, tenants)
            for tenant in tenants {
                #expect(try await fleet.versions(tenant) == [Fixture.r2], "\(tenant)")
                #expect(try await !fleet.tableExists(tenant, "projects"))
                #expect(try await fleet.column(tenant, "SELECT count(*) FROM shoal_version_history WHERE operation = 'downgrade'") == ["1"])
            }
            let stamped = try await Self.slices(fleet, ["stamp", Fixture.r1], of: 4)
            Self.expectDisjointCover(stamped, tenants)
            for tenant in tenants {
                #expect(try await fleet.versions(tenant) == [Fixture.r1], "\(tenant)")
                #expect(try await fleet.column(tenant, "SELECT count(*) FROM shoal_version_history WHERE operation = 'stamp'") == ["1"])
                #expect(try await fleet.columnNames(tenant, "users") == ["id", "name", "email"], "a stamp runs no SQL")
            }
        }
    }

    // MARK: after

    @Test(arguments: Backend.allCases)
    func dependentsOfAFailedDatabaseAreSkipped(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let core = backend == .sqlite ? "\"driver\": \"sqlite\", \"path\": \"core.sqlite\""
                                          : "\"driver\": \"postgres\", \"url\": \(Fixture.json(fleet.url!))"
            try fleet.sandbox.write("config.json", """
            { "concurrency": 4, "databases": {
                "app": { \(fleet.appKeys), "after": ["core"] },
                "core": { \(core) } } }
            """)
            let broken = MigrationFile(revision: "c0000000c001", message: "settings",
                                                 up: "CREATE TABLE settings (k TEXT);\nINSERT INTO no_such_table VALUES (1);",
                                                 down: "DROP TABLE settings;").text
            try fleet.sandbox.write("versions/core/c0000000c001_settings.sql", broken)
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            let targets = try result.targets()
            #expect(targets["core"]?["status"] as? String == "failed")
            #expect((targets["core"]?["error"] as? [String: Any])?["revision"] as? String == "c0000000c001")
            for tenant in Fixture.tenants {
                let report = try #require(targets["app/\(tenant)"])
                #expect(report["status"] as? String == "skipped", "\(tenant): \(report)")
                let message = (report["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains("core") && message.contains("after"), "\(message)")
                if try await fleet.storageExists(tenant) {
                    #expect(try await !fleet.tableExists(tenant, "users"), "\(tenant) was not migrated")
                }
            }
            let summary = try #require(try result.json()["summary"] as? [String: Any])
            #expect(summary["failed"] as? Int == 1 && summary["skipped"] as? Int == 3 && summary["ok"] as? Int == 0)

            // Once core is fixed, a rerun migrates everything, core first.
            try fleet.sandbox.write("versions/core/c0000000c001_settings.sql", Self.coreRoot)
            let rerun = try await fleet.shoal("upgrade", "--json")
            #expect(rerun.status == 0, "\(rerun.stdout)\n\(rerun.stderr)")
            for tenant in Fixture.tenants { #expect(try await fleet.versions(tenant) == [Fixture.r3]) }
        }
    }
}
