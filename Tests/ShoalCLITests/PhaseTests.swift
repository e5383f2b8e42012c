import Foundation
import ShoalTestSupport
import Testing

/// `upgrade --phase expand` and `pending_contract` (SPEC §9.3), end to end.
@Suite("expand/contract phases")
struct PhaseTests {
    static let dropEmail = "4444dddd0004"
    static let tags = "5555eeee0005"

    /// After the standard r1 ← r2 ← r3: r4, a `contract` migration that
    /// drops `users.email`, then r5, which creates `tags`.
    static func addContract(_ sandbox: Sandbox) throws {
        try sandbox.write("versions/app/\(dropEmail)_drop_email.sql",
                          MigrationFile(revision: dropEmail, parents: [Fixture.r3], message: "drop email",
                                        up: "ALTER TABLE users DROP COLUMN email;",
                                        down: "ALTER TABLE users ADD COLUMN email TEXT;", phase: "contract").text)
        try sandbox.write("versions/app/\(tags)_tags.sql",
                          MigrationFile(revision: tags, parents: [dropEmail], message: "tags",
                                        up: "CREATE TABLE tags (name TEXT);", down: "DROP TABLE tags;").text)
    }

    @Test(arguments: Backend.allCases)
    func expandStopsBeforeTheContractMigrationAndAPlainUpgradeFinishes(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addContract(fleet.sandbox)
            let fresh = try await fleet.shoal("status")
            #expect(fresh.stdout.contains("uninitialized (5 pending, 1 of them contract)"), "\(fresh.stdout)")

            let expand = try await fleet.shoal("upgrade", "--phase", "expand", "--json")
            #expect(expand.status == 0, "\(expand.stderr)")
            for tenant in Fixture.tenants {
                let report = try #require(try expand.targets()["app/\(tenant)"])
                #expect(report["status"] as? String == "ok")
                #expect(report["to"] as? [String] == [Fixture.r3])
                #expect(report["stopped_at"] as? String == Self.dropEmail)
                #expect((report["applied"] as? [[String: Any]])?.compactMap { $0["revision"] as? String }
                    == [Fixture.r1, Fixture.r2, Fixture.r3])
                #expect(try await fleet.versions(tenant) == [Fixture.r3])
                #expect(try await fleet.columnNames(tenant, "users").contains("email"), "the contract migration did not run")
            }
            #expect(expand.stderr.contains("ok  stopped before contract \(Self.dropEmail)"), "\(expand.stderr)")

            let status = try await fleet.shoal("status", "--json")
            let acme = try #require((try status.json()["targets"] as? [[String: Any]])?.first { $0["target"] as? String == "app/acme" })
            #expect(acme["pending"] as? Int == 2)
            #expect(acme["pending_contract"] as? Int == 1)
            #expect(acme["state"] as? String == "behind")
            #expect(try await fleet.shoal("status").stdout.contains("behind (2 pending, 1 of them contract)"))
            #expect(try await fleet.shoal("status", "--exit-code").status == 1, "a contract migration is still pending")

            // Again: nothing to do before the contract migration.
            let before = try await fleet.snapshot()
            let again = try await fleet.shoal("upgrade", "--phase", "expand", "--json")
            #expect(again.status == 0, "\(again.stderr)")
            let second = try #require(try again.targets()["app/acme"])
            #expect(second["status"] as? String == "up-to-date")
            #expect(second["stopped_at"] as? String == Self.dropEmail)
            #expect(try await fleet.snapshot() == before)
            let text = try await fleet.shoal("upgrade", "--phase", "expand")
            #expect(text.stdout.contains("0 applied"), "\(text.stdout)")
            #expect(text.stdout.contains("up-to-date  stopped before contract \(Self.dropEmail)"), "\(text.stdout)")

