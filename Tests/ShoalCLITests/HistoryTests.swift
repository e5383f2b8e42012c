import Foundation
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
}
