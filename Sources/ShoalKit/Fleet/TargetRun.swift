import Logging

/// One target's part in a run: takes a session and the target's migrator
/// lock, reads the version tables again under the lock, decides from that
/// read (nothing decided before the lock is applied), and carries out the
/// plan: its steps one transaction each (or, `--transaction per-target`,
/// one transaction per group of them), or a stamp's rows.
///
/// The run's progress (where the target was found and is now, the steps
/// that committed, lock retries) lives in the value's own fields, which
/// each step of the run updates; ``report(_:_:)`` turns it into the
/// target's report at whatever point the run ends.
struct TargetRun: Sendable {
    /// What every target of a run shares.
    struct Context: Sendable {
        let command: FleetCommand
        let apply: ApplyContext
        let lockWait: Duration
        let control: RunControl
        let pool: SessionPool
        let logger: Logger
        let metrics: MigrationMetrics
        /// `--transaction`; nil: each database's `transaction_mode`.
        var transactionMode: TransactionMode?
    }

    /// A run's last word on its target: the report, and the steps that
    /// committed (for `--on-error rollback`).
    struct Outcome: Sendable {
        var report: TargetReport
        var committed: [PlanStep]
    }

    let target: Target
    let graph: RevisionGraph
    let context: Context
    /// What the planning pass read, if it could: a stamp refuses a target
    /// that another run changed since (it would move that run's work back),
    /// unless the target is already where the stamp leads.
    let planned: VersionState?

    /// How the target's steps are grouped into transactions (SPEC §13).
    var transactionMode: TransactionMode { context.transactionMode ?? target.settings.transactionMode }

    // Progress, updated as the run goes.
    private let started = ContinuousClock.now
    /// Version rows when the run found the target (the planning read's
    /// until the read under the lock).
    private var from: [String]
    /// Version rows now.
    private var to: [String]
    /// Whether `from` and `to` were read, or are unknown.
    private var revisionsKnown: Bool
    private var applied: [TargetReport.AppliedStep] = []
    private var committed: [PlanStep] = []
    private var retries = 0
    /// The contract migration the plan stops before (`--phase expand`).
    private var stoppedAt: String?

    init(target: Target, graph: RevisionGraph, context: Context, planned: VersionState?) {
        self.target = target
        self.graph = graph
        self.context = context
        self.planned = planned
        from = planned?.current.sorted() ?? []
        to = from
        revisionsKnown = planned != nil
    }

    /// Carries out the command on the target. `onStep` hears about each
    /// committed step. Never throws: problems end up in the report.
    mutating func run(onStep: @Sendable (String, TargetReport.AppliedStep) -> Void) async -> Outcome {
        if let mark = planned?.dirty, mark.inProgress {
            context.logger.notice("\(target.id) is being migrated by another shoal run (the \(mark.operation.rawValue) of \(mark.revision), transaction: false); waiting up to \(context.lockWait.milliseconds / 1000) s for its lock, then planning from where that run left it")
        }
        let session: any DatabaseSession
        do {
            session = try await context.pool.checkout(target, lockWait: context.lockWait)
        } catch {
            return outcome(.failed, ShoalError.wrap(error, target: target))
        }
        let (outcome, reusable) = await runHoldingLock(session, onStep: onStep)
        await context.pool.checkin(session, for: target, healthy: reusable)
        return outcome
    }

    /// Undoes `steps` (committed by this run), newest first, so the target
    /// is back where the run found it, in the transactions of the run's
    /// mode (per target: all at once). Returns the error that stopped it, if any.
    func rollBack(_ steps: [PlanStep]) async -> ShoalError? {
        let plan = Plan.undoing(steps)
        do {
            func undo(_ session: isolated any DatabaseSession) async throws {
                let store = VersionStore(session: session, target: target)
                for group in transactionMode.groups(plan.steps) {
                    _ = try await applyOnce(group, store)
                }
            }
            try await context.pool.withSession(target, lockWait: context.lockWait, { session in try await undo(session) }, healthy: { true })
            return nil
        } catch {
            return ShoalError.wrap(error, target: target)
        }
    }

    // MARK: - Under the lock

    /// Everything under the lock runs isolated to the session: the version
    /// store's calls then stay on the session's own thread, where its
    /// blocking C calls run anyway, instead of hopping to Swift's pool and
    /// back around every statement (two context switches each). Returns
    /// the outcome and whether the session may serve the next target.
    private mutating func runHoldingLock(_ session: isolated any DatabaseSession,
                                         onStep: @Sendable (String, TargetReport.AppliedStep) -> Void) async -> (Outcome, Bool) {
        let lockKey = target.migrationLockKey
        do {
            guard try await session.acquireMigrationLock(key: lockKey, timeout: context.lockWait) else {
                let locked = outcome(.failed, ShoalError(.locked, "\(target.id) is locked by another shoal run; waited \(context.lockWait.milliseconds / 1000) s. Let that run finish, then run again."))
                return (locked, Self.sessionReusable(after: locked.report))
            }
        } catch {
            return (outcome(.failed, ShoalError.wrap(error, target: target).during(.lock)), false)
        }
        do {
            try await ReplicaRollout.prepareCommits(session, target: target)
            var result = try await decideAndCarryOut(VersionStore(session: session, target: target), onStep: onStep)
            result.report.commitPosition = await ReplicaRollout.commitPosition(session, target: target, report: result.report)
            await session.releaseMigrationLock(key: lockKey)
            return (result, Self.sessionReusable(after: result.report))
        } catch {
            await session.releaseMigrationLock(key: lockKey)
            return (outcome(.failed, ShoalError.wrap(error, target: target)), false)
        }
    }