            let plain = try await fleet.shoal("upgrade", "--json")
            #expect(plain.status == 0, "\(plain.stderr)")
            let done = try #require(try plain.targets()["app/acme"])
            #expect(done["to"] as? [String] == [Self.tags])
            #expect(done["stopped_at"] == nil)
            #expect(try await !fleet.columnNames("acme", "users").contains("email"))
            let after = try #require((try await fleet.shoal("status", "--json").json()["targets"] as? [[String: Any]])?.first)
            #expect(after["pending_contract"] as? Int == 0)
            let finalStatus = try await fleet.shoal("status", "--exit-code")
            #expect(finalStatus.status == 0)
            #expect(!finalStatus.stdout.contains("contract"))
        }
    }

    @Test(arguments: Backend.allCases)
    func dryRunShowsTheStop(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addContract(fleet.sandbox)
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            let before = try await fleet.snapshot()
            let json = try await fleet.shoal("upgrade", "--phase", "expand", "--dry-run", "--json")
            #expect(json.status == 0, "\(json.stderr)")
            let acme = try #require(try json.targets()["app/acme"])
            #expect(acme["status"] as? String == "planned")
            #expect(acme["planned"] as? [String] == [Fixture.r2, Fixture.r3])
            #expect(acme["to"] as? [String] == [Fixture.r3])
            #expect(acme["stopped_at"] as? String == Self.dropEmail)
            let text = try await fleet.shoal("upgrade", "--phase", "expand", "--dry-run")
            #expect(text.stdout.contains("would apply 2: \(Fixture.r2), \(Fixture.r3), then stop before contract \(Self.dropEmail)"),
                    "\(text.stdout)")
            let plain = try await fleet.shoal("upgrade", "--dry-run")
            #expect(plain.stdout.contains("would apply 4: \(Fixture.r2), \(Fixture.r3), \(Self.dropEmail), \(Self.tags)  dry run"),
                    "\(plain.stdout)")
            #expect(try await fleet.snapshot() == before)
        }
    }

    @Test(arguments: Backend.allCases)
    func targetsAlreadyPastTheContractMigrationGoOnAndARevisionStopsFirst(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addContract(fleet.sandbox)
            #expect(try await fleet.shoal("upgrade", Self.dropEmail, "--target", "app/acme").status == 0)
            // A target revision before the contract migration comes first: no stop to report.
            let partial = try await fleet.shoal("upgrade", Fixture.r2, "--phase", "expand", "--json")
            #expect(partial.status == 0, "\(partial.stderr)")
            let globexPartial = try #require(try partial.targets()["app/globex"])
            #expect(globexPartial["to"] as? [String] == [Fixture.r2])
            #expect(globexPartial["stopped_at"] == nil)

            let expand = try await fleet.shoal("upgrade", "--phase", "expand", "--json")
            #expect(expand.status == 0, "\(expand.stderr)")
            let acme = try #require(try expand.targets()["app/acme"])
            #expect(acme["status"] as? String == "ok")
            #expect(acme["to"] as? [String] == [Self.tags])
            #expect(acme["stopped_at"] == nil)
            let globex = try #require(try expand.targets()["app/globex"])
            #expect(globex["to"] as? [String] == [Fixture.r3])
            #expect(globex["stopped_at"] as? String == Self.dropEmail)
            let summary = try #require(try expand.json()["summary"] as? [String: Any])
            #expect(summary["ok"] as? Int == 3 && summary["failed"] as? Int == 0)
        }
    }

    /// A target that stopped and was then rolled back (another failed) is
    /// back where it started: it stopped nowhere.
    @Test(arguments: Backend.allCases)
    func aRolledBackTargetReportsNoStop(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addContract(fleet.sandbox)
            try await fleet.execute("initech", "CREATE TABLE users (id INTEGER);")
            let result = try await fleet.shoal("upgrade", "--phase", "expand", "--on-error", "rollback", "--concurrency", "1", "--json")
            #expect(result.status == 1)
            let targets = try result.targets()
            #expect(targets["app/initech"]?["status"] as? String == "failed")
            #expect(targets["app/initech"]?["stopped_at"] == nil)
            for tenant in ["acme", "globex"] {
                #expect(targets["app/\(tenant)"]?["status"] as? String == "rolled-back", "\(tenant)")
                #expect(targets["app/\(tenant)"]?["stopped_at"] == nil, "\(tenant)")
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func phaseContractAppliesEverything(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addContract(fleet.sandbox)
            let result = try await fleet.shoal("upgrade", "--phase", "contract", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["to"] as? [String] == [Self.tags])
            #expect(acme["stopped_at"] == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aContractMigrationOnOneBranchDoesNotHoldBackTheOther(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try fleet.sandbox.write("versions/app/\(Self.dropEmail)_drop_email.sql",
                                    MigrationFile(revision: Self.dropEmail, parents: [Fixture.r3], message: "drop email",
                                                  up: "ALTER TABLE users DROP COLUMN email;", phase: "contract").text)
            try fleet.sandbox.write("versions/app/\(Self.tags)_tags.sql",
                                    MigrationFile(revision: Self.tags, parents: [Fixture.r3], message: "tags",
                                                  up: "CREATE TABLE tags (name TEXT);", phase: "expand").text)
            let expand = try await fleet.shoal("upgrade", "heads", "--phase", "expand", "--json")
            #expect(expand.status == 0, "\(expand.stderr)")
            let acme = try #require(try expand.targets()["app/acme"])
            #expect(acme["to"] as? [String] == [Self.tags])
            #expect(acme["stopped_at"] as? String == Self.dropEmail)
            #expect(try await fleet.tableExists("acme", "tags"))
            #expect(try await fleet.columnNames("acme", "users").contains("email"))
            #expect(try await fleet.shoal("upgrade", "heads").status == 0)
            #expect(try await fleet.versions("acme") == [Self.dropEmail, Self.tags])
        }
    }

    @Test(arguments: Backend.allCases)
    func aTenantAddedBetweenTheHalvesStopsWhereTheOthersDid(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addContract(fleet.sandbox)
            let added = try await fleet.shoal("tenants", "add", "wayne", "--db", "app", "--phase", "expand", "--json")
            #expect(added.status == 0, "\(added.stderr)")
            #expect(try added.targets()["app/wayne"]?["stopped_at"] as? String == Self.dropEmail)
            #expect(try await fleet.versions("wayne") == [Fixture.r3])
            let refused = try await fleet.shoal("tenants", "add", "bruce", "--db", "app", "--phase", "expnad")
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("Did you mean `expand`?"), "\(refused.stderr)")
            #expect(try await !fleet.storageExists("bruce"))
            #expect(try !fleet.sandbox.read("tenants/app.json").contains("bruce"), "not registered")
        }
    }

    @Test func revisionWritesThePhaseHeaderThatUpgradeStopsAt() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let written = try await sandbox.shoal("revision", "--db", "app", "-m", "drop email", "--phase", "contract")
        #expect(written.status == 0, "\(written.stderr)")
        let path = written.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("-- message: drop email\n-- phase: contract\n"))
        let revision = String((path as NSString).lastPathComponent.prefix(12))
        let expand = try await sandbox.shoal("upgrade", "--phase", "expand", "--json")
        #expect(try expand.targets()["app/acme"]?["stopped_at"] as? String == revision, "\(expand.stdout)")
    }

    @Test(arguments: ["upgrade", "revision"], [("expnad", "Did you mean `expand`?"), ("contarct", "Did you mean `contract`?"),
                                               ("all", "`expand` or `contract`")])
    func anUnknownPhaseIsRefusedBeforeAnythingRuns(_ command: String, _ phase: (value: String, expected: String)) async throws {
        let (value, expected) = phase
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let before = try sandbox.snapshot()
        let result = try await sandbox.run(command == "revision" ? ["revision", "-m", "x", "--phase", value] : [command, "--phase", value])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--phase must be `expand` or `contract`, not `\(value)`"), "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(try sandbox.snapshot() == before, "nothing touched")
    }
}
