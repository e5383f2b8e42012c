import Foundation
import ShoalKit
import ShoalTestSupport
import Testing
@testable import shoal_bench

/// `shoal-bench generate` writes fleets that shoal sees at head: SQLite
/// tenants copied from one template, PostgreSQL schemas stamped in batches
/// over the shards.
struct GenerateCommandTests {
    @Test func sqliteTenantsAreCopiesAtHead() async throws {
        let directory = try TemporaryDirectory()
        try GenerateCommand.parse(["--dir", directory.path, "--tenants", "3", "--migrations", "5"]).run()
        try await RawBaselineTests.expectAtHead(config: directory.path + "/config.json", targets: 3)
    }

    @Test func postgresSchemasAreStampedInBatchesOverTheShards() async throws {
        try await PostgresTestServer.withScratchDatabase { eu in
            try await PostgresTestServer.withScratchDatabase { us in
                let directory = try TemporaryDirectory()
                // 5 tenants on 2 shards in batches of 2: each shard's last batch is short.
                try GenerateCommand.parse(["--dir", directory.path, "--tenants", "5", "--migrations", "5", "--batch", "2",
                                           "--url", eu, "--url", us]).run()
                try await RawBaselineTests.expectAtHead(config: directory.path + "/config.json", targets: 5)
            }
        }
    }

    @Test func moreShardsThanTheFleetHasNamesIsRefused() {
        let urls = ["a", "b", "c"].flatMap { ["--url", "postgres://127.0.0.1:1/\($0)"] }
        do {
            _ = try GenerateCommand.parse(["--dir", "/tmp/unused", "--tenants", "3"] + urls)
            Issue.record("three shards were accepted")
        } catch {
            #expect(GenerateCommand.message(for: error) == "--url: at most 2 shards, not 3")
        }
    }
}
