import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// A run writes its id into every history row (``ApplyContext/runID``), and
/// evolves a history table of the release before run ids the first time
/// it writes to it, under the target's lock, once (SPEC §11): through
/// ``FleetRunner``, on a shard (or folder of files) where some tenants have
/// old tables, some new ones and some none.
@Suite("A run's history rows and the tables it evolves (SQLite and PostgreSQL)")
struct RunHistoryTableTests {
    static let r1 = "aaaa00000001"
    static let r2 = "bbbb00000002"
    static let r3 = "cccc00000003"

    struct Setup {
        let driver: DriverKind
        let url: String?
        let directory: TemporaryDirectory
        let database: DatabaseConfig

        init(_ driver: DriverKind, url: String?, tenants: [String]) throws {
            self.driver = driver
            self.url = url
            directory = try TemporaryDirectory()
            try MigrationFile(revision: Self.r1, message: "users", up: "CREATE TABLE users (id integer);",
                              down: "DROP TABLE users;").write(in: directory, as: "versions/app/\(Self.r1).sql")
            // transaction: false, so that the column is there before a step that marks the target dirty.
            try MigrationFile(revision: Self.r2, parents: [Self.r1], message: "index users",
                              up: "CREATE INDEX users_id ON users (id);", down: "DROP INDEX users_id;", transactional: false)
                .write(in: directory, as: "versions/app/\(Self.r2).sql")
            try MigrationFile(revision: Self.r3, parents: [Self.r2], message: "projects", up: "CREATE TABLE projects (id integer);",
                              down: "DROP TABLE projects;").write(in: directory, as: "versions/app/\(Self.r3).sql")
            database = try DatabaseConfig.app(driver, url: url, in: directory, tenants: tenants)
        }

        static let r1 = RunHistoryTableTests.r1
        static let r2 = RunHistoryTableTests.r2
        static let r3 = RunHistoryTableTests.r3

        static func with(_ driver: DriverKind, tenants: [String], _ body: (Setup) async throws -> Void) async throws {
            switch driver {
            case .sqlite: try await body(Setup(driver, url: nil, tenants: tenants))
            case .postgres: try await PostgresTestServer.withScratchDatabase { url in try await body(Setup(driver, url: url, tenants: tenants)) }
            }
        }

        /// The fleet of a run whose id is `runID`.
        func fleet(runID: String?) -> Fleet {
            Fleet(config: FleetConfig(directory: directory.path, databases: [database]),
                  context: ApplyContext(appliedBy: "test@host", shoalVersion: "9.9.9", runID: runID))
        }

        /// Runs `command` on `tenants` as run `runID`; returns each target's status.
        @discardableResult
        func run(_ command: FleetCommand, _ tenants: [String], runID: String?) async throws -> [TargetReport.Status] {
            let fleet = fleet(runID: runID)
            let targets = try await fleet.targets(TargetSelector(tenants: tenants))
            let report = try await FleetRunner(fleet: fleet).run(command, targets: targets)
            #expect(report.targets.allSatisfy { $0.error == nil }, "\(report.targets.compactMap(\.error))")
            return report.targets.map(\.status)
        }

        /// Runs `sql` in a tenant behind shoal's back (in its schema, created if needed).
        func byHand(_ tenant: String, _ sql: String) async throws {
            let session: any DatabaseSession = switch driver {
            case .sqlite: try await SQLiteSession.open(path: directory.file("tenants/\(tenant).sqlite"), mode: .readWrite)
            case .postgres: try await PostgresSession.connect(url!)
            }
            try await session.closing {
                if driver == .postgres {
                    try await session.execute("CREATE SCHEMA IF NOT EXISTS \"app_\(tenant)\"")
                    try await session.setSearchPath("app_\(tenant)", local: false)
                }
                try await session.execute(sql)
            }
        }

        /// The tenant as the release before run ids left it at r1: its
        /// `users` table, and version tables without `run_id`.
        func atR1BeforeRunIDs(_ tenant: String) async throws {
            try await byHand(tenant, "CREATE TABLE users (id integer);"
                             + VersionTablesBeforeRunIDs.atRevision(Self.r1, checksum: try checksum(Self.r1), driver))
        }

        /// Rows of `sql` in a tenant.
        func rows(_ tenant: String, _ sql: String) async throws -> [[String?]] {
            let session: any DatabaseSession = switch driver {
            case .sqlite: try await SQLiteSession.open(path: directory.file("tenants/\(tenant).sqlite"), mode: .readOnly)
            case .postgres: try await PostgresSession.connect(url!, searchPath: "app_\(tenant)")
            }
            return try await session.closing { try await session.query(sql) }
        }

        /// The tenant's history rows, oldest first: revision, operation, run_id, applied_by.
        func history(_ tenant: String) async throws -> [[String?]] {
            try await rows(tenant, "SELECT revision, operation, run_id, applied_by FROM shoal_version_history ORDER BY id")
        }

