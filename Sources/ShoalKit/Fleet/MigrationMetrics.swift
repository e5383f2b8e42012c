import CoreMetrics

/// What runs report through swift-metrics (SPEC §12), so that an
/// application's own metrics backend sees its migrations. ShoalKit never
/// bootstraps a backend: the metrics go to the factory the run is given
/// (``FleetRunner/Options/metrics``), else to whatever the application
/// bootstrapped `MetricsSystem` with, and nowhere when it did neither.
///
/// | metric | kind | dimensions |
/// | --- | --- | --- |
/// | `shoal_migrations_applied_total` | counter | `database`, `direction` (`up`, `down`) |
/// | `shoal_migrations_failed_total` | counter | `database`, `direction` |
/// | `shoal_migration_duration_seconds` | timer (of committed steps) | `database`, `direction` |
/// | `shoal_targets_finished_total` | counter | `database`, `command`, `status` |
public struct MigrationMetrics: Sendable {
    public static let appliedLabel = "shoal_migrations_applied_total"
    public static let failedLabel = "shoal_migrations_failed_total"
    public static let durationLabel = "shoal_migration_duration_seconds"
    public static let targetsLabel = "shoal_targets_finished_total"

    let factory: any MetricsFactory

    init(factory: (any MetricsFactory)?) {
        self.factory = factory ?? MetricsSystem.factory
    }

    /// Runs `apply` (one step's transaction) and counts it applied, with
    /// its duration, or failed, unless the caller is `retrying` after that
    /// error (a step that hit `lock_timeout` and will run again).
    func measure<Result>(_ step: PlanStep, on database: String, retrying: (any Error) -> Bool = { _ in false },
                         _ apply: () async throws -> Result) async throws -> Result {
        let started = ContinuousClock.now
        do {
            let result = try await apply()
            countApplied(step.direction, on: database, taking: ContinuousClock.now - started)
            return result
        } catch {
            if retrying(error) { throw error }
            countFailed(step.direction, on: database)
            throw error
        }
    }

    /// Runs `apply` (one transaction of several steps, `--transaction
    /// per-target`, returning each step's milliseconds) and counts every
    /// step applied with its own duration once it committed, or one failed
    /// (the group's failing step), unless the caller is `retrying`.
    func measure(group steps: [PlanStep], on database: String, retrying: (any Error) -> Bool = { _ in false },
                 _ apply: () async throws -> [Int]) async throws -> [Int] {
        do {
            let durations = try await apply()
            for (step, ms) in zip(steps, durations) { countApplied(step.direction, on: database, taking: .milliseconds(ms)) }
            return durations
        } catch {
            if retrying(error) { throw error }
            if let step = steps.first { countFailed(step.direction, on: database) }
            throw error
        }
    }

    private func countApplied(_ direction: Direction, on database: String, taking elapsed: Duration) {
        let dimensions = [("database", database), ("direction", direction.rawValue)]
        Counter(label: Self.appliedLabel, dimensions: dimensions, factory: factory).increment()
        Timer(label: Self.durationLabel, dimensions: dimensions, factory: factory)
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    private func countFailed(_ direction: Direction, on database: String) {
        Counter(label: Self.failedLabel, dimensions: [("database", database), ("direction", direction.rawValue)], factory: factory)
            .increment()
    }

    /// Counts each target of a finished run by its status.
    func finished(_ report: FleetReport) {
        guard !report.dryRun else { return }
        var counts: [[String]: Int] = [:]
        for target in report.targets { counts[[target.database, target.status.rawValue], default: 0] += 1 }
        for (key, count) in counts {
            Counter(label: Self.targetsLabel,
                    dimensions: [("database", key[0]), ("command", report.command), ("status", key[1])], factory: factory)
                .increment(by: count)
        }
    }
}
