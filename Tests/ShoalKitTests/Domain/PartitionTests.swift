import Testing
@testable import ShoalKit
import ShoalTestSupport

@Suite struct PartitionTests {
    static let ids: [String] = ["core", "events/eu-1", "events/us-1"]
        + (0..<500).map { "accounts/tenant-\($0)" } + (0..<100).map { "app/t\($0)" }

    @Test(arguments: [("1/1", 1, 1), ("2/4", 2, 4), ("4/4", 4, 4), ("10/16", 10, 16)])
    func parsesKOfN(_ text: String, _ index: Int, _ count: Int) throws {
        let partition = try Partition(parsing: text)
        #expect(partition.index == index)
        #expect(partition.count == count)
        #expect(partition.description == text)
    }

    @Test(arguments: [
        ("", "expects K/N"), ("3", "expects K/N"), ("a/b", "expects K/N"), ("1/2/3", "expects K/N"),
        (" 1/2", "expects K/N"), ("-1/2", "expects K/N"), ("1/", "expects K/N"), ("1.5/2", "expects K/N"),
        ("0/3", "K must be between 1 and N (3)"), ("4/3", "K must be between 1 and N (3)"),
        ("1/0", "N must be at least 1"), ("0/0", "N must be at least 1"),
        ("1/99999999999999999999", "too large"),
    ])
    func rejectsMalformedPartitions(_ text: String, _ fragment: String) throws {
        let error = #expect(throws: ShoalError.self) { try Partition(parsing: text) }
        #expect(error?.kind == .usage)
        #expect(error?.message.contains("--partition") == true)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    // MARK: --partition auto

    @Test(arguments: [("0", "1", "1/1"), ("0", "4", "1/4"), ("1", "4", "2/4"), ("3", "4", "4/4"), ("15", "16", "16/16")])
    func autoTakesTheSliceOfTheJobsIndex(_ index: String, _ count: String, _ expected: String) throws {
        let environment = ["JOB_COMPLETION_INDEX": index, "SHOAL_PARTITIONS": count, "OTHER": "x"]
        let partition = try Partition(parsing: "auto", environment: environment)
        #expect(partition.description == expected)
        #expect(partition == (try Partition(parsing: expected)))
        #expect(try Partition(jobEnvironment: environment) == partition)
    }

    @Test func kOfNIgnoresTheEnvironment() throws {
        let partition = try Partition(parsing: "2/3", environment: ["JOB_COMPLETION_INDEX": "0", "SHOAL_PARTITIONS": "5"])
        #expect(partition.description == "2/3")
    }

    /// Each bad environment, and what the message must name: the variable,
    /// its value, and what to set it to.
    @Test(arguments: BadJobEnvironments.cases)
    func autoRefusesAMissingOrInvalidVariable(_ environment: [String: String], _ fragment: String) throws {
        let error = #expect(throws: ShoalError.self) { try Partition(parsing: "auto", environment: environment) }
        #expect(error?.kind == .usage)
        #expect(error?.message.hasPrefix("--partition auto") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [1, 2, 3, 4, 7, 16])
    func everyTargetIsInExactlyOneSlice(_ count: Int) throws {
        let slices = try (1...count).map { try Partition(parsing: "\($0)/\(count)").slice(of: Self.ids) }
        for id in Self.ids {
            #expect(slices.filter { $0.contains(id) }.count == 1, "\(id)")
        }
        // 603 ids: every slice gets 603/N of them, give or take one, in the order given.
        #expect(slices.allSatisfy { abs($0.count * count - Self.ids.count) < count }, "\(slices.map(\.count))")
        #expect(slices.allSatisfy { slice in slice == Self.ids.filter(slice.contains) })
    }

    @Test func slicesAreTheSameWhenComputedAgain() throws {
        let first = try Partition(parsing: "2/5").slice(of: Self.ids)
        let again = try Partition(parsing: "2/5").slice(of: Self.ids.reversed())
        #expect(Set(first) == Set(again), "the order the ids come in does not matter")
        #expect(!first.isEmpty)
    }

    /// Ids ordered by SHA-256 (first 8 bytes, big-endian), cut into N runs
    /// (computed independently with Python's hashlib).
    @Test(arguments: [
        (2, [["core", "events/us-1", "accounts/globex", "app/acme", "app/umbrella"],
             ["events/eu-1", "accounts/acme", "app/globex", "app/initech", "app/hooli"]]),
        (3, [["core", "accounts/globex", "app/acme", "app/umbrella"], ["events/eu-1", "events/us-1", "app/globex"],
             ["accounts/acme", "app/initech", "app/hooli"]]),
        (4, [["core", "accounts/globex", "app/umbrella"], ["events/us-1", "app/acme"],
             ["events/eu-1", "app/globex", "app/hooli"], ["accounts/acme", "app/initech"]]),
    ])
    func slicesAreStableAcrossMachines(_ count: Int, _ expected: [[String]]) throws {
        let ids = ["core", "events/eu-1", "events/us-1", "accounts/acme", "accounts/globex",
                   "app/acme", "app/globex", "app/initech", "app/umbrella", "app/hooli"]
        for (k, slice) in expected.enumerated() {
            #expect(try Partition(parsing: "\(k + 1)/\(count)").slice(of: ids) == slice, "\(k + 1)/\(count)")
        }
    }

    /// More slices than ids: no overflow, each id alone in a slice, most slices empty.
    @Test func aHugeNLeavesMostSlicesEmpty() throws {
        let n = Int.max
        #expect(try Partition(parsing: "1/\(n)").slice(of: Self.ids) == [Self.ids.min { Partition.hashKey($0) < Partition.hashKey($1) }!])
        #expect(try Partition(parsing: "2/\(n)").slice(of: Self.ids).isEmpty)
        #expect(try Partition(parsing: "\(n)/\(n)").slice(of: Self.ids).isEmpty)
        #expect(try Partition(parsing: "1/3").slice(of: []).isEmpty)
    }
}
