import Foundation
import ShoalTestSupport
import Testing

@Suite("verify sections and checksums")
struct VerifyTests {
    @Test(arguments: Backend.allCases)
    func failingVerifySectionRollsTheMigrationBack(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Fixture.r2)_add_email.sql",
                                    MigrationFile(revision: Fixture.r2, parents: [Fixture.r1], message: "add email",
                                                            up: "ALTER TABLE users ADD COLUMN email TEXT;\nINSERT INTO users (id, name, email) VALUES (1, 'x', 'bad address');",
                                                            down: "ALTER TABLE users DROP COLUMN email;",
                                                            verify: "SELECT count(*) = 0 FROM users WHERE email LIKE '% %';").text)
            let result = try await fleet.shoal("upgrade", "--json")
            #expect(result.status == 1)
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["status"] as? String == "failed")
            let error = try #require(acme["error"] as? [String: Any])
            #expect(error["revision"] as? String == Fixture.r2)
            #expect((error["message"] as? String)?.contains("verify") == true, "\(error)")
            #expect(acme["to"] as? [String] == [Fixture.r1])
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.columnNames("acme", "users") == ["id", "name"])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM users") == ["0"])
            #expect(try await fleet.column("acme", "SELECT revision FROM shoal_version_history") == [Fixture.r1])
        }
    }

    @Test(arguments: Backend.allCases)
    func editedAppliedFileIsCaughtByVerifyAndRefusedByUpgrade(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r2).status == 0)
            #expect(try await fleet.shoal("verify").status == 0)
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                                    MigrationFile(revision: Fixture.r1, message: "create users",
                                                            up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER);",
                                                            down: "DROP TABLE users;").text)
            let verify = try await fleet.shoal("verify", "--json")
            #expect(verify.status == 1)
            let acme = try #require(try verify.targets()["app/acme"])
            #expect(acme["status"] as? String == "problems")
            let modified = try #require(acme["modified"] as? [[String: Any]])
            #expect(modified.map { $0["revision"] as? String } == [Fixture.r1])
            #expect(try await fleet.shoal("verify").stdout.contains("modified: \(Fixture.r1)"))

            let upgrade = try await fleet.shoal("upgrade", "--json")
            #expect(upgrade.status == 1)
            let refused = try #require(try upgrade.targets()["app/acme"])
            #expect(refused["status"] as? String == "failed")
            #expect((refused["error"] as? [String: Any])?["revision"] as? String == Fixture.r1)
            #expect(try await fleet.versions("acme") == [Fixture.r2])
            #expect(try await !fleet.tableExists("acme", "projects"))
        }
    }

    @Test(arguments: Backend.allCases)
    func whitespaceOnlyEditsKeepTheChecksum(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let original = try fleet.sandbox.read("versions/app/\(Fixture.r1)_create_users.sql")
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                                    original.replacingOccurrences(of: "\n", with: "   \r\n"))
            #expect(try await fleet.shoal("verify").status == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func verifyReportsMissingAndUnknownRevisions(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            try fleet.sandbox.remove("versions/app/\(Fixture.r3)_create_projects.sql")
            let result = try await fleet.shoal("verify", "--json")
            #expect(result.status == 1)
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["unknown"] as? [String] == [Fixture.r3])
            let status = try await fleet.shoal("status", "--json").targets()["app/acme"]!
            #expect(status["state"] as? String == "unknown-revision")
        }
    }

    /// Every kind of finding on one fleet, read in one batch per shard (or
    /// batches of files): the same findings and history entries as reading
    /// each target on its own session gave (issue 17).
    @Test(arguments: Backend.allCases)
    func verifyAndHistoryReportEveryKindOfTargetExactly(_ backend: Backend) async throws {
        let tenants = ["ahead", "down", "fresh", "stamped", "stray"]
        try await AppFleet.with(backend, tenants: tenants) { fleet async throws in
            let migrated = ["ahead", "down", "stamped", "stray"].flatMap { ["--tenant", $0] }
            #expect(try await fleet.run(["upgrade"] + migrated).status == 0)
            #expect(try await fleet.shoal("downgrade", Fixture.r1, "--tenant", "down").status == 0)
            #expect(try await fleet.shoal("stamp", Fixture.r2, "--tenant", "stamped").status == 0)
            try await fleet.execute("stray", "INSERT INTO shoal_version (revision) VALUES ('9999dead0009')")
            // r3's file goes, r1's is edited.
            try fleet.sandbox.remove("versions/app/\(Fixture.r3)_create_projects.sql")
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                                    MigrationFile(revision: Fixture.r1, message: "create users",
                                                            up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER);",
                                                            down: "DROP TABLE users;").text)

            let verify = try await fleet.shoal("verify", "--json")
            #expect(verify.status == 1, "\(verify.stderr)")
            let found = try verify.targets()
            #expect(found.count == 5)
            func expect(_ tenant: String, _ status: String, modified: [String], missing: [String], unknown: [String],
                        sourceLocation: SourceLocation = #_sourceLocation) {
                let target = found["app/\(tenant)"]
                #expect(target?["status"] as? String == status, "\(tenant)", sourceLocation: sourceLocation)
                let list = target?["modified"] as? [[String: Any]] ?? []
                #expect(list.map { $0["revision"] as? String } == modified, "\(tenant)", sourceLocation: sourceLocation)
                for entry in list {
                    #expect((entry["file"] as? String)?.hasSuffix("versions/app/\(Fixture.r1)_create_users.sql") == true)
                    let applied = entry["applied_checksum"] as? String, now = entry["file_checksum"] as? String
                    #expect(applied?.count == 64 && now?.count == 64 && applied != now, "\(tenant)", sourceLocation: sourceLocation)
                }
                #expect(target?["missing"] as? [String] == missing, "\(tenant)", sourceLocation: sourceLocation)
                #expect(target?["unknown"] as? [String] == unknown, "\(tenant)", sourceLocation: sourceLocation)
            }
            expect("ahead", "problems", modified: [Fixture.r1], missing: [], unknown: [Fixture.r3])
            expect("down", "problems", modified: [Fixture.r1], missing: [], unknown: [])
            expect("fresh", "uninitialized", modified: [], missing: [], unknown: [])
            expect("stamped", "problems", modified: [Fixture.r1], missing: [Fixture.r3], unknown: [])
            expect("stray", "problems", modified: [Fixture.r1], missing: [], unknown: [Fixture.r3, "9999dead0009"])

            let history = try await fleet.shoal("history", "--json")
            #expect(history.status == 0, "\(history.stderr)")
            let histories = try history.targets()
            func entries(_ tenant: String) -> [(String?, String?)] {
                (histories["app/\(tenant)"]?["entries"] as? [[String: Any]] ?? []).map {
                    ($0["revision"] as? String, $0["operation"] as? String)
                }
            }
            let upgrades = [(Fixture.r3, "upgrade"), (Fixture.r2, "upgrade"), (Fixture.r1, "upgrade")]
            func same(_ tenant: String, _ expected: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) {
                let got = entries(tenant)
                #expect(got.map(\.0) == expected.map(\.0) && got.map(\.1) == expected.map(\.1), "\(tenant): \(got)",
                        sourceLocation: sourceLocation)
            }
            same("ahead", upgrades)
            same("down", [(Fixture.r2, "downgrade"), (Fixture.r3, "downgrade")] + upgrades)
            same("fresh", [])
            same("stamped", [(Fixture.r2, "stamp")] + upgrades)
            same("stray", upgrades)
            let latest = try await fleet.shoal("history", "--limit", "1", "--json")
            #expect(latest.status == 0)
            let newest = try latest.targets().mapValues { ($0["entries"] as? [[String: Any]] ?? []).map { $0["revision"] as? String } }
            #expect(newest == ["app/ahead": [Fixture.r3], "app/down": [Fixture.r2], "app/fresh": [],
                               "app/stamped": [Fixture.r2], "app/stray": [Fixture.r3]])
        }
    }

    /// `status` says when an applied migration's file was edited (SPEC §6:
    /// `modified`), and `--exit-code` fails on it, so that a deploy gate built
    /// on status does not let it through (issue 17).
    @Test(arguments: Backend.allCases)
    func statusShowsAppliedMigrationsWhoseFilesWereEdited(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let clean = try await fleet.shoal("status", "--json")
            #expect(clean.status == 0)
            for (id, target) in try clean.targets() {
                #expect(target["modified"] as? [String] == [], "\(id): \(target)")
                #expect(target["state"] as? String == "up-to-date")
            }
            #expect(try await fleet.shoal("status", "--exit-code").status == 0)
            #expect(try await !fleet.shoal("status").stdout.contains("modified"))

            let original = try fleet.sandbox.read("versions/app/\(Fixture.r1)_create_users.sql")
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                                    MigrationFile(revision: Fixture.r1, message: "create users",
                                                            up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER);",
                                                            down: "DROP TABLE users;").text)
            let edited = try await fleet.shoal("status", "--json")
            #expect(edited.status == 0, "without --exit-code status reports, it does not fail")
            let targets = try edited.targets()
            #expect(targets.count == 3)
            for (id, target) in targets {
                #expect(target["modified"] as? [String] == [Fixture.r1], "\(id): \(target)")
                #expect(target["state"] as? String == "up-to-date", "the state is still about the revisions")
            }
            let gate = try await fleet.shoal("status", "--exit-code", "--json")
            #expect(gate.status == 1, "\(gate.stdout)\(gate.stderr)")
            #expect(try gate.targets()["app/acme"]?["modified"] as? [String] == [Fixture.r1])
            let text = try await fleet.shoal("status", "--exit-code")
            #expect(text.status == 1)
            let lines = text.stdout.split(separator: "\n").map(String.init)
            let acme = try #require(lines.firstIndex { $0.hasPrefix("app/acme ") })
            #expect(lines[acme + 1].contains("modified: \(Fixture.r1)") && lines[acme + 1].contains("shoal verify"), "\(text.stdout)")
            #expect(lines.last == "3 targets: 3 up-to-date; 3 with edited migrations", "\(text.stdout)")

            // Only what is applied counts: r3's edit is nothing to a target
            // that undid r3.
            try fleet.sandbox.write("versions/app/\(Fixture.r1)_create_users.sql", original)
            #expect(try await fleet.shoal("downgrade", Fixture.r2, "--tenant", "initech").status == 0)
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                                    Fixture.projects.replacingOccurrences(of: "title TEXT", with: "title TEXT NOT NULL"))
            let partly = try await fleet.shoal("status", "--json").targets()
            #expect(partly["app/acme"]?["modified"] as? [String] == [Fixture.r3])
            #expect(partly["app/globex"]?["modified"] as? [String] == [Fixture.r3])
            #expect(partly["app/initech"]?["modified"] as? [String] == [])
            #expect(partly["app/initech"]?["state"] as? String == "behind")
        }
    }
}
