import Logging

/// Fans a command out over targets: plans every target first (refusing bad
/// ones before any SQL runs), then runs them under the concurrency limits,
/// database by database in `after` order, and builds the report.
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

    /// Sessions opened ahead for the planning read (``Fleet/warmUp(_:concurrency:)``);
    /// the ones it does not take are closed before any target runs.
    public let warmup: SessionWarmup?

    public init(fleet: Fleet, options: Options = Options(), control: RunControl = RunControl(),
                warmup: SessionWarmup? = nil) {
        self.fleet = fleet
        self.options = options
        self.control = control
        self.warmup = warmup
    }

    /// Runs `command` on `targets` (in run order, as ``Fleet/targets(_:)``
    /// returns them). Throws only when the command cannot start (a revision
    /// argument that does not resolve, unreadable migration files): then no
    /// target was touched. Per-target problems end up in the report.
    public func run(_ command: FleetCommand, targets: [Target],
                    events: @escaping @Sendable (FleetEvent) -> Void = { _ in }) async throws -> FleetReport {
        let clock = ContinuousClock()
        let started = clock.now
        defer { warmup?.discard() }
        let graphs = try fleet.graphs(for: targets.map(\.database))
        for (database, graph) in graphs.sorted(by: { $0.key < $1.key }) {
            try Planner.validate(command.spec, graph: graph, database: database)
        }
        let pool = SessionPool()
        let migrators = targets.map { target in
            TargetMigrator(target: target, graph: graphs[target.database]!, command: command, context: fleet.context,
                           lockWait: options.lockWait, control: control, pool: pool, logger: fleet.logger)
        }

        let caps = ConnectionCaps(targets: targets)
        let replicas = ReplicaWaiter(options: options, events: events, logger: fleet.logger)

        // 1. Plan every target before touching any.
        var reader = StateReader(concurrency: options.concurrency, caps: caps, refuseStandby: true, warmup: warmup)
        reader.expectedChecksums = graphs.mapValues { graph in
            Dictionary(graph.migrations.map { ($0.revision, $0.checksum) }, uniquingKeysWith: { first, _ in first })
        }
        let states = await reader.readStates(targets)
        warmup?.discard()
        let memo = PlanMemo()
        var assessments = zip(migrators, states).map { $0.assess($1, memo: memo) }
        assessments = await replicas.preflight(assessments, targets: targets, caps: caps)
        let workCount = assessments.filter(\.runs).count
        events(.planned(targets: targets.count, work: workCount))
        if options.onError == .rollback {
            try checkReversible(assessments, targets: targets)
        }

        var reports = [TargetReport?](repeating: nil, count: targets.count)
        // Where each target that has work stands, for the report of one that never starts.
        let plannedFrom: [[String]] = assessments.map { if case .work(let plan) = $0 { plan.from } else { [] } }
        var pending: [Int] = []
        for (index, assessment) in assessments.enumerated() {
            let target = targets[index]
            switch assessment {
            case .refused(let error, let current):
                reports[index] = TargetReport(target: target, status: .failed, from: current, to: current, error: .init(error))
                if case .failure = states[index] { reports[index]?.revisionsKnown = false }
            case .upToDate(let plan):
                reports[index] = TargetReport(target: target, status: .upToDate, from: plan.from, to: plan.to)
            case .inProgress(let mark, let current):
                if options.dryRun {
                    let error = ShoalError(.locked, "\(target.id) is being migrated now by another shoal run (the \(mark.operation.rawValue) of \(mark.revision), transaction: false, started at \(mark.startedAt)); its plan depends on where that run ends", revision: mark.revision)
                    reports[index] = TargetReport(target: target, status: .skipped, from: current, to: current, error: .init(error))
                } else {
                    pending.append(index)
                }
            case .work(let plan):
                if options.dryRun {
                    // A stamp runs no step: its plan is the rows it would add.
                    let planned: [String]
                    if case .stamp = command { planned = plan.to.filter { !plan.from.contains($0) } } else { planned = plan.steps.map(\.revision) }
                    reports[index] = TargetReport(target: target, status: .planned, from: plan.from, to: plan.to, planned: planned)
                } else {
                    pending.append(index)
                }
            }
        }
        for report in reports.compactMap({ $0 }) { events(.targetFinished(report)) }

        // 2. Run: canary first, then the rest, each wave of databases after the ones it runs after.
        let stopReason = "an earlier target failed (--on-error \(options.onError.rawValue))"
        if options.onError != .continue && reports.contains(where: { $0?.status == .failed }) {
            await control.stopStartingTargets(reason: stopReason)
        }
        var committed: [Int: [PlanStep]] = [:]
        if !options.dryRun {
            let canary = Array(pending.prefix(options.canary))
            let rest = Array(pending.dropFirst(options.canary))
            for phase in [canary, rest] where !phase.isEmpty {
                if phase == rest && !canary.isEmpty && !canary.allSatisfy({ reports[$0]?.succeeded == true }) {
                    await control.stopStartingTargets(reason: "a canary target failed (--canary \(options.canary))")
                }
                for wave in waves(of: phase, targets: targets) {
                    let failedDatabases = Set(reports.compactMap { $0 }.filter { !$0.succeeded }.map(\.database))
                    let results = await forEachConcurrently(wave, limit: options.concurrency) { index -> (Int, TargetReport, [PlanStep]) in
                        let target = targets[index]
                        if let blocker = fleet.config.database(named: target.database)?.after.first(where: failedDatabases.contains) {
                            return (index, skipped(target, "not started: \(blocker), which \(target.database) runs after, had failures", at: plannedFrom[index]), [])
                        }
                        if let reason = await control.stopReason {
                            return (index, skipped(target, "not started: \(reason)", at: plannedFrom[index]), [])
                        }
                        events(.targetStarted(target.id))
                        let (report, steps) = await caps.withSlot(for: target) {
                            await migrators[index].run(planned: try? states[index].get()) { id, step in
                                events(.stepApplied(target: id, step: step))
                            }
                        }
                        if !report.succeeded && options.onError != .continue { await control.stopStartingTargets(reason: stopReason) }
                        if options.onError != .rollback {
                            events(ReplicaWaiter.waits(report, for: target) ? .targetCommitted(report) : .targetFinished(report))
                        }
                        return (index, report, steps)
                    }
                    for (index, report, steps) in results {
                        reports[index] = report
                        if !steps.isEmpty { committed[index] = steps }
                    }
                    let settled = await replicas.settle(results.map { ($0.0, $0.1) }, targets: targets) { _, report in
                        if options.onError != .rollback { events(.targetFinished(report)) }
                    }
                    for (index, report) in settled {
                        reports[index] = report
                        if !report.succeeded && options.onError != .continue { await control.stopStartingTargets(reason: stopReason) }
                    }
                }
            }
        }

        // 3. --on-error rollback: undo what this run committed, if anything failed.
        if options.onError == .rollback && !options.dryRun {
            let failed = reports.contains { $0?.status == .failed }
            if failed && !committed.isEmpty {
                events(.rollingBack(targets: committed.count))
                let undone = await forEachConcurrently(committed.sorted(by: { $0.key < $1.key }), limit: options.concurrency) { entry in
                    let migrator = migrators[entry.key]
                    return (entry.key, await caps.withSlot(for: migrator.target) { await migrator.rollBack(entry.value) })
                }
                for (index, error) in undone {
                    guard var report = reports[index] else { continue }
                    if let error {
                        report.status = .failed
                        report.error = .init(message: "rolling back after another target failed: \(error.message)",
                                             revision: error.revision, failure: error.failure)
                    } else {
                        if report.status != .failed { report.status = .rolledBack }
                        report.to = report.from
                    }
                    reports[index] = report
                }
            }
            for index in pending { if let report = reports[index] { events(.targetFinished(report)) } }
        }

        await pool.closeAll()
        let final = reports.enumerated().map { index, report in
            report ?? skipped(targets[index], "not started", at: plannedFrom[index])
        }
        return FleetReport(command: command.name, dryRun: options.dryRun,
                           durationMs: (clock.now - started).milliseconds, targets: final)
    }

    /// A target that never started, still at `revisions`.
    private func skipped(_ target: Target, _ reason: String, at revisions: [String]) -> TargetReport {
        TargetReport(target: target, status: .skipped, from: revisions, to: revisions, error: .init(message: reason))
    }

    /// With `--on-error rollback` every step must be undoable before anything runs.
    private func checkReversible(_ assessments: [TargetMigrator.Assessment], targets: [Target]) throws {
        var missing: [String: Set<String>] = [:]
        for (index, assessment) in assessments.enumerated() {
            guard case .work(let plan) = assessment else { continue }
            for step in plan.steps where step.direction == .up && step.migration.down == nil {
                missing[step.migration.path, default: []].insert(targets[index].id)
            }
        }
        guard !missing.isEmpty else { return }
        let files = missing.keys.sorted().map { "\($0) (needed by \(missing[$0]!.count) target(s))" }
        throw ShoalError(.usage, "--on-error rollback cannot promise a rollback: these migrations have no down section: \(files.joined(separator: ", ")). Add down sections, or use --on-error stop.")
    }

    /// Splits targets (indices) into waves: a database runs in a later wave
    /// than every database it names in `after`, so concurrency never crosses
    /// an `after` edge.
    private func waves(of indices: [Int], targets: [Target]) -> [[Int]] {
        var level: [String: Int] = [:]
        for database in fleet.config.databases {  // already in `after` order
            level[database.name] = (database.after.compactMap { level[$0] }.max() ?? -1) + 1
        }
        let grouped = Dictionary(grouping: indices) { level[targets[$0].database] ?? 0 }
        return grouped.keys.sorted().map { grouped[$0]! }
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
