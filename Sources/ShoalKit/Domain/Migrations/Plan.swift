/// Which way a step moves a target.
public enum Direction: String, Sendable, Hashable {
    case up
    case down
}

/// What a history row records.
public enum Operation: String, Sendable, Hashable, CaseIterable {
    case upgrade
    case downgrade
    case stamp
}

/// One migration to run, and how the version table changes when it commits.
public struct PlanStep: Sendable, Hashable {
    public var migration: Migration
    public var direction: Direction
    /// Version rows this step deletes (the heads it replaces).
    public var removeVersions: [String]
    /// Version rows this step inserts.
    public var addVersions: [String]
    /// The version rows expected before the step (to detect a concurrent runner).
    public var versionsBefore: [String]
    public var versionsAfter: [String]

    public init(migration: Migration, direction: Direction, removeVersions: [String], addVersions: [String],
                versionsBefore: [String], versionsAfter: [String]) {
        self.migration = migration
        self.direction = direction
        self.removeVersions = removeVersions
        self.addVersions = addVersions
        self.versionsBefore = versionsBefore
        self.versionsAfter = versionsAfter
    }

    public var revision: String { migration.revision }
    /// The SQL this step runs: `up` or `down`.
    public var sql: String { direction == .up ? migration.up : (migration.down ?? "") }
    public var operation: Operation { direction == .up ? .upgrade : .downgrade }
}

/// What takes one target from `from` to `to`: ordered steps (an upgrade, a
/// downgrade, or the undoing of a run's steps), or, for a stamp, the version
/// rows written without running any SQL.
public struct Plan: Sendable, Hashable {
    /// How a plan moves its target.
    public enum Kind: Sendable, Hashable {
        /// Runs `steps`, one transaction each.
        case steps
        /// Writes the version rows `to` (and clears a dirty mark); runs no SQL.
        case stamp
    }

    public var kind: Kind
    /// Version rows now (sorted).
    public var from: [String]
    /// Version rows after the last step (sorted).
    public var to: [String]
    public var steps: [PlanStep]
    /// The first `contract` migration an `upgrade --phase expand` left out
    /// (SPEC §9.3): the target stops before it. Nil when nothing was held back.
    public var stoppedAt: String?
    public init(_ kind: Kind = .steps, from: [String], to: [String], steps: [PlanStep], stoppedAt: String? = nil) {
        self.kind = kind
        self.from = from
        self.to = to
        self.steps = steps
        self.stoppedAt = stoppedAt
    }
    public var isEmpty: Bool { steps.isEmpty }

    /// What a dry run lists: the revisions of the steps, or the rows a stamp adds.
    public var planned: [String] {
        switch kind {
        case .steps: steps.map(\.revision)
        case .stamp: to.filter { !from.contains($0) }
        }
    }

    /// The plan that undoes `steps` (committed by a run, in order), newest
    /// first, taking the target back to where the first of them found it.
    public static func undoing(_ steps: [PlanStep]) -> Plan {
        let inverse = steps.reversed().map(\.inverse)
        return Plan(from: inverse.first?.versionsBefore.sorted() ?? [], to: inverse.last?.versionsAfter.sorted() ?? [],
                    steps: inverse)
    }
}

extension PlanStep {
    /// The step that undoes this one (`down` for an `up`, and back).
    public var inverse: PlanStep {
        PlanStep(migration: migration, direction: direction == .up ? .down : .up,
                 removeVersions: addVersions, addVersions: removeVersions,
                 versionsBefore: versionsAfter, versionsAfter: versionsBefore)
    }
}
