import Foundation
import Testing

@Suite("upgrade and status on SQLite tenants")
struct UpgradeTests {
    @Test func upgradeAppliesEveryMigrationToEveryTenant() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try sandbox.shoal("upgrade", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try result.json()
        #expect(report["command"] as? String == "upgrade")
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["targets"] as? Int == 3)
        #expect(summary["ok"] as? Int == 3)
        #expect(summary["failed"] as? Int == 0)
        let targets = try result.targets()
        let acme = try #require(targets["app/acme"])
        #expect(acme["status"] as? String == "ok")
        #expect(acme["database"] as? String == "app")
        #expect(acme["tenant"] as? String == "acme")
        #expect(acme["from"] as? [String] == [])
        #expect(acme["to"] as? [String] == [Fixture.r3])
        #expect((acme["applied"] as? [[String: Any]])?.map { $0["revision"] as? String } == [Fixture.r1, Fixture.r2, Fixture.r3])
        #expect(acme.keys.contains("error") && acme["error"] is NSNull)
        for tenant in Fixture.tenants {
            let file = Fixture.tenantFile(tenant)
            #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version") == [Fixture.r3])
            #expect(try await sandbox.tableExists(file, "projects"))
            #expect(try await sandbox.column(file, "SELECT name FROM pragma_table_info('users') ORDER BY cid") == ["id", "name", "email"])
            #expect(try await sandbox.column(file, "SELECT revision FROM shoal_version_history ORDER BY id") == [Fixture.r1, Fixture.r2, Fixture.r3])
        }
    }

    @Test func textOutputHasALinePerTargetAndASummary() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try sandbox.shoal("upgrade")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for tenant in Fixture.tenants {
            let line = try #require(lines.first { $0.hasPrefix("app/\(tenant) ") })
            #expect(line.contains("base -> \(Fixture.r3)"))
            #expect(line.contains("3 applied"))
            #expect(line.hasSuffix("ok"))
        }
        #expect(lines.last?.hasPrefix("3 targets: 3 ok, 0 failed, 0 skipped in ") == true)
    }

    @Test func rerunChangesNothingAndReportsUpToDate() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade").status == 0)
        let again = try sandbox.shoal("upgrade", "--json")
        #expect(again.status == 0)
        for (_, target) in try again.targets() {
            #expect(target["status"] as? String == "up-to-date")
            #expect((target["applied"] as? [Any])?.isEmpty == true)
        }
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT count(*) FROM shoal_version_history") == ["3"])
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT count(*) FROM shoal_version") == ["1"])
    }

    @Test func statusBeforeAndAfterUpgrade() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let before = try sandbox.shoal("status", "--json")
        #expect(before.status == 0)
        let acme = try #require(try before.targets()["app/acme"])
        #expect(acme["state"] as? String == "uninitialized")
        #expect(acme["pending"] as? Int == 3)
        #expect(acme["heads"] as? [String] == [Fixture.r3])
        #expect(acme["current"] as? [String] == [])
        #expect(!sandbox.exists(Fixture.tenantFile("acme")), "status must not create databases")
        #expect(try sandbox.shoal("status", "--exit-code").status == 1)

        #expect(try sandbox.shoal("upgrade", Fixture.r2).status == 0)
        let middle = try sandbox.shoal("status", "--json").targets()["app/acme"]!
        #expect(middle["state"] as? String == "behind")
        #expect(middle["pending"] as? Int == 1)
        #expect(middle["current"] as? [String] == [Fixture.r2])

        #expect(try sandbox.shoal("upgrade").status == 0)
        let after = try sandbox.shoal("status", "--json")
        for (_, target) in try after.targets() {
            #expect(target["state"] as? String == "up-to-date")
            #expect(target["pending"] as? Int == 0)
            #expect(target["current"] as? [String] == [Fixture.r3])
        }
        #expect(try sandbox.shoal("status", "--exit-code").status == 0)
    }

    @Test func upgradeToAPrefixStopsThere() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade", String(Fixture.r2.prefix(6))).status == 0)
        #expect(try await sandbox.column(Fixture.tenantFile("globex"), "SELECT revision FROM shoal_version") == [Fixture.r2])
        #expect(try await !sandbox.tableExists(Fixture.tenantFile("globex"), "projects"))
    }

    @Test func relativeUpgradeAppliesNSteps() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade", "+1").status == 0)
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT revision FROM shoal_version") == [Fixture.r1])
        #expect(try sandbox.shoal("upgrade", "+2").status == 0)
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT revision FROM shoal_version") == [Fixture.r3])
    }

    @Test func selectorsNarrowTheRun() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try sandbox.shoal("upgrade", "--tenant", "a*", "--json")
        #expect(result.status == 0)
        #expect(Set(try result.targets().keys) == ["app/acme"])
        #expect(!sandbox.exists(Fixture.tenantFile("globex")))
        let byTarget = try sandbox.shoal("upgrade", "--target", "app/g*", "--target", "app/i*", "--json")
        #expect(Set(try byTarget.targets().keys) == ["app/globex", "app/initech"])
    }

    @Test func partitionsSplitTheFleetWithoutOverlap() throws {
        let sandbox = try Sandbox()
        let tenants = (1...12).map { "t\($0)" }
        try Fixture.sqliteFleet(sandbox, tenants: tenants)
        var seen: [String] = []
        for k in 1...3 {
            let result = try sandbox.shoal("status", "--partition", "\(k)/3", "--json")
            #expect(result.status == 0)
            seen += try result.targets().keys
        }
        #expect(seen.sorted() == tenants.map { "app/\($0)" }.sorted())
    }
}
