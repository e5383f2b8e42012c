/// The runs that moved targets after the run a `shoal rollback` undoes
/// (SPEC §11: a refused target names the later run): the `run_id` of each
/// refused target's newest history row.
enum LaterRuns {
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
