/// Decides what a fan-out command does to one target, from what its version
/// tables say: the checks of SPEC §7 (dirty, unknown revisions, changed
/// checksums, missing down sections) and then the plan.
///
/// Pure: the fleet reads the state, asks here, and only then touches anything.
public enum TargetPlanner {
    /// The plan for `command`, or the reason this target must not be touched.
    ///
    /// A dirty target is refused by upgrade and downgrade (only `stamp` clears
    /// the mark). An applied revision whose file changed since is refused, so a
    /// database never runs on top of SQL that differs from what the files say.
    ///
    /// `memo` (one per command and graph) keeps what depends on the version
    /// rows alone, for the next target with the same rows.
    public static func plan(_ command: FleetCommand, state: VersionState, graph: RevisionGraph,
                            target: Target, memo: PlanMemo? = nil) throws -> Plan {
        if case .stamp = command {
            let rows = try Planner.stamp(graph: graph, current: state.current, to: command.spec, database: target.database)
            return Plan(.stamp, from: state.current.sorted(), to: rows.sorted(), steps: [])
        }
        if case .rollback(let compensation) = command, compensation.operation == .stamp {
            let rows = try compensated(compensation, state: state, target: target)
            return Plan(.stamp, from: state.current.sorted(), to: rows, steps: [])
        }
        if let dirty = state.dirty {
            throw dirtyError(dirty, target: target)
        }
        try checkChecksums(state: state, graph: graph, target: target, memo: memo)
        let plan = { () throws -> Plan in
            switch command {
            case .upgrade(let spec, let phase):
                return try Planner.upgrade(graph: graph, current: state.current, to: spec, database: target.database,
                                           phase: phase)
            case .downgrade(let spec):
                return try Planner.downgrade(graph: graph, current: state.current, to: spec, database: target.database)
            case .rollback(let compensation):
                let rows = try compensated(compensation, state: state, target: target)
                return try Planner.move(graph: graph, current: state.current, to: rows, database: target.database)
            case .stamp:
                preconditionFailure("handled above")
            }
        }
        return try memo?.plan(database: target.database, current: state.current, plan) ?? plan()
    }

    /// Where a rollback takes `target`: back to the rows the compensated
    /// run found it at, when it is still where the run left it (or already
    /// back); a target another run moved since is refused
    /// (``movedSinceRun(_:now:compensation:)``) unless `force`.
    static func compensated(_ compensation: Compensation, state: VersionState, target: Target) throws -> [String] {
        guard let move = compensation.moves[target.id] else { return state.current.sorted() }
        let now = state.current.sorted()
        guard now == move.from || now == move.to || compensation.force else {
            throw movedSinceRun(target, now: now, compensation: compensation)
        }
        return move.from
    }

    /// The refusal of a target that a run after the compensated one moved.
    /// Its message says where the run left it and where it is now; the
    /// fleet adds which run moved it (history's `run_id`).
    public static func movedSinceRun(_ target: Target, now: [String], compensation: Compensation) -> ShoalError {
        let move = compensation.moves[target.id]
        func rows(_ rows: [String]) -> String { rows.isEmpty ? "base" : rows.joined(separator: "+") }
        let force = "`shoal rollback \(compensation.run) --force` returns it anyway."
        guard let to = move?.to else {
            return ShoalError(.plan, "run \(compensation.run) was interrupted before it reported \(target.id), and the last change "
                              + "to it is not that run's: it is at \(rows(now)) now, and returning it to \(rows(move?.from ?? [])) "
                              + "could undo another run. " + force)
        }
        return ShoalError(.plan, "\(target.id) was moved since run \(compensation.run) left it at \(rows(to)): "
                          + "it is at \(rows(now)) now, so returning it to \(rows(move?.from ?? [])) would undo a later run too. "
                          + force)
    }

    /// The error a dirty target gets, with what to do about it.
    public static func dirtyError(_ dirty: DirtyMark, target: Target) -> ShoalError {
        ShoalError(.dirty,
                   "\(target.id) is dirty: the \(dirty.operation.rawValue) of \(dirty.revision) (transaction: false) started at \(dirty.startedAt) and did not finish, so the database may be half-changed. Check it by hand, finish or undo the statements, then run `shoal stamp <revision> --target \(target.id)` to record where it is.",
                   revision: dirty.revision)
    }

    /// Refuses a target where an applied revision's file no longer matches
    /// the checksum recorded when it was applied.
    public static func checkChecksums(state: VersionState, graph: RevisionGraph, target: Target,
                                      memo: PlanMemo? = nil) throws {
        let applied = { () -> [Migration] in
            let known = state.current.filter { graph.migration($0) != nil }
            return graph.ordered(graph.ancestors(of: known, inclusive: true)).compactMap(graph.migration)
        }
        let migrations = memo?.applied(database: target.database, current: state.current, applied) ?? applied()
        for migration in migrations {
            guard let recorded = state.appliedChecksums[migration.revision] else { continue }
            if recorded != migration.checksum {
                let revision = migration.revision
                throw ShoalError(.checksum,
                                 "\(revision) was applied to \(target.id) with checksum \(recorded.prefix(12)), but \(migration.path) now has \(migration.checksum.prefix(12)): an applied migration was edited. Restore the file as it was applied and put the change in a new revision (`shoal revision`); `shoal verify` lists every such file.",
                                 file: migration.path, revision: revision)
            }
        }
    }
}
