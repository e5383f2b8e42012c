import Logging
import ServiceLifecycle

/// Migrates a fleet, or one target, when an application starts: a
/// swift-service-lifecycle `Service` for the application's `ServiceGroup`
/// (SPEC §12).
///
/// `run()` runs the command (by default `upgrade head`) on the selected
/// targets, logging through the application's `Logger`, and its steps
/// reach the application's metrics backend (``MigrationMetrics``). When
/// every target succeeded it stays running until the group shuts down, so
/// that the group's default, ending when any service returns, does not
/// stop the application; when a target failed it throws
/// ``ShoalMigrationService/Failure`` and the group stops, as an
/// application should rather than serve on a schema it does not expect.
/// Other services wait for the migration with ``migrated()``. A graceful
/// shutdown during the run stops it between steps: running steps finish,
/// no new one starts (as SIGINT does to `shoal upgrade`).
public final class ShoalMigrationService: Service, Sendable {
    /// The run did not bring every target where it was asked to.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let report: FleetReport

        public var description: String {
            let failed = report.targets.filter { !$0.succeeded }
            let first = failed.first.map { ": \($0.target): \($0.error?.message ?? $0.status.rawValue)" } ?? ""
            return "shoal \(report.command): \(failed.count) of \(report.summary.targets) targets did not succeed\(first)"
        }
    }

    private enum Source: Sendable {
        case configPath(String)
        case fleet(Fleet)
    }

    private let source: Source
    private let command: FleetCommand
    private let selector: TargetSelector
    private let options: FleetRunner.Options
    private let logger: Logger
    private let outcome = Outcome()

    /// Loads `configPath` (as `shoal --config` does) when the service runs.
    /// `selector` picks the targets: every one by default, a database's
    /// with `TargetSelector(databases: ["app"])`, one target with
    /// `TargetSelector(targets: ["app/acme"])`.
    public init(configPath: String, command: FleetCommand = .upgrade(.head), selector: TargetSelector = TargetSelector(),
                options: FleetRunner.Options = FleetRunner.Options(), logger: Logger) {
        source = .configPath(configPath)
        self.command = command
        self.selector = selector
        self.options = options
        self.logger = logger
    }

    /// Runs on a fleet the application built (``Fleet/init(config:logger:context:)``).
    public init(fleet: Fleet, command: FleetCommand = .upgrade(.head), selector: TargetSelector = TargetSelector(),
                options: FleetRunner.Options = FleetRunner.Options()) {
        source = .fleet(fleet)
        self.command = command
        self.selector = selector
        self.options = options
        logger = fleet.logger
    }

    public func run() async throws {
        let report: FleetReport
        do {
            report = try await migrate()
        } catch {
            await outcome.settle(.failure(error))
            throw error
        }
        guard report.succeeded else {
            let failure = Failure(report: report)
            logger.error("\(failure.description)")
            await outcome.settle(.failure(failure))
            throw failure
        }
        logger.info("shoal \(report.command): \(report.summary.targets) targets, \(report.summary.ok) ok, \(report.summary.upToDate) up-to-date")
        await outcome.settle(.success(report))
        // Stay until the group shuts down; a cancelled wait ends the service too.
        try? await gracefulShutdown()
    }

    /// The run's report, once the migration finished: at once if it has,
    /// else when it does. Throws what made it fail (``Failure``, or the
    /// error that kept it from starting).
    public func migrated() async throws -> FleetReport {
        try await outcome.value()
    }

    private func migrate() async throws -> FleetReport {
        let fleet: Fleet
        switch source {
        case .configPath(let path): fleet = try Fleet.load(configPath: path, logger: logger)
        case .fleet(let given): fleet = given
        }
        let targets = try await fleet.targets(selector)
        let control = RunControl()
        let runner = FleetRunner(fleet: fleet, options: options, control: control)
        return try await withGracefulShutdownHandler {
            try await runner.run(command, targets: targets) { [logger] event in
                if case .targetFinished(let target) = event { logger.info("\(target.target): \(target.status.rawValue)") }
            }
        } onGracefulShutdown: {
            Task { await control.interrupt(reason: "the application is shutting down") }
        }
    }

    /// The migration's result, for ``migrated()``'s waiters.
    private actor Outcome {
        private var result: Result<FleetReport, any Error>?
        private var waiters: [CheckedContinuation<FleetReport, any Error>] = []

        func settle(_ result: Result<FleetReport, any Error>) {
            self.result = result
            for waiter in waiters { waiter.resume(with: result) }
            waiters = []
        }

        func value() async throws -> FleetReport {
            if let result { return try result.get() }
            return try await withCheckedThrowingContinuation { waiters.append($0) }
        }
    }
}