    /// Reads the target under the lock and decides from that read, so that
    /// nothing is applied twice; decides again if another runner moved the
    /// target between two steps.
    private mutating nonisolated(nonsending) func decideAndCarryOut(
        _ store: VersionStore, onStep: @Sendable (String, TargetReport.AppliedStep) -> Void
    ) async throws -> Outcome {
        for attempt in 1... {
            let state = try await store.readState()
            if attempt == 1 {
                from = state.current.sorted()
                revisionsKnown = true
            }
            to = state.current.sorted()
            let plan: Plan
            switch try TargetDecision.decide(context.command, state: state, graph: graph, target: target) {
            case .upToDate(let upToDate):
                stoppedAt = upToDate.stoppedAt
                return outcome(applied.isEmpty ? .upToDate : .ok)
            case .refused(let error, _):
                return outcome(.failed, error)
            case .inProgress(let mark, _):  // not reported under our own lock; refused as dirty if it were
                return outcome(.failed, TargetPlanner.dirtyError(mark, target: target))
            case .work(let work):
                plan = work
                stoppedAt = work.stoppedAt
            }
            if plan.kind == .stamp, attempt == 1, let planned, Self.changed(from: planned, to: state) {
                return outcome(.failed, ShoalError(.locked, """
                    \(target.id) changed while this stamp waited for its lock: another run moved it from \
                    \(Self.describe(planned)) to \(Self.describe(state)), so nothing was stamped
                    """, hint: "check `shoal status`, then run the stamp again if it is still what you want"))
            }
            // shoal creates the three tables together: an initialized target
            // has them, and four DDL statements per target would be wasted.
            if !state.initialized { try await store.ensureTables() }
            // A history table from before run ids gets its run_id column the
            // first time a run writes to it, under the lock, once: the read
            // above looked (SPEC §11).
            if state.historyLacksRunID { try await store.addRunIDColumn() }
            if plan.kind == .stamp { return try await stamp(plan, store) }
            do {
                return try await runSteps(plan, store, onStep: onStep)
            } catch let error as ShoalError where error.kind == .locked && attempt < 3 {
                context.logger.info("\(target.id): version table changed under us (\(error.message)); planning again")
            }
        }
        preconditionFailure("unreachable")
    }

    /// Writes a stamp's version rows (and clears a dirty mark); runs no SQL.
    private mutating nonisolated(nonsending) func stamp(_ plan: Plan, _ store: VersionStore) async throws -> Outcome {
        let checksums = Dictionary(uniqueKeysWithValues: plan.to.compactMap { revision in
            graph.migration(revision).map { (revision, $0.checksum) }
        })
        try await store.stamp(to: plan.to, checksums: checksums, context: context.apply)
        to = plan.to
        return outcome(.ok)
    }

    /// Runs the plan's steps in the transactions of the run's mode,
    /// stopping between two of them when the run is interrupted (the target
    /// is then at a revision it reached by committed steps). The steps of a
    /// transaction are reported (`onStep`, `applied`) once it commits.
    private mutating nonisolated(nonsending) func runSteps(
        _ plan: Plan, _ store: VersionStore, onStep: @Sendable (String, TargetReport.AppliedStep) -> Void
    ) async throws -> Outcome {
        var remaining = plan.steps.count
        for group in transactionMode.groups(plan.steps) {
            if let reason = context.control.interruption {
                let total = applied.count + remaining
                let done = applied.isEmpty ? "before its first step" : "after \(applied.count) of \(total) steps"
                return outcome(.failed, ShoalError(.interrupted, "stopped \(done): \(reason); run again to finish", revision: group[0].revision))
            }
            let durations: [Int]
            do {
                durations = try await apply(group, store)
            } catch var error as ShoalError where group.count > 1 {
                if error.failure?.phase == .commit, error.failure?.leavesSessionUnusable ?? true {
                    // The connection broke around COMMIT: the server may have committed.
                    error.message += " (\(Self.describe(group)): the connection broke at its COMMIT, so whether it "
                        + "committed is unknown; `shoal status` shows where the target is)"
                } else {
                    error.message += " (\(Self.describe(group)), was rolled back: none of them is applied)"
                }
                throw error
            }
            for (step, ms) in zip(group, durations) {
                let done = TargetReport.AppliedStep(revision: step.revision, direction: step.direction, durationMs: ms)
                applied.append(done)
                committed.append(step)
                to = step.versionsAfter.sorted()
                onStep(target.id, done)
            }
            remaining -= group.count
        }
        return outcome(.ok)
    }

