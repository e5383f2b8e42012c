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

/// The ordered steps that take one target from `from` to `to`.
public struct Plan: Sendable, Hashable {
    /// Version rows now (sorted).
    public var from: [String]
    /// Version rows after the last step (sorted).
    public var to: [String]
    public var steps: [PlanStep]
    public init(from: [String], to: [String], steps: [PlanStep]) {
        self.from = from
        self.to = to
        self.steps = steps
    }
    public var isEmpty: Bool { steps.isEmpty }
}
