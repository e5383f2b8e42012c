/// The carrying out of one ``FleetPlan`` (``FleetRunner/execute(_:events:)``):
/// the canary targets, then the rest, wave by wave; each target a
/// ``TargetRun`` under `--concurrency` and its shard's connection cap; the
/// replicas waited for after each wave; `--on-error` applied as targets
/// fail; and, with `--on-error rollback`, the undoing of the run's steps.
struct FleetExecution: Sendable {
    let plan: FleetPlan
    let options: FleetRunner.Options
    let control: RunControl
    let context: TargetRun.Context
    let replicas: ReplicaWaiter
    let events: @Sendable (FleetEvent) -> Void

    /// What the run knows so far: a report per target (`not started`
    /// until it has its own; `known` tells which have), and the steps each
    /// target committed (what a rollback undoes). The reports are the run's
    /// result as they stand: no second array of 100,000 of them is made.
    private struct Ledger {
        var reports: [TargetReport]
        var known: [Bool]
        var committed: [Int: [PlanStep]] = [:]
        var anyFailed: Bool { reports.indices.contains { known[$0] && reports[$0].status == .failed } }
        var failedDatabases: Set<String> {
            Set(reports.indices.lazy.filter { known[$0] && !reports[$0].succeeded }.map { reports[$0].database })
        }
        func report(_ index: Int) -> TargetReport? { known[index] ? reports[index] : nil }
        mutating func record(_ report: TargetReport, at index: Int) {
            reports[index] = report
            known[index] = true
        }
    }

    private var stopReason: String { "an earlier target failed (--on-error \(options.onError.rawValue))" }

    /// Every target's report, in plan order.
    func run() async -> [TargetReport] {
        var ledger = Ledger(reports: [], known: [])
        ledger.reports.reserveCapacity(plan.targets.count)
        ledger.known.reserveCapacity(plan.targets.count)
        for index in plan.targets.indices {
            let report = plan.reportBeforeRunning(index, transactionMode: options.transactionMode)
            ledger.reports.append(report ?? skipped(index, "not started"))
            ledger.known.append(report != nil)
            if let report { events(.targetFinished(report)) }
        }
        if options.onError != .continue && ledger.anyFailed {
            await control.stopStartingTargets(reason: stopReason)
        }
        let canary = plan.canary
        for phase in [canary, plan.rest] where !phase.isEmpty {
            if phase != canary && !canary.allSatisfy({ ledger.report($0)?.succeeded == true }) {
                await control.stopStartingTargets(reason: "a canary target failed (--canary \(options.canary))")
            }
            for wave in plan.waves(of: phase) {
                await run(wave: wave, &ledger)
            }
        }
        if options.onError == .rollback && !plan.dryRun {
            await rollBack(&ledger)
            for index in plan.running { if let report = ledger.report(index) { events(.targetFinished(report)) } }
        }
        return ledger.reports
    }

    /// Runs one wave's targets, then waits for their replicas.
    private func run(wave: [Int], _ ledger: inout Ledger) async {
        let failedDatabases = ledger.failedDatabases
        let results = await forEachConcurrently(wave, limit: options.concurrency) { index in
            (index, await start(index, failedDatabases: failedDatabases))
        }
        for (index, outcome) in results {
            ledger.record(outcome.report, at: index)
            if !outcome.committed.isEmpty { ledger.committed[index] = outcome.committed }
        }
        let settled = await replicas.settle(results.map { ($0.0, $0.1.report) }, targets: plan.targets) { [options, events] _, report in
            if options.onError != .rollback { events(.targetFinished(report)) }
        }
        for (index, report) in settled {
            ledger.record(report, at: index)
            if !report.succeeded && options.onError != .continue { await control.stopStartingTargets(reason: stopReason) }
        }
    }

