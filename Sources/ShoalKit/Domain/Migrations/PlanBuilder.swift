/// Tracks a target's applied set while a plan is built, so that every step
/// records the version rows before and after it (SPEC §5: one row per current
/// head). Updates are incremental, which keeps planning a long history for
/// thousands of targets linear in the number of steps.
struct PlanBuilder {
    let graph: RevisionGraph
    /// Everything applied: ancestor-closed.
    private(set) var applied: Set<String>
    /// The version rows: the heads of `applied`.
    private(set) var rows: Set<String>
    private let initialRows: [String]
    private var steps: [PlanStep] = []
    /// The first `contract` migration left out by `--phase expand`.
    var stoppedAt: String?

    init(graph: RevisionGraph, applied: Set<String>) {
        self.graph = graph
        self.applied = applied
        self.rows = Set(graph.heads(of: applied))
        self.initialRows = rows.sorted()
    }

    /// Applies `revision`, whose parents must all be applied.
    mutating func up(_ revision: String) {
        guard let migration = graph.migration(revision) else { return }
        let before = rows
        rows.subtract(migration.parents)
        rows.insert(revision)
        applied.insert(revision)
        record(migration, .up, before: before)
    }

    /// Unapplies `revision`, which must be a version row (no applied child).
    mutating func down(_ revision: String) {
        guard let migration = graph.migration(revision) else { return }
        let before = rows
        applied.remove(revision)
        rows.remove(revision)
        for parent in migration.parents where !graph.children(of: parent).contains(where: applied.contains) {
            rows.insert(parent)
        }
        record(migration, .down, before: before)
    }

    var plan: Plan {
        Plan(from: initialRows, to: rows.sorted(), steps: steps, stoppedAt: stoppedAt)
    }

    private mutating func record(_ migration: Migration, _ direction: Direction, before: Set<String>) {
        steps.append(PlanStep(migration: migration, direction: direction,
                              removeVersions: before.subtracting(rows).sorted(),
                              addVersions: rows.subtracting(before).sorted(),
                              versionsBefore: before.sorted(), versionsAfter: rows.sorted()))
    }
}
