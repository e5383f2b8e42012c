import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Every history row carries the id of the run that wrote it (SPEC §11), in
/// tables shoal creates with the column and in tables of the release before
/// run ids, which reads leave as they are and ``VersionStore/addRunIDColumn()``
/// evolves in place.
@Suite("run_id in history rows (SQLite and PostgreSQL)")
struct VersionStoreRunIDTests {
    static let r1 = VersionStoreFixture.migration("r1", up: "CREATE TABLE users (id int)", down: "DROP TABLE users")
    static let r2 = VersionStoreFixture.migration("r2", parents: ["r1"], up: "CREATE TABLE projects (id int)",
                                                  down: "DROP TABLE projects")

    static func context(_ runID: String?) -> ApplyContext {
        ApplyContext(appliedBy: "test@host", shoalVersion: "9.9.9", runID: runID)
    }

    /// The scratch database's only target, its tables in the current schema.
    static func target(_ database: ScratchDatabase) -> Target {
        let location: TargetLocation = switch database.driver {
        case .sqlite: .sqlite(path: database.location)
        case .postgres: .postgres(url: database.location, schema: nil)
        }
        return Target(id: "app", database: "app", driver: database.driver, location: location)
    }

    static func historyColumns(_ session: any DatabaseSession) async throws -> [String] {
        let sql = switch await session.driver {
        case .sqlite: "SELECT name FROM pragma_table_info('shoal_version_history') ORDER BY cid"
        case .postgres: """
            SELECT column_name FROM information_schema.columns \
            WHERE table_schema = current_schema() AND table_name = 'shoal_version_history' ORDER BY ordinal_position
            """
        }
        return try await session.query(sql).compactMap { $0.first ?? nil }
    }

    static let columnsBeforeRunIDs = ["id", "revision", "operation", "checksum", "applied_at", "duration_ms",
                                      "applied_by", "shoal_version"]

