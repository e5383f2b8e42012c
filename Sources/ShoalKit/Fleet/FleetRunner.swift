import CoreMetrics
import Foundation
import Logging

/// Fans a command out over targets in two parts: ``plan(_:targets:)`` reads
/// every target and decides what the command does to it (refusing bad ones
/// before any SQL runs), giving a ``FleetPlan``; ``execute(_:events:)``
/// carries the plan out under the concurrency limits, database by database
/// in `after` order, and builds the report. ``run(_:targets:events:)`` does both.
public struct FleetRunner: Sendable {
    /// What to do when a target fails.
    public enum OnError: String, Sendable, CaseIterable {
        /// Other targets go on.
        case `continue`
        /// Start no new target after a failure.
        case stop
        /// Stop, then return every target this run changed to where it started.
        case rollback
    }

    /// Knobs of a fan-out run (SPEC §6 fan-out options).
    public struct Options: Sendable {
        public var concurrency: Int
        public var onError: OnError
        public var canary: Int
        public var dryRun: Bool
        /// How long a target waits for another runner's lock.
        public var lockWait: Duration
        public var replicaTimeout: Duration
        /// Migrate a target whose replicas cannot be reached, and report
        /// them `unreachable`, instead of refusing it.
        public var allowMissingReplicas: Bool = false
        /// What the run's journal records of how it was asked for (SPEC
        /// §11): the command line after `shoal`, and the selector options
        /// as given. Empty for a run started from code.
        public var arguments: [String] = []
        public var selector = TargetSelector()
        /// The run that `--retry-failed` retries, for the journal.
        public var retryOf: RunID?
        /// The run that `shoal rollback` compensates, for the journal.
        public var compensates: RunID?
        /// `--transaction` (SPEC §13): how every target's steps are grouped
        /// into transactions; nil: as each database's `transaction_mode` says.
        public var transactionMode: TransactionMode?
        /// Where the run's metrics go (``MigrationMetrics``); nil: to
        /// `MetricsSystem.factory`, whatever the application bootstrapped.
        public var metrics: (any MetricsFactory)?
        public init(concurrency: Int = 8, onError: OnError = .continue, canary: Int = 0, dryRun: Bool = false,
                    lockWait: Duration = .seconds(30), replicaTimeout: Duration = .seconds(60)) {
            self.concurrency = concurrency
            self.onError = onError
            self.canary = canary
            self.dryRun = dryRun
            self.lockWait = lockWait
            self.replicaTimeout = replicaTimeout
        }
    }

    public let fleet: Fleet
    public let options: Options
    /// Stops the run from outside (signals, shutdown).
    public let control: RunControl

    public init(fleet: Fleet, options: Options = Options(), control: RunControl = RunControl()) {
        self.fleet = fleet
        self.options = options
        self.control = control
    }

    /// Plans and executes `command` on `targets` (in run order, as
    /// ``Fleet/targets(_:)`` returns them). Throws only when the command
    /// cannot start (a revision argument that does not resolve, unreadable
    /// migration files, `--on-error rollback` without down sections): then
    /// no target was touched. Per-target problems end up in the report.
    public func run(_ command: FleetCommand, targets: [Target],
                    events: @escaping @Sendable (FleetEvent) -> Void = { _ in }) async throws -> FleetReport {
        let plan = try await plan(command, targets: targets)
        if !plan.lint.isEmpty { events(.linted(plan.lint)) }
        events(.planned(targets: targets.count, work: plan.workCount))
        return try await execute(plan, events: events)
    }

    /// Reads every target's version tables (creating or changing nothing)
    /// and decides what `command` does to each, before any is touched;
    /// targets whose replicas cannot be waited for are refused (SPEC §7);
    /// the migrations to apply are linted (``FleetPlan/lint(config:)``).
    /// Throws when the command cannot start (also when a database's
    /// `"lint": "refuse"` finds an error). The shards' sessions for the
    /// read start connecting at once, while the migration files load, and
    /// every session the plan opened is closed when it returns or throws.
    public func plan(_ command: FleetCommand, targets: [Target]) async throws -> FleetPlan {
        try await SessionPool.withPool(for: targets, warmingUp: options.concurrency) { pool in
            try await plan(command, targets: targets, in: pool)
        }
    }

    /// ``plan(_:targets:)`` with the sessions of `pool` (which the caller closes).
    func plan(_ command: FleetCommand, targets: [Target], in pool: SessionPool) async throws -> FleetPlan {
        let started = ContinuousClock.now
        let graphs = try fleet.graphs(for: targets.map(\.database))
        if let spec = command.revision {
            for (database, graph) in graphs.sorted(by: { $0.key < $1.key }) {
                try Planner.validate(spec, graph: graph, database: database)
            }
        }
        var reader = StateReader(concurrency: options.concurrency, pool: pool, refuseStandby: true)
        reader.expectedChecksums = graphs.mapValues { graph in
            Dictionary(graph.migrations.map { ($0.revision, $0.checksum) }, uniquingKeysWith: { first, _ in first })
        }
        let reads = await reader.readStates(targets)
        pool.discardWarmup()
        let command = await LaterRuns.settleUnreported(command, targets: targets, reads: reads, fleet: fleet,
                                                       concurrency: options.concurrency)
        var plan = FleetPlan(command, targets: targets, reads: reads, graphs: graphs, config: fleet.config,
                             canary: options.canary, dryRun: options.dryRun)
        plan.started = started
        try plan.lint(config: fleet.config)
        if case .rollback = command {
            try plan.checkCompensable()
            await LaterRuns.name(in: &plan, fleet: fleet, concurrency: options.concurrency)
        }
        await ReplicaWaiter.preflight(&plan, allowMissing: options.allowMissingReplicas,
                                      concurrency: options.concurrency, pool: pool)
        return plan
    }