    /// Applies one transaction's steps; returns each step's milliseconds.
    /// A transaction that failed on `lock_timeout` (another session held a
    /// lock it needed) rolled back cleanly: wait, then run it again, whole,
    /// up to the target's `lock_retries`.
    private mutating nonisolated(nonsending) func apply(_ group: [PlanStep], _ store: VersionStore) async throws -> [Int] {
        var attempt = 0
        while true {
            let retryable = attempt < target.settings.lockRetries
            do {
                return try await applyOnce(group, store, retryable: retryable)
            } catch where retryable && Self.hitLockTimeout(error) {
                attempt += 1
                retries += 1
                let delay = Self.retryDelay(attempt: attempt)
                let what = group.count == 1 ? group[0].revision : Self.describe(group) + ","
                context.logger.notice("\(target.id): \(what) hit lock_timeout; retry \(attempt) of \(target.settings.lockRetries) in \(delay)")
                try await Task.sleep(for: delay)
            }
        }
    }

    /// One attempt at one transaction's steps, measured: a step alone as
    /// ``VersionStore/apply(_:context:)`` runs it (also a `transaction:
    /// false` one), several as ``VersionStore/apply(group:context:)``.
    /// `retryable`: a failure on `lock_timeout` will be retried, so it is
    /// not counted as failed.
    private nonisolated(nonsending) func applyOnce(_ group: [PlanStep], _ store: VersionStore,
                                                   retryable: Bool = false) async throws -> [Int] {
        func retrying(_ error: any Error) -> Bool { retryable && Self.hitLockTimeout(error) }
        if group.count == 1 {
            let step = group[0]
            return [try await context.metrics.measure(step, on: target.database, retrying: retrying) {
                try await store.apply(step, context: context.apply)
            }]
        }
        return try await context.metrics.measure(group: group, on: target.database, retrying: retrying) {
            try await store.apply(group: group, context: context.apply)
        }
    }

    // MARK: - The report

    /// The target's report as the run stands now, ending with `status`.
    private func outcome(_ status: TargetReport.Status, _ error: ShoalError? = nil) -> Outcome {
        var error = error
        if retries > 0, error?.failure?.isLockNotAvailable == true {
            error?.message += " (gave up after \(retries) retr\(retries == 1 ? "y" : "ies") on lock_timeout)"
        }
        var report = TargetReport(target: target, status: status, from: from, to: to, applied: applied,
                                  durationMs: (ContinuousClock.now - started).milliseconds,
                                  error: error.map(TargetReport.ErrorInfo.init), retries: retries)
        report.revisionsKnown = revisionsKnown
        if report.succeeded { report.stoppedAt = stoppedAt }
        return Outcome(report: report, committed: committed)
    }

    /// Whether another run changed the target's version rows or dirty mark
    /// between the planning read (`planned`) and the read under the lock.
    static func changed(from planned: VersionState, to now: VersionState) -> Bool {
        if planned.current.sorted() != now.current.sorted() { return true }
        switch (planned.dirty, now.dirty) {
        case (nil, nil): return false
        case (let before?, let after?): return !before.isSameMark(as: after)
        default: return true
        }
    }

    /// `base`, the version rows, and the dirty mark if any.
    static func describe(_ state: VersionState) -> String {
        var text = state.current.isEmpty ? "base" : state.current.sorted().joined(separator: ", ")
        if let dirty = state.dirty { text += " (dirty: \(dirty.operation.rawValue) of \(dirty.revision) unfinished)" }
        return text
    }

    /// Whether the session a target ran on can serve the next target: not
    /// after a failure its driver says leaves it unusable (a lost connection,
    /// a cancellation), nor after an error the database did not report (a
    /// refusal, a verify section that returned false), which closes it as a
    /// precaution.
    static func sessionReusable(after report: TargetReport) -> Bool {
        guard let error = report.error else { return true }
        return !(error.failure?.leavesSessionUnusable ?? true)
    }

    /// Whether `error` is a `lock_timeout` (another session held a lock the
    /// transaction needed): what a retry may cure.
    static func hitLockTimeout(_ error: any Error) -> Bool {
        (error as? ShoalError)?.failure?.isLockNotAvailable == true
    }

    /// `its transaction of 3 steps, r1 to r3`: a group of several steps,
    /// named by its ends (a target's group may hold hundreds).
    static func describe(_ group: [PlanStep]) -> String {
        "its transaction of \(group.count) steps, \(group[0].revision) to \(group[group.count - 1].revision)"
    }

    /// Backoff before lock-timeout retry `attempt` (1-based): 0.5 s doubling, at most 8 s.
    static func retryDelay(attempt: Int) -> Duration {
        .milliseconds(min(8000, 500 << min(attempt - 1, 4)))
    }
}

extension TargetLocation {
    /// The tenant's schema, for `layout: schema` targets.
    var schema: String? {
        if case .postgres(_, let schema) = self { return schema }
        return nil
    }
}
