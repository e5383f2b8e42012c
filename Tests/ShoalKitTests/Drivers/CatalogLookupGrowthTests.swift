import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// The catalog lookup every batch read of a schema-per-tenant shard starts
/// with (``TenantTables/lookupQuery(currentSchema:)``) must cost the server
/// the same per schema at any fleet size (issue 16's G2 row: compared as
/// `name` to a `text[]`, 5,000 schemas took 0.74 s per shard, growing with
/// the square of the fleet). Timed by the server's own `EXPLAIN ANALYZE`,
/// as a ratio between two sizes, never against a fixed time: linear work
/// takes about 8 times as long for 8 times the schemas, the quadratic
/// lookup about 40 times at these sizes.
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
            func executionMs(_ prefix: String, _ count: Int) async throws -> Double {
                let schemas = VersionStore.arrayLiteral((0..<count).map { "\(prefix)_\($0)" })
                let rows = try await session.query("EXPLAIN (ANALYZE, TIMING OFF) " + TenantTables.lookupQuery(currentSchema: false),
                                                   [schemas, VersionStore.arrayLiteral(["\(prefix)_version"]), "{}"])
                let line = rows.compactMap { $0.first ?? nil }.first { $0.hasPrefix("Execution Time: ") } ?? ""
                return Double(line.dropFirst("Execution Time: ".count).split(separator: " ").first ?? "") ?? .nan
            }
            // The lookup finds every schema's table.
            let found = try await session.query(TenantTables.lookupQuery(currentSchema: false),
                                                [VersionStore.arrayLiteral((0..<Self.small).map { "small_\($0)" }),
                                                 VersionStore.arrayLiteral(["small_version"]), "{}"])
            #expect(found.count == Self.small)

            // Each trial times the two sizes back to back; the median of the
            // trials' ratios, so that tests running alongside (which slow
            // the server for a while, not one size) sway neither side.
            var trials: [(small: Double, big: Double)] = []
            for _ in 0..<7 {
                trials.append((try await executionMs("small", Self.small), try await executionMs("big", Self.small * Self.factor)))
            }
            let ratios = trials.map { $0.big / max($0.small, 0.001) }.sorted()
            let ratio = ratios[ratios.count / 2]
            let (small, big) = (trials.map(\.small).min()!, trials.map(\.big).min()!)
            // Linear measured 7.5 to 8; the name-against-text lookup 27 at 250.
            #expect(ratio < 16, "8 times the schemas took \(ratio) times longer to look up (\(small) ms, \(big) ms)")
        }
    }
}