    @Test(arguments: DriverKind.allCases)
    func newTablesHaveTheColumnAndEveryRowCarriesItsRun(_ driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, database in
            let store = VersionStore(session: session, target: Self.target(database))
            try await store.ensureTables()
            #expect(try await Self.historyColumns(session) == Self.columnsBeforeRunIDs + ["run_id"])
            #expect(try await store.readState().historyLacksRunID == false)

            _ = try await store.apply(VersionStoreFixture.up(Self.r1), context: Self.context("20261207T081500Z-0001"))
            try await store.stamp(to: ["r2"], checksums: ["r2": "sum-r2"], context: Self.context("20261207T081501Z-0002"))
            try await session.execute("CREATE TABLE projects (id int)")  // what r2's down drops; a stamp runs no SQL
            _ = try await store.apply(VersionStoreFixture.down(Self.r2), context: Self.context(nil))

            let history = try await store.history(limit: nil)
            #expect(history.map(\.operation) == [.downgrade, .stamp, .upgrade])
            #expect(history.map(\.runID) == [nil, "20261207T081501Z-0002", "20261207T081500Z-0001"])
            #expect(try await store.history(limit: 1).map(\.runID) == [nil])
        }
    }

    /// A table of the release before run ids is read as it is (its rows
    /// without a run id), and reading does not change it; adding the column
    /// keeps every row, and rows written after it carry their run.
    @Test(arguments: DriverKind.allCases)
    func anOldHistoryTableIsReadAsItIsThenEvolvedInPlace(_ driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, database in
            let target = Self.target(database)
            let store = VersionStore(session: session, target: target)
            try await session.execute(VersionTablesBeforeRunIDs.atRevision("r1", checksum: "sum-r1", driver))

            let state = try await store.readState()
            #expect(state.current == ["r1"] && state.appliedChecksums == ["r1": "sum-r1"])
            #expect(state.historyLacksRunID)
            let old = try await store.history(limit: nil)
            #expect(old.map(\.revision) == ["r1"] && old.map(\.runID) == [nil])
            #expect(old.first?.appliedAt == VersionTablesBeforeRunIDs.appliedAt)
            #expect(try await store.readAppliedLog().current == ["r1"])
            #expect(try await Self.historyColumns(session) == Self.columnsBeforeRunIDs, "reading never changes a table")

            try await store.addRunIDColumn()
            #expect(try await Self.historyColumns(session) == Self.columnsBeforeRunIDs + ["run_id"])
            #expect(try await store.readState().historyLacksRunID == false)
            #expect(try await store.history(limit: nil) == old, "every row kept, as it was")

            _ = try await store.apply(VersionStoreFixture.up(Self.r2), context: Self.context("20261207T081500Z-0001"))
            let history = try await store.history(limit: nil)
            #expect(history.map(\.revision) == ["r2", "r1"])
            #expect(history.map(\.runID) == ["20261207T081500Z-0001", nil])
            #expect(history.last == old.first)
        }
    }

    /// A table the column was added to by hand, or by a run that lost the
    /// race for the lock's re-check, is not changed again on PostgreSQL.
    @Test func addingTheColumnTwiceOnPostgreSQLChangesNothing() async throws {
        try await ScratchDatabase.withSession(.postgres) { session, database in
            let store = VersionStore(session: session, target: Self.target(database))
            try await session.execute(VersionTablesBeforeRunIDs.atRevision("r1", checksum: "sum-r1", .postgres))
            try await store.addRunIDColumn()
            try await store.addRunIDColumn()
            #expect(try await Self.historyColumns(session) == Self.columnsBeforeRunIDs + ["run_id"])
        }
    }

    /// `shoal sql`'s script belongs to no run: its history row leaves
    /// `run_id` out, so the same script runs on a table from before run ids
    /// and on a new one.
    @Test(arguments: DriverKind.allCases, [false, true])
    func anOfflineScriptRunsOnOldAndNewTables(_ driver: DriverKind, old: Bool) async throws {
        try await ScratchDatabase.withSession(driver) { session, database in
            let target = Self.target(database)
            let store = VersionStore(session: session, target: target)
            if old {
                try await session.execute(VersionTablesBeforeRunIDs.atRevision("r1", checksum: "sum-r1", driver))
            } else {
                try await store.ensureTables()
                _ = try await store.apply(VersionStoreFixture.up(Self.r1), context: Self.context("20261207T081500Z-0001"))
            }
            try await session.execute("CREATE TABLE IF NOT EXISTS users (id int)")
            let script = VersionStore.offlineSQL(for: VersionStoreFixture.up(Self.r2), target: target,
                                                 context: Self.context("20261207T081500Z-0002"), dialect: driver)
            try await session.execute(script)
            #expect(try await store.readState().current == ["r2"])
            #expect(try await store.history(limit: nil).map(\.runID) == [nil, old ? nil : "20261207T081500Z-0001"])
            #expect(try await Self.historyColumns(session).contains("run_id") == !old, "the script changes no table")
        }
    }

    /// The reads a run makes say which history tables lack the column: a
    /// shard's catalog query on PostgreSQL (its batch read of many
    /// tenants), a session's table lookup on SQLite.
    @Test(arguments: DriverKind.allCases)
    func readsSayWhichTablesLackTheColumn(_ driver: DriverKind) async throws {
        try await ScratchDatabase.with(driver) { database in
            let targets: [Target]
            switch driver {
            case .sqlite:
                let directory = URL(fileURLWithPath: database.location).deletingLastPathComponent().path
                targets = Self.tenants.map { tenant in
                    Target(id: "app/\(tenant)", database: "app", tenant: tenant, driver: .sqlite,
                           location: .sqlite(path: directory + "/\(tenant).sqlite"))
                }
                for target in targets.prefix(2) {
                    guard case .sqlite(let path) = target.location else { continue }
                    let session = try await SQLiteSession.open(path: path, mode: .readWrite)
                    try await session.closing { try await Self.prepare(target, session) }
                }
            case .postgres:
                targets = Self.tenants.map { tenant in
                    Target(id: "app/\(tenant)", database: "app", tenant: tenant, driver: .postgres,
                           location: .postgres(url: database.location, schema: "tenant_\(tenant)"))
                }
                for target in targets.prefix(2) {
                    let session = try await PostgresSession.connect(database.location)
                    try await session.closing {
                        try await session.execute("CREATE SCHEMA \"tenant_\(target.tenant!)\"")
                        try await session.setSearchPath("tenant_\(target.tenant!)", local: false)
                        try await Self.prepare(target, session)
                    }
                }
            }
            let states: [VersionState]
            switch driver {
            case .sqlite:
                var read: [VersionState] = []
                for target in targets {
                    guard case .sqlite(let path) = target.location else { continue }
                    let session = try await SQLiteSession.open(path: path, mode: .readWrite)
                    read.append(try await session.closing {
                        try await session.readVersionStates(of: [target], checksums: true, expected: [:])[0]
                    })
                }
                states = read
            case .postgres:
                let session = try await PostgresSession.connect(database.location)
                states = try await session.closing { try await VersionStore.readStates(of: targets, on: session) }
            }
            #expect(states.map(\.historyLacksRunID) == [true, false, false])
            #expect(states.map(\.current) == [["r1"], ["r1"], []])
        }
    }

    static let tenants = ["old", "new", "fresh"]

    /// `old`: the tables of the release before run ids at r1; `new`: r1 applied by this release.
    static func prepare(_ target: Target, _ session: any DatabaseSession) async throws {
        if target.tenant == "old" {
            try await session.execute(VersionTablesBeforeRunIDs.atRevision("r1", checksum: "sum-r1", target.driver))
        } else {
            let store = VersionStore(session: session, target: target)
            try await store.ensureTables()
            _ = try await store.apply(VersionStoreFixture.up(Self.r1), context: Self.context("20261207T081500Z-0001"))
        }
    }
}
