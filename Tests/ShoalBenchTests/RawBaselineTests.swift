import Foundation
import ShoalKit
import ShoalTestSupport
import Testing
@testable import shoal_bench

/// The raw baseline must do shoal's work, not less: a fleet it migrated is at
/// head to shoal, with the checksums shoal computes from the generated files,
/// and the generated migrations run on both dialects.
struct RawBaselineTests {
    enum Driver: String, CaseIterable { case sqlite, postgres }

    @Test(arguments: Driver.allCases, TransactionMode.allCases)
    func rawApplyLeavesEveryTargetAtHeadForShoal(driver: Driver, transaction: TransactionMode) async throws {
        let directory = try TemporaryDirectory()
        let tenants = 3
        let count = 22  // every template, and two extra tables past them
        switch driver {
        case .sqlite:
            let migrations = MigrationSet.standard.migrations(count: count, dialect: .sqlite)
            let config = try Fleets.write(to: directory.path, storage: .sqlite, tenantCount: tenants,
                                          migrations: migrations, concurrency: 2)
            let names = Fleets.tenants(tenants)
            let applied = try RawBaseline.applySQLiteFleet(directory: directory.path, tenants: names,
                                                           migrations: migrations, threads: 2, transaction: transaction)
            #expect(applied == .init(targets: tenants, applied: tenants * count))
            try await Self.expectAtHead(config: config, targets: tenants)
            let read = try RawBaseline.readSQLiteFleet(directory: directory.path, tenants: names,
                                                       migrations: migrations, threads: 2)
            #expect(read == .init(targets: tenants, atHead: tenants))
        case .postgres:
            let server = PostgresServer(maintenanceURL: try PostgresTestServer.url())
            let database = "shoal_bench_test_" + String(UInt64.random(in: .min ... .max), radix: 16)
            try server.recreate(database)
            defer { try? server.drop(database) }
            let url = server.url(database: database)
            let migrations = MigrationSet.standard.migrations(count: count, dialect: .postgres)
            let config = try Fleets.write(to: directory.path, storage: .postgres(url: url), tenantCount: tenants,
                                          migrations: migrations, concurrency: 2)
            let names = Fleets.tenants(tenants)
            let applied = try RawBaseline.applyPostgresFleet(url: url, tenants: names, migrations: migrations, threads: 2,
                                                             transaction: transaction)
            #expect(applied == .init(targets: tenants, applied: tenants * count))
            try await Self.expectAtHead(config: config, targets: tenants)
            for mode in RawRead.allCases {
                let read = try RawBaseline.readPostgresFleet(urls: [url, url], tenants: names, read: mode, migrations: migrations)
                #expect(read == .init(targets: tenants, atHead: tenants), "\(mode)")
            }
        }
    }

