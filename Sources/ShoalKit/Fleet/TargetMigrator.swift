import Logging

/// Runs one fan-out command on one target: reads its version tables, plans,
/// takes the migrator lock, reads them again under the lock, and applies the
/// steps one transaction at a time.
struct TargetMigrator: Sendable {
    let target: Target
    let graph: RevisionGraph
    let command: FleetCommand
    let context: ApplyContext
    let lockWait: Duration
    let control: RunControl
    let pool: SessionPool
    let logger: Logger

    /// What the planning pass found, before anything is touched.
    enum Assessment: Sendable {
        /// Steps to run (or, for stamp, rows to write).
        case work(Plan)
        /// Nothing to do.
        case upToDate(Plan)
        /// Refused: not touched.
        case refused(ShoalError, current: [String])
        /// Dirty, but a live run holds the target's lock: a `transaction:
        /// false` migration is running now. The run waits for the lock
        /// (`--lock-wait`), then reads the target again and plans from that.
        case inProgress(DirtyMark, current: [String])

        /// Whether the target goes on to the run (work, or a wait for another run).
        var runs: Bool {
            switch self {
            case .work, .inProgress: true
            case .upToDate, .refused: false
            }
        }
    }

    /// Plans the command from the state the planning pass read (or the
    /// reason it could not be read).
    /// `memo` is shared by the targets of one run.
    func assess(_ read: Result<VersionState, ShoalError>, memo: PlanMemo? = nil) -> Assessment {
        do {
            return try classify(state: read.get(), memo: memo)
        } catch {
            return .refused(ShoalError.wrap(error, target: target), current: (try? read.get().current.sorted()) ?? [])
        }
    }

    private func classify(state: VersionState, memo: PlanMemo? = nil) throws -> Assessment {
        if let dirty = state.dirty, dirty.inProgress {
            return .inProgress(dirty, current: state.current.sorted())
        }
        let plan = try TargetPlanner.plan(command, state: state, graph: graph, target: target, memo: memo)
        if case .stamp = command {
            let unchanged = plan.to == state.current.sorted() && state.dirty == nil && state.initialized
            return unchanged ? .upToDate(plan) : .work(plan)
        }
        return plan.isEmpty ? .upToDate(plan) : .work(plan)
    }

