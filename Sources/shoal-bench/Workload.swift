import Foundation
import ShoalKit

/// The workloads of issue 5.
enum WorkloadID: String, CaseIterable, Codable, Sendable {
    /// 200 SQLite tenants × 20 migrations (realistic DDL and a backfill), upgrade.
    case w1 = "W1"
    /// W1 with `--transaction per-target` (issue 16's W1'): one commit per tenant.
    case w1t = "W1T"
    /// 200 PostgreSQL schemas × 20 migrations at concurrency 8, upgrade.
    case w2 = "W2"
    /// W2 with `--transaction per-target` (issue 16's W2'): one commit per schema.
    case w2t = "W2T"
    /// 64 schemas × one `SELECT pg_sleep(0.2)` migration at concurrency 32, upgrade.
    case w3 = "W3"
    /// `status` and a no-op `upgrade` over 1,000 schemas at head on 2 shards.
    case w4 = "W4"
    /// `status` of 10,000 SQLite tenants at head.
    case w5 = "W5"
    /// `verify` over W4's fleet.
    case w6 = "W6"
    /// `history --limit 1` over W4's fleet.
    case w7 = "W7"
    /// `lint` over 1,000 PostgreSQL migration files, against reading them.
    case w8 = "W8"
    /// `drift` over W4's fleet, each schema with a few tables and indexes.
    case w9 = "W9"
    /// `shoal serve` over W5's fleet: its first `/api/status` against
    /// `status`, and `/metrics` from the cached read.
    case w11 = "W11"
    /// Growth (issue 16): `status` and a no-op `upgrade` over 1,000, 10,000
    /// and 100,000 SQLite tenants at head.
    case g1 = "G1"
    /// Growth (issue 16): `status` and a no-op `upgrade` over 1,000 and
    /// 10,000 PostgreSQL schemas at head on 2 shards.
    case g2 = "G2"

    var needsPostgres: Bool { ![.w1, .w1t, .w5, .w8, .w11, .g1].contains(self) }

    /// The growth rows' fleet sizes, each ten times the one before, up to
    /// `largest` (`--tenants`, else the issue's 100,000 SQLite tenants and
    /// 10,000 schemas); nil for the other workloads.
    func growthSizes(largest: Int?) -> [Int]? {
        let steps: Int
        switch self {
        case .g1: steps = 3
        case .g2: steps = 2
        default: return nil
        }
        let top = largest ?? defaultTenants
        var sizes = [top]
        while sizes.count < steps, sizes[0] >= 10 { sizes.insert(sizes[0] / 10, at: 0) }
        return sizes
    }

    /// How shoal and the baseline group a target's migrations into transactions.
    var transactionMode: TransactionMode { self == .w1t || self == .w2t ? .perTarget : .perStep }

    /// The workloads measured on W4's fleet, which is set up once for all of them.
    var usesW4Fleet: Bool { self == .w4 || self == .w6 || self == .w7 || self == .w9 }

    var defaultTenants: Int {
        switch self {
        case .w1, .w1t, .w2, .w2t: 200
        case .w3: 64
        case .w4, .w6, .w7, .w9: 1000
        case .w5, .w11, .g2: 10_000
        case .g1: 100_000
        case .w8: 1
        }
    }

    /// The migration files W8 lints, whatever `--migrations` says.
    static let lintedFiles = 1000

    var defaultConcurrency: Int { self == .w3 ? 32 : 8 }

    /// Parses `W1,w3` (case-insensitive, commas or spaces); `W1'` is `W1T`.
    static func parseList(_ text: String) throws -> [WorkloadID] {
        let names = text.split(whereSeparator: { $0 == "," || $0 == " " })
            .map { $0.uppercased().replacingOccurrences(of: "'", with: "T") }
        var result: [WorkloadID] = []
        for name in names {
            guard let id = WorkloadID(rawValue: name) else {
                throw BenchError("unknown workload \(name) (expected W1, W1T, W2, W2T, W3, W4, W5, W6, W7, W8, W9, W11, G1 or G2)")
            }
            if !result.contains(id) { result.append(id) }
        }
        return allCases.filter(result.contains)
    }
}

/// What a workload must achieve (issue 5's targets).
struct Goal: Sendable, Codable, Hashable {
    /// At most this many times the raw baseline's time, in the same run;
    /// nil for a row measured only to see how the time grows (the growth
    /// rows' smaller sizes).
    var maxRatio: Double? = 1.15
    /// shoal's wall time must stay under this, when set.
    var maxSeconds: Double?
    /// shoal's peak memory must stay under this, when set.
    var maxPeakMB: Double?

    var text: String {
        var parts = maxRatio.map { ["≤ \($0)× raw"] } ?? []
        if let maxSeconds { parts.append("< \(String(format: "%g", maxSeconds)) s") }
        if let maxPeakMB { parts.append("< \(Int(maxPeakMB)) MB") }
        return parts.isEmpty ? "none (growth)" : parts.joined(separator: ", ")
    }

    /// The targets missed, empty when all are met.
    func misses(ratio: Double, shoalSeconds: Double, shoalPeakMB: Double) -> [String] {
        var misses: [String] = []
        if let maxRatio, ratio > maxRatio { misses.append("ratio") }
        if let maxSeconds, shoalSeconds >= maxSeconds { misses.append("time") }
        if let maxPeakMB, shoalPeakMB >= maxPeakMB { misses.append("memory") }
        return misses
    }
}

/// The median of `values` (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
