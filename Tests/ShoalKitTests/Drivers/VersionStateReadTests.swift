import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Each driver has one read of version states
/// (``DatabaseSession/readVersionStates(of:checksums:expected:)``, one
/// target being a batch of one; SQLite files also through
/// ``SQLiteStateReader``, on the same code): whichever way a target is
/// read, it must say what its tables hold.
@Suite("Version state reads through the session protocol (PostgreSQL and SQLite)")
struct VersionStateReadTests {
    typealias Driver = VersionStoreBatchHistoryTests.Driver

    /// What each tenant of ``VersionStoreBatchHistoryTests/tenants`` holds.
    static let held: [String: VersionState] = [
        "at_r2": VersionState(initialized: true, current: ["r2"], appliedChecksums: ["r1": "sum-r1", "r2": "sum-r2"]),
        "at_r1": VersionState(initialized: true, current: ["r1"], appliedChecksums: ["r1": "sum-r1"]),
        "fresh": .uninitialized,
        "empty": VersionState(initialized: true, current: []),
        "stamped": VersionState(initialized: true, current: ["r2"], appliedChecksums: ["r2": "sum-r2"]),
        // r2's latest history row is a downgrade: r2 is not applied.
        "down_again": VersionState(initialized: true, current: ["r1"], appliedChecksums: ["r1": "sum-r1"]),
        // r1's latest history row is another tool's, without a checksum.
        "odd": VersionState(initialized: true, current: ["r1"]),
        "no_history": VersionState(initialized: true, current: ["r1"]),
        // Written by the release before run ids: read as it is, its lack said.
        "before_run_ids": VersionState(initialized: true, current: ["r1"], appliedChecksums: ["r1": "sum-r1"],
                                       historyLacksRunID: true),
    ]

    @Test(arguments: Driver.allCases)
    func everyReadSaysWhatTheTablesHold(_ driver: Driver) async throws {
        try await VersionStoreBatchHistoryTests.withFleet(driver) { fleet in
            let expected = fleet.targets.map { Self.held[$0.tenant!]! }
            var alone: [VersionState] = []
            for target in fleet.targets {
                guard let session = try await fleet.open(target) else {
                    alone.append(.uninitialized)
                    continue
                }
                alone.append(try await VersionStore(session: session, target: target).readState())
                await session.close()
            }
            #expect(alone == expected)
            switch driver {
            case .sqlite:
                let files = await SQLiteStateReader().readStates(of: fleet.targets, checksums: true)
                // The file reader looks an initialized file's tables up only
                // when its one statement fails: it does not say which history
                // tables lack run_id (a run's read under the lock does).
                let unknown = expected.map { state in
                    var state = state
                    state.historyLacksRunID = false
                    return state
                }
                #expect(files.map { try? $0.get() } == unknown.map(Optional.some))
            case .postgres:
                let session = try #require(try await fleet.open(fleet.targets[0]))
                let together = try await session.readVersionStates(of: fleet.targets, checksums: true, expected: [:])
                let withoutHistory = try await session.readVersionStates(of: fleet.targets, checksums: false, expected: [:])
                await session.close()
                #expect(together == expected)
                #expect(withoutHistory.map(\.current) == expected.map(\.current))
                #expect(withoutHistory.allSatisfy { $0.appliedChecksums.isEmpty })
            }
        }
    }

    /// A PostgreSQL target without a schema is read in the session's
    /// current schema, alone or in one batch with tenants of its database.
    @Test func aTargetWithoutASchemaIsReadInTheCurrentSchema() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let context = ApplyContext(appliedBy: "test@host", shoalVersion: "0")
            let plain = Target(id: "app", database: "app", driver: .postgres, location: .postgres(url: url, schema: nil))
            let tenant = VersionStoreBatchTests.target("acme", url: url)
            let session = try await PostgresSession.connect(url)
            let store = VersionStore(session: session, target: plain)
            #expect(try await store.readState() == .uninitialized)
            try await store.ensureTables()
            let r1 = VersionStoreFixture.migration("r1", up: "CREATE TABLE users (id int)")
            _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
            let atR1 = VersionState(initialized: true, current: ["r1"], appliedChecksums: ["r1": "sum-r1"])
            #expect(try await store.readState() == atR1)
            let batch = try await session.readVersionStates(of: [tenant, plain, tenant], checksums: true, expected: [:])
            #expect(batch == [.uninitialized, atR1, .uninitialized])
            // With another schema first on the search path, the target's
            // unqualified names would not reach its tables.
            try await session.execute("CREATE SCHEMA elsewhere")
            try await session.setSearchPath("elsewhere", local: false)
            #expect(try await store.readState() == .uninitialized)
            await session.close()
        }
    }
}
