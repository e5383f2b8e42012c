import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// The catalog lookup every batch read of a schema-per-tenant shard starts
/// with (``TenantTables/lookupQuery(currentSchema:)``) must cost the server
/// the same per schema at any fleet size (issue 16's G2 row: compared as
/// `name` to a `text[]`, 5,000 schemas took 0.74 s per shard, growing with
/// the square of the fleet). Timed by the backend's CPU time, as a ratio
/// between two sizes, never against a fixed time: linear work
/// takes at most about 8 times as long for 8 times the schemas, the
/// quadratic lookup about 30 times at these sizes.
@Suite struct CatalogLookupGrowthTests {
    static let small = 400
    static let factor = 8

    @Test func findingTheTablesOfEightTimesTheSchemasTakesAboutEightTimesAsLong() async throws {
        try await PostgresTestServer.withScratchSession { session, _ in
            // Two fleets in one database, told apart by their table names:
            // each size's lookup meets only its own schemas' tables.
            for (prefix, count) in [("small", Self.small), ("big", Self.small * Self.factor)] {
                var script: [String] = []
                for index in 0..<count {
                    let schema = "\(prefix)_\(index)"
                    script.append("CREATE SCHEMA \(schema); CREATE TABLE \(schema).\(prefix)_version (revision text)")
                }
                for start in stride(from: 0, to: script.count, by: 500) {
                    try await session.execute(script[start..<min(start + 500, script.count)].joined(separator: ";\n"))
                }
            }
            // The backend's own CPU time (`/proc/PID/schedstat`, in ns: the
            // server runs on this machine, on loopback), not the wall time:
            // under a full test run a query of 5 ms is preempted where one
            // of 0.6 ms is not, which inflated the ratio to 23 and 26.
            let backend = try #require(try await session.query("SELECT pg_backend_pid()", []).first?.first ?? nil)
            func backendCPU() throws -> Double {
                let stat = try String(contentsOfFile: "/proc/\(backend)/schedstat", encoding: .utf8)
                return Double(stat.split(separator: " ").first ?? "") ?? .nan
            }
            func lookupCPU(_ prefix: String, _ count: Int) async throws -> Double {
                let schemas = VersionStore.arrayLiteral((0..<count).map { "\(prefix)_\($0)" })
                let before = try backendCPU()
                for _ in 0..<3 {
                    let rows = try await session.query(TenantTables.lookupQuery(currentSchema: false),
                                                       [schemas, VersionStore.arrayLiteral(["\(prefix)_version"]), "{}"])
                    #expect(rows.count == count)
                }
                return try backendCPU() - before
            }
            // The lookup finds every schema's table.
            let found = try await session.query(TenantTables.lookupQuery(currentSchema: false),
                                                [VersionStore.arrayLiteral((0..<Self.small).map { "small_\($0)" }),
                                                 VersionStore.arrayLiteral(["small_version"]), "{}"])
            #expect(found.count == Self.small)

            // Each trial measures the two sizes back to back, each lookup
            // three times; the median of the seven trials' ratios.
            var trials: [(small: Double, big: Double)] = []
            for _ in 0..<7 {
                trials.append((try await lookupCPU("small", Self.small), try await lookupCPU("big", Self.small * Self.factor)))
            }
            let ratios = trials.map { $0.big / max($0.small, 1) }.sorted()
            let ratio = ratios[ratios.count / 2]
            let (small, big) = (trials.map(\.small).min()!, trials.map(\.big).min()!)
            // Linear measured 5.4 to 5.8 (beside four busy loops too); the
            // name-against-text lookup 31.
            #expect(ratio < 16, "8 times the schemas took \(ratio) times the server's CPU to look up (\(small / 1e6) ms, \(big / 1e6) ms)")
        }
    }
}
