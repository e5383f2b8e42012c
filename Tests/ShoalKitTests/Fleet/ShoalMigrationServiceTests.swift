import Foundation
import Logging
import MetricsTestKit
import ServiceLifecycle
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// ``ShoalMigrationService`` in a `ServiceGroup`, as an application runs
/// it at start-up, with its metrics going to the application's factory.
@Suite struct ShoalMigrationServiceTests {
    /// Two migrations (the second one's SQL given) and a SQLite file per tenant.
    static func fleet(_ directory: TemporaryDirectory, tenants: [String], second: String = "CREATE TABLE t2 (id integer);") throws -> Fleet {
        try MigrationFile(revision: "aaaa0001", message: "one", up: "CREATE TABLE t1 (id integer);", down: "DROP TABLE t1;")
            .write(in: directory, as: "versions/app/aaaa0001.sql")
        try MigrationFile(revision: "bbbb0002", parents: ["aaaa0001"], message: "two", up: second, down: "DROP TABLE t2;")
            .write(in: directory, as: "versions/app/bbbb0002.sql")
        let database = try DatabaseConfig.app(.sqlite, url: nil, in: directory, tenants: tenants)
        return Fleet(config: FleetConfig(directory: directory.path, databases: [database]), logger: quiet)
    }

    /// The service on `fleet`, its metrics going to a test factory.
    static func service(_ fleet: Fleet) -> (ShoalMigrationService, TestMetrics) {
        let metrics = TestMetrics()
        var options = FleetRunner.Options()
        options.metrics = metrics
        return (ShoalMigrationService(fleet: fleet, options: options), metrics)
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// A service that needs the schema: it waits for the migration, then
    /// records what it saw, and serves until the group shuts down.
    struct Dependent: Service {
        let migrations: ShoalMigrationService
        let seen: SeenReports

        func run() async throws {
            do {
                seen.record(.success(try await migrations.migrated()))
            } catch {
                seen.record(.failure(error))
                throw error
            }
            try? await gracefulShutdown()
        }
    }

    final class SeenReports: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Result<FleetReport, any Error>] = []
        func record(_ result: Result<FleetReport, any Error>) { lock.withLock { results.append(result) } }
        var all: [Result<FleetReport, any Error>] { lock.withLock { results } }
    }

    @Test func migratesAtStartUpAndStaysUpUntilTheGroupShutsDown() async throws {
        let directory = try TemporaryDirectory()
        let fleet = try Self.fleet(directory, tenants: ["acme", "globex", "hooli"])
        let (migrations, metrics) = Self.service(fleet)
        let seen = SeenReports()
        let group = ServiceGroup(services: [migrations, Dependent(migrations: migrations, seen: seen)],
                                 logger: Self.quiet)
        let running = Task { try await group.run() }

        let report = try await migrations.migrated()
        #expect(report.succeeded && report.summary.ok == 3)
        for tenant in ["acme", "globex", "hooli"] {
            let target = try #require(try await fleet.targets(TargetSelector(targets: ["app/\(tenant)"])).first)
            #expect(try await FleetRunnerTests.versions(target) == ["bbbb0002"])
        }
        // The service did not return: the group is still running until asked to stop.
        try await Self.waitUntil { seen.all.count == 1 }
        #expect(!running.isCancelled)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(try seen.all.first?.get().summary.ok == 3, "the dependent service saw the report")

        let up = [("database", "app"), ("direction", "up")]
        #expect(metrics.counterTotal(label: MigrationMetrics.appliedLabel, dimensions: up) == 6, "2 steps × 3 tenants")
        #expect(metrics.counters(label: MigrationMetrics.failedLabel).isEmpty)
        #expect(try metrics.expectTimer(MigrationMetrics.durationLabel, up).values.count == 6)
        #expect(metrics.counterTotal(label: MigrationMetrics.targetsLabel,
                                     dimensions: [("database", "app"), ("command", "upgrade"), ("status", "ok")]) == 3)
    }

    @Test func aFailedTargetFailsTheServiceAndStopsTheGroup() async throws {
        let directory = try TemporaryDirectory()
        let fleet = try Self.fleet(directory, tenants: ["acme", "globex"], second: "CREATE TABLE t2 (id integer); SELECT * FROM missing_table;")
        let (migrations, metrics) = Self.service(fleet)
        let seen = SeenReports()
        let group = ServiceGroup(services: [migrations, Dependent(migrations: migrations, seen: seen)],
                                 logger: Self.quiet)

        await #expect {
            try await group.run()
        } throws: { error in
            guard let failure = error as? ShoalMigrationService.Failure else { return false }
            return failure.report.summary.failed == 2
                && failure.description.contains("2 of 2 targets did not succeed")
                && failure.description.contains("missing_table")
        }
        await #expect(throws: ShoalMigrationService.Failure.self) { try await migrations.migrated() }
        let up = [("database", "app"), ("direction", "up")]
        #expect(metrics.counterTotal(label: MigrationMetrics.appliedLabel, dimensions: up) == 2, "the first step on each tenant")
        #expect(metrics.counterTotal(label: MigrationMetrics.failedLabel, dimensions: up) == 2)
        #expect(metrics.counterTotal(label: MigrationMetrics.targetsLabel,
                                     dimensions: [("database", "app"), ("command", "upgrade"), ("status", "failed")]) == 2)
    }

    /// SIGTERM to the application (a graceful shutdown of the group) while
    /// the migration runs: the running step finishes, no new one starts.
    @Test func aShutdownDuringTheRunStopsItBetweenSteps() async throws {
        let directory = try TemporaryDirectory()
        let slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) FROM c; CREATE TABLE t2 (id integer);"
        let fleet = try Self.fleet(directory, tenants: ["acme"], second: slow)
        try MigrationFile(revision: "cccc0003", parents: ["bbbb0002"], message: "three", up: "CREATE TABLE t3 (id integer);", down: "DROP TABLE t3;")
            .write(in: directory, as: "versions/app/cccc0003.sql")
        let (migrations, metrics) = Self.service(fleet)
        let group = ServiceGroup(services: [migrations], logger: Self.quiet)
        let running = Task { try await group.run() }
        let up = [("database", "app"), ("direction", "up")]
        try await Self.waitUntil { metrics.counterTotal(label: MigrationMetrics.appliedLabel, dimensions: up) >= 1 }
        await group.triggerGracefulShutdown()

        await #expect(throws: ShoalMigrationService.Failure.self) { try await running.value }
        let report = try await #require(await { () async -> FleetReport? in
            do { _ = try await migrations.migrated(); return nil } catch let failure as ShoalMigrationService.Failure { return failure.report } catch { return nil }
        }())
        let acme = try #require(report.targets.first)
        #expect(acme.error?.message.contains("the application is shutting down") == true, "\(acme)")
        #expect(!acme.applied.map(\.revision).contains("cccc0003"), "no step starts after the shutdown")
        let target = try #require(try await fleet.targets(TargetSelector()).first)
        #expect(try await FleetRunnerTests.versions(target) == acme.to)
    }

    @Test func aConfigThatDoesNotLoadFailsTheService() async throws {
        let directory = try TemporaryDirectory()
        let migrations = ShoalMigrationService(configPath: directory.file("missing.json"), logger: Self.quiet)
        await #expect(throws: ShoalError.self) { try await migrations.run() }
        await #expect(throws: ShoalError.self) { try await migrations.migrated() }
    }

    /// Polls `condition`; the deadline is generous, since in a full run on
    /// two cores the first step can take long to commit (a late step is
    /// not what these tests check).
    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while !condition() {
            guard ContinuousClock.now < deadline else { Issue.record("timed out"); return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
