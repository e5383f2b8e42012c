import Testing
@testable import ShoalKit

struct RevisionGraphTests {
    typealias F = GraphFixtures

    @Test func linearGraph() throws {
        let graph = try F.linear()
        #expect(graph.roots == ["one1"])
        #expect(graph.heads == ["four4"])
        #expect(graph.migrations.map(\.revision) == ["one1", "two2", "three3", "four4"])
        #expect(graph.children(of: "two2") == ["three3"])
        #expect(graph.children(of: "four4") == [])
        #expect(!graph.isBranchPoint("one1"))
        #expect(!graph.isMerge("two2"))
        #expect(graph.migration("three3")?.parents == ["two2"])
        #expect(graph.migration("thre") == nil)
        #expect(!graph.isEmpty)
    }

    @Test func emptyGraph() throws {
        let graph = try F.graph([Migration]())
        #expect(graph.isEmpty)
        #expect(graph.heads == [])
        #expect(graph.roots == [])
        #expect(graph.migrations == [])
    }

    @Test func branchesAndMerges() throws {
        let graph = try F.merged()
        #expect(graph.roots == ["root"])
        #expect(graph.heads == ["after"])
        #expect(graph.isBranchPoint("root"))
        #expect(graph.children(of: "root") == ["left1", "right1"])
        #expect(graph.isMerge("merge"))
        #expect(!graph.isMerge("after"))
        #expect(!graph.isBranchPoint("left2"))
        #expect(graph.migrations.map(\.revision) == ["root", "left1", "left2", "right1", "right2", "merge", "after"])
    }

    @Test func severalHeadsAndRoots() throws {
        let graph = try F.graph([("b", []), ("a", []), ("c", ["a"]), ("d", ["a"]), ("e", ["b", "d"])])
        #expect(graph.roots == ["a", "b"])
        #expect(graph.heads == ["c", "e"])
        #expect(graph.isBranchPoint("a"))
        let order = graph.migrations.map(\.revision)
        #expect(order == ["a", "c", "b", "d", "e"])
    }

    @Test func orderPutsParentsFirstWhateverTheInputOrder() throws {
        let shuffled = try F.graph([("after", ["merge"]), ("merge", ["right2", "left2"]), ("right2", ["right1"]),
                                    ("left2", ["left1"]), ("right1", ["root"]), ("left1", ["root"]), ("root", [])])
        #expect(shuffled.migrations.map(\.revision) == (try F.merged()).migrations.map(\.revision))
    }

    @Test func ancestorsAndDescendants() throws {
        let graph = try F.merged()
        #expect(graph.ancestors(of: ["merge"], inclusive: false) == ["root", "left1", "left2", "right1", "right2"])
        #expect(graph.ancestors(of: ["left2"], inclusive: true) == ["root", "left1", "left2"])
        #expect(graph.ancestors(of: ["left1", "right1"], inclusive: false) == ["root"])
        #expect(graph.ancestors(of: ["root"], inclusive: false) == [])
        #expect(graph.descendants(of: ["left1"], inclusive: false) == ["left2", "merge", "after"])
        #expect(graph.descendants(of: ["right2"], inclusive: true) == ["right2", "merge", "after"])
        #expect(graph.descendants(of: ["after"], inclusive: false) == [])
        #expect(graph.ancestors(of: ["nope"], inclusive: true) == [])
    }

    @Test func headsOfAnAppliedSet() throws {
        let graph = try F.merged()
        #expect(graph.heads(of: []) == [])
        #expect(graph.heads(of: ["root", "left1", "right1"]) == ["left1", "right1"])
        #expect(graph.heads(of: ["root", "left1", "left2", "right1", "right2", "merge"]) == ["merge"])
        #expect(graph.heads(of: ["root", "left2"]) == ["left2"])
    }

    @Test func orderedFollowsGraphOrder() throws {
        let graph = try F.merged()
        #expect(graph.ordered(["after", "right1", "root", "left2"]) == ["root", "left2", "right1", "after"])
        #expect(graph.ordered(["nope", "merge"]) == ["merge"])
    }