        /// The checksum the files give `revision`, as a release would have recorded it.
        func checksum(_ revision: String) throws -> String {
            try #require(try fleet(runID: nil).graph(for: database).migration(revision)?.checksum)
        }
    }

    @Test(arguments: DriverKind.allCases)
    func aRunEvolvesOldTablesOnceAndWritesItsIDInEveryRow(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["old", "new", "fresh"]) { setup in
            let (r1, r2, r3) = (Self.r1, Self.r2, Self.r3)
            try await setup.run(.upgrade(.revision(r1)), ["new"], runID: "20261201T000000Z-0000")
            try await setup.atR1BeforeRunIDs("old")

            let statuses = try await setup.run(.upgrade(.head), ["old", "new", "fresh"], runID: "20261207T081500Z-ab12")
            #expect(statuses == [.ok, .ok, .ok])
            let run = "20261207T081500Z-ab12"
            let old = VersionTablesBeforeRunIDs.appliedBy
            #expect(try await setup.history("old") == [[r1, "upgrade", nil, old], [r2, "upgrade", run, "test@host"],
                                                       [r3, "upgrade", run, "test@host"]])
            #expect(try await setup.history("new") == [[r1, "upgrade", "20261201T000000Z-0000", "test@host"],
                                                       [r2, "upgrade", run, "test@host"], [r3, "upgrade", run, "test@host"]])
            #expect(try await setup.history("fresh").map { $0[2] } == [run, run, run])
            #expect(try await setup.rows("old", "SELECT applied_at FROM shoal_version_history WHERE run_id IS NULL")
                        .first?.first??.hasPrefix("2026-11-26") == true, "the old row is kept as it was")

            // The column is there now: the next run writes without adding it again.
            #expect(try await setup.run(.downgrade(.relative(-2)), ["old"], runID: "20261207T091500Z-cd34") == [.ok])
            #expect(try await setup.history("old").suffix(2).map { $0[2] } == ["20261207T091500Z-cd34", "20261207T091500Z-cd34"])
        }
    }

    /// A run that writes nothing (every target up to date) leaves an old
    /// table as it is: shoal adds the column the first time it writes.
    @Test(arguments: DriverKind.allCases)
    func aRunThatWritesNothingLeavesAnOldTableAlone(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["old"]) { setup in
            try await setup.atR1BeforeRunIDs("old")
            #expect(try await setup.run(.upgrade(.revision(Self.r1)), ["old"], runID: "20261207T081500Z-ab12") == [.upToDate])
            let error = await #expect(throws: ShoalError.self) {
                try await setup.rows("old", "SELECT run_id FROM shoal_version_history")
            }
            #expect(error?.message.contains("run_id") == true, "\(error?.message ?? "")")
        }
    }

    @Test(arguments: DriverKind.allCases)
    func aStampEvolvesAnOldTableAndRecordsItsRun(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["old"]) { setup in
            try await setup.atR1BeforeRunIDs("old")
            #expect(try await setup.run(.stamp(.revision(Self.r3)), ["old"], runID: "20261207T081500Z-ab12") == [.ok])
            #expect(try await setup.history("old") == [[Self.r1, "upgrade", nil, VersionTablesBeforeRunIDs.appliedBy],
                                                       [Self.r3, "stamp", "20261207T081500Z-ab12", "test@host"]])
        }
    }

    /// `--on-error rollback` undoes what the run committed: the undo's
    /// history rows belong to the same run.
    @Test(arguments: DriverKind.allCases)
    func theUndoOfOnErrorRollbackRecordsTheSameRun(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["acme", "globex"]) { setup in
            // globex cannot take r3: its table exists already.
            try await setup.byHand("globex", "CREATE TABLE projects (id integer)")
            let run = "20261207T081500Z-ab12"
            let fleet = setup.fleet(runID: run)
            var options = FleetRunner.Options(concurrency: 1)
            options.onError = .rollback
            let report = try await FleetRunner(fleet: fleet, options: options)
                .run(.upgrade(.head), targets: try await fleet.targets(TargetSelector(tenants: ["acme", "globex"])))
            #expect(report.targets.map(\.status) == [.rolledBack, .failed])
            let acme = try await setup.history("acme")
            #expect(acme.map { $0[0] } == [Self.r1, Self.r2, Self.r3, Self.r3, Self.r2, Self.r1])
            #expect(acme.map { $0[1] } == ["upgrade", "upgrade", "upgrade", "downgrade", "downgrade", "downgrade"])
            #expect(acme.allSatisfy { $0[2] == run }, "\(acme)")
            #expect(try await setup.history("globex").allSatisfy { $0[2] == run })
        }
    }
}
