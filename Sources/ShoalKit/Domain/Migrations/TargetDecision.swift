/// What a fan-out command will do to one target, decided from what its
/// version tables say (or why they could not be read), before anything is
/// touched. The planning pass decides every target this way, and a target's
/// run decides again under its migrator lock from a fresh read.
public enum TargetDecision: Sendable {
    /// The plan to carry out: steps to run, or the rows a stamp writes.
    case work(Plan)
    /// Nothing to do: the target is already where the command leads.
    case upToDate(Plan)
    /// Refused: not touched.
    case refused(ShoalError, current: [String])
    /// Dirty, but a live run holds the target's lock: a `transaction: false`
    /// migration is running now. The run waits for that lock, then reads the
    /// target again and decides from that.
    case inProgress(DirtyMark, current: [String])

    /// Decides `command` for a target from its state.
    public static func decide(_ command: FleetCommand, state: VersionState, graph: RevisionGraph, target: Target,
                              memo: PlanMemo? = nil) throws -> TargetDecision {
        if let dirty = state.dirty, dirty.inProgress {
            return .inProgress(dirty, current: state.current.sorted())
        }
        let plan = try TargetPlanner.plan(command, state: state, graph: graph, target: target, memo: memo)
        switch plan.kind {
        case .stamp:
            let unchanged = plan.to == state.current.sorted() && state.dirty == nil && state.initialized
            return unchanged ? .upToDate(plan) : .work(plan)
        case .steps:
            return plan.isEmpty ? .upToDate(plan) : .work(plan)
        }
    }

    /// Decides from what the planning read found, or the reason it could not
    /// read the target (which refuses it).
    public static func decide(_ command: FleetCommand, read: Result<VersionState, ShoalError>, graph: RevisionGraph,
                              target: Target, memo: PlanMemo? = nil) -> TargetDecision {
        do {
            return try decide(command, state: read.get(), graph: graph, target: target, memo: memo)
        } catch {
            return .refused(ShoalError.wrap(error, target: target), current: (try? read.get().current.sorted()) ?? [])
        }
    }

    /// Whether the target goes on to the run (work, or a wait for another run).
    public var runs: Bool {
        switch self {
        case .work, .inProgress: true
        case .upToDate, .refused: false
        }
    }

    /// The version rows the target has, as far as the decision knows.
    public var current: [String] {
        switch self {
        case .work(let plan), .upToDate(let plan): plan.from
        case .refused(_, let current), .inProgress(_, let current): current
        }
    }
}
