import Foundation
import Testing

@Suite("upgrade and status on SQLite and PostgreSQL tenants")
struct UpgradeTests {
    @Test(arguments: Backend.allCases)
    func upgradeAppliesEveryMigrationToEveryTenant(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let result = try await fleet.shoal("upgrade", "--json")
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
            #expect(acme.keys.contains("shard") && acme["shard"] is NSNull)
            #expect(acme["from"] as? [String] == [])
            #expect(acme["to"] as? [String] == [Fixture.r3])
            #expect((acme["applied"] as? [[String: Any]])?.map { $0["revision"] as? String } == [Fixture.r1, Fixture.r2, Fixture.r3])
            #expect(acme.keys.contains("error") && acme["error"] is NSNull)
            for tenant in Fixture.tenants {
                #expect(try await fleet.versions(tenant) == [Fixture.r3])
                #expect(try await fleet.tableExists(tenant, "projects"))
                #expect(try await fleet.columnNames(tenant, "users") == ["id", "name", "email"])
                #expect(try await fleet.column(tenant, "SELECT revision FROM shoal_version_history ORDER BY id") == [Fixture.r1, Fixture.r2, Fixture.r3])
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func textOutputHasALinePerTargetAndASummary(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let result = try await fleet.shoal("upgrade")
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            for tenant in Fixture.tenants {
                let line = try #require(lines.first { $0.hasPrefix("app/\(tenant) ") })
                #expect(line.contains("base -> \(Fixture.r3)"))
                #expect(line.contains("3 applied"))
                #expect(line.hasSuffix("ok"))
            }
            #expect(lines.last?.hasPrefix("3 targets: 3 ok, 0 failed, 0 skipped in ") == true)
        }
    }

    @Test(arguments: Backend.allCases)
    func rerunChangesNothingAndReportsUpToDate(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let before = try await fleet.snapshot()
            // Every tenant's tables, version, history and dirty rows, on both drivers.
            for tenant in Fixture.tenants {
                #expect(before.database.contains { $0.contains(tenant) && $0.contains("shoal_version_history") }, "\(before.database)")
            }
            let again = try await fleet.shoal("upgrade", "--json")
            #expect(again.status == 0)
            let targets = try again.targets()
            #expect(targets.count == Fixture.tenants.count)
            for (_, target) in targets {
                #expect(target["status"] as? String == "up-to-date")
                #expect((target["applied"] as? [Any])?.isEmpty == true)
            }
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version_history") == ["3"])
            #expect(try await fleet.column("acme", "SELECT count(*) FROM shoal_version") == ["1"])
            #expect(try await fleet.snapshot().database == before.database)
        }
    }

    @Test(arguments: Backend.allCases)
    func statusBeforeAndAfterUpgrade(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let before = try await fleet.shoal("status", "--json")
            #expect(before.status == 0, "\(before.stderr)")
            let acme = try #require(try before.targets()["app/acme"])
            #expect(acme["state"] as? String == "uninitialized")
            #expect(acme["pending"] as? Int == 3)
            #expect(acme["heads"] as? [String] == [Fixture.r3])
            #expect(acme["current"] as? [String] == [])
            #expect(try await !fleet.storageExists("acme"), "status must not create databases")
            #expect(try await fleet.shoal("status", "--exit-code").status == 1)

            #expect(try await fleet.shoal("upgrade", Fixture.r2).status == 0)
            let middle = try await fleet.shoal("status", "--json").targets()["app/acme"]!
            #expect(middle["state"] as? String == "behind")
            #expect(middle["pending"] as? Int == 1)
            #expect(middle["current"] as? [String] == [Fixture.r2])

            #expect(try await fleet.shoal("upgrade").status == 0)
            let after = try await fleet.shoal("status", "--json")
            #expect(try after.targets().count == Fixture.tenants.count)
            for (_, target) in try after.targets() {
                #expect(target["state"] as? String == "up-to-date")
                #expect(target["pending"] as? Int == 0)
                #expect(target["current"] as? [String] == [Fixture.r3])
            }
            #expect(try await fleet.shoal("status", "--exit-code").status == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func upgradeToAPrefixStopsThere(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", String(Fixture.r2.prefix(6))).status == 0)
            #expect(try await fleet.versions("globex") == [Fixture.r2])
            #expect(try await !fleet.tableExists("globex", "projects"))
        }
    }

    @Test(arguments: Backend.allCases)
    func relativeUpgradeAppliesNSteps(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", "+1").status == 0)
            #expect(try await fleet.versions("acme") == [Fixture.r1])
            #expect(try await fleet.shoal("upgrade", "+2").status == 0)
            #expect(try await fleet.versions("acme") == [Fixture.r3])
        }
    }

    @Test(arguments: Backend.allCases)
    func selectorsNarrowTheRun(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let result = try await fleet.shoal("upgrade", "--tenant", "a*", "--json")
            #expect(result.status == 0)
            #expect(Set(try result.targets().keys) == ["app/acme"])
            #expect(try await !fleet.storageExists("globex"))
            let byTarget = try await fleet.shoal("upgrade", "--target", "app/g*", "--target", "app/i*", "--json")
            #expect(Set(try byTarget.targets().keys) == ["app/globex", "app/initech"])
        }
    }

    @Test(arguments: Backend.allCases)
    func partitionsSplitTheFleetWithoutOverlap(_ backend: Backend) async throws {
        let tenants = (1...12).map { "t\($0)" }
        try await AppFleet.with(backend, tenants: tenants) { fleet async throws in
            var seen: [String] = []
            for k in 1...3 {
                let result = try await fleet.shoal("status", "--partition", "\(k)/3", "--json")
                #expect(result.status == 0)
                seen += try result.targets().keys
            }
            #expect(seen.sorted() == tenants.map { "app/\($0)" }.sorted())
        }
    }

    /// SPEC §3: the slices of one fleet differ in size by at most one target
    /// (101 tenants in 3 slices were 42/25/34), and an upgrade of a slice
    /// touches exactly the targets `status` lists for it.
    @Test(arguments: Backend.allCases)
    func partitionsAreBalanced(_ backend: Backend) async throws {
        let tenants = (1...101).map { "tenant\($0)" }
        try await AppFleet.with(backend, tenants: tenants) { fleet async throws in
            for n in [2, 3, 4] {
                var slices: [Set<String>] = []
                for k in 1...n {
                    let result = try await fleet.shoal("status", "--partition", "\(k)/\(n)", "--json")
                    #expect(result.status == 0, "\(result.stderr)")
                    slices.append(Set(try result.targets().keys))
                }
                let sizes = slices.map(\.count)
                #expect(sizes.max()! - sizes.min()! <= 1, "101 targets in \(n) slices: \(sizes)")
                #expect(sizes.reduce(0, +) == 101 && slices.reduce(Set()) { $0.union($1) }.count == 101, "\(sizes)")
            }
            let second = Set(try await fleet.shoal("status", "--partition", "2/3", "--json").targets().keys)
            let upgrade = try await fleet.shoal("upgrade", "--partition", "2/3", "--json")
            #expect(upgrade.status == 0, "\(upgrade.stderr)")
            #expect(Set(try upgrade.targets().keys) == second)
            let states = try await fleet.shoal("status", "--json").targets()
            #expect(states.filter { $0.value["state"] as? String == "up-to-date" }.keys.sorted() == second.sorted())
        }
    }
}
