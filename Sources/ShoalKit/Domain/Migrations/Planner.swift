/// Computes what a target must run to reach a revision, from its version rows
/// and the database's ``RevisionGraph`` alone, before anything is touched
/// (SPEC §7). The fleet runs the plans; the planner only decides.
///
/// The semantics follow Alembic's:
///
/// - **Applied set.** A target whose version table holds `current` has applied
///   `ancestors(current, inclusive)`. A row that is not in the graph, or a row
///   that is an ancestor of another row, is a `.plan` error for that target
///   only: restore the file, or repair the rows with `shoal stamp`.
/// - **upgrade** to `head` (the single head), `heads` (all heads) or an id runs
///   every ancestor of the targets not yet applied, parents first. Applied
///   revisions are skipped, so upgrading to a revision at or behind the target
///   is an empty plan, and so is `upgrade base`. Branches already applied stay:
///   after upgrading two parallel branches the version table holds both heads,
///   until a merge revision collapses them into one row.
/// - **downgrade** to an id unapplies every applied descendant of it, children
///   first; the id must be applied, and unrelated branches stay. `base`
///   unapplies everything. `head` and `heads` resolve as for upgrade and act as
///   ids (usually a no-op).
/// - **+N** takes the first N steps of the upgrade toward the one head still
///   ahead of the target: a head that descends from its version rows (from the
///   roots when nothing is applied) and is not applied. Several such heads are
///   ambiguous; none means nothing is pending on the current branch.
/// - **-N** unapplies the target's single version row N times; several rows at
///   any step are ambiguous. Too few steps either way is an error naming how
///   many there are.
/// - **Phases** (SPEC §9.3): an upgrade with `phase: .expand` leaves out
///   every pending `contract` migration and every revision that descends
///   from one; the rest runs in the usual order. On a single line of history
///   that stops the target before its first contract migration; on branches,
///   a contract migration holds back only what depends on it. The plan names
///   the first one left out as ``Plan/stoppedAt``. `.contract` (or no phase)
///   applies everything. Phases do not apply to downgrades.
/// - A downgrade step needs the migration's `down` section; a missing one is
///   refused before any step is returned. A migration whose `up` has no
///   statements (a merge) needs none.
///
/// Every ``PlanStep`` carries the version rows before and after it, and the
/// rows it removes and adds, so that the runner can update the version table in
/// the step's transaction and detect a concurrent runner.
///
/// Errors about the argument itself (unknown or ambiguous id, `head` with
/// several heads, `upgrade -1`) are `ShoalError(.revision)`, the same for every
/// target and checked first; the rest are `ShoalError(.plan)` and concern one
/// target.
public enum Planner {
    /// Checks `spec` against the graph alone, before any target is read: an
    /// unknown or ambiguous id, or `head` while the graph has several heads.
    public static func validate(_ spec: RevisionSpec, graph: RevisionGraph, database: String) throws {
        _ = try absoluteTargets(spec, graph: graph, database: database)
    }

    /// As ``validate(_:graph:database:)``, and also refuses a relative spec that
    /// points the wrong way for `operation`: `upgrade -1` or `downgrade +1`.
    public static func validate(_ spec: RevisionSpec, for operation: Operation, graph: RevisionGraph,
                                database: String) throws {
        try checkDirection(spec, operation)
        try validate(spec, graph: graph, database: database)
    }

    /// The plan that brings a target whose version table holds `current` up
    /// to `spec`; with `phase: .expand`, without the `contract` migrations
    /// and what depends on them.
    public static func upgrade(graph: RevisionGraph, current: [String], to spec: RevisionSpec,
                               database: String, phase: MigrationPhase? = nil) throws -> Plan {
        try validate(spec, for: .upgrade, graph: graph, database: database)
        let applied = try appliedSet(graph: graph, current: current)
        var builder = PlanBuilder(graph: graph, applied: applied)
        // Steps come parents first, so a revision's held-back parent is known by the time it comes.
        var heldBack: Set<String> = []
        for revision in try upgradeSteps(graph: graph, applied: applied, to: spec, database: database) {
            if phase == .expand, let migration = graph.migration(revision),
               migration.phase == .contract || migration.parents.contains(where: heldBack.contains) {
                heldBack.insert(revision)
                if migration.phase == .contract && builder.stoppedAt == nil { builder.stoppedAt = revision }
                continue
            }
            builder.up(revision)
        }
        return builder.plan
    }

