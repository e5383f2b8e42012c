/// What the history tables say about the targets of a `shoal rollback`
/// (SPEC §11): which run moved each one last (its newest history row's
/// `run_id`). A target the compensated run never reported (it was killed
/// first) is where that run left it when that run moved it last; a refused
/// target names the run that moved it since.
enum LaterRuns {
    /// `command` with the end of each target the compensated run never
    /// reported settled: its rows now, when its newest history row is that
    /// run's (or it is already back). Only those targets' history is read.
    static func settleUnreported(_ command: FleetCommand, targets: [Target], reads: [Result<VersionState, ShoalError>],
                                 fleet: Fleet, concurrency: Int) async -> FleetCommand {
        guard case .rollback(var compensation) = command else { return command }
        var unsettled: [(target: Target, now: [String])] = []
        for (target, read) in zip(targets, reads) {
            guard let move = compensation.moves[target.id], move.to == nil,
                  let now = try? read.get().current.sorted(), now != move.from else { continue }
            unsettled.append((target, now))
        }
        guard !unsettled.isEmpty else { return command }
        let histories = await FleetHistory(fleet: fleet, concurrency: concurrency).history(of: unsettled.map(\.target), limit: 1)
        for ((target, now), history) in zip(unsettled, histories) where history.entries.first?.runID == compensation.run {
            compensation.moves[target.id]?.to = now
        }
        return .rollback(compensation)
    }

    /// Adds to the refusal of each target of `plan` that a later run moved
    /// (``TargetPlanner/movedSinceRun(_:now:compensation:)``) which run
    /// that was, read from its history (one row each; only those targets).
    static func name(in plan: inout FleetPlan, fleet: Fleet, concurrency: Int) async {
        guard case .rollback(let compensation) = plan.command, !compensation.force else { return }
        var moved: [Int] = []
        for (index, decision) in plan.decisions.enumerated() {
            guard case .refused = decision, let move = compensation.moves[plan.targets[index].id],
                  let now = plan.states[index]?.current.sorted(), now != move.from, now != move.to else { continue }
            moved.append(index)
        }
        guard !moved.isEmpty else { return }
        let histories = await FleetHistory(fleet: fleet, concurrency: concurrency).history(of: moved.map { plan.targets[$0] }, limit: 1)
        for (index, history) in zip(moved, histories) {
            guard case .refused(var error, let current) = plan.decisions[index] else { continue }
            if let newest = history.entries.first {
                let by = newest.runID.map { "run \($0)" } ?? "a change without a run id (an older shoal, or `shoal sql`)"
                error.message += " It was last moved by \(by): the \(newest.operation.rawValue) of \(newest.revision) at \(newest.appliedAt)."
            }
            plan.decisions[index] = .refused(error, current: current)
        }
    }
}
