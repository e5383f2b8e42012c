import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Reading many schema-per-tenant targets in one go must say exactly what
/// reading each one alone says.
@Suite("VersionStore.readStates over many tenant schemas (PostgreSQL)")
struct VersionStoreBatchTests {
    static func target(_ tenant: String, url: String) -> Target {
        Target(id: "accounts/\(tenant)", database: "accounts", tenant: tenant, driver: .postgres,
               location: .postgres(url: url, schema: "tenant_\(tenant)"))
    }

    @Test(arguments: [1, 2, 25])
    func batchReadMatchesOneByOneReads(chunkSize: Int) async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let context = ApplyContext(appliedBy: "test@host", shoalVersion: "0")
            let r1 = VersionStoreFixture.migration("r1", up: "CREATE TABLE users (id int)")
            let r2 = VersionStoreFixture.migration("r2", parents: ["r1"], up: "ALTER TABLE users ADD COLUMN email text",
                                                   down: "ALTER TABLE users DROP COLUMN email")
            let tenants = ["at_r2", "at_r1", "fresh", "stamped", "dirty", "down_again"]
            let targets = tenants.map { Self.target($0, url: url) }
            var expected: [VersionState] = []
            for target in targets {
                let session = try await PostgresSession.connect(url)
                if case .postgres(_, let schema?) = target.location { try await session.setSearchPath(schema, local: false) }
                let store = VersionStore(session: session, target: target)
                switch target.tenant {
                case "at_r2":
                    try await store.ensureTables()
                    _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
                    _ = try await store.apply(VersionStoreFixture.up(r2), context: context)
                case "at_r1":
                    try await store.ensureTables()
                    _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
                case "stamped":
                    try await store.stamp(to: ["r2"], checksums: ["r2": "sum-r2"], context: context)
                case "down_again":
                    // r2 applied, undone, applied again, undone: the latest
                    // history row of r2 is a downgrade, so r2 is not applied.
                    try await store.ensureTables()
                    _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
                    for _ in 0..<2 {
                        _ = try await store.apply(VersionStoreFixture.up(r2), context: context)
                        _ = try await store.apply(VersionStoreFixture.down(r2), context: context)
                    }
                case "dirty":
                    try await store.ensureTables()
                    _ = try await session.query("INSERT INTO \"tenant_dirty\".\"shoal_version_dirty\" VALUES ('r1', 'upgrade', '2026-01-01T00:00:00.000Z')")
                default:
                    break
                }
                expected.append(try await store.readState())
                await session.close()
            }
            let session = try await PostgresSession.connect(url)
            let batch = try await VersionStore.readStates(of: targets, on: session, chunkSize: chunkSize)
            let withoutHistory = try await VersionStore.readStates(of: targets, on: session, checksums: false, chunkSize: chunkSize)
            // Checksums the caller expects are shared when equal, never put in place of what the table holds.
            let sharing = try await VersionStore.readStates(of: targets, on: session, chunkSize: chunkSize,
                                                           expected: ["accounts": ["r1": "sum-r1", "r2": "edited-r2"]])
            await session.close()

            #expect(batch == expected)
            #expect(sharing == expected)
            #expect(sharing[0].appliedChecksums == ["r1": "sum-r1", "r2": "sum-r2"])
            #expect(batch[0].current == ["r2"] && batch[0].appliedChecksums == ["r1": "sum-r1", "r2": "sum-r2"])
            #expect(batch[2] == .uninitialized)
            #expect(batch[4].dirty?.revision == "r1")
            #expect(batch[5].current == ["r1"] && batch[5].appliedChecksums == ["r1": "sum-r1"])
            #expect(withoutHistory.map(\.current) == expected.map(\.current))
            let noChecksums = withoutHistory.allSatisfy { $0.appliedChecksums.isEmpty }
            #expect(noChecksums)
        }
    }

    /// A chunk that fails (here: a tenant's version table cannot be read)
    /// fails the whole read with the server's error, and the session is idle
    /// and usable afterwards.
    @Test func aFailingChunkFailsTheReadAndLeavesTheSessionUsable() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let context = ApplyContext(appliedBy: "test@host", shoalVersion: "0")
            let r1 = VersionStoreFixture.migration("r1", up: "CREATE TABLE users (id int)")
            let targets = (1...6).map { Self.target("t\($0)", url: url) }
            for target in targets {
                let session = try await PostgresSession.connect(url)
                if case .postgres(_, let schema?) = target.location { try await session.setSearchPath(schema, local: false) }
                let store = VersionStore(session: session, target: target)
                try await store.ensureTables()
                _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
                await session.close()
            }
            // A role that may read every tenant's tables but t5's, which
            // fall in the third of three chunks of two.
            let role = "shoal_batch_reader_" + String(UInt32.random(in: .min ... .max), radix: 16)
            let schemas = (1...6).map { "tenant_t\($0)" }
            let session = try await PostgresSession.connect(url)
            try await session.execute("CREATE ROLE \(role); GRANT USAGE ON SCHEMA \(schemas.joined(separator: ", ")) TO \(role)")
            try await session.execute("GRANT SELECT ON ALL TABLES IN SCHEMA \(schemas.filter { $0 != "tenant_t5" }.joined(separator: ", ")) TO \(role)")
            try await session.execute("SET ROLE \(role)")
            let error = await #expect(throws: ShoalError.self) {
                _ = try await VersionStore.readStates(of: targets, on: session, chunkSize: 2)
            }
            #expect(error?.sqlState == "42501")
            #expect(error?.message.contains("permission denied") == true)
            try await session.execute("RESET ROLE")
            let states = try await VersionStore.readStates(of: targets, on: session, chunkSize: 2)
            #expect(states.map(\.current) == Array(repeating: ["r1"], count: 6))
            try await session.execute("DROP OWNED BY \(role); DROP ROLE \(role)")
            await session.close()
        }
    }
}