    /// The plan that brings a target whose version table holds `current` down to `spec`.
    public static func downgrade(graph: RevisionGraph, current: [String], to spec: RevisionSpec,
                                 database: String) throws -> Plan {
        try validate(spec, for: .downgrade, graph: graph, database: database)
        let applied = try appliedSet(graph: graph, current: current)
        let plan = try downgradePlan(graph: graph, applied: applied, to: spec, database: database)
        for step in plan.steps where step.migration.down == nil && !SQLScript.isEmpty(step.migration.up) {
            throw ShoalError(.plan,
                             "cannot downgrade revision \(step.revision): its file \(step.migration.path) has no "
                                 + "`-- shoal:down` section. Add one, or downgrade only to \(step.revision) or later.",
                             file: step.migration.path, revision: step.revision)
        }
        return plan
    }

    /// The version rows a `stamp` to `spec` leaves; no SQL runs (adopting an
    /// existing database, or repairing a target after a failed
    /// `transaction: false` migration).
    ///
    /// `base` leaves no rows. An absolute spec replaces the rows related to its
    /// targets (their ancestors and descendants) and rows not in the graph, and
    /// keeps rows on unrelated branches, as Alembic does. A relative spec moves
    /// from `current` as upgrade or downgrade would, without needing `down`
    /// sections.
    public static func stamp(graph: RevisionGraph, current: [String], to spec: RevisionSpec,
                             database: String) throws -> [String] {
        switch spec {
        case .base:
            return []
        case .relative(let steps) where steps > 0:
            return try upgrade(graph: graph, current: current, to: spec, database: database).to
        case .relative:
            try validate(spec, graph: graph, database: database)
            let applied = try appliedSet(graph: graph, current: current)
            return try downgradePlan(graph: graph, applied: applied, to: spec, database: database).to
        case .head, .heads, .revision:
            let targets = try absoluteTargets(spec, graph: graph, database: database)
            let related = graph.ancestors(of: targets, inclusive: true).union(graph.descendants(of: targets, inclusive: true))
            let kept = current.filter { graph.migration($0) != nil && !related.contains($0) }
            return graph.heads(of: Set(kept + targets))
        }
    }

    // MARK: - Steps

    private static func upgradeSteps(graph: RevisionGraph, applied: Set<String>, to spec: RevisionSpec,
                                     database: String) throws -> [String] {
        guard case .relative(let count) = spec else {
            let targets = try absoluteTargets(spec, graph: graph, database: database)
            return graph.ordered(graph.ancestors(of: targets, inclusive: true).subtracting(applied))
        }
        if count == 0 { return [] }
        // Along the current branch: from the version rows, not from every applied
        // revision, or a target at the head of one branch would step onto another.
        let start = applied.isEmpty ? Set(graph.roots) : Set(graph.heads(of: applied))
        let reachable = graph.descendants(of: start, inclusive: true)
        let headsAhead = graph.heads.filter { reachable.contains($0) && !applied.contains($0) }
        if headsAhead.count > 1 {
            throw ShoalError(.plan,
                             "+\(count) is ambiguous: several heads are ahead of this target "
                                 + "(\(headsAhead.joined(separator: ", "))); upgrade to one of them by id, or to `heads`.")
        }
        let pending = headsAhead.first.map { graph.ordered(graph.ancestors(of: [$0], inclusive: true).subtracting(applied)) } ?? []
        if pending.count < count {
            let toward = headsAhead.first.map { " toward head \($0)" } ?? ""
            throw ShoalError(.plan,
                             "cannot upgrade +\(count): only \(pending.count) revision\(pending.count == 1 ? " is" : "s are") "
                                 + "pending\(toward) on this target. Use a smaller N, or `head`.")
        }
        return Array(pending.prefix(count))
    }