    /// Carries out `plan`: reports at once the targets that do not run (and,
    /// in a dry run, what the others would do), then runs the canary
    /// targets, then the rest, wave by wave, under the concurrency limits,
    /// waiting for replicas after each wave; with `--on-error rollback`,
    /// undoes this run's steps if anything failed. Unless it is a dry run,
    /// the run gets an id (``FleetEvent/runStarted(_:journal:)``, the
    /// history rows' `run_id`, ``FleetReport/run``) and, when the config
    /// has a journal folder, a journal that records each target's report
    /// before its ``FleetEvent/targetFinished(_:)`` is sent (``RunJournal``).
    /// Throws only before anything runs: when `--on-error rollback` cannot
    /// promise a rollback, or the journal cannot be written.
    public func execute(_ plan: FleetPlan, events: @escaping @Sendable (FleetEvent) -> Void = { _ in }) async throws -> FleetReport {
        if options.onError == .rollback { try plan.checkReversible() }
        var apply = fleet.context
        var run: RunID?
        var journal: RunJournal?
        var events = events
        if !plan.dryRun {
            let started = Date()
            // An app may name its run (``ApplyContext/runID``); else a new id.
            run = fleet.context.runID.flatMap { try? RunID(parsing: $0) } ?? RunID(startedAt: started)
            if let directory = fleet.config.journalDirectory {
                let opened = try RunJournal(directory: directory, header: journalHeader(plan, run: run!, started: started),
                                            configFile: fleet.config.file, logger: fleet.logger, events: events)
                run = opened.run
                journal = opened
                events = { opened.send($0) }
            }
            apply.runID = run!.description
            events(.runStarted(run!, journal: journal?.path))
        }
        let pool = SessionPool(targets: plan.targets)
        let context = TargetRun.Context(command: plan.command, apply: apply, lockWait: options.lockWait,
                                        control: control, pool: pool, logger: fleet.logger,
                                        metrics: MigrationMetrics(factory: options.metrics),
                                        transactionMode: options.transactionMode)
        let execution = FleetExecution(plan: plan, options: options, control: control, context: context,
                                       replicas: ReplicaWaiter(options: options, missing: plan.missingReplicas,
                                                               events: events, logger: fleet.logger),
                                       events: events)
        let reports = await execution.run()
        await pool.close()
        var report = FleetReport(command: plan.command.name, dryRun: plan.dryRun,
                                 durationMs: (ContinuousClock.now - plan.started).milliseconds, targets: reports, lint: plan.lint)
        report.run = run
        report.journal = journal?.path
        await journal?.finish(report)
        context.metrics.finished(report)
        return report
    }

    /// The journal's first line for `plan`, run as `run`.
    private func journalHeader(_ plan: FleetPlan, run: RunID, started: Date) -> RunHeader {
        let selector = options.selector
        // `user@host` as history's `applied_by` has it.
        let by = fleet.context.appliedBy
        let at = by.lastIndex(of: "@")
        var phase: String?
        if case .upgrade(_, let chosen) = plan.command, chosen == .expand { phase = MigrationPhase.expand.rawValue }
        return RunHeader(
            run: run, command: plan.command.name, arguments: options.arguments, revision: plan.command.revision?.description,
            selectors: .init(databases: selector.databases, shards: selector.shards, tenants: selector.tenants,
                             targets: selector.targets, partition: selector.partition?.description),
            configSHA256: fleet.config.configSHA256, startedAt: Timestamp.string(started),
            user: at.map { String(by[..<$0]) } ?? by, host: at.map { String(by[by.index(after: $0)...]) } ?? "",
            shoalVersion: fleet.context.shoalVersion, retryOf: options.retryOf?.description,
            compensates: options.compensates?.description, targets: plan.targets.map(\.id), phase: phase,
            from: plan.fromByTarget)
    }
}

/// Runs `body` for every element with at most `limit` in flight, and returns
/// the results in input order. Tasks are only created as slots free up, so
/// 10,000 targets do not mean 10,000 parked tasks.
func forEachConcurrently<Element: Sendable, Result: Sendable>(
    _ elements: [Element], limit: Int, _ body: @escaping @Sendable (Element) async -> Result
) async -> [Result] {
    var results = [Result?](repeating: nil, count: elements.count)
    await withTaskGroup(of: (Int, Result).self) { group in
        var next = 0
        func startNext() {
            let index = next
            let element = elements[index]
            group.addTask { (index, await body(element)) }
            next += 1
        }
        while next < elements.count && next < max(1, limit) { startNext() }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < elements.count { startNext() }
        }
    }
    return results.map { $0! }
}

extension FleetPlan {
    /// Each target's version rows as the plan found them, by target id
    /// (the header's `from`), built in one pass with room for all.
    var fromByTarget: [String: [String]] {
        var from: [String: [String]] = [:]
        from.reserveCapacity(targets.count)
        for (target, decision) in zip(targets, decisions) where from[target.id] == nil {
            from[target.id] = decision.current
        }
        return from
    }
}