    /// Runs target `index`, unless a database it runs after failed or the
    /// run stopped starting targets.
    private func start(_ index: Int, failedDatabases: Set<String>) async -> TargetRun.Outcome {
        let target = plan.targets[index]
        if let blocker = plan.blocker(of: index, failed: failedDatabases) {
            return TargetRun.Outcome(report: skipped(index, "not started: \(blocker), which \(target.database) runs after, had failures"), committed: [])
        }
        if let reason = await control.stopReason {
            return TargetRun.Outcome(report: skipped(index, "not started: \(reason)"), committed: [])
        }
        events(.targetStarted(target.id))
        let outcome = await context.pool.withSlot(for: target) { [plan, context, events] in
            var run = TargetRun(target: target, graph: plan.graphs[target.database]!, context: context, planned: plan.states[index])
            return await run.run { id, step in events(.stepApplied(target: id, step: step)) }
        }
        let report = outcome.report
        if !report.succeeded && options.onError != .continue { await control.stopStartingTargets(reason: stopReason) }
        if options.onError != .rollback {
            events(ReplicaWaiter.waits(report, for: target) ? .targetCommitted(report) : .targetFinished(report))
        }
        return outcome
    }

    /// `--on-error rollback`: when a target failed, undoes what this run
    /// committed, every target back where the run found it.
    private func rollBack(_ ledger: inout Ledger) async {
        guard ledger.anyFailed && !ledger.committed.isEmpty else { return }
        events(.rollingBack(targets: ledger.committed.count))
        let undone = await forEachConcurrently(ledger.committed.sorted(by: { $0.key < $1.key }), limit: options.concurrency) { [plan, context] entry in
            let target = plan.targets[entry.key]
            let run = TargetRun(target: target, graph: plan.graphs[target.database]!, context: context, planned: nil)
            return (entry.key, await context.pool.withSlot(for: target) { await run.rollBack(entry.value) })
        }
        for (index, error) in undone {
            guard var report = ledger.report(index) else { continue }
            if let error {
                report.status = .failed
                report.error = .init(message: "rolling back after another target failed: \(error.message)",
                                     revision: error.revision, failure: error.failure)
            } else {
                if report.status != .failed { report.status = .rolledBack }
                report.to = report.from
                report.stoppedAt = nil
            }
            ledger.record(report, at: index)
        }
    }

    /// A target that never started, still where the plan found it.
    private func skipped(_ index: Int, _ reason: String) -> TargetReport {
        let revisions = plan.plannedFrom(index)
        return TargetReport(target: plan.targets[index], status: .skipped, from: revisions, to: revisions, error: .init(message: reason))
    }
}

extension FleetPlan {
    /// The report of target `index` when it does not run (a refusal,
    /// nothing to do) or when this is a dry run (what it would do, with the
    /// transactions of `transactionMode`, else of the database's
    /// `transaction_mode`); nil for a target that runs.
    func reportBeforeRunning(_ index: Int, transactionMode: TransactionMode? = nil) -> TargetReport? {
        let target = targets[index]
        switch decisions[index] {
        case .refused(let error, let current):
            var report = TargetReport(target: target, status: .failed, from: current, to: current, error: .init(error))
            if states[index] == nil { report.revisionsKnown = false }
            return report
        case .upToDate(let plan):
            var report = TargetReport(target: target, status: .upToDate, from: plan.from, to: plan.to)
            report.stoppedAt = plan.stoppedAt
            return report
        case .inProgress(let mark, let current):
            guard dryRun else { return nil }
            let error = ShoalError(.locked, "\(target.id) is being migrated now by another shoal run (the \(mark.operation.rawValue) of \(mark.revision), transaction: false, started at \(mark.startedAt)); its plan depends on where that run ends", revision: mark.revision)
            return TargetReport(target: target, status: .skipped, from: current, to: current, error: .init(error))
        case .work(let plan):
            guard dryRun else { return nil }
            var report = TargetReport(target: target, status: .planned, from: plan.from, to: plan.to, planned: plan.planned)
            report.stoppedAt = plan.stoppedAt
            if plan.kind == .steps {
                report.groups = (transactionMode ?? target.settings.transactionMode).groups(plan.steps).map { $0.map(\.revision) }
            }
            return report
        }
    }

    /// Where target `index` stands by the plan, for the report of a target
    /// that has work but never starts.
    func plannedFrom(_ index: Int) -> [String] {
        if case .work(let plan) = decisions[index] { plan.from } else { [] }
    }
}