    /// The downgrade plan, without checking `down` sections (stamp needs none).
    private static func downgradePlan(graph: RevisionGraph, applied: Set<String>, to spec: RevisionSpec,
                                      database: String) throws -> Plan {
        var builder = PlanBuilder(graph: graph, applied: applied)
        switch spec {
        case .relative(let steps):
            for done in 0..<(-steps) {
                let rows = builder.rows.sorted()
                if rows.isEmpty {
                    throw ShoalError(.plan,
                                     "cannot downgrade \(steps): only \(done) revision\(done == 1 ? " is" : "s are") "
                                         + "applied on this target. Use a smaller N, or `base`.")
                }
                if rows.count > 1 {
                    let after = done == 0 ? "" : " after \(done) step\(done == 1 ? "" : "s")"
                    throw ShoalError(.plan,
                                     "\(steps) is ambiguous: the version table holds several revisions\(after) "
                                         + "(\(rows.joined(separator: ", "))); downgrade to a revision by id instead.")
                }
                builder.down(rows[0])
            }
        case .base:
            for revision in graph.ordered(applied).reversed() { builder.down(revision) }
        case .head, .heads, .revision:
            let targets = try absoluteTargets(spec, graph: graph, database: database)
            for target in targets where !applied.contains(target) {
                throw ShoalError(.plan, "\(target) is not applied to this target; use upgrade to reach it.",
                                 revision: target)
            }
            let removed = graph.descendants(of: targets, inclusive: false).intersection(applied)
            for revision in graph.ordered(removed).reversed() { builder.down(revision) }
        }
        return builder.plan
    }

    // MARK: - Checks

    /// The revisions `spec` names; none for `base` and relative specs.
    private static func absoluteTargets(_ spec: RevisionSpec, graph: RevisionGraph, database: String) throws -> [String] {
        switch spec {
        case .head:
            let heads = graph.heads
            if heads.count > 1 {
                throw ShoalError(.revision,
                                 "\(graph.directory) has \(heads.count) heads (\(heads.joined(separator: ", "))), so `head` "
                                     + "is ambiguous. Run `shoal merge --db \(database)` to join them, or name one of "
                                     + "them (`heads` takes every branch).")
            }
            return heads
        case .heads:
            return graph.heads
        case .base, .relative:
            return []
        case .revision(let id):
            return [try graph.resolve(id)]
        }
    }

    private static func checkDirection(_ spec: RevisionSpec, _ operation: Operation) throws {
        guard case .relative(let steps) = spec else { return }
        if operation == .upgrade && steps < 0 {
            throw ShoalError(.revision, "upgrade cannot go \(steps); run `shoal downgrade \(steps)` to go back.")
        }
        if operation == .downgrade && steps > 0 {
            throw ShoalError(.revision, "downgrade cannot go +\(steps); run `shoal upgrade +\(steps)` to go forward.")
        }
    }

    /// What a target has applied, from its version rows.
    static func appliedSet(graph: RevisionGraph, current: [String]) throws -> Set<String> {
        for revision in current.sorted() where graph.migration(revision) == nil {
            throw ShoalError(.plan,
                             "the version table holds revision \(revision), which is not in \(graph.directory). "
                                 + "Restore its migration file, or run `shoal stamp` on this target to the revision "
                                 + "it is really at.",
                             revision: revision)
        }
        let applied = graph.ancestors(of: current, inclusive: true)
        for revision in current.sorted() {
            let below = graph.descendants(of: [revision], inclusive: false)
            if let descendant = current.sorted().first(where: below.contains) {
                throw ShoalError(.plan,
                                 "the version table holds both \(revision) and its descendant \(descendant); "
                                     + "it should hold only the latter. Run `shoal stamp` on this target to repair it.",
                                 revision: revision)
            }
        }
        return applied
    }
}
