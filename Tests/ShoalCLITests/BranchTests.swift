import Foundation
import ShoalTestSupport
import Testing

@Suite("branches, heads and merges")
struct BranchTests {
    static let left = "4444dddd0004"
    static let right = "5555eeee0005"

    /// Two revisions that both follow r3, added to the standard fleet.
    static func addBranches(_ sandbox: Sandbox) throws {
        try sandbox.write("versions/app/\(left)_tags.sql",
                          MigrationFile(revision: left, parents: [Fixture.r3], message: "tags", up: "CREATE TABLE tags (name TEXT);", down: "DROP TABLE tags;").text)
        try sandbox.write("versions/app/\(right)_notes.sql",
                          MigrationFile(revision: right, parents: [Fixture.r3], message: "notes", up: "CREATE TABLE notes (body TEXT);", down: "DROP TABLE notes;").text)
    }

    /// The standard SQLite fleet with two heads.
    static func branchedFleet(_ sandbox: Sandbox) throws {
        try Fixture.sqliteFleet(sandbox)
        try addBranches(sandbox)
    }

    @Test(arguments: Backend.allCases)
    func multipleHeadsAreRefusedByHeadAndByCheck(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addBranches(fleet.sandbox)
            let before = try await fleet.snapshot()
            let upgrade = try await fleet.shoal("upgrade")
            #expect(upgrade.status == 2)
            #expect(upgrade.stderr.contains(Self.left) && upgrade.stderr.contains(Self.right))
            #expect(upgrade.stderr.contains("shoal merge"))
            #expect(try await fleet.snapshot() == before, "a refused upgrade touches nothing")
            let check = try await fleet.shoal("check")
            #expect(check.status == 1)
            #expect(check.stdout.contains("2 heads"))
            let heads = try await fleet.shoal("heads", "--db", "app", "--json")
            #expect((try heads.json()["heads"] as? [[String: Any]])?.compactMap { $0["revision"] as? String } == [Self.left, Self.right])
        }
    }

    @Test(arguments: Backend.allCases)
    func upgradeHeadsAppliesBothBranchesAndKeepsTwoVersionRows(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addBranches(fleet.sandbox)
            #expect(try await fleet.shoal("upgrade", "heads").status == 0)
            #expect(try await fleet.versions("acme") == [Self.left, Self.right])
            #expect(try await fleet.shoal("status", "--exit-code").status == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func mergeFixesMultipleHeads(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try Self.addBranches(fleet.sandbox)
            #expect(try await fleet.shoal("upgrade", Self.left).status == 0)
            let merge = try await fleet.shoal("merge", "--db", "app", "-m", "merge tags and notes")
            #expect(merge.status == 0, "\(merge.stderr)")
            let path = merge.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(path.hasSuffix("_merge_tags_and_notes.sql"))
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("-- parents: \(Self.left) \(Self.right)"))
            #expect(try await fleet.shoal("check").status == 0)
            let upgrade = try await fleet.shoal("upgrade", "--json")
            #expect(upgrade.status == 0, "\(upgrade.stderr)")
            let merged = try #require(try upgrade.targets()["app/acme"]?["to"] as? [String])
            #expect(merged.count == 1)
            #expect(try await fleet.versions("acme") == merged)
            #expect(try await fleet.tableExists("acme", "notes"))
            // Downgrading across the merge brings back both branch heads.
            #expect(try await fleet.shoal("downgrade", "-1").status == 0)
            #expect(try await fleet.versions("acme") == [Self.left, Self.right])
        }
    }

    @Test func mergeWithOneHeadIsRefused() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try await sandbox.shoal("merge", "--db", "app", "-m", "nothing")
        #expect(result.status == 2)
        #expect(result.stderr.contains("one head"))
    }

    @Test func revisionsMarksHeadsMergesAndBranchPoints() async throws {
        let sandbox = try Sandbox()
        try Self.branchedFleet(sandbox)
        let result = try await sandbox.shoal("revisions", "--db", "app", "--json")
        #expect(result.status == 0)
        let entries = try #require(try result.json()["revisions"] as? [[String: Any]])
        let byId = Dictionary(uniqueKeysWithValues: entries.map { ($0["revision"] as! String, $0) })
        #expect(byId[Fixture.r3]?["branch_point"] as? Bool == true)
        #expect(byId[Self.left]?["head"] as? Bool == true)
        #expect(byId[Fixture.r1]?["root"] as? Bool == true)
        #expect(entries.last?["revision"] as? String == Fixture.r1, "newest first, root last")
        let text = try await sandbox.shoal("revisions", "--db", "app").stdout
        #expect(text.contains("branch point"))
    }
}
