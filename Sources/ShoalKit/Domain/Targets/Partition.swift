import Crypto

/// One of N disjoint slices of a fleet (`--partition K/N`, or `auto` in a
/// Kubernetes Indexed Job), so that N machines can share one fleet without
/// talking to each other (SPEC §3, §14).
///
/// The targets being sliced are ordered by a stable hash of their id (the
/// first 8 bytes of SHA-256, big-endian; then by id), and that order is cut
/// into N consecutive runs whose sizes differ by at most one: slice K is the
/// K-th run. The same fleet gives the same slices on every machine, in every
/// run. (Swift's `hashValue` is seeded per process and would not.)
///
/// Adding or removing one target moves at most N - 1 others, each to a
/// neighbouring slice: every cut between two runs shifts by at most one place
/// in the order.
///
/// ```swift
/// let slice = try Partition(parsing: "2/3").slice(of: ["app/acme", "app/globex", "app/initech"])
/// ```
public struct Partition: Sendable, Hashable, CustomStringConvertible {
    /// K, from 1.
    public let index: Int
    /// N.
    public let count: Int

    /// Parses `K/N` with 1 ≤ K ≤ N; throws `ShoalError(.usage)` saying what is wrong.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let isNumber = { (part: Substring) in !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } }
        guard parts.count == 2, isNumber(parts[0]), isNumber(parts[1]) else {
            throw ShoalError(.usage, "--partition expects K/N, the K-th of N slices (for example 2/4), got `\(text)`")
        }
        guard let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShoalError(.usage, "--partition `\(text)`: the numbers are too large")
        }
        guard count >= 1 else { throw ShoalError(.usage, "--partition `\(text)`: N must be at least 1") }
        guard (1...count).contains(index) else {
            throw ShoalError(.usage, "--partition `\(text)`: K must be between 1 and N (\(count)); slices are numbered from 1")
        }
        self.init(index: index, count: count)
    }

    /// Parses `K/N`, or `auto`: the slice a Kubernetes Indexed Job's pod
    /// takes (SPEC §14), from `environment` (``init(jobEnvironment:)``).
    public init(parsing text: String, environment: [String: String]) throws {
        if text == "auto" {
            try self.init(jobEnvironment: environment)
        } else {
            try self.init(parsing: text)
        }
    }

    /// The variable a Kubernetes Indexed Job sets in each pod: its index, from 0.
    static let jobIndexVariable = "JOB_COMPLETION_INDEX"
    /// The variable that gives N; a Job sets it to its `completions`.
    static let countVariable = "SHOAL_PARTITIONS"

    /// `--partition auto`: slice K = `JOB_COMPLETION_INDEX` + 1 of N =
    /// `SHOAL_PARTITIONS`. Throws `ShoalError(.usage)` naming the variable,
    /// its value and what to set, so a misconfigured Job fails before it
    /// touches anything rather than migrating the wrong slice.
    public init(jobEnvironment environment: [String: String]) throws {
        let count = try Self.number(Self.countVariable, in: environment,
                                    meaning: "the number of slices, the Job's completions")
        guard count >= 1 else {
            throw ShoalError(.usage, "--partition auto: \(Self.countVariable) is `\(count)`; it must be at least 1 "
                + "(the number of slices, the Job's completions)")
        }
        let index = try Self.number(Self.jobIndexVariable, in: environment,
                                    meaning: "the pod's index, which a Job with completionMode: Indexed sets (from 0)")
        guard index < count else {
            throw ShoalError(.usage, "--partition auto: \(Self.jobIndexVariable) is `\(index)` but \(Self.countVariable) is "
                + "`\(count)`: indexes run from 0 to \(count - 1); set \(Self.countVariable) to the Job's completions")
        }
        self.init(index: index + 1, count: count)
    }

    /// The whole number 0 or more `variable` holds in `environment`.
    private static func number(_ variable: String, in environment: [String: String], meaning: String) throws -> Int {
        guard let value = environment[variable] else {
            throw ShoalError(.usage, "--partition auto needs \(variable), \(meaning), in the environment")
        }
        guard !value.isEmpty else {
            throw ShoalError(.usage, "--partition auto: \(variable) is empty; set it to \(meaning)")
        }
        guard value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ShoalError(.usage, "--partition auto: \(variable) is `\(value)`, not a whole number 0 or more; "
                + "set it to \(meaning)")
        }
        guard let number = Int(value) else {
            throw ShoalError(.usage, "--partition auto: \(variable) `\(value)` is too large")
        }
        return number
    }

    init(index: Int, count: Int) {
        precondition(count >= 1 && (1...count).contains(index), "invalid partition \(index)/\(count)")
        self.index = index
        self.count = count
    }

    /// The ids of `ids` (the targets being sliced, each once) that fall in
    /// this slice, in the order given.
    public func slice(of ids: [String]) -> [String] {
        let slices = Self.slices(of: ids, count: count)
        return ids.indices.filter { slices[$0] == index - 1 }.map { ids[$0] }
    }

    /// For each of `ids`, in the order given, its 0-based slice among
    /// `count`: the id of hash rank r (0-based, of M) is in slice
    /// ⌊r·N/M⌋, so that slice k holds the ranks from ⌈k·M/N⌉ up to
    /// ⌈(k+1)·M/N⌉ - 1: ⌊M/N⌋ or ⌈M/N⌉ of them.
    static func slices(of ids: [String], count: Int) -> [Int] {
        let keys = ids.map(hashKey)
        let order = ids.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : ids[$0] < ids[$1] }
        var slices = [Int](repeating: 0, count: ids.count)
        let total = UInt64(ids.count)
        for (rank, position) in order.enumerated() {
            // rank·N may not fit in 64 bits (N is whatever was typed); the quotient, below N, does.
            slices[position] = Int(total.dividingFullWidth(UInt64(rank).multipliedFullWidth(by: UInt64(count))).quotient)
        }
        return slices
    }

    /// The first 8 bytes of SHA-256(id), as a big-endian integer.
    static func hashKey(_ id: String) -> UInt64 {
        SHA256.hash(data: Array(id.utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// `K/N`, as written on the command line (also for `auto`: the slice it resolved to).
    public var description: String { "\(index)/\(count)" }
}
