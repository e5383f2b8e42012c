import Testing
@testable import ShoalKit

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

    @Test(arguments: [1, 2, 3, 4, 7, 16])
    func everyTargetIsInExactlyOneSlice(_ count: Int) throws {
        let slices = try (1...count).map { try Partition(parsing: "\($0)/\(count)") }
        for id in Self.ids {
            #expect(slices.filter { $0.contains(id) }.count == 1, "\(id)")
        }
        if count > 1 {
            // Every slice gets a share of 603 ids; none is empty.
            #expect(slices.allSatisfy { slice in Self.ids.contains { slice.contains($0) } })
        }
    }

    @Test func slicesAreTheSameWhenComputedAgain() throws {
        let partition = try Partition(parsing: "2/5")
        let first = Self.ids.filter(partition.contains)
        let again = try Self.ids.filter(Partition(parsing: "2/5").contains)
        #expect(first == again)
        #expect(!first.isEmpty)
    }

    /// SHA-256 of the id, first 8 bytes big-endian, mod N (computed independently with Python's hashlib).
    @Test(arguments: [
        ("core", [2: 0, 3: 0, 4: 0, 7: 1]),
        ("accounts/acme", [2: 1, 3: 1, 4: 3, 7: 3]),
        ("events/eu-1", [2: 1, 3: 2, 4: 3, 7: 3]),
        ("app/globex", [2: 0, 3: 2, 4: 0, 7: 4]),
    ])
    func slicesAreStableAcrossMachines(_ id: String, _ expected: [Int: Int]) throws {
        for (count, slice) in expected {
            #expect(try Partition(parsing: "\(slice + 1)/\(count)").contains(id), "\(id) in \(slice + 1)/\(count)")
        }
    }
}