    /// W1T's and W2T's baselines commit once per target: a third migration
    /// that fails leaves the target without a version row or history, where
    /// the per-step baseline keeps the two migrations before it.
    @Test(arguments: Driver.allCases, TransactionMode.allCases)
    func rawApplyCommitsPerMigrationOrPerTarget(driver: Driver, transaction: TransactionMode) async throws {
        let dialect: Dialect = driver == .sqlite ? .sqlite : .postgres
        var migrations = MigrationSet.standard.migrations(count: 5, dialect: dialect).map(PreparedMigration.init)
        migrations[2].up = "SELECT * FROM no_such_table;"
        let kept = transaction == .perStep ? 2 : 0
        let expected: [String?] = [kept == 0 ? nil : migrations[kept - 1].revision, String(kept)]
        switch driver {
        case .sqlite:
            let directory = try TemporaryDirectory()
            let path = directory.path + "/t.sqlite"
            #expect(throws: BenchError.self) {
                try RawBaseline.applySQLite(path: path, migrations: migrations, transaction: transaction)
            }
            let tables = RawVersionTables(dialect: .sqlite, schema: nil)
            let db = try RawSQLite(path: path, readOnly: true)
            let version = try db.first(tables.selectVersions)
            let history = try db.first("SELECT count(*) FROM \(tables.history)")
            #expect([version, history] == expected)
        case .postgres:
            try await PostgresTestServer.withScratchDatabase { url in
                let migrator = try RawPostgres(url: url)
                #expect(throws: BenchError.self) {
                    try RawBaseline.applyPostgres(migrator, schema: "tenant_t1", migrations: migrations, transaction: transaction)
                }
                let tables = RawVersionTables(dialect: .postgres, schema: "tenant_t1")
                let pg = try RawPostgres(url: url)
                let version = try pg.exec(tables.selectVersions).first?.first ?? nil
                let history = try pg.exec("SELECT count(*) FROM \(tables.history)").first?.first ?? nil
                #expect([version, history] == expected)
            }
        }
    }

    /// `--only` takes the per-target rows by name, and as the issue writes them.
    @Test func onlySelectsThePerTargetRows() throws {
        #expect(try WorkloadID.parseList("w1',W2T,w1") == [.w1, .w1t, .w2t])
        #expect(WorkloadID.w1t.transactionMode == .perTarget && WorkloadID.w1.transactionMode == .perStep)
        #expect(!WorkloadID.w1t.needsPostgres && WorkloadID.w2t.needsPostgres)
        #expect(throws: BenchError.self) { try WorkloadID.parseList("W1X") }
    }

    /// shoal's `status` and `verify` find every target of the fleet at head, unedited.
    static func expectAtHead(config: String, targets count: Int) async throws {
        let fleet = try Fleet.load(configPath: config)
        let targets = try await fleet.targets()
        #expect(targets.count == count)
        let statuses = try await FleetStatus(fleet: fleet, concurrency: 2).status(of: targets)
        #expect(statuses.map(\.state) == Array(repeating: .upToDate, count: count), "\(statuses.compactMap(\.message))")
        let verifications = try await FleetVerifier(fleet: fleet, concurrency: 2).verify(targets)
        #expect(verifications.allSatisfy { !$0.hasProblems }, "\(verifications)")
    }

    @Test func goalNamesEveryMissedTarget() {
        let goal = Goal(maxSeconds: 3, maxPeakMB: 150)
        #expect(goal.misses(ratio: 1.1, shoalSeconds: 1.1, shoalPeakMB: 20).isEmpty)
        #expect(goal.misses(ratio: 3.5, shoalSeconds: 3.5, shoalPeakMB: 200) == ["ratio", "time", "memory"])
        #expect(median([3, 1, 2]) == 2)
        #expect(median([4, 1, 2, 3]) == 2.5)
    }

    /// The ratio is the median of the runs' own ratios: a machine that slows
    /// down between repetitions moves both sides of a run, not the verdict.
    @Test func theRatioIsTheMedianOfEachRunsRatio() {
        func run(_ shoal: Double, _ raw: Double) -> WorkloadResult.Run {
            .init(shoal: ProcessMeasurement(seconds: shoal, peakMB: 10), raw: ProcessMeasurement(seconds: raw, peakMB: 5))
        }
        var result = WorkloadResult(workload: "W2", description: "", command: "upgrade", tenants: 1, migrations: 1,
                                    concurrency: 1, raw: "", goal: Goal())
        result.runs = [run(6.6, 6.3), run(10.3, 8.1), run(10.1, 10.9)]
        result.summarise()
        #expect(result.shoalSeconds == 10.1)
        #expect(result.rawSeconds == 8.1)
        #expect(abs((result.ratio ?? 0) - 6.6 / 6.3) < 1e-9, "the middle of 1.05, 1.27 and 0.93")
        #expect(result.pass == true)
    }

    @Test func decodesWaitStatus() {
        #expect(ProcessTimer.decode(0x0100).exitCode == 1)
        #expect(ProcessTimer.decode(9).signal == 9)
    }

    @Test func maintenanceURLTakesAnotherDatabase() {
        let server = PostgresServer(maintenanceURL: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
        #expect(server.url(database: "bench_w2") == "postgres://postgres@127.0.0.1:5432/bench_w2?sslmode=disable")
        #expect(PostgresServer(maintenanceURL: "postgres://h:1").url(database: "x") == "postgres://h:1/x")
    }

    /// W8's baseline reads the files shoal lint reads, all of them; and lint
    /// reads every one of the generated PostgreSQL migrations.
    @Test func readFilesReadsEveryMigrationThatLintLints() throws {
        let directory = try TemporaryDirectory()
        let migrations = MigrationSet.standard.migrations(count: 25, dialect: .postgres)
        try Fleets.write(to: directory.path, storage: .postgres(url: "postgres://nobody@127.0.0.1:1/x"), tenantCount: 1,
                         migrations: migrations, concurrency: 1)
        #expect(try RawBaseline.readFiles(directory: directory.path) == .init(targets: 25))
        let graph = try RevisionGraph(migrations: MigrationDirectory.load(directory.path + "/versions/app"), directory: "versions/app")
        #expect(graph.count == 25)
        #expect(!Linter.lint(database: "app", driver: .postgres, migrations: graph.migrations).isEmpty,
                "the standard set renames and drops, so W8 lints real findings")
    }
}
