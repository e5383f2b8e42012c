import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// `history` and `verify` read a shard's tenants in batches over one session
/// and SQLite files in batches on a reader thread (issue 17): what the
/// batches say must be exactly what reading each target alone says,
/// through ``VersionStore/history(limit:)`` and ``VersionStore/readState()``.
@Suite("Batch reads of history tables (PostgreSQL and SQLite)")
struct VersionStoreBatchHistoryTests {
    enum Driver: String, CaseIterable { case sqlite, postgres }

    static let tenants = ["at_r2", "at_r1", "fresh", "empty", "stamped", "down_again", "odd", "no_history", "before_run_ids"]

    /// One target per tenant of ``tenants``, in a state its name says, and
    /// a way to open a session to each (nil for a SQLite file that does not exist).
    struct Fleet {
        var targets: [Target]
        var open: (Target) async throws -> (any DatabaseSession)?
    }

    static func withFleet(_ driver: Driver, _ body: (Fleet) async throws -> Void) async throws {
        switch driver {
        case .sqlite:
            let directory = try TemporaryDirectory()
            let targets = tenants.map { tenant in
                Target(id: "app/\(tenant)", database: "app", tenant: tenant, driver: .sqlite,
                       location: .sqlite(path: directory.file("\(tenant).sqlite")))
            }
            let fleet = Fleet(targets: targets) { target in
                guard case .sqlite(let path) = target.location, FileManager.default.fileExists(atPath: path) else { return nil }
                return try await SQLiteSession.open(path: path, mode: .readWrite)
            }
            try await prepare(targets) { target in
                guard case .sqlite(let path) = target.location else { return nil }
                return try await SQLiteSession.open(path: path, mode: .readWrite)
            }
            try await body(fleet)
        case .postgres:
            try await PostgresTestServer.withScratchDatabase { url in
                let targets = tenants.map { tenant in
                    Target(id: "accounts/\(tenant)", database: "accounts", tenant: tenant, driver: .postgres,
                           location: .postgres(url: url, schema: "tenant_\(tenant)"))
                }
                let open: (Target) async throws -> (any DatabaseSession)? = { target in
                    guard case .postgres(_, let schema?) = target.location else { return nil }
                    return try await PostgresSession.connect(url, searchPath: schema)
                }
                try await prepare(targets, open)
                try await body(Fleet(targets: targets, open: open))
            }
        }
    }

    /// Puts each target in the state its tenant's name says.
    static func prepare(_ targets: [Target], _ open: (Target) async throws -> (any DatabaseSession)?) async throws {
        let context = ApplyContext(appliedBy: "test@host", shoalVersion: "0", runID: runID)
        let r1 = VersionStoreFixture.migration("r1", up: "CREATE TABLE users (id int)")
        let r2 = VersionStoreFixture.migration("r2", parents: ["r1"], up: "ALTER TABLE users ADD COLUMN email text",
                                               down: "ALTER TABLE users DROP COLUMN email")
        for target in targets where target.tenant != "fresh" {
            guard let session = try await open(target) else { continue }
            let store = VersionStore(session: session, target: target)
            let schema = target.driver == .postgres ? "\"tenant_\(target.tenant!)\"." : ""
            switch target.tenant {
            case "at_r2":
                try await store.ensureTables()
                _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
                _ = try await store.apply(VersionStoreFixture.up(r2), context: context)
            case "at_r1":
                try await store.ensureTables()
                _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
            case "empty":
                try await store.ensureTables()
            case "stamped":
                try await store.stamp(to: ["r2"], checksums: ["r2": "sum-r2"], context: context)
            case "down_again":
                try await store.ensureTables()
                _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
                for _ in 0..<2 {
                    _ = try await store.apply(VersionStoreFixture.up(r2), context: context)
                    _ = try await store.apply(VersionStoreFixture.down(r2), context: context)
                }
            case "odd":
                // A row another tool wrote, with an operation shoal does not know.
                try await store.ensureTables()
                _ = try await store.apply(VersionStoreFixture.up(r1), context: context)
                try await session.execute("""
                    INSERT INTO \(schema)shoal_version_history (revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version) \
                    VALUES ('r1', 'rebase', NULL, '2026-01-01T00:00:00.000Z', 0, 'tool@host', '0')
                    """)
            case "no_history":
                if target.driver == .postgres { try await session.execute("CREATE SCHEMA \"tenant_no_history\"") }
                try await session.execute("CREATE TABLE \(schema)shoal_version (revision text PRIMARY KEY); INSERT INTO \(schema)shoal_version VALUES ('r1')")
            case "before_run_ids":
                // Written by the release before run ids: no run_id column.
                if target.driver == .postgres {
                    try await session.execute("CREATE SCHEMA \"tenant_before_run_ids\"; SET search_path TO \"tenant_before_run_ids\"")
                }
                try await session.execute(VersionTablesBeforeRunIDs.atRevision("r1", checksum: "sum-r1", target.driver))
            default:
                break
            }
            await session.close()
        }
    }

