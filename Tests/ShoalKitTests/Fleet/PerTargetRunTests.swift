import Foundation
import MetricsTestKit
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// A run with ``FleetRunner/Options/transactionMode`` `.perTarget`, in
/// process: what an embedding app sees of its steps (events, metrics).
@Suite struct PerTargetRunTests {
    final class StepEvents: @unchecked Sendable {
        private let lock = NSLock()
        private var steps: [String] = []
        func record(_ event: FleetEvent) {
            if case .stepApplied(let target, let step) = event { lock.withLock { steps.append("\(target) \(step.revision)") } }
        }
        var all: [String] { lock.withLock { steps } }
    }

    static func run(_ fleet: Fleet, metrics: TestMetrics, events: StepEvents) async throws -> FleetReport {
        var options = FleetRunner.Options()
        options.metrics = metrics
        options.transactionMode = .perTarget
        return try await FleetRunner(fleet: fleet, options: options)
            .run(.upgrade(.head), targets: try await fleet.targets(TargetSelector())) { events.record($0) }
    }

    @Test func everyStepOfACommittedTransactionIsAnEventAndAMeasurement() async throws {
        let directory = try TemporaryDirectory()
        let fleet = try ShoalMigrationServiceTests.fleet(directory, tenants: ["acme", "globex"])
        let metrics = TestMetrics()
        let events = StepEvents()
        let report = try await Self.run(fleet, metrics: metrics, events: events)
        #expect(report.summary.ok == 2)
        #expect(report.targets.map { $0.applied.map(\.revision) } == [["aaaa0001", "bbbb0002"], ["aaaa0001", "bbbb0002"]])
        #expect(events.all.sorted() == ["app/acme aaaa0001", "app/acme bbbb0002", "app/globex aaaa0001", "app/globex bbbb0002"])
        let up = [("database", "app"), ("direction", "up")]
        #expect(metrics.counterTotal(label: MigrationMetrics.appliedLabel, dimensions: up) == 4)
        #expect(try metrics.expectTimer(MigrationMetrics.durationLabel, up).values.count == 4)
        #expect(metrics.counters(label: MigrationMetrics.failedLabel).isEmpty)
    }

    @Test func aRolledBackTransactionIsOneFailureAndNoStepEvent() async throws {
        let directory = try TemporaryDirectory()
        let fleet = try ShoalMigrationServiceTests.fleet(directory, tenants: ["acme", "globex"],
                                                         second: "CREATE TABLE t2 (id integer); SELECT * FROM missing_table;")
        let metrics = TestMetrics()
        let events = StepEvents()
        let report = try await Self.run(fleet, metrics: metrics, events: events)
        #expect(report.summary.failed == 2)
        #expect(report.targets.allSatisfy { $0.applied.isEmpty && $0.to.isEmpty && $0.error?.revision == "bbbb0002" })
        #expect(events.all.isEmpty, "no step of a rolled-back transaction is reported: \(events.all)")
        let up = [("database", "app"), ("direction", "up")]
        #expect(metrics.counterTotal(label: MigrationMetrics.appliedLabel, dimensions: up) == 0)
        #expect(metrics.counterTotal(label: MigrationMetrics.failedLabel, dimensions: up) == 2, "one per target")
    }
}