    /// Runs the command for real. `onStep` hears about each committed step.
    /// Returns the report and the steps that committed (for `--on-error rollback`).
    ///
    /// Nothing decided before the lock is applied: under the lock the
    /// target is read again and planned from what is there. `planned` is
    /// what the planning pass read: a `stamp` refuses a target that another
    /// run changed since (it would move that run's work back), unless the
    /// target is already where the stamp leads.
    func run(planned: VersionState? = nil,
             onStep: @Sendable (String, TargetReport.AppliedStep) -> Void) async -> (TargetReport, [PlanStep]) {
        let clock = ContinuousClock()
        let started = clock.now
        var applied: [TargetReport.AppliedStep] = []
        var appliedSteps: [PlanStep] = []
        // Until the read under the lock, the planning pass's read is what is known.
        var from = planned?.current.sorted() ?? []
        var to = from
        var read = planned != nil  // whether `from` and `to` were read, or are unknown
        var retries = 0

        func report(_ status: TargetReport.Status, _ error: ShoalError? = nil) -> (TargetReport, [PlanStep]) {
            var error = error
            if retries > 0, error?.failure?.isLockNotAvailable == true {
                error?.message += " (gave up after \(retries) retr\(retries == 1 ? "y" : "ies") on lock_timeout)"
            }
            var report = TargetReport(target: target, status: status, from: from, to: to, applied: applied,
                                      durationMs: (clock.now - started).milliseconds,
                                      error: error.map(TargetReport.ErrorInfo.init), retries: retries)
            report.revisionsKnown = read
            return (report, appliedSteps)
        }

        // A step that failed on lock_timeout (another session held a lock it
        // needed) rolled back cleanly: wait, then run it again, up to lock_retries.
        nonisolated(nonsending) func apply(_ step: PlanStep, _ store: VersionStore) async throws -> Int {
            var attempt = 0
            while true {
                do {
                    return try await store.apply(step, context: context)
                } catch let error as ShoalError where error.failure?.isLockNotAvailable == true && attempt < target.settings.lockRetries {
                    attempt += 1
                    retries += 1
                    let delay = Self.retryDelay(attempt: attempt)
                    logger.notice("\(target.id): \(step.revision) hit lock_timeout; retry \(attempt) of \(target.settings.lockRetries) in \(delay)")
                    try await Task.sleep(for: delay)
                }
            }
        }

        // Plans under the lock from a fresh read, so that nothing is applied twice;
        // plans again if another runner moved the target between two steps.
        nonisolated(nonsending) func migrate(_ store: VersionStore) async throws -> (TargetReport, [PlanStep]) {
            for attempt in 1... {
                let state = try await store.readState()
                if attempt == 1 { from = state.current.sorted(); read = true }
                to = state.current.sorted()
                let plan: Plan
                switch try classify(state: state) {
                case .upToDate:
                    return report(applied.isEmpty ? .upToDate : .ok)
                case .refused(let error, _):
                    return report(.failed, error)
                case .inProgress(let mark, _):  // not reported under our own lock; refused as dirty if it were
                    return report(.failed, TargetPlanner.dirtyError(mark, target: target))
                case .work(let work):
                    plan = work
                }
                if case .stamp = command, attempt == 1, let planned, Self.changed(from: planned, to: state) {
                    return report(.failed, ShoalError(.locked, """
                        \(target.id) changed while this stamp waited for its lock: another run moved it from \
                        \(Self.describe(planned)) to \(Self.describe(state)), so nothing was stamped
                        """, hint: "check `shoal status`, then run the stamp again if it is still what you want"))
                }
                // shoal creates the three tables together: an initialized target
                // has them, and four DDL statements per target would be wasted.
                if !state.initialized { try await store.ensureTables() }
                if case .stamp = command {
                    let checksums = Dictionary(uniqueKeysWithValues: plan.to.compactMap { revision in
                        graph.migration(revision).map { (revision, $0.checksum) }
                    })
                    try await store.stamp(to: plan.to, checksums: checksums, context: context)
                    to = plan.to
                    return report(.ok)
                }
                do {
                    for (index, step) in plan.steps.enumerated() {
                        if let reason = control.interruption {
                            // Between steps the target is at a committed revision: stop here.
                            let total = applied.count + plan.steps.count - index
                            let done = applied.isEmpty ? "before its first step" : "after \(applied.count) of \(total) steps"
                            return report(.failed, ShoalError(.interrupted, "stopped \(done): \(reason); run again to finish", revision: step.revision))
                        }
                        let ms = try await apply(step, store)
                        let done = TargetReport.AppliedStep(revision: step.revision, direction: step.direction, durationMs: ms)
                        applied.append(done)
                        appliedSteps.append(step)
                        to = step.versionsAfter.sorted()
                        onStep(target.id, done)
                    }
                    return report(.ok)
                } catch let error as ShoalError where error.kind == .locked && attempt < 3 {
                    logger.info("\(target.id): version table changed under us (\(error.message)); planning again")
                }
            }
            preconditionFailure("unreachable")
        }

        // Everything under the lock runs isolated to the session: the version
        // store's calls then stay on the session's own thread, where its
        // blocking C calls run anyway, instead of hopping to Swift's pool and
        // back around every statement (two context switches each).
        let lockKey = target.migrationLockKey
        // Never throws: the report it returns is the target's last word (the
        // captured state is the session's from here on), and whether the
        // session may serve the next target.
        func holdingLock(_ session: isolated any DatabaseSession) async -> (result: (TargetReport, [PlanStep]), reusable: Bool) {
            do {
                guard try await session.acquireMigrationLock(key: lockKey, timeout: lockWait) else {
                    let locked = report(.failed, ShoalError(.locked, "\(target.id) is locked by another shoal run; waited \(lockWait.milliseconds / 1000) s. Let that run finish, then run again."))
                    return (locked, Self.sessionReusable(after: locked.0))
                }
            } catch {
                return (report(.failed, ShoalError.wrap(error, target: target).during(.lock)), false)
            }
            do {
                try await ReplicaRollout.prepareCommits(session, target: target)
                var result = try await migrate(VersionStore(session: session, target: target))
                result.0.commitPosition = await ReplicaRollout.commitPosition(session, target: target, report: result.0)
                await session.releaseMigrationLock(key: lockKey)
                return (result, Self.sessionReusable(after: result.0))
            } catch {
                await session.releaseMigrationLock(key: lockKey)
                return (report(.failed, ShoalError.wrap(error, target: target)), false)
            }
        }
        if let mark = planned?.dirty, mark.inProgress {
            logger.notice("\(target.id) is being migrated by another shoal run (the \(mark.operation.rawValue) of \(mark.revision), transaction: false); waiting up to \(lockWait.milliseconds / 1000) s for its lock, then planning from where that run left it")
        }
        let session: any DatabaseSession
        do {
            session = try await pool.checkout(target, lockWait: lockWait)
        } catch {
            return report(.failed, ShoalError.wrap(error, target: target))
        }
        let (result, reusable) = await holdingLock(session)
        await pool.checkin(session, for: target, healthy: reusable)
        return result
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

    /// Backoff before lock-timeout retry `attempt` (1-based): 0.5 s doubling, at most 8 s.
    static func retryDelay(attempt: Int) -> Duration {
        .milliseconds(min(8000, 500 << min(attempt - 1, 4)))
    }

    /// Undoes `steps` (applied by this run), newest first, so the target is
    /// back where the run found it. Returns the error that stopped it, if any.
    func rollBack(_ steps: [PlanStep]) async -> ShoalError? {
        let inverse = steps.reversed().map(\.inverse)
        do {
            func undo(_ session: isolated any DatabaseSession) async throws {
                let store = VersionStore(session: session, target: target)
                for step in inverse {
                    _ = try await store.apply(step, context: context)
                }
            }
            try await pool.withSession(target, lockWait: lockWait, { session in try await undo(session) }, healthy: { true })
            return nil
        } catch {
            return ShoalError.wrap(error, target: target)
        }
    }
}

extension PlanStep {
    /// The step that undoes this one (`down` for an `up`, and back).
    var inverse: PlanStep {
        PlanStep(migration: migration, direction: direction == .up ? .down : .up,
                 removeVersions: addVersions, addVersions: removeVersions,
                 versionsBefore: versionsAfter, versionsAfter: versionsBefore)
    }
}

extension TargetLocation {
    /// The tenant's schema, for `layout: schema` targets.
    var schema: String? {
        if case .postgres(_, let schema) = self { return schema }
        return nil
    }
}