    /// The run id of every history row ``prepare(_:_:)`` writes through shoal.
    static let runID = "20261207T081500Z-ab12"

    static func outcome<T: Sendable>(_ body: () async throws -> T) async -> Result<T, ShoalError> {
        do {
            return .success(try await body())
        } catch let error as ShoalError {
            return .failure(error)
        } catch {
            return .failure(ShoalError(.database, "\(error)"))
        }
    }

    /// What each target reads as alone, over a session of its own: its
    /// history with `limit`, and the state and full history verify compares.
    static func oneByOne(_ fleet: Fleet, limit: Int?) async throws -> (histories: [Result<[HistoryEntry], ShoalError>],
                                                                       logs: [Result<AppliedLog, ShoalError>]) {
        var histories: [Result<[HistoryEntry], ShoalError>] = []
        var logs: [Result<AppliedLog, ShoalError>] = []
        for target in fleet.targets {
            guard let session = try await fleet.open(target) else {
                histories.append(.success([]))
                logs.append(.success(.uninitialized))
                continue
            }
            let store = VersionStore(session: session, target: target)
            histories.append(await outcome { try await store.history(limit: limit) })
            logs.append(await outcome {
                let state = try await store.readState()
                guard state.initialized else { return AppliedLog.uninitialized }
                let entries = try await store.history(limit: nil).reversed().map {
                    AppliedLog.Entry(revision: $0.revision, operation: $0.operation, checksum: $0.checksum)
                }
                return AppliedLog(initialized: true, current: state.current, entries: entries)
            })
            await session.close()
        }
        return (histories, logs)
    }

    /// The log, or the error's message up to the row's values.
    static func comparable(_ log: Result<AppliedLog, ShoalError>) -> Result<AppliedLog, ShoalError> {
        log.mapError { error in
            var error = error
            if let values = error.message.range(of: ": [") { error.message = String(error.message[..<values.lowerBound]) }
            return error
        }
    }

    @Test(arguments: Driver.allCases, [1, 3, 25])
    func batchReadsMatchOneByOneReads(_ driver: Driver, chunkSize: Int) async throws {
        try await Self.withFleet(driver) { fleet in
            for limit in [nil, 1, 2] as [Int?] {
                let expected = try await Self.oneByOne(fleet, limit: limit)
                let histories: [Result<[HistoryEntry], ShoalError>]
                let logs: [Result<AppliedLog, ShoalError>]
                switch driver {
                case .sqlite:
                    let reader = SQLiteStateReader()
                    histories = await reader.readHistories(of: fleet.targets, limit: limit)
                    logs = await reader.readAppliedLogs(of: fleet.targets)
                case .postgres:
                    let session = try #require(try await fleet.open(fleet.targets[0]))
                    histories = try await VersionStore.readHistories(of: fleet.targets, session: session, limit: limit,
                                                                     chunkSize: chunkSize)
                    logs = try await VersionStore.readAppliedLogs(of: fleet.targets, session: session, chunkSize: chunkSize)
                    await session.close()
                }
                #expect(histories == expected.histories, "limit \(limit.map(String.init) ?? "none")")
                // A row that does not parse fails its target in both; the batch
                // read names the columns verify reads, not all eight.
                #expect(logs.map(Self.comparable) == expected.logs.map(Self.comparable))
            }
            // What the fleet holds, so that the comparison above compares something.
            let histories = try await Self.oneByOne(fleet, limit: nil).histories
            let at = { (tenant: String) in Self.tenants.firstIndex(of: tenant)! }
            #expect((try? histories[at("at_r2")].get())?.map(\.revision) == ["r2", "r1"])
            #expect((try? histories[at("down_again")].get())?.map(\.operation) == [.downgrade, .upgrade, .downgrade, .upgrade, .upgrade])
            #expect((try? histories[at("fresh")].get()) == [])
            #expect((try? histories[at("no_history")].get()) == [])
            #expect((try? histories[at("at_r2")].get())?.map(\.runID) == [Self.runID, Self.runID])
            let old = try? histories[at("before_run_ids")].get()
            #expect(old?.map(\.revision) == ["r1"] && old?.map(\.runID) == [nil], "a table without run_id reads as it is")
            #expect(old?.first?.appliedAt == VersionTablesBeforeRunIDs.appliedAt && old?.first?.appliedBy == VersionTablesBeforeRunIDs.appliedBy)
            guard case .failure(let odd) = histories[at("odd")] else {
                Issue.record("the row with an unknown operation was read: \(histories[at("odd")])")
                return
            }
            #expect(odd.message.contains("unexpected row in") && odd.message.contains("rebase"), "\(odd.message)")
        }
    }
}
