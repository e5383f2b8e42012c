import Testing
import ShoalTestSupport
@testable import ShoalKit

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("databse", ["concurrency", "databases"], "databases"),
        ("pth", ["path", "url", "shards"], "path"),
        ("URL", ["path", "url"], "url"),
        ("max_conections", ["url", "max_connections", "replicas"], "max_connections"),
        ("eu1", ["eu-1", "us-1"], "eu-1"),
    ] as [(String, [String], String)])
    func suggestsCloseCandidate(_ word: String, _ candidates: [String], _ expected: String) {
        #expect(Suggestion.closest(to: word, in: candidates) == expected)
    }

    @Test(arguments: [
        ("colour", ["driver", "url", "path"]),
        ("x", ["url"]),
        ("anything", []),
    ] as [(String, [String])])
    func suggestsNothingWhenNothingIsClose(_ word: String, _ candidates: [String]) {
        #expect(Suggestion.closest(to: word, in: candidates) == nil)
    }

    @Test func tiesGoToTheAlphabeticallyFirst() {
        #expect(Suggestion.closest(to: "ab", in: ["ac", "aa"]) == "aa")
    }

    @Test func aHugeWordIsComparedInLinearTime() {
        // An edit distance against every key would grow with the word's
        // length times the key's; a huge word is cut short instead.
        let ratio = Growth.ratio(size: 12_500) { count in
            let word = String(repeating: "databases", count: count)
            #expect(Suggestion.closest(to: word, in: ConfigLoader.topLevelKeys) == nil)
            #expect(Suggestion.closest(to: "databses", in: [word, "databases"]) == "databases")
        }
        #expect(ratio < 24, "8 times the word took \(ratio) times longer")
    }
}
