import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

@Suite("history")
struct HistoryTests {
    @Test(arguments: Backend.allCases)
    func historyIsNewestFirstWithEveryField(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            #expect(try await fleet.shoal("downgrade", "-1").status == 0)
            let result = try await fleet.shoal("history", "--tenant", "acme", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            let targets = try #require(result.json()["targets"] as? [[String: Any]])
            #expect(targets.count == 1)
            #expect(targets[0]["target"] as? String == "app/acme")
            let entries = try #require(targets[0]["entries"] as? [[String: Any]])
            #expect(entries.map { $0["revision"] as? String } == [Fixture.r3, Fixture.r3, Fixture.r2, Fixture.r1])
            #expect(entries.map { $0["operation"] as? String } == ["downgrade", "upgrade", "upgrade", "upgrade"])
            for entry in entries {
                #expect((entry["checksum"] as? String)?.count == 64)
                let appliedAt = try #require(entry["applied_at"] as? String)
                #expect(appliedAt.hasSuffix("Z") && appliedAt.contains("T"))
                #expect(entry["duration_ms"] is Int)
                #expect((entry["applied_by"] as? String)?.contains("@") == true)
            }
            let limited = try await fleet.shoal("history", "--tenant", "acme", "--limit", "2", "--json")
            let limitedEntries = try #require((limited.json()["targets"] as? [[String: Any]])?.first?["entries"] as? [[String: Any]])
            #expect(limitedEntries.count == 2)
            let text = try await fleet.shoal("history", "--tenant", "acme")
            #expect(text.status == 0)
            #expect(text.stdout.hasPrefix("app/acme\n"))
            #expect(text.stdout.contains("downgrade") && text.stdout.contains(Fixture.r1))
        }
    }

    @Test(arguments: Backend.allCases)
    func historyOfAnUntouchedTargetIsEmpty(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let result = try await fleet.shoal("history", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try result.targets().count == 3)
            for (_, target) in try result.targets() {
                #expect((target["entries"] as? [Any])?.isEmpty == true)
            }
            #expect(try await !fleet.storageExists("acme"), "history must not create databases")
        }
    }

    /// Every entry says which run wrote it: `run_id` in JSON (null for a
    /// row written outside a run or before run ids), `run ID` at the end of
    /// its text line.
    @Test(arguments: Backend.allCases)
    func everyEntrySaysWhichRunWroteIt(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let first = try #require(try await fleet.shoal("upgrade", Fixture.r2, "--tenant", "acme", "--json").json()["run"] as? String)
            let run = try #require(try await fleet.shoal("upgrade", "--tenant", "acme", "--json").json()["run"] as? String)
            #expect(try await fleet.columnNames("acme", "shoal_version_history").last == "run_id")

            let result = try await fleet.shoal("history", "--tenant", "acme", "--json")
            let entries = try #require((result.json()["targets"] as? [[String: Any]])?.first?["entries"] as? [[String: Any]])
            #expect(entries.map { $0["revision"] as? String } == [Fixture.r3, Fixture.r2, Fixture.r1])
            #expect(entries.map { $0["run_id"] as? String } == [run, first, first], "each row names the run that wrote it")

            let text = try await fleet.shoal("history", "--tenant", "acme")
            let lines = text.stdout.split(separator: "\n").map(String.init)
            let r3 = try #require(lines.first { $0.contains(Fixture.r3) })
            #expect(r3.hasSuffix("  run \(run)"), "\(r3)")
            #expect(r3.contains(" ms  "), "the run id follows who applied it: \(r3)")
        }
    }

    /// A history table written by the release before run ids: `status`,
    /// `history` and `verify` read it and change nothing; the first run that
    /// writes to it adds `run_id` in place and keeps every row; the next
    /// writes without adding it again. On PostgreSQL the shard holds old
    /// tables (acme), new ones (globex) and none (initech) at once.
    @Test(arguments: Backend.allCases)
    func anOldHistoryTableIsReadAsItIsAndEvolvedOnTheFirstWrite(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1, "--tenant", "globex").status == 0)
            let checksum = try #require(try await fleet.column("globex", "SELECT checksum FROM shoal_version_history").first)
            try await fleet.execute("acme", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                                    + VersionTablesBeforeRunIDs.atRevision(Fixture.r1, checksum: checksum, backend == .sqlite ? .sqlite : .postgres))
            let oldColumns = ["id", "revision", "operation", "checksum", "applied_at", "duration_ms", "applied_by", "shoal_version"]
            #expect(try await fleet.columnNames("acme", "shoal_version_history") == oldColumns)

            let before = try await fleet.snapshot()
            for command in [["status"], ["history"], ["verify"]] {
                for json in [[], ["--json"]] {
                    let result = try await fleet.run(command + json)
                    #expect(result.status == 0, "\(command): \(result.stderr)")
                }
            }
            #expect(try await fleet.snapshot() == before, "reading an old table changes nothing")
            let read = try await fleet.shoal("history", "--tenant", "acme", "--json")
            let oldEntries = try #require((read.json()["targets"] as? [[String: Any]])?.first?["entries"] as? [[String: Any]])
            #expect(oldEntries.count == 1)
            #expect(oldEntries.first?["run_id"] is NSNull)
            #expect(oldEntries.first?["applied_by"] as? String == VersionTablesBeforeRunIDs.appliedBy)

            let upgrade = try await fleet.shoal("upgrade")
            #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
            for tenant in Fixture.tenants {
                #expect(try await fleet.versions(tenant) == [Fixture.r3])
                #expect(try await fleet.columnNames(tenant, "shoal_version_history") == oldColumns + ["run_id"], "\(tenant)")
            }
            let after = try await fleet.shoal("history", "--tenant", "acme", "--json")
            let entries = try #require((after.json()["targets"] as? [[String: Any]])?.first?["entries"] as? [[String: Any]])
            #expect(entries.map { $0["revision"] as? String } == [Fixture.r3, Fixture.r2, Fixture.r1])
            let kept = try #require(entries.last)
            #expect(kept["run_id"] is NSNull && kept["applied_by"] as? String == VersionTablesBeforeRunIDs.appliedBy)
            #expect(kept["applied_at"] as? String == VersionTablesBeforeRunIDs.appliedAt && kept["checksum"] as? String == checksum)

            let downgrade = try await fleet.shoal("downgrade", "-1", "--tenant", "acme")
            #expect(downgrade.status == 0, "the column is not added twice: \(downgrade.stdout)\(downgrade.stderr)")
            #expect(try await fleet.versions("acme") == [Fixture.r2])
        }
    }
}
