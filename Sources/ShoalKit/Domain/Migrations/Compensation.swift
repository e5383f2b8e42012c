/// What `shoal rollback RUN` undoes (SPEC §11): for every target that run
/// changed, where the run found it and where it left it, read from the
/// run's journal. Each target goes back to where the run found it, by the
/// steps that lead there (downgrades for an upgrade run, upgrades for a
/// downgrade run, the version rows alone for a stamp).
public struct Compensation: Sendable, Hashable {
    /// One target's move in the compensated run.
    public struct Move: Sendable, Hashable {
        /// The version rows the run found (sorted): where the target returns.
        public var from: [String]
        /// The version rows the run left (sorted); nil when the run never
        /// reported the target (it was killed first) and its history does
        /// not show the run as the last to move it.
        public var to: [String]?
        public init(from: [String], to: [String]?) {
            self.from = from.sorted()
            self.to = to?.sorted()
        }
    }

    /// The id of the run this compensates.
    public var run: String
    /// The compensated run's command: a stamp is compensated by a stamp.
    public var operation: Operation
    /// By target id: what the run did to it.
    public var moves: [String: Move]
    /// `--force`: also return targets a later run moved elsewhere.
    public var force: Bool

    public init(run: String, operation: Operation, moves: [String: Move], force: Bool = false) {
        self.run = run
        self.operation = operation
        self.moves = moves
        self.force = force
    }
}

extension Planner {
    /// The steps that take a target whose version table holds `current` to
    /// exactly the rows `rows`: every applied revision that `rows` does not
    /// include is unapplied, children first, then every revision `rows`
    /// includes that is not applied runs, parents first. Down sections are
    /// not checked here (``FleetPlan/checkCompensable()`` refuses a whole
    /// rollback that needs a missing one, before anything runs).
    public static func move(graph: RevisionGraph, current: [String], to rows: [String], database: String) throws -> Plan {
        let applied = try appliedSet(graph: graph, current: current)
        let unknown = rows.filter { graph.migration($0) == nil }
        guard unknown.isEmpty else {
            throw ShoalError(.plan, "cannot return to \(unknown.joined(separator: ", ")): no file in \(graph.directory) has "
                             + (unknown.count == 1 ? "that revision" : "those revisions") + " any more", revision: unknown[0])
        }
        let wanted = graph.ancestors(of: rows, inclusive: true)
        var builder = PlanBuilder(graph: graph, applied: applied)
        for revision in graph.ordered(applied.subtracting(wanted)).reversed() { builder.down(revision) }
        for revision in graph.ordered(wanted.subtracting(applied)) { builder.up(revision) }
        return builder.plan
    }
}