    @Test func duplicateRevisionNamesBothFiles() throws {
        var second = F.migration("two2", ["one1"])
        second.path = "/fleet/versions/core/two2_again.sql"
        let error = shoalError { _ = try F.graph([F.migration("one1"), F.migration("two2", ["one1"]), second]) }
        #expect(error?.kind == .migrationFile)
        #expect(error?.message.contains("/fleet/versions/core/two2_x.sql") == true)
        #expect(error?.message.contains("/fleet/versions/core/two2_again.sql") == true)
        #expect(error?.revision == "two2")
    }

    @Test func unknownParentNamesTheFileAndTheParent() throws {
        let error = shoalError { _ = try F.graph([("one1", []), ("two2", ["one11"])]) }
        #expect(error?.kind == .migrationFile)
        #expect(error?.file == "/fleet/versions/core/two2_x.sql")
        #expect(error?.message.contains("revision two2 lists parent one11, which is not in versions/core") == true)
        #expect(error?.message.contains("Did you mean `one1`?") == true)
    }

    @Test func cycleIsNamed() throws {
        let error = shoalError { _ = try F.graph([("root", []), ("a", ["root", "c"]), ("b", ["a"]), ("c", ["b"])]) }
        #expect(error?.kind == .migrationFile)
        #expect(error?.message.contains("a -> c -> b -> a") == true, "\(String(describing: error))")
        #expect(error?.file == "/fleet/versions/core/a_x.sql")
    }

    @Test func cycleWithoutRootsOrHeads() throws {
        let error = shoalError { _ = try F.graph([("x", ["y"]), ("y", ["x"])]) }
        #expect(error?.message.contains("x -> y -> x") == true)
    }

    @Test func longHistoryDoesNotOverflowTheStack() throws {
        let count = 20_000
        let migrations = (0..<count).map { F.migration("r\($0)", $0 == 0 ? [] : ["r\($0 - 1)"]) }
        let graph = try F.graph(migrations)
        #expect(graph.heads == ["r\(count - 1)"])
        #expect(graph.migrations.first?.revision == "r0")
        #expect(graph.ancestors(of: ["r\(count - 1)"], inclusive: true).count == count)
    }

    // MARK: - resolve

    static let prefixGraph: [(String, [String])] = [
        ("5c1e9a0b7f3d", []), ("5c1e9a77aaaa", ["5c1e9a0b7f3d"]), ("9d2a61c0e4b8", ["5c1e9a77aaaa"]), ("ab", ["9d2a61c0e4b8"]),
    ]

    @Test(arguments: [("5c1e9a0b7f3d", "5c1e9a0b7f3d"), ("5c1e9a0", "5c1e9a0b7f3d"), ("9d2a", "9d2a61c0e4b8"), ("ab", "ab")])
    func resolvesIdsAndUniquePrefixes(_ text: String, _ expected: String) throws {
        #expect(try F.graph(Self.prefixGraph).resolve(text) == expected)
    }

    @Test func ambiguousPrefixListsTheCandidates() throws {
        let graph = try F.graph(Self.prefixGraph)
        let error = shoalError { _ = try graph.resolve("5c1e9a") }
        #expect(error?.kind == .revision)
        #expect(error?.message.contains("ambiguous") == true)
        #expect(error?.message.contains("5c1e9a0b7f3d, 5c1e9a77aaaa") == true)
    }

    @Test(arguments: ["5", "5c1", "9d2", "a"])
    func prefixTooShort(_ text: String) throws {
        let error = shoalError { _ = try F.graph(Self.prefixGraph).resolve(text) }
        #expect(error?.kind == .revision)
        #expect(error?.message.contains("too short") == true)
        #expect(error?.message.contains("at least 4 characters") == true)
    }

    @Test func unknownRevisionSuggestsCloseIds() throws {
        let graph = try F.graph(Self.prefixGraph)
        let typo = shoalError { _ = try graph.resolve("9d2a61c0e4b9") }
        #expect(typo?.kind == .revision)
        #expect(typo?.message.contains("unknown revision `9d2a61c0e4b9` in versions/core. Did you mean `9d2a61c0e4b8`?") == true)
        let far = shoalError { _ = try graph.resolve("ffffffff") }
        #expect(far?.message.contains("unknown revision `ffffffff`") == true)
        #expect(far?.message.contains("Did you mean") == false)
    }
}
