import Foundation
import Testing

@Suite("history")
struct HistoryTests {
    @Test func historyIsNewestFirstWithEveryField() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade").status == 0)
        #expect(try sandbox.shoal("downgrade", "-1").status == 0)
        let result = try sandbox.shoal("history", "--tenant", "acme", "--json")
        #expect(result.status == 0)
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
        let limited = try sandbox.shoal("history", "--tenant", "acme", "--limit", "2", "--json")
        let limitedEntries = try #require((limited.json()["targets"] as? [[String: Any]])?.first?["entries"] as? [[String: Any]])
        #expect(limitedEntries.count == 2)
    }

    @Test func historyOfAnUntouchedTargetIsEmpty() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try sandbox.shoal("history", "--json")
        #expect(result.status == 0)
        for (_, target) in try result.targets() {
            #expect((target["entries"] as? [Any])?.isEmpty == true)
        }
    }
}
