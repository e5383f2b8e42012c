import Crypto

/// One of N disjoint slices of a fleet (`--partition K/N`), so that N
/// machines can share one fleet without talking to each other (SPEC §3).
///
/// Membership depends only on the target id, through SHA-256: the same id
/// falls in the same slice on every machine, in every run, whatever else is
/// in the fleet. (Swift's `hashValue` is seeded per process and would not.)
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

    init(index: Int, count: Int) {
        precondition(count >= 1 && (1...count).contains(index), "invalid partition \(index)/\(count)")
        self.index = index
        self.count = count
    }

    /// Whether `targetID` falls in this slice: the first 8 bytes of
    /// SHA-256(id), as a big-endian integer, modulo N, equal K - 1.
    public func contains(_ targetID: String) -> Bool {
        Self.slice(of: targetID, count: count) == index - 1
    }

    /// 0-based slice of `targetID` among `count`.
    static func slice(of targetID: String, count: Int) -> Int {
        let digest = SHA256.hash(data: Array(targetID.utf8))
        let prefix = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(prefix % UInt64(count))
    }

    /// `K/N`, as written on the command line.
    public var description: String { "\(index)/\(count)" }
}
